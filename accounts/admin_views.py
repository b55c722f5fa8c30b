"""Views in the Wagtail admin for employer reviewers: confirm that registrants are their staff."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from .models import EmploymentStatus
from .selectors import employer_staff_for_reviewer
from .services import employment_review


def _require_employer_reviewer(request: HttpRequest) -> None:
    user = request.user
    if not (
        user.has_perm("accounts.confirm_employment")
        and user.organisation is not None
        and user.organisation.kind == "employer"
    ):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def employer_staff(request: HttpRequest) -> HttpResponse:
    """本单位人员确认: pending registrants first; confirm or decline one, or many at once."""
    _require_employer_reviewer(request)
    if request.method == "POST":
        ids = request.POST.getlist("user")
        decision = request.POST.get("decision")
        if decision not in ("confirm", "decline") or not ids:
            messages.error(request, "请先勾选人员，再选择“确认”或“不是本单位人员”。")
        else:
            chosen = list(employer_staff_for_reviewer(reviewer=request.user).filter(pk__in=ids))
            changed = employment_review(
                reviewer=request.user,
                users=chosen,
                confirm=decision == "confirm",
                request=request,
            )
            label = "确认为本单位人员" if decision == "confirm" else "标记为非本单位人员"
            messages.success(request, f"已将 {changed} 人{label}。")
        return redirect(request.get_full_path())

    status = request.GET.get("status", EmploymentStatus.PENDING)
    if status not in EmploymentStatus.values and status != "all":
        status = EmploymentStatus.PENDING
    staff = employer_staff_for_reviewer(
        reviewer=request.user, status=None if status == "all" else status
    )
    page = Paginator(staff, 50).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "accounts/admin/employer_staff.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": [*EmploymentStatus.choices, ("all", "全部")],
            "employer": request.user.organisation,
        },
    )
