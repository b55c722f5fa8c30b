"""Views in the Wagtail admin: a bureau reviews employer registrations of its scope; an employer
reviewer imports their staff from an xlsx sheet."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import organisation_services
from .models import OrganisationStatus, User
from .organisation_forms import EmployerReviewForm, StaffImportForm
from .organisation_services import (
    EmployerReviewError,
    employer_review_allowed,
    employers_for_bureau,
)
from .staff_import import (
    MAX_ROWS,
    TEMPLATE_FILENAME,
    XLSX_CONTENT_TYPE,
    SheetError,
    staff_import_employer,
    staff_import_run,
    staff_template_build,
)

STATUS_TABS = [*OrganisationStatus.choices, ("all", "全部")]


def _require_employer_reviewing_bureau(request: HttpRequest) -> None:
    if not employer_review_allowed(request.user):
        raise PermissionDenied


@require_http_methods(["GET", "HEAD"])
def employer_review_list(request: HttpRequest) -> HttpResponse:
    """用人单位注册审核: the employers of the bureau's scope, pending ones oldest first."""
    _require_employer_reviewing_bureau(request)
    status = request.GET.get("status", OrganisationStatus.PENDING)
    if status not in OrganisationStatus.values and status != "all":
        status = OrganisationStatus.PENDING
    employers = employers_for_bureau(
        reviewer=request.user, status=None if status == "all" else status
    ).prefetch_related("title_series")
    page = Paginator(employers, 50).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "accounts/admin/organisation_review_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": STATUS_TABS,
            "bureau": request.user.organisation,
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def employer_review(request: HttpRequest, pk: int) -> HttpResponse:
    """One employer's registration: its details, and (while pending) approve or reject."""
    _require_employer_reviewing_bureau(request)
    # Outside the bureau's county: 404, as if it did not exist.
    employer = get_object_or_404(
        employers_for_bureau(reviewer=request.user).prefetch_related("title_series"), pk=pk
    )
    form = EmployerReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if employer.status != OrganisationStatus.PENDING:
            messages.error(
                request,
                f"“{employer.name}”的注册已审核（{employer.get_status_display()}），无需再次审核。",
            )
            return redirect("accounts_employer_review", pk=employer.pk)
        if form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            try:
                organisation_services.employer_review(
                    reviewer=request.user,
                    employer=employer,
                    approve=approve,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except EmployerReviewError as error:
                form.add_error(None, str(error))
            else:
                if approve:
                    messages.success(
                        request, f"已通过“{employer.name}”的注册，其审核员账号已启用。"
                    )
                else:
                    messages.success(request, f"已将“{employer.name}”的注册标记为不予通过。")
                return redirect(f"{reverse('accounts_employer_reviews')}?status=pending")
    reviewers = User.objects.filter(organisation=employer).order_by("pk")
    return TemplateResponse(
        request,
        "accounts/admin/organisation_review.html",
        {"employer": employer, "reviewers": reviewers, "form": form},
    )


# --- Staff import -----------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def staff_import(request: HttpRequest) -> HttpResponse:
    """导入本单位人员: upload a sheet; all rows are checked and either all imported or none."""
    employer = staff_import_employer(request.user)  # PermissionDenied for anyone else
    form = StaffImportForm(request.POST, request.FILES) if request.method == "POST" else None
    form = form or StaffImportForm()
    result = None
    sheet_error = ""
    if request.method == "POST" and form.is_valid():
        try:
            result = staff_import_run(
                reviewer=request.user, upload=form.cleaned_data["sheet"], request=request
            )
        except SheetError as error:
            sheet_error = str(error)
    return TemplateResponse(
        request,
        "accounts/admin/staff_import.html",
        {
            "employer": employer,
            "form": form,
            "result": result,
            "sheet_error": sheet_error,
            "max_rows": MAX_ROWS,
        },
    )


@require_http_methods(["GET", "HEAD"])
def staff_import_template(request: HttpRequest) -> HttpResponse:
    """The .xlsx template to fill in (no personal data: the header row and instructions)."""
    staff_import_employer(request.user)
    return HttpResponse(
        staff_template_build(),
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, TEMPLATE_FILENAME)},
    )
