"""Writes for the courses app."""

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import GroupPagePermission

from accounts.api import (
    LEARNER,
    AuditAction,
    Organisation,
    OrganisationKind,
    audit_record,
    editor_institution,
    institution_workspace_ensure,
)

from .models import CoursePage, Enrolment, EnrolmentState, InstitutionIndexPage, InstitutionPage

# What an institution's group may do on its own page and below it. Publishing goes through the
# listing-approval workflow (courses issue), so it is not granted here.
INSTITUTION_PAGE_PERMISSIONS = ("add", "change")


def institution_page_ensure(
    *, institution: Organisation, scope: str, training_content: str, fees: list, contact: str
) -> InstitutionPage:
    """The institution's disclosure page under 施教机构 (created if missing, published), with its
    group allowed to add and change pages in that subtree only. Idempotent; never overwrites an
    existing page's content."""
    if institution.kind != OrganisationKind.INSTITUTION:
        raise ValueError("only a training institution has a disclosure page")
    with transaction.atomic():
        group = institution_workspace_ensure(institution=institution)
        page = InstitutionPage.objects.filter(organisation=institution).first()
        if page is None:
            index = InstitutionIndexPage.objects.get()
            page = InstitutionPage(
                title=institution.name,
                slug=slugify(f"institution-{institution.pk}"),
                organisation=institution,
                scope=scope,
                training_content=training_content,
                fees=fees,
                contact=contact,
            )
            index.add_child(instance=page)
            page.save_revision().publish()
        for permission_type in INSTITUTION_PAGE_PERMISSIONS:
            if not GroupPagePermission.objects.filter(
                group=group, page=page, permission__codename=f"{permission_type}_page"
            ).exists():
                GroupPagePermission.objects.create(
                    group=group, page=page, permission_type=permission_type
                )
    return page


# --- 报名 (enrolment in a course with a fee) ---------------------------------------------------


class EnrolmentError(Exception):
    """A request about an enrolment that cannot be done, in words for the person asking."""


def enrolment_request(*, learner, course: CoursePage, request=None) -> Enrolment:
    """The learner's enrolment in `course` (a live course with a fee), pending the institution's
    confirmation of payment. Idempotent: asking again returns the same row; after a decline it
    reopens it at today's fee. Audited. Raises EnrolmentError when the course needs none or the
    user may not enrol."""
    if not learner.is_active or not learner.groups.filter(name=LEARNER).exists():
        raise EnrolmentError(_("只有已注册的学员可以报名（请以学员身份登录）。"))
    if not course.live:
        raise EnrolmentError(_("该课程不存在或已下架。"))
    if not course.fee:
        raise EnrolmentError(_("本课程免费，无需报名，直接开始学习即可。"))
    institution = course.owning_institution()
    now = timezone.now()
    with transaction.atomic():
        enrolment, created = Enrolment.objects.select_for_update().get_or_create(
            learner=learner,
            course=course,
            defaults={"institution": institution, "fee": course.fee, "requested_at": now},
        )
        if not created and enrolment.state != EnrolmentState.DECLINED:
            return enrolment
        if not created:
            enrolment.state = EnrolmentState.PENDING
            enrolment.fee = course.fee
            enrolment.requested_at = now
            enrolment.decided_at = enrolment.decided_by = None
            enrolment.payment_reference = enrolment.reason = ""
            enrolment.save()
        audit_record(
            action=AuditAction.ENROLMENT_REQUESTED,
            actor=learner,
            subject=learner,
            request=request,
            enrolment=enrolment.pk,
            course=course.pk,
            fee=str(enrolment.fee),
        )
    return enrolment


def enrolments_decidable_by(user):
    """The enrolments `user` may confirm or decline: their own institution's."""
    institution = editor_institution(user)
    if institution is None:
        return Enrolment.objects.none()
    return Enrolment.objects.filter(institution=institution)


def _enrolment_decide(
    *, enrolment_id: int, actor, request, state: str, reference: str = "", reason: str = ""
) -> Enrolment:
    with transaction.atomic():
        rows = Enrolment.objects.select_for_update()
        if actor is not None:  # None: a payment provider's verified notification
            rows = rows.filter(pk__in=enrolments_decidable_by(actor))
        enrolment = rows.filter(pk=enrolment_id).first()
        if enrolment is None:
            raise EnrolmentError(_("没有这条报名，或它不属于您的机构。"))
        if enrolment.state != EnrolmentState.PENDING:
            raise EnrolmentError(
                _("这条报名已处理（%(state)s），不能再次处理。")
                % {"state": enrolment.get_state_display()}
            )
        enrolment.state = state
        enrolment.decided_at = timezone.now()
        enrolment.decided_by = actor
        enrolment.payment_reference = reference
        enrolment.reason = reason
        enrolment.save()
        audit_record(
            action=AuditAction.ENROLMENT_DECIDED,
            actor=actor,
            subject=enrolment.learner,
            request=request,
            enrolment=enrolment.pk,
            course=enrolment.course_id,
            fee=str(enrolment.fee),
            state=state,
            reference=reference,
            reason=reason,
        )
    return enrolment


def enrolment_confirm(*, enrolment_id: int, actor, reference: str, request=None) -> Enrolment:
    """Confirm a pending enrolment as paid (`reference`: the receipt or transfer number), by an
    editor of the course's institution or — `actor` None — a payment provider's verified
    notification. From then the learner may study the course. Audited; a second decision is
    refused."""
    reference = reference.strip()
    if not reference:
        raise EnrolmentError(_("请填写缴费凭证（收据号或转账流水号）。"))
    return _enrolment_decide(
        enrolment_id=enrolment_id,
        actor=actor,
        request=request,
        state=EnrolmentState.CONFIRMED,
        reference=reference[:64],
    )


def enrolment_decline(*, enrolment_id: int, actor, reason: str, request=None) -> Enrolment:
    """Decline a pending enrolment (no payment received, a wrong amount…) with the reason the
    learner will read; they may enrol again. Audited."""
    reason = reason.strip()
    if not reason:
        raise EnrolmentError(_("请填写未确认的原因，学员会看到这条说明。"))
    return _enrolment_decide(
        enrolment_id=enrolment_id,
        actor=actor,
        request=request,
        state=EnrolmentState.DECLINED,
        reason=reason[:200],
    )
