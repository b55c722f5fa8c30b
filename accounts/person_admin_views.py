"""Staff views of one person (学员查询 in the admin): look up within scope, see their record with
the ID number masked, unlock their account, and — for the bureau — correct a mistyped name or
ID number with a reason, or display the full number after typing their password again."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST

from .forms import IdentityCorrectionForm, PasswordAgainForm
from .identity import id_number_digest, id_number_normalise
from .login import account_lock_status, account_unlock
from .models import AuditEvent, DisputeStatus, IdentityDispute, User
from .selectors import users_in_scope
from .services import (
    IdNumberTaken,
    RegistrationError,
    id_number_reveal,
    identity_correct,
    identity_dispute_resolve,
)


def _person_in_scope(request: HttpRequest, pk: int) -> User:
    if not request.user.has_perm("accounts.view_user"):
        raise PermissionDenied
    person = users_in_scope(viewer=request.user).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def people(request: HttpRequest) -> HttpResponse:
    """学员查询: by name, phone or (exactly) ID number, within the viewer's scope."""
    if not request.user.has_perm("accounts.view_user"):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()
    found = users_in_scope(viewer=request.user).filter(id_number_digest__isnull=False)
    if query:
        number = id_number_normalise(query)
        if len(number) == 18:
            found = found.filter(id_number_digest=id_number_digest(number))
        else:
            found = found.filter(Q(real_name__contains=query) | Q(phone=query))
    found = found.select_related("employer").order_by("real_name", "pk")
    return TemplateResponse(
        request,
        "accounts/admin/people.html",
        {"page_obj": Paginator(found, 50).get_page(request.GET.get("p")), "query": query},
    )


@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_in_scope(request, pk)
    can_correct = request.user.has_perm("accounts.correct_identity")
    correction = IdentityCorrectionForm(
        request.POST if request.POST.get("action") == "correct" else None,
        initial={"real_name": person.real_name},
    )
    password_form = PasswordAgainForm(
        request.POST if request.POST.get("action") == "reveal" else None
    )
    revealed = ""
    if request.method == "POST":
        if not can_correct:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "correct" and correction.is_valid():
            data = correction.cleaned_data
            try:
                changed = identity_correct(
                    actor=request.user,
                    person=person,
                    real_name=data["real_name"],
                    id_number=data["id_number"],
                    reason=data["reason"],
                    request=request,
                )
            except IdNumberTaken:
                correction.add_error("id_number", "该身份证号码属于另一个账号，请先核查。")
            except RegistrationError as error:
                correction.add_error(None, str(error))
            else:
                messages.success(request, "已更正。" if changed else "信息没有变化。")
                return redirect("accounts_person", pk=person.pk)
        elif action == "reveal" and password_form.is_valid():
            try:
                revealed = id_number_reveal(
                    actor=request.user,
                    person=person,
                    password=password_form.cleaned_data["password"],
                    request=request,
                )
            except PermissionDenied as refused:
                password_form.add_error("password", str(refused))
    response = TemplateResponse(
        request,
        "accounts/admin/person.html",
        {
            "person": person,
            "lock": account_lock_status(person),
            "events": AuditEvent.objects.filter(subject=person).select_related("actor")[:20],
            "can_correct": can_correct,
            "can_unlock": request.user.has_perm("accounts.unlock_user"),
            "correction": correction,
            "password_form": password_form,
            "revealed": revealed,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def person_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_in_scope(request, pk)
    account_unlock(actor=request.user, user=person, request=request)
    messages.success(request, f"已解除 {person.real_name} 的账号锁定。")
    return redirect("accounts_person", pk=person.pk)


@require_http_methods(["GET", "POST"])
def disputes(request: HttpRequest) -> HttpResponse:
    """身份证号码核查申请: the city bureau looks into numbers registered by someone else (the
    claimant may live anywhere, so county bureaus do not see these)."""
    org = request.user.organisation
    if not request.user.has_perm("accounts.correct_identity") or not (
        request.user.is_superuser or (org is not None and org.is_city_bureau)
    ):
        raise PermissionDenied
    if request.method == "POST":
        dispute = get_object_or_404(
            IdentityDispute, pk=request.POST.get("dispute"), status=DisputeStatus.OPEN
        )
        try:
            identity_dispute_resolve(
                actor=request.user,
                dispute=dispute,
                resolution=request.POST.get("resolution", ""),
                request=request,
            )
        except RegistrationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "已记录处理结果。")
        return redirect("accounts_disputes")
    return TemplateResponse(
        request,
        "accounts/admin/disputes.html",
        {
            "open": IdentityDispute.objects.filter(status=DisputeStatus.OPEN),
            "resolved": IdentityDispute.objects.filter(status=DisputeStatus.RESOLVED)[:50],
        },
    )
