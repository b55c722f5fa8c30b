"""Courseware pages and what they are made of (DESIGN.md §1–§2).

施教机构 (InstitutionIndexPage) → one institution's disclosure (InstitutionPage) → its courses
(CoursePage) → their lessons (LessonPage). Instructors are snippets of their institution; topics
are editable data. Courses and disclosures go live through the listing-approval workflow of the
catalog app; a lesson goes live with its course (it has no workflow of its own).
"""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import DraftStateMixin, Page, PreviewableMixin, RevisionMixin
from wagtail.search import index

from accounts.api import LEARNER, Industry, Organisation, TitleSeries
from config.page_cache import anonymous_cached
from media.api import master_playlist_url, playlist_allowed

from .extensions import listing
from .forms import CoursePageForm, LessonPageForm
from .quiz import QuizFields
from .search import search_document
from .study import EnrolmentState, course_study_refusal, course_versions


class InstitutionIndexPage(Page):
    """施教机构: every training institution's disclosure page sits under this one."""

    intro = RichTextField(_("说明"), blank=True, features=["bold", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["catalog.HomePage"]
    subpage_types = ["courses.InstitutionPage"]
    max_count = 1

    class Meta:
        verbose_name = _("施教机构栏目")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["institutions"] = InstitutionPage.objects.live().public().child_of(self)
        return context


def _institution_above(page: Page) -> Organisation | None:
    """The organisation of the disclosure page above `page` in the tree, if there is one."""
    above = InstitutionPage.objects.ancestor_of(page).first()
    return above.organisation if above is not None else None


class FeeItemBlock(blocks.StructBlock):
    item = blocks.CharBlock(label=_("收费项目"), max_length=100)
    standard = blocks.CharBlock(
        label=_("收费标准"), max_length=100, help_text=_("如：每学时 2 元；免费")
    )
    note = blocks.CharBlock(label=_("说明"), max_length=200, required=False)

    class Meta:
        icon = "table"
        label = _("收费项目")


class InstitutionPage(Page):
    """One institution's disclosure, as the 2025 notice requires institutions to publish: the
    scope and content of their training, their fee items and standards, and how to reach them.
    The institution's own group may edit this page and what is under it, and nothing else."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        related_name="institution_page",
        limit_choices_to={"kind": "institution"},
        verbose_name=_("施教机构"),
    )
    scope = RichTextField(_("培训范围"), features=["bold", "ul", "ol", "link"])
    training_content = RichTextField(_("培训内容"), features=["bold", "ul", "ol", "link"])
    fees = StreamField([("fee", FeeItemBlock())], verbose_name=_("收费项目及标准"))
    contact = RichTextField(_("联系方式"), features=["bold", "ul", "link"])

    search_fields = [
        *Page.search_fields,
        index.SearchField("scope"),
        index.SearchField("training_content"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("organisation", read_only=True),
        FieldPanel("scope"),
        FieldPanel("training_content"),
        FieldPanel("fees"),
        FieldPanel("contact"),
    ]
    parent_page_types = ["courses.InstitutionIndexPage"]
    subpage_types = ["courses.CoursePage"]

    class Meta:
        verbose_name = _("施教机构公开信息")
        verbose_name_plural = _("施教机构公开信息")

    def get_workflow(self):
        return listing.workflow()

    def owning_institution(self) -> Organisation:
        return self.organisation

    def live_courses(self):
        """Its courses on the catalog now (the disclosure duty: what it offers, at what fee)."""
        return CoursePage.objects.live().child_of(self).order_by("subject", "title")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = self.live_courses()
        return context

    def serve(self, request, *args, **kwargs):
        return anonymous_cached(super().serve)(request, *args, **kwargs)


class Instructor(DraftStateMixin, RevisionMixin, PreviewableMixin, models.Model):
    """授课人: a snippet of one institution. The notice requires every instructor's situation to
    be described in the course introduction, so the bio is required.

    The row holds the live (approved) version; an editor's change is a draft revision that goes
    live when a course naming this instructor is approved (editors cannot publish)."""

    institution = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="instructors",
        limit_choices_to={"kind": "institution"},
        verbose_name=_("施教机构"),
        editable=False,
    )
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职称/职务"), max_length=100)
    affiliation = models.CharField(_("工作单位"), max_length=200)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("照片"),
    )
    bio = models.TextField(
        _("个人简介"),
        help_text=_("学历、专业领域、从业经历和主要成果；将显示在课程介绍中"),
    )

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="instructor")

    panels = [
        HelpPanel(
            content=_("修改保存为草稿；使用该授课人的课程重新提交并审核通过后，修改才对学员显示。")
        ),
        # Required even on a draft: the row must satisfy instructor_has_bio.
        FieldPanel("name", required_on_save=True),
        FieldPanel("title", required_on_save=True),
        FieldPanel("affiliation", required_on_save=True),
        FieldPanel("photo"),
        FieldPanel("bio", required_on_save=True),
    ]

    class Meta:
        ordering = ["institution", "name"]
        verbose_name = _("授课人")
        verbose_name_plural = _("授课人")
        constraints = [
            models.CheckConstraint(condition=~models.Q(bio=""), name="instructor_has_bio"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）"

    @property
    def revisions(self):
        return self._revisions

    def get_preview_template(self, request, mode_name):
        return "courses/instructor_preview.html"


class TopicKind(models.TextChoices):
    KEY = "key", _("重点内容")
    POPULAR = "popular", _("普及内容")


class Topic(models.Model):
    """A public-subject topic (DESIGN.md §2): the bureau edits the list year by year."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    kind = models.CharField(_("类别"), max_length=10, choices=TopicKind.choices)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    panels = [FieldPanel("name"), FieldPanel("kind"), FieldPanel("sort_order")]

    class Meta:
        ordering = ["kind", "sort_order", "name"]
        verbose_name = _("公需科目专题")
        verbose_name_plural = _("公需科目专题")

    def __str__(self) -> str:
        return self.name


class Subject(models.TextChoices):
    PUBLIC = "public", _("公需科目")
    PROFESSIONAL = "professional", _("专业科目")
    ACCOUNTING = "accounting", _("会计专区")


class BasisKind(models.TextChoices):
    """The three routes by which courseware may be vetted (DESIGN.md §2)."""

    DEPARTMENT = "department", _("经市级及以上行业主管部门审核通过")
    RECOMMENDED = "recommended", _("由经授权的行业协会、学会推荐")
    PUBLISHER = "publisher", _("经市级出版主管部门审核通过")


HOURS_STEP = Decimal("0.5")


def validate_half_hours(value: Decimal) -> None:
    if value is not None and (value / HOURS_STEP) % 1:
        raise ValidationError(_("学时须为 0.5 的整数倍。"))


class CoursePage(QuizFields, Page):
    """A course of one institution. Its quiz fields are the course's final exam (结业考试)."""

    summary = models.TextField(_("课程简介"), max_length=1000)
    subject = models.CharField(_("科目类型"), max_length=20, choices=Subject.choices)
    topic = models.ForeignKey(
        Topic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("专题"),
        help_text=_("公需科目必选"),
    )
    industry = models.ForeignKey(
        Industry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("行业"),
        help_text=_("专业科目必选：决定由哪个行业主管部门审核"),
    )
    title_series = ParentalManyToManyField(
        TitleSeries, blank=True, related_name="courses", verbose_name=_("适用职称系列")
    )
    credit_hours = models.DecimalField(
        _("学时"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(HOURS_STEP), validate_half_hours],
        help_text=_("0.5 的整数倍；不得超过视频总时长 ÷ 每学时分钟数"),
    )
    credit_years = ParentalManyToManyField(
        "credits.CreditYear", related_name="courses", verbose_name=_("适用年度")
    )
    fee = models.DecimalField(
        _("收费（元）"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("公需科目免费"),
    )
    cover = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("封面图片"),
    )
    syllabus = RichTextField(_("教学大纲"), blank=True, features=["bold", "ol", "ul", "h3"])
    instructors = ParentalManyToManyField(
        Instructor, blank=True, related_name="courses", verbose_name=_("授课人")
    )
    basis_kind = models.CharField(
        _("课件审核依据"), max_length=20, choices=BasisKind.choices, blank=True
    )
    basis_body = models.CharField(
        _("审核（推荐）单位"), max_length=100, blank=True, help_text=_("审核或推荐单位的全称")
    )
    basis_authoriser = models.CharField(
        _("授权部门"),
        max_length=100,
        blank=True,
        help_text=_("由行业协会、学会推荐时必填：授权其推荐的市级及以上行业主管部门"),
    )
    basis_document_number = models.CharField(_("文号或函号"), max_length=60, blank=True)
    basis_date = models.DateField(_("发文日期"), null=True, blank=True)
    basis_scan = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核文件扫描件"),
    )

    search_document = models.TextField(editable=False, blank=True, default="")

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.FilterField("subject"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("subject"),
                FieldPanel("topic"),
                FieldRowPanel([FieldPanel("industry"), FieldPanel("title_series")]),
            ],
            heading=_("科目"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("credit_hours"), FieldPanel("fee")]),
                FieldPanel("credit_years", widget=forms.CheckboxSelectMultiple),
            ],
            heading=_("学时与收费"),
        ),
        FieldPanel("cover"),
        FieldPanel("syllabus"),
        FieldPanel("instructors", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [
                FieldPanel("basis_kind"),
                FieldPanel("basis_body"),
                FieldPanel("basis_authoriser"),
                FieldRowPanel([FieldPanel("basis_document_number"), FieldPanel("basis_date")]),
                FieldPanel("basis_scan"),
            ],
            heading=_("课件审核依据"),
        ),
        QuizFields.quiz_panel(_("结业考试（可选）")),
    ]
    parent_page_types = ["courses.InstitutionPage"]
    subpage_types = ["courses.LessonPage"]
    base_form_class = CoursePageForm

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(subject="public") | models.Q(fee=0),
                name="public_course_is_free",
            ),
            models.CheckConstraint(
                condition=models.Q(credit_hours__gt=0), name="course_hours_positive"
            ),
        ]

    def clean(self):
        super().clean()
        errors = {}
        if self.subject == Subject.PUBLIC and self.fee:
            errors["fee"] = _("公需科目免费学习，收费须为 0。")
        if self.subject != Subject.PUBLIC and self.topic_id:
            errors["topic"] = _("只有公需科目选择专题。")
        if errors:
            raise ValidationError(errors)

    def get_workflow(self):
        return listing.workflow()

    @property
    def status_string(self):
        """A live course is 已上架 (Wagtail's "live" reads 在用), with its draft if it has one."""
        if self.live and not self.approved_schedule:
            return "已上架 + 草稿" if self.has_unpublished_changes else "已上架"
        return super().status_string

    def serve(self, request, *args, **kwargs):
        return anonymous_cached(super().serve)(request, *args, **kwargs)

    def save(self, *args, **kwargs):
        self.search_document = self.build_search_document()
        return super().save(*args, **kwargs)

    def build_search_document(self) -> str:
        """What /search/ finds this course by (courses.search): its title, summary, topic,
        industry, institution and instructors' names."""

        institution = ""
        if self.path and self.depth and self.depth > 1:
            institution = (
                Page.objects.filter(path=self.path[: -self.steplen])
                .values_list("title", flat=True)
                .first()
                or ""
            )
        instructors = " ".join(i.name for i in self.instructors.all() if i.live)
        return search_document(
            self.title,
            self.summary,
            self.topic.name if self.topic_id else "",
            self.industry.name if self.industry_id else "",
            institution,
            instructors,
        )

    @cached_property
    def institution(self) -> Organisation:
        return InstitutionPage.objects.ancestor_of(self).get().organisation

    def owning_institution(self) -> Organisation | None:
        return _institution_above(self)

    def lessons(self):
        """This course's lessons in their order (the page tree's order)."""
        return LessonPage.objects.child_of(self).order_by("path")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if getattr(request, "is_preview", False):
            # A preview (the reviewer's, or the editor's) shows what approval would publish: the
            # versions pinned by the review under way, else the latest ones; with the videos
            # and the quizzes' answers, which only staff ever see here.
            lessons, instructors = course_versions(self)
            context["lessons"] = lessons
            context["instructors"] = instructors
            context["review"] = [
                {
                    "lesson": lesson,
                    "questions": lesson.quiz_review_questions(),
                    "playlist_url": master_playlist_url(lesson.video)
                    if lesson.video and playlist_allowed(request.user, lesson.video)
                    else "",
                }
                for lesson in lessons
            ]
            context["exam_questions"] = self.quiz_review_questions()
        else:
            context["lessons"] = self.lessons().live().select_related("video")
            context["instructors"] = self.instructors.filter(live=True).select_related("photo")
        context["study_refusal"] = course_study_refusal(request.user, self)
        context["study_allowed"] = context["study_refusal"] is None
        if self.fee and request.user.is_authenticated:
            context["enrolment"] = self.enrolments.filter(learner=request.user).first()
            context["fee_items"] = self.get_parent().specific.fees
            context["may_enrol"] = request.user.groups.filter(name=LEARNER).exists()
        return context


class LessonPage(QuizFields, Page):
    """One lesson (一讲) of a course: a ready video of the course's institution and an optional
    quiz. It goes live when its course is approved."""

    video = models.ForeignKey(
        "courseware_media.VideoAsset",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lessons",
        verbose_name=_("课件视频"),
        help_text=_("只能选择本机构已转码完成的视频"),
    )
    summary = models.TextField(_("本讲简介"), blank=True, max_length=1000)

    content_panels = [
        *Page.content_panels,
        HelpPanel(
            content=_("本讲随课程一起提交审核：修改本讲后，请到课程页面提交审核，通过后生效。")
        ),
        FieldPanel("video"),
        FieldPanel("summary"),
        QuizFields.quiz_panel(_("课后测验（可选）")),
    ]
    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []
    base_form_class = LessonPageForm

    class Meta:
        verbose_name = _("课时")
        verbose_name_plural = _("课时")

    def get_workflow(self):
        return None  # lessons are approved and published with their course

    @cached_property
    def course(self) -> CoursePage:
        return CoursePage.objects.parent_of(self).get()

    def owning_institution(self) -> Organisation | None:
        return _institution_above(self)

    @cached_property
    def number(self) -> int:
        return LessonPage.objects.sibling_of(self).filter(path__lte=self.path).count()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        course = self.course
        preview = getattr(request, "is_preview", False)
        context["course"] = course
        context["study_refusal"] = course_study_refusal(request.user, course)
        context["study_allowed"] = context["study_refusal"] is None
        video = self.video
        if (
            video is not None
            and (preview or context["study_allowed"])
            and playlist_allowed(request.user, video)
        ):
            context["playlist_url"] = master_playlist_url(video)
        context["questions"] = self.quiz_public_questions()
        return context


class Enrolment(models.Model):
    """报名: a learner's enrolment in a course with a fee. The learner asks from the course page;
    the institution's editor confirms the payment (offline today, or a payment provider through
    PAYMENT_BACKEND later) or declines it with a reason. Only a confirmed enrolment opens the
    course (courses.study.course_study_refusal). One row per learner and course: asking again
    after a decline reopens the same row."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("学员"),
    )
    course = models.ForeignKey(
        CoursePage, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("课程")
    )
    institution = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("施教机构"),
        help_text=_("课程所属机构，报名时记下，用于确认范围"),
    )
    fee = models.DecimalField(_("应缴（元）"), max_digits=8, decimal_places=2)
    state = models.CharField(
        _("状态"), max_length=10, choices=EnrolmentState.choices, default=EnrolmentState.PENDING
    )
    requested_at = models.DateTimeField(_("报名时间"))
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    payment_reference = models.CharField(
        _("缴费凭证"), max_length=64, blank=True, help_text=_("收据号或转账流水号")
    )
    reason = models.CharField(_("未确认原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        constraints = [
            models.UniqueConstraint(fields=["learner", "course"], name="one_enrolment_per_course"),
            models.CheckConstraint(condition=models.Q(fee__gt=0), name="enrolment_has_fee"),
        ]
        indexes = [models.Index(fields=["institution", "state", "requested_at"])]

    def __str__(self):
        return f"{self.learner} · {self.course.title}"
