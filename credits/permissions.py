"""Who may change a credit year's rules: the city bureau's admins only (DESIGN.md §2: the rules
are the bureau's, one set for the whole city). County bureaus and reviewers read them."""

from wagtail.permission_policies import ModelPermissionPolicy

from accounts.api import BUREAU_ADMIN

_WRITES = {"add", "change", "delete"}


def credit_year_rules_editor(user) -> bool:
    """A superuser, or an admin of the approved city bureau (市人社局, no county)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    org = user.organisation
    return (
        org is not None
        and org.status == "approved"
        and org.is_city_bureau
        and user.groups.filter(name=BUREAU_ADMIN).exists()
    )


class CreditYearPermissionPolicy(ModelPermissionPolicy):
    """The model permissions (view for every reviewer and bureau admin, add and change for the
    bureau's admins), and on top of them: writes only by `credit_year_rules_editor`; deleting a
    year is never offered (its ledger refers to it)."""

    def _write_allowed(self, user, action) -> bool:
        if action == "delete":
            return False
        return action not in _WRITES or credit_year_rules_editor(user)

    def user_has_permission(self, user, action):
        return self._write_allowed(user, action) and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions)
