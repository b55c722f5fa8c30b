from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import person_admin_views


@hooks.register("register_admin_urls")
def register_person_urls():
    return [
        path("people/", person_admin_views.people, name="accounts_people"),
        path("people/<int:pk>/", person_admin_views.person, name="accounts_person"),
        path(
            "people/<int:pk>/unlock/",
            person_admin_views.person_unlock,
            name="accounts_person_unlock",
        ),
        path("disputes/", person_admin_views.disputes, name="accounts_disputes"),
    ]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


class CityBureauMenuItem(PermissionMenuItem):
    def is_shown(self, request):
        org = request.user.organisation
        return super().is_shown(request) and (
            request.user.is_superuser or (org is not None and org.is_city_bureau)
        )


@hooks.register("register_admin_menu_item")
def register_people_menu_item():
    return PermissionMenuItem(
        "学员查询",
        reverse("accounts_people"),
        icon_name="user",
        order=160,
        permission="accounts.view_user",
    )


@hooks.register("register_admin_menu_item")
def register_disputes_menu_item():
    return CityBureauMenuItem(
        "身份核查申请",
        reverse("accounts_disputes"),
        icon_name="warning",
        order=170,
        permission="accounts.correct_identity",
    )
