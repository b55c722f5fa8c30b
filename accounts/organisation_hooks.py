"""Wagtail hooks for organisations: the bureau's review of employer registrations and the employer
reviewer's staff import (admin URLs, menu items, dashboard panel). Imported by wagtail_hooks."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from . import organisation_admin_views as views
from .models import OrganisationKind, OrganisationStatus
from .organisation_services import employer_pending_review_count, employer_review_allowed


@hooks.register("register_admin_urls")
def register_organisation_admin_urls():
    return [
        path("employers/", views.employer_review_list, name="accounts_employer_reviews"),
        path("employers/<int:pk>/", views.employer_review, name="accounts_employer_review"),
        path("staff/import/", views.staff_import, name="accounts_staff_import"),
        path(
            "staff/import/template.xlsx",
            views.staff_import_template,
            name="accounts_staff_import_template",
        ),
    ]


def staff_import_shown(request) -> bool:
    user = request.user
    organisation = user.organisation if user.organisation_id else None
    return bool(
        organisation is not None
        and organisation.kind == OrganisationKind.EMPLOYER
        and organisation.status == OrganisationStatus.APPROVED
        and user.has_perm("accounts.confirm_employment")
    )


class EmployerReviewMenuItem(MenuItem):
    def is_shown(self, request):
        return employer_review_allowed(request.user)


class StaffImportMenuItem(MenuItem):
    def is_shown(self, request):
        return staff_import_shown(request)


@hooks.register("register_admin_menu_item")
def register_employer_review_menu_item():
    return EmployerReviewMenuItem(
        "用人单位注册审核",
        reverse("accounts_employer_reviews"),
        name="employer-reviews",
        icon_name="site",
        order=140,
    )


@hooks.register("register_admin_menu_item")
def register_staff_import_menu_item():
    return StaffImportMenuItem(
        "导入本单位人员",
        reverse("accounts_staff_import"),
        name="staff-import",
        icon_name="upload",
        order=151,
    )


class EmployerReviewPanel(Component):
    """On a bureau reviewer's dashboard: how many employer registrations wait for review."""

    name = "employer_reviews_pending"
    order = 40
    template_name = "accounts/admin/organisation_pending_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        return {
            "count": employer_pending_review_count(reviewer=self.request.user),
            "url": reverse("accounts_employer_reviews"),
            "bureau": self.request.user.organisation,
        }


@hooks.register("construct_homepage_panels")
def add_employer_review_panel(request, panels):
    if employer_review_allowed(request.user):
        panels.insert(0, EmployerReviewPanel(request))
