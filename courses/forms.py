"""Admin forms for course and lesson pages: an institution's editors can pick only their own
institution's instructors and ready videos (the choices are limited, and anything else posted is
refused as an invalid choice)."""

from wagtail.admin.forms import WagtailAdminPageForm

from media.api import assets_ready_for


def _institution_of(form):
    """The institution whose subtree the page is in: from its parent (new pages) or itself.
    Disclosure, course and lesson pages answer `owning_institution()` (models.py)."""
    anchor = form.parent_page if form.parent_page is not None else form.instance
    if anchor is None:
        return None
    owning = getattr(anchor.specific, "owning_institution", None)
    return owning() if owning is not None else None


class CoursePageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        institution = _institution_of(self)
        field = self.fields["instructors"]
        field.queryset = field.queryset.filter(institution=institution)
        field.help_text = "只能选择本机构的授课人；新增授课人请到“授课人”菜单。"


class LessonPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        institution = _institution_of(self)
        field = self.fields["video"]
        field.queryset = assets_ready_for(
            institution=institution, keep_id=self.instance.video_id if self.instance.pk else None
        )
