"""The public face of the platform: the home page, the bureau's notices and the help pages.

Catalog and topic pages and the listing-approval workflow join this app in the catalog issue.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, Task, TaskState
from wagtail.search import index

from accounts.api import current_request
from config.page_cache import anonymous_cached
from courses.api import institution_index_under

from .entries import HOME_ENTRIES
from .reviewers import is_listing_reviewer, listing_problems


class HomePage(Page):
    """The site root (DESIGN.md §1): notices, the entries, help and a login link.

    Anonymous visits are served whole from the page cache (config.page_cache); a logged-in visit is
    rendered for its user (their own entry instead of the login link) and never cached:
    docs/decisions/0008-home-page-for-logged-in-users.md.
    """

    welcome = models.CharField(
        _("欢迎语"),
        max_length=200,
        blank=True,
        default="每年不少于 90 学时：公需科目不少于 30 学时，专业科目不少于 60 学时。",
    )
    intro = RichTextField(_("平台简介"), blank=True, features=["bold", "link"])
    notices_shown = models.PositiveSmallIntegerField(_("首页显示通知条数"), default=6)

    content_panels = [
        *Page.content_panels,
        FieldPanel("welcome"),
        FieldPanel("intro"),
        FieldPanel("notices_shown"),
    ]

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["catalog.NoticeIndexPage", "catalog.HelpPage", "courses.InstitutionIndexPage"]

    class Meta:
        verbose_name = _("首页")

    def serve(self, request, *args, **kwargs):
        return anonymous_cached(super().serve)(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["entries"] = HOME_ENTRIES
        context["notices"] = (
            NoticePage.objects.live().public().descendant_of(self).order_by("-date", "-pk")
        )[: self.notices_shown]
        context["notice_index"] = NoticeIndexPage.objects.live().descendant_of(self).first()
        context["help_pages"] = HelpPage.objects.live().child_of(self)
        context["institution_index"] = institution_index_under(self)
        return context


class NoticeIndexPage(Page):
    """通知公告: the list of the bureau's notices, newest first."""

    intro = RichTextField(_("说明"), blank=True, features=["bold", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["catalog.HomePage"]
    subpage_types = ["catalog.NoticePage"]
    max_count = 1
    per_page = 20

    class Meta:
        verbose_name = _("通知公告栏目")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        notices = NoticePage.objects.live().public().child_of(self).order_by("-date", "-pk")
        context["page_obj"] = Paginator(notices, self.per_page).get_page(request.GET.get("page"))
        return context


class NoticePage(Page):
    """One notice of the bureau (通知公告), e.g. 安人社函〔2025〕44号."""

    date = models.DateField(_("发布日期"))
    issuer = models.CharField(_("发文机关"), max_length=100, default="安阳市人力资源和社会保障局")
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    body = RichTextField(
        _("正文"),
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"],
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("document_number"),
        index.SearchField("body"),
    ]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("issuer"), FieldPanel("document_number"), FieldPanel("date")],
            heading=_("发文信息"),
        ),
        FieldPanel("body"),
    ]
    parent_page_types = ["catalog.NoticeIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("问题"), max_length=200)
    answer = blocks.RichTextBlock(label=_("解答"), features=["bold", "ol", "ul", "link"])

    class Meta:
        icon = "help"
        label = _("问答")
        template = "components/question_block.html"


class HelpPage(Page):
    """常见问题 and 联系我们: questions with answers, and how to reach the help desk."""

    intro = RichTextField(_("说明"), blank=True, features=["bold", "link"])
    questions = StreamField([("question", QuestionBlock())], blank=True, verbose_name=_("常见问题"))
    contact = RichTextField(_("联系方式"), blank=True, features=["bold", "link", "ul"])

    search_fields = [*Page.search_fields, index.SearchField("questions")]
    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("questions"),
        FieldPanel("contact"),
    ]
    parent_page_types = ["catalog.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("帮助页")


@register_setting(icon="doc-full")
class SiteFilingSettings(BaseSiteSetting):
    """The site's filing numbers, shown in every page's footer (required for a site in China)."""

    organiser = models.CharField(
        _("主办单位"), max_length=100, default="安阳市人力资源和社会保障局"
    )
    icp_number = models.CharField(_("ICP备案号"), max_length=60, blank=True)
    police_number = models.CharField(_("公安机关备案号"), max_length=60, blank=True)
    help_phone = models.CharField(_("咨询电话"), max_length=40, blank=True)

    panels = [
        FieldPanel("organiser"),
        FieldPanel("icp_number"),
        FieldPanel("police_number"),
        FieldPanel("help_phone"),
    ]

    class Meta:
        verbose_name = _("网站备案与联系")

    @property
    def police_record_url(self) -> str:
        digits = "".join(ch for ch in self.police_number if ch.isdigit())
        if not digits:
            return ""
        return f"{settings.POLICE_RECORD_URL}?recordcode={digits}"


# --- Listing approval (DESIGN.md §1): the two steps of the 课程上架审核 workflow ---------------


def _problems_comment(problems: list[str]) -> str:
    return "\n".join(f"{number}. {problem}" for number, problem in enumerate(problems, start=1))


class CompletenessTask(Task):
    """完整性检查: decides the moment it starts, so an incomplete course never reaches a reviewer.
    A refusal lists every problem in Chinese as its comment; the institution fixes and resubmits."""

    admin_form_fields = Task.admin_form_fields

    class Meta:
        verbose_name = _("完整性检查（自动）")
        verbose_name_plural = _("完整性检查（自动）")

    def start(self, workflow_state, user=None):
        task_state = super().start(workflow_state, user=user)
        problems, _pins, _organisations = listing_problems(workflow_state.content_object)
        if problems:
            task_state.reject(update=False, comment=_problems_comment(problems))
        else:
            task_state.approve(update=False, comment=str(_("自动检查通过。")))
        return task_state

    @classmethod
    def get_description(cls):
        return _(
            "提交后立即自动检查：授课人简介、课件审核依据、每讲视频已就绪、学时不超过视频时长上限。"
        )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("退回意见"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": _("请填写退回意见，说明需要修改的内容。")},
    )


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


DECISION_MESSAGE_TAG = "listing-decision"


class ListingReviewTaskState(TaskState):
    """A review of one submitted version. `reviewer_organisations` are computed from that version
    when the review starts (catalog.listing); `pins` are the lesson and instructor revisions
    checked with it, which approval publishes together with the page."""

    reviewer_organisations = models.ManyToManyField(
        "accounts.Organisation", related_name="+", verbose_name=_("审核单位")
    )
    pins = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("上架审核记录")
        verbose_name_plural = _("上架审核记录")


class ListingReviewTask(Task):
    """主管部门审核: the reviewers are computed from the page (catalog.listing), so each reviewer
    sees and can act on only the courses that are theirs. The completeness check is run again
    when the review (re)starts, so a resubmission after a return is checked too."""

    task_state_class = ListingReviewTaskState
    admin_form_fields = Task.admin_form_fields

    class Meta:
        verbose_name = _("主管部门审核")
        verbose_name_plural = _("主管部门审核")

    def start(self, workflow_state, user=None):
        problems, pins, organisations = listing_problems(workflow_state.content_object)
        task_state = super().start(workflow_state, user=user)
        if problems:
            task_state.reject(update=False, comment=_problems_comment(problems))
            return task_state
        task_state.pins = pins
        task_state.save(update_fields=["pins"])
        task_state.reviewer_organisations.set(organisations)
        return task_state

    def user_can_access_editor(self, obj, user):
        return user_reviews_listing(user, obj)

    def locked_for_user(self, obj, user):
        return not user_reviews_listing(user, obj)

    def get_actions(self, obj, user):
        if not user_reviews_listing(user, obj):
            return []
        return [
            ("reject", _("退回修改"), True),
            ("approve", _("审核通过"), False),
            ("approve", _("附意见通过"), True),
        ]

    def get_form_for_action(self, action):
        return ReturnForm if action == "reject" else ApproveForm

    def on_action(self, task_state, user, action_name, **kwargs):
        """Every way in (the modal's URL names a page and a task state separately; the editor's
        own action buttons pass the client's extra data through) ends here, so check that the
        task state is this page's review under way, that the user decides on it, and that the
        data is what the action's form allows."""
        workflow_state = task_state.workflow_state
        page = workflow_state.content_object
        if (
            action_name not in ("approve", "reject")
            or task_state.status != TaskState.STATUS_IN_PROGRESS
            or workflow_state.status != workflow_state.STATUS_IN_PROGRESS
            or workflow_state.current_task_state_id != task_state.pk
            or not user_reviews_listing(user, page)
        ):
            raise PermissionDenied
        form = self.get_form_for_action(action_name)({"comment": kwargs.get("comment", "")})
        if not form.is_valid():
            raise PermissionDenied(form.errors.as_text())
        super().on_action(task_state, user, action_name, comment=form.cleaned_data["comment"])
        self._decision_tell(user, page, action_name)
        return reverse("wagtailadmin_home")  # back to the reviewer's queue

    @staticmethod
    def _decision_tell(user, page, action_name: str) -> None:
        """Tell the reviewer, on the page they land on, what their decision did."""
        request = current_request()
        if request is None or getattr(request, "user", None) != user:
            return
        title = page.get_latest_revision_as_object().title
        if action_name == "approve":
            done = "已上架" if page.specific_class.__name__ == "CoursePage" else "已发布"
            text = f"《{title}》审核通过，{done}。"
        else:
            text = f"《{title}》已退回施教机构修改，退回意见已送达。"
        request.listing_decided = action_name
        messages.success(request, text, extra_tags=DECISION_MESSAGE_TAG)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        return listing_task_states_for(user, self.task_states.all())

    @classmethod
    def get_description(cls):
        return _("公需科目由人社局、会计专区由财政局、专业科目由行业主管部门审核；退回须填写意见。")


def review_in_progress(page: Page):
    """The listing review of `page` under way, if any."""
    return (
        ListingReviewTaskState.objects.for_instance(page)
        .filter(status=ListingReviewTaskState.STATUS_IN_PROGRESS)
        .order_by("-pk")
        .first()
    )


def user_reviews_listing(user, page: Page) -> bool:
    """Whether `user` may decide on `page`'s listing now: a review is under way and the user is a
    reviewer of one of its organisations (or a superuser)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if not is_listing_reviewer(user):
        return False
    review = review_in_progress(page)
    return (
        review is not None
        and review.reviewer_organisations.filter(pk=user.organisation_id).exists()
    )


def listing_task_states_for(user, task_states: QuerySet) -> QuerySet:
    """Of `task_states` (of the listing-review task), those in progress that `user` decides on."""
    in_progress = task_states.filter(status="in_progress")
    if user.is_superuser:
        return in_progress
    if not is_listing_reviewer(user):
        return in_progress.none()
    return in_progress.filter(
        pk__in=ListingReviewTaskState.objects.filter(
            reviewer_organisations=user.organisation_id
        ).values("pk")
    )
