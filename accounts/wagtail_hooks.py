from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from . import admin_views
from .selectors import employer_pending_count


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("staff/", admin_views.employer_staff, name="accounts_employer_staff")]


class EmployerStaffMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return (
            user.has_perm("accounts.confirm_employment")
            and user.organisation_id is not None
            and user.organisation.kind == "employer"
        )


@hooks.register("register_admin_menu_item")
def register_employer_staff_menu_item():
    return EmployerStaffMenuItem(
        "本单位人员确认", reverse("accounts_employer_staff"), icon_name="group", order=150
    )


class EmployerPendingPanel(Component):
    """On the employer reviewer's dashboard: how many registrants wait for confirmation."""

    name = "employer_pending"
    order = 50
    template_name = "accounts/admin/pending_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        return {
            "count": employer_pending_count(reviewer=self.request.user),
            "url": reverse("accounts_employer_staff"),
        }


@hooks.register("construct_homepage_panels")
def add_employer_pending_panel(request, panels):
    if EmployerStaffMenuItem("", "").is_shown(request):
        panels.insert(0, EmployerPendingPanel(request))


from . import documents  # noqa: E402,F401,I001
from . import organisation_hooks  # noqa: E402,F401
from . import person_hooks  # noqa: E402,F401
