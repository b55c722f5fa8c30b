"""Wagtail's user admin, limited to the viewer's scope (accounts.selectors.users_in_scope): a
county bureau must not list, open or edit people of another county, an employer those of another
employer."""

from django.http import Http404
from django.utils.functional import cached_property
from wagtail.admin.ui.tables import Column
from wagtail.users.views import users as wagtail_users

from .admin_forms import StaffUserCreationForm, StaffUserEditForm
from .selectors import users_in_scope


class ScopedObjectMixin:
    def get_object(self, *args, **kwargs):
        user = super().get_object(*args, **kwargs)
        if not users_in_scope(viewer=self.request.user).filter(pk=user.pk).exists():
            raise Http404
        return user


class IndexView(wagtail_users.IndexView):
    """People by their real name and a masked phone or ID number, never the internal username
    (learners' usernames are random: nobody knows them)."""

    def get_base_queryset(self):
        return users_in_scope(viewer=self.request.user, queryset=super().get_base_queryset())

    @cached_property
    def columns(self):
        columns = list(super().columns)
        for number, column in enumerate(columns):
            if column.name == self.model.USERNAME_FIELD:
                columns[number] = Column(
                    "contact", accessor="contact_masked", label="手机号/身份证号", width="20%"
                )
        return columns

    @cached_property
    def search_fields(self):
        return ["real_name", "phone", "id_number_masked"]


class EditView(ScopedObjectMixin, wagtail_users.EditView):
    pass


class DeleteView(ScopedObjectMixin, wagtail_users.DeleteView):
    pass


class HistoryView(ScopedObjectMixin, wagtail_users.HistoryView):
    pass


class ScopedUserViewSet(wagtail_users.UserViewSet):
    index_view_class = IndexView

    def get_form_class(self, for_update=False):
        return StaffUserEditForm if for_update else StaffUserCreationForm

    edit_view_class = EditView
    delete_view_class = DeleteView
    history_view_class = HistoryView
