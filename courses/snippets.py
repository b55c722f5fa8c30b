"""The instructors' admin: an institution's editors see, add and change their own institution's
instructors only (the institution is always theirs, never chosen); reviewers see all, read-only."""

import functools

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import URLPattern
from wagtail.snippets.views import chooser as chooser_views
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from accounts.api import BUREAU_ADMIN, REVIEWER, editor_institution

from .models import Instructor


def instructors_visible_to(user):
    if user.is_superuser or user.groups.filter(name__in=[REVIEWER, BUREAU_ADMIN]).exists():
        return Instructor.objects.all()
    institution = editor_institution(user)
    if institution is None:
        return Instructor.objects.none()
    return Instructor.objects.filter(institution=institution)


class ScopedObjectMixin:
    def get_object(self, *args, **kwargs):
        instructor = super().get_object(*args, **kwargs)
        if not instructors_visible_to(self.request.user).filter(pk=instructor.pk).exists():
            raise Http404
        return instructor


class EditorOnlyMixin(ScopedObjectMixin):
    """Changing needs to be the instructor's own institution's editor (reviewers only read)."""

    def get_object(self, *args, **kwargs):
        instructor = super().get_object(*args, **kwargs)
        if editor_institution(self.request.user) != instructor.institution:
            raise PermissionDenied
        return instructor


class CreateView(snippet_views.CreateView):
    def dispatch(self, request, *args, **kwargs):
        if editor_institution(request.user) is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def save_instance(self):
        self.form.instance.institution = editor_institution(self.request.user)
        return super().save_instance()


class EditView(EditorOnlyMixin, snippet_views.EditView):
    pass


class DeleteView(EditorOnlyMixin, snippet_views.DeleteView):
    """An instructor named by a course cannot be deleted: that would change a listed course
    without an approval."""

    def get_object(self, *args, **kwargs):
        instructor = super().get_object(*args, **kwargs)
        if instructor.courses.exists():
            raise PermissionDenied("该授课人已用于课程，不能删除。")
        return instructor


class _ScopedChooserList:
    """The chooser lists the instructors the user may see (an editor: their institution's)."""

    def get_object_list(self):
        return instructors_visible_to(self.request.user)


class InstructorChooseView(_ScopedChooserList, chooser_views.ChooseView):
    pass


class InstructorChooseResultsView(_ScopedChooserList, chooser_views.ChooseResultsView):
    pass


class InstructorChosenView(chooser_views.SnippetChosenView):
    def get_object(self, pk):
        return instructors_visible_to(self.request.user).get(pk=pk)  # DoesNotExist → 404


class InstructorChosenMultipleView(chooser_views.SnippetChosenMultipleView):
    def get_objects(self, pks):
        return instructors_visible_to(self.request.user).filter(pk__in=pks)


class InstructorChooserViewSet(chooser_views.SnippetChooserViewSet):
    choose_view_class = InstructorChooseView
    choose_results_view_class = InstructorChooseResultsView
    chosen_view_class = InstructorChosenView
    chosen_multiple_view_class = InstructorChosenMultipleView


class InstructorViewSet(SnippetViewSet):
    model = Instructor
    icon = "user"
    menu_label = "授课人"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "title", "affiliation", "institution"]
    search_fields = ["name", "affiliation"]
    add_view_class = CreateView
    chooser_viewset_class = InstructorChooserViewSet
    edit_view_class = EditView
    delete_view_class = DeleteView
    copy_view_enabled = False

    def get_queryset(self, request):
        return instructors_visible_to(request.user)

    def get_urlpatterns(self):
        # Every view that names one instructor (history, revisions, compare, preview, usage,
        # inspect ... not only add/edit/delete) is limited to the instructors the user may see:
        # another institution's drafts are not theirs to read.
        return [_scoped(pattern) for pattern in super().get_urlpatterns()]


def _scoped(pattern: URLPattern) -> URLPattern:
    view = pattern.callback

    @functools.wraps(view)
    def scoped(request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None:
            visible = instructors_visible_to(request.user).filter(pk=unquote(str(pk)))
            if not visible.exists():
                raise Http404
        return view(request, *args, **kwargs)

    return URLPattern(pattern.pattern, scoped, pattern.default_args, pattern.name)
