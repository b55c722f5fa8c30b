"""Admin forms for course and lesson pages: an institution's editors can pick only their own
institution's instructors and ready videos (the choices are limited, and anything else posted is
refused as an invalid choice)."""

from wagtail.admin.forms import WagtailAdminPageForm

from media.models import VideoAsset, VideoStatus


def _institution_of(form):
    """The institution whose subtree the page is in: from its parent (new pages) or itself."""
    from .models import InstitutionPage

    anchor = form.parent_page if form.parent_page is not None else form.instance
    if anchor is None:
        return None
    anchor = anchor.specific
    if isinstance(anchor, InstitutionPage):
        return anchor.organisation
    page = InstitutionPage.objects.ancestor_of(anchor, inclusive=True).first()
    return page.organisation if page else None


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
        ready = VideoAsset.objects.filter(institution=institution, status=VideoStatus.READY)
        if self.instance.pk and self.instance.video_id:
            # A lesson keeps its current video in the list even if that video is not ready any
            # more, so the editor sees it (the listing check refuses it).
            ready = ready | VideoAsset.objects.filter(
                pk=self.instance.video_id, institution=institution
            )
        field.queryset = ready.order_by("-created_at")
