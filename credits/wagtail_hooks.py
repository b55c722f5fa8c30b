"""学时年度规则 in the admin: the city bureau's admins add and edit each year's rules (county
bureaus and reviewers read them: credits.permissions); every change is audited with its values
before → after (credits.services.credit_year_rules_save); a closed year is frozen
(CreditYear.clean refuses any change, with a message)."""

from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from .models import CreditYear
from .permissions import CreditYearPermissionPolicy
from .services import RULE_FIELDS, credit_year_rules_save

register_permission_policy(CreditYear, CreditYearPermissionPolicy(CreditYear))


class YesNoColumn(BooleanColumn):
    """A tick or a cross read as 是/否 (Wagtail's says "True"/"False" to screen readers)."""

    cell_template_name = "credits/admin/yes_no_cell.html"


class _AuditedSave:
    def save_instance(self):
        instance = self.form.save(commit=False)
        return credit_year_rules_save(
            credit_year=instance, actor=self.request.user, request=self.request
        )


class CreditYearCreateView(_AuditedSave, generic.CreateView):
    pass


class CreditYearEditView(_AuditedSave, generic.EditView):
    pass


class CreditYearViewSet(ModelViewSet):
    model = CreditYear
    icon = "date"
    menu_label = "学时年度规则"
    menu_order = 260
    add_to_admin_menu = True
    add_view_class = CreditYearCreateView
    edit_view_class = CreditYearEditView
    list_display = [
        "year",
        "required_total",
        "minutes_per_hour",
        YesNoColumn("closed", label="已结束"),
    ]
    form_fields = ["year", *RULE_FIELDS]  # every rule, each change audited
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update=for_update)
        if for_update:
            # The year is the record's key: it is chosen once, never changed.
            form_class = type(
                "CreditYearEditForm", (form_class,), {"Meta": _without_year(form_class.Meta)}
            )
        return form_class


def _without_year(meta):
    return type("Meta", (meta,), {"fields": [f for f in meta.fields if f != "year"]})


@hooks.register("register_admin_viewset")
def register_credit_years():
    return CreditYearViewSet("credit_years")
