"""异常学习提示 in the admin: the fraud signals the player raised, for the bureau to look at
(read only: a signal is evidence, not a record anyone edits), each admin only those of the
learners in their scope (the city bureau all, a county bureau its county: DESIGN.md §5)."""

from django.shortcuts import get_object_or_404
from wagtail import hooks
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from accounts.api import users_in_scope

from .models import FraudSignal


def signals_visible_to(user):
    return FraudSignal.objects.filter(learner__in=users_in_scope(viewer=user)).select_related(
        "learner"
    )


class ReadOnlyPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return action in ("view",) and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class FraudSignalIndexView(generic.IndexView):
    def get_base_queryset(self):
        return signals_visible_to(self.request.user)


class FraudSignalInspectView(generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(signals_visible_to(self.request.user), pk=self.kwargs["pk"])


class FraudSignalViewSet(ModelViewSet):
    model = FraudSignal
    icon = "warning"
    menu_label = "异常学习提示"
    menu_order = 270
    add_to_admin_menu = True
    list_display = ["created_at", "learner_label", "kind", "detail"]
    list_filter = ["kind"]
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["kind", "detail"]
    inspect_view_fields = ["created_at", "learner_label", "kind", "detail", "session"]
    index_view_class = FraudSignalIndexView
    inspect_view_class = FraudSignalInspectView


register_permission_policy(FraudSignal, ReadOnlyPolicy(FraudSignal))


@hooks.register("register_admin_viewset")
def register_fraud_signals():
    return FraudSignalViewSet("fraud_signals")
