from wagtail.users.apps import WagtailUsersAppConfig


class ScopedUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's users app with the user admin limited to each viewer's scope."""

    user_viewset = "accounts.user_viewset.ScopedUserViewSet"
