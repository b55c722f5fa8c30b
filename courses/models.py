"""Institution pages — each training institution's public disclosure (范围、内容、收费项目及标准) —
under which the courses issue adds course and lesson pages."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from accounts.models import Organisation


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
    subpage_types: list[str] = []  # course pages join in the courses issue

    class Meta:
        verbose_name = _("施教机构公开信息")
        verbose_name_plural = _("施教机构公开信息")


class Instructor(models.Model):
    """授课人: a snippet of one institution. The notice requires every instructor's situation to
    be described in the course introduction, so the bio is required."""

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

    panels = [
        FieldPanel("name"),
        FieldPanel("title"),
        FieldPanel("affiliation"),
        FieldPanel("photo"),
        FieldPanel("bio"),
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
