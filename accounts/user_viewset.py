"""Wagtail's user admin, limited to the viewer's scope (accounts.selectors.users_in_scope): a
county bureau must not list, open or edit people of another county, an employer those of another
employer."""

from django.http import Http404
from wagtail.users.views import users as wagtail_users

from .selectors import users_in_scope


class ScopedObjectMixin:
    def get_object(self, *args, **kwargs):
        user = super().get_object(*args, **kwargs)
        if not users_in_scope(viewer=self.request.user).filter(pk=user.pk).exists():
            raise Http404
        return user


class IndexView(wagtail_users.IndexView):
    def get_base_queryset(self):
        return users_in_scope(viewer=self.request.user, queryset=super().get_base_queryset())


class EditView(ScopedObjectMixin, wagtail_users.EditView):
    pass


class DeleteView(ScopedObjectMixin, wagtail_users.DeleteView):
    pass


class HistoryView(ScopedObjectMixin, wagtail_users.HistoryView):
    pass


class ScopedUserViewSet(wagtail_users.UserViewSet):
    index_view_class = IndexView

    def get_form_class(self, for_update=False):
        from .admin_forms import StaffUserCreationForm, StaffUserEditForm

        return StaffUserEditForm if for_update else StaffUserCreationForm

    edit_view_class = EditView
    delete_view_class = DeleteView
    history_view_class = HistoryView
