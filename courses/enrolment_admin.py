"""报名确认 in the admin: an institution's editors see the enrolments in their own institution's
courses, waiting ones first (oldest first), and confirm each payment with its receipt number or
decline it with a reason the learner reads. Nobody else decides; the bureau reads all."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods
from wagtail.admin.menu import MenuItem

from accounts.api import BUREAU_ADMIN, editor_institution

from .models import Enrolment, EnrolmentState
from .services import EnrolmentError, enrolment_confirm, enrolment_decline


def enrolments_visible_to(user):
    if user.is_superuser or user.groups.filter(name=BUREAU_ADMIN).exists():
        return Enrolment.objects.all()
    institution = editor_institution(user)
    if institution is None:
        return None
    return Enrolment.objects.filter(institution=institution)


@require_http_methods(["GET", "POST"])
def enrolments(request: HttpRequest) -> HttpResponse:
    visible = enrolments_visible_to(request.user)
    if visible is None:
        raise PermissionDenied
    can_decide = editor_institution(request.user) is not None
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied
        try:
            enrolment_id = int(request.POST.get("enrolment", ""))
        except ValueError:
            messages.error(request, "没有这条报名。")
            return redirect("courses_enrolments")
        try:
            if request.POST.get("action") == "confirm":
                done = enrolment_confirm(
                    enrolment_id=enrolment_id,
                    actor=request.user,
                    reference=request.POST.get("reference", ""),
                    request=request,
                )
                messages.success(
                    request, f"已确认 {done.learner.real_name} 的缴费，该学员现在可以学习。"
                )
            else:
                done = enrolment_decline(
                    enrolment_id=enrolment_id,
                    actor=request.user,
                    reason=request.POST.get("reason", ""),
                    request=request,
                )
                messages.success(request, f"已退回 {done.learner.real_name} 的报名。")
        except EnrolmentError as refused:
            messages.error(request, str(refused))
        return redirect("courses_enrolments")
    rows = visible.select_related("learner", "course", "institution", "decided_by")
    query = request.GET.get("q", "").strip()
    if query:
        rows = rows.filter(
            Q(learner__real_name__contains=query)
            | Q(learner__phone=query)
            | Q(course__title__contains=query)
        )
    pending = rows.filter(state=EnrolmentState.PENDING).order_by("requested_at", "pk")
    decided = rows.exclude(state=EnrolmentState.PENDING).order_by("-decided_at", "-pk")
    response = TemplateResponse(
        request,
        "courses/admin/enrolments.html",
        {
            "pending": Paginator(pending, 50).get_page(request.GET.get("p")),
            "decided": decided[:50],
            "can_decide": can_decide,
            "query": query,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


class EnrolmentMenuItem(MenuItem):
    def is_shown(self, request):
        return enrolments_visible_to(request.user) is not None
