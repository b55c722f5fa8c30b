"""Employers register themselves; their county bureau approves them (issue 3, DESIGN.md §1, §5).

Writes:
- `employer_register`: a pending employer and its first employer reviewer, whose account stays
  inactive (cannot log in) until the employer is approved.
- `employer_review`: a bureau approves or rejects a pending employer of its scope; approval
  activates the employer's reviewer accounts.

Reads with a scope:
- `employer_review_allowed`: may this user review employer registrations at all?
- `employers_for_bureau`: the employers a bureau reviewer may see (a county bureau its county, the
  city bureau every county).
"""

import logging
import re
from dataclasses import dataclass
from functools import partial

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import get_random_string

from .audit import audit_record
from .identity import credit_code_validate
from .models import (
    AuditAction,
    County,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    TitleSeries,
    User,
)
from .roles import EMPLOYER_REVIEWER
from .sms import sms_send

log = logging.getLogger(__name__)

# No AuditAction fits a bureau's decision on an employer's registration; ROLE_CHANGED is the
# closest (the decision turns the employer's reviewer accounts on, or leaves them off). Replace with
ORGANISATION_REVIEWED = AuditAction.ORGANISATION_REVIEWED

REVIEW_REASON_MAX_LENGTH = 500


class EmployerRegistrationError(Exception):
    """A registration that cannot go ahead; the message is for the person registering.

    `field` names the form field the message belongs to, if any."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class EmployerReviewError(Exception):
    """A review decision that cannot be made; the message is for the reviewer."""


CREDIT_CODE_MESSAGES = {
    OrganisationStatus.PENDING: (
        "该统一社会信用代码的单位已提交注册申请，正在等待所在县（市、区）人社局审核，请勿重复注册。"
    ),
    OrganisationStatus.APPROVED: (
        "该统一社会信用代码已注册。如需新增审核员账号，请联系本单位已有的审核员或所在县（市、区）人社局。"
    ),
    OrganisationStatus.REJECTED: (
        "该统一社会信用代码的注册申请未通过审核。如需重新申请，请联系所在县（市、区）人社局。"
    ),
}
PHONE_TAKEN_MESSAGE = "该手机号码已注册，请换一个手机号码。"


def credit_code_taken_message(code: str) -> str | None:
    """The clear Chinese answer for a credit code that is already registered, or None."""
    existing = Organisation.objects.filter(credit_code=code).only("status").first()
    if existing is None:
        return None
    return CREDIT_CODE_MESSAGES.get(existing.status, CREDIT_CODE_MESSAGES["approved"])


@dataclass(frozen=True)
class EmployerApplication:
    name: str
    credit_code: str  # as typed; validated again here
    county: County
    supervising_department: Organisation | None
    title_series: tuple[TitleSeries, ...]
    contact_name: str
    contact_phone: str
    reviewer_name: str
    reviewer_phone: str  # validated mainland mobile number
    password: str  # validated by the form (django's password validators)


_REAL_NAME = re.compile(r"[\u4e00-\u9fff·A-Za-z]{2,50}")


def real_name_clean(value) -> str:
    """The name on the ID card: Chinese characters (minority names may contain “·”); spaces
    dropped. Raises ValidationError in Chinese."""
    name = re.sub(r"\s+", "", str(value or ""))
    if not _REAL_NAME.fullmatch(name):
        raise ValidationError("请填写身份证上的姓名（汉字，少数民族姓名可含“·”）。")
    return name


def staff_username(prefix: str = "dw") -> str:
    """A generated login name for a staff account: never an ID number, safe in lists and logs."""
    while True:  # six digits in a row could read as part of a phone or an ID number
        name = prefix + get_random_string(10, allowed_chars="abcdefghijkmnpqrstuvwxyz23456789")
        if not re.search(r"\d{6}", name):
            return name


def employer_register(*, application: EmployerApplication, request=None) -> Organisation:
    """Register an employer (pending) and its first employer reviewer (inactive until approval).

    Raises EmployerRegistrationError if the credit code is invalid or already registered, the
    phone is taken, or the supervising department is not an approved department. Writes the
    organisation, its title series, the reviewer account, its role and an audit row in one
    transaction: nothing is saved if any of it fails.
    """
    code = credit_code_validate(application.credit_code)
    department = application.supervising_department
    if department is not None and (
        department.kind != OrganisationKind.DEPARTMENT
        or department.status != OrganisationStatus.APPROVED
    ):
        raise EmployerRegistrationError(
            "所选主管部门不可选，请重新选择。", field="supervising_department"
        )
    if not application.title_series:
        raise EmployerRegistrationError("请至少选择一个职称系列。", field="title_series")
    try:
        with transaction.atomic():
            message = credit_code_taken_message(code)
            if message:
                raise EmployerRegistrationError(message, field="credit_code")
            if User.objects.filter(phone=application.reviewer_phone).exists():
                raise EmployerRegistrationError(PHONE_TAKEN_MESSAGE, field="reviewer_phone")
            employer = Organisation.objects.create(
                kind=OrganisationKind.EMPLOYER,
                name=application.name,
                credit_code=code,
                county=application.county,
                supervising_department=department,
                status=OrganisationStatus.PENDING,
                contact_name=application.contact_name,
                contact_phone=application.contact_phone,
            )
            employer.title_series.set(application.title_series)
            reviewer = User(
                username=staff_username(),
                real_name=application.reviewer_name,
                phone=application.reviewer_phone,
                organisation=employer,
                is_active=False,  # until the county bureau approves the employer
            )
            reviewer.set_password(application.password)
            reviewer.save()
            reviewer.groups.add(Group.objects.get(name=EMPLOYER_REVIEWER))
            audit_record(
                action=AuditAction.REGISTERED,
                actor=reviewer,
                subject=reviewer,
                request=request,
                organisation=employer.pk,
                organisation_kind=OrganisationKind.EMPLOYER,
                organisation_status=OrganisationStatus.PENDING,
                role=EMPLOYER_REVIEWER,
                county=application.county.code,
            )
    except IntegrityError as exc:
        # A concurrent registration took the credit code or the phone in the meantime.
        message = credit_code_taken_message(code)
        if message:
            raise EmployerRegistrationError(message, field="credit_code") from exc
        raise EmployerRegistrationError(PHONE_TAKEN_MESSAGE, field="reviewer_phone") from exc
    return employer


# --- Review by the county bureau ----------------------------------------------------------------


def employer_review_allowed(user) -> bool:
    """A bureau's staff with `accounts.approve_organisation` (the group 人社局管理员) may review the
    employers of the bureau's scope; nobody else (a superuser without a bureau neither)."""
    organisation = getattr(user, "organisation", None)
    return bool(
        getattr(user, "is_active", False)
        and organisation is not None
        and organisation.kind == OrganisationKind.BUREAU
        and organisation.status == OrganisationStatus.APPROVED
        and user.has_perm("accounts.approve_organisation")
    )


def employers_for_bureau(*, reviewer, status: str | None = None) -> QuerySet[Organisation]:
    """The employers in the reviewer's scope: a county bureau's county, or (the city bureau) all.

    Empty for anyone who may not review employers. Pending ones come oldest first."""
    if not employer_review_allowed(reviewer):
        return Organisation.objects.none()
    bureau = reviewer.organisation
    employers = Organisation.objects.employers().select_related(
        "county", "supervising_department", "reviewed_by"
    )
    if bureau.county_id is not None:
        employers = employers.filter(county_id=bureau.county_id)
    if status:
        employers = employers.filter(status=status)
    if status == OrganisationStatus.PENDING:
        return employers.order_by("created_at", "pk")
    return employers.order_by("-reviewed_at", "-created_at", "-pk")


def employer_pending_review_count(*, reviewer) -> int:
    return employers_for_bureau(reviewer=reviewer, status=OrganisationStatus.PENDING).count()


def employer_review(
    *, reviewer, employer: Organisation, approve: bool, reason: str = "", request=None
) -> Organisation:
    """Approve or reject a pending employer in the reviewer's scope.

    Approval sets the employer approved and activates its (inactive) staff accounts, so that its
    reviewers can log in; rejection needs a reason and leaves them inactive. Both record who and
    when on the employer, and write one audit row per reviewer account (or one without a subject
    if the employer has none), with the decision, before → after and the reason. After commit,
    each reviewer account with a phone is told the decision (and a rejection's reason) by text.

    Raises PermissionDenied if the reviewer may not review employers or the employer is outside
    their scope; EmployerReviewError if a rejection has no reason or the employer is no longer
    pending.
    """
    reason = (reason or "").strip()
    if not employer_review_allowed(reviewer):
        raise PermissionDenied("审核用人单位注册需要人社局的审核权限。")
    if not approve and not reason:
        raise EmployerReviewError("不予通过时必须填写理由。")
    if len(reason) > REVIEW_REASON_MAX_LENGTH:
        raise EmployerReviewError(f"理由请不超过 {REVIEW_REASON_MAX_LENGTH} 字。")
    with transaction.atomic():
        locked = (
            employers_for_bureau(reviewer=reviewer)
            .select_for_update(of=("self",))
            .filter(pk=employer.pk)
            .first()
        )
        if locked is None:
            raise PermissionDenied("该单位不在本局审核范围内。")
        if locked.status != OrganisationStatus.PENDING:
            raise EmployerReviewError(
                f"“{locked.name}”的注册已审核（{locked.get_status_display()}），无需再次审核。"
            )
        before = locked.status
        after = OrganisationStatus.APPROVED if approve else OrganisationStatus.REJECTED
        locked.status = after
        locked.reviewed_by = reviewer
        locked.reviewed_at = timezone.now()
        locked.review_reason = reason
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason"])
        accounts = list(User.objects.select_for_update().filter(organisation=locked).order_by("pk"))
        detail = {
            "organisation": locked.pk,
            "decision": "approved" if approve else "rejected",
            "before": before,
            "after": after,
            "reason": reason,
        }
        for account in accounts:
            was_active = account.is_active
            if approve and not was_active:
                account.is_active = True
                account.save(update_fields=["is_active"])
            audit_record(
                action=ORGANISATION_REVIEWED,
                actor=reviewer,
                subject=account,
                request=request,
                account_active_before=was_active,
                account_active_after=account.is_active,
                **detail,
            )
        if not accounts:
            audit_record(action=ORGANISATION_REVIEWED, actor=reviewer, request=request, **detail)
        text = _review_message(employer=locked, approve=approve, reason=reason, bureau=reviewer)
        for account in accounts:
            if account.phone:
                transaction.on_commit(partial(_notify, phone=account.phone, text=text))
    employer.refresh_from_db()
    return locked


def _review_message(*, employer: Organisation, approve: bool, reason: str, bureau) -> str:
    if approve:
        return (
            f"【安阳继续教育】“{employer.name}”的用人单位注册已通过审核。"
            "请用本手机号码和注册时设置的密码登录平台，确认本单位人员。"
        )
    return (
        f"【安阳继续教育】“{employer.name}”的用人单位注册未通过审核。理由：{reason}"
        f"。如有疑问，请联系{bureau.organisation.name}。"
    )


def _notify(*, phone: str, text: str) -> None:
    """Tell the employer's reviewer the decision by text message: best effort, after commit (the
    decision stands even if the message cannot be sent)."""
    try:
        sms_send(phone=phone, text=text)
    except Exception:
        log.warning("could not send the employer review message", exc_info=True)
