"""Writes that touch accounts: registration, employer confirmation (HackSoft-style services)."""

import re
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from .audit import audit_record
from .identity import id_number_digest
from .models import (
    AuditAction,
    DisputeStatus,
    EmploymentStatus,
    IdentityDispute,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    TitleSeries,
    User,
)
from .roles import LEARNER


class RegistrationError(Exception):
    """A registration that cannot go ahead; the message is for the person registering."""


class IdNumberTaken(RegistrationError):
    """Someone already registered this ID number: the person may ask the bureau to look into it."""


@dataclass(frozen=True)
class Registration:
    real_name: str
    id_number: str  # validated and normalised
    phone: str
    password: str
    employer: Organisation
    title_series: TitleSeries | None
    title_level: str
    is_accountant: bool
    privacy_notice_version: str


def _learner_username() -> str:
    # A login name of our own: never the ID number, safe to show in lists and logs.
    while True:  # six digits in a row could read as part of a phone or an ID number
        name = "xy" + get_random_string(10, allowed_chars="abcdefghijkmnpqrstuvwxyz23456789")
        if not re.search(r"\d{6}", name):
            return name


def learner_register(*, registration: Registration, request=None) -> User:
    """Create a learner account, pending their employer's confirmation.

    Raises RegistrationError if the ID number or phone is already registered or the employer is
    not an approved one. Writes the user, their learner role and an audit row in one transaction.
    """

    employer = registration.employer
    if employer.kind != OrganisationKind.EMPLOYER or employer.status != OrganisationStatus.APPROVED:
        raise RegistrationError("所选工作单位尚未通过审核，暂不能选择。")
    digest = id_number_digest(registration.id_number)
    try:
        with transaction.atomic():
            if User.objects.filter(id_number_digest=digest).exists():
                raise IdNumberTaken
            if User.objects.filter(phone=registration.phone).exists():
                raise RegistrationError("该手机号码已注册，请直接登录或找回密码。")
            user = User(
                username=_learner_username(),
                real_name=registration.real_name,
                phone=registration.phone,
                employer=employer,
                employment_status=EmploymentStatus.PENDING,
                title_series=registration.title_series,
                title_level=registration.title_level,
                is_accountant=registration.is_accountant,
                privacy_accepted_at=timezone.now(),
                privacy_notice_version=registration.privacy_notice_version,
            )
            user.set_id_number(registration.id_number)
            user.set_password(registration.password)
            user.save()
            user.groups.add(Group.objects.get(name=LEARNER))
            audit_record(
                action=AuditAction.REGISTERED,
                actor=user,
                subject=user,
                request=request,
                employer=employer.pk,
            )
    except IntegrityError as exc:  # a concurrent registration with the same number or phone
        raise IdNumberTaken from exc
    return user


def employment_review(*, reviewer: User, users: list[User], confirm: bool, request=None) -> int:
    """Confirm (or decline) that registrants are on the reviewer's employer's staff.

    Only registrants who name the reviewer's own organisation are touched; returns how many
    changed. Each change is audited.
    """
    employer = reviewer.organisation
    if employer is None or employer.kind != OrganisationKind.EMPLOYER:
        return 0
    status = EmploymentStatus.CONFIRMED if confirm else EmploymentStatus.REJECTED
    changed = 0
    with transaction.atomic():
        for user in (
            User.objects.select_for_update()
            .filter(pk__in=[u.pk for u in users], employer=employer)
            .exclude(employment_status=status)
        ):
            before = user.employment_status
            user.employment_status = status
            user.employment_reviewed_at = timezone.now()
            # The employer vouches for who the person is: from now on only the bureau corrects
            # their name and ID number.
            user.identity_confirmed = user.identity_confirmed or confirm
            user.save(
                update_fields=["employment_status", "employment_reviewed_at", "identity_confirmed"]
            )
            audit_record(
                action=AuditAction.EMPLOYMENT_REVIEWED,
                actor=reviewer,
                subject=user,
                request=request,
                employer=employer.pk,
                before=before,
                after=status,
            )
            changed += 1
    return changed


def profile_update(*, user: User, data: dict, request=None) -> list[str]:
    """Apply a learner's own profile changes; returns the names of the fields that changed.

    A new employer puts the learner back to 'pending' for that employer to confirm (hours already
    earned stay theirs). Name and ID number change only before identity confirmation. Changes of
    sensitive fields are audited with before → after (ID numbers masked).
    Raises RegistrationError for a phone or ID number that belongs to someone else.
    """
    changes: dict[str, tuple] = {}
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if "id_number" in data and not user.identity_confirmed:
            number = data["id_number"]
            if id_number_digest(number) != user.id_number_digest:
                if User.objects.filter(id_number_digest=id_number_digest(number)).exists():
                    raise IdNumberTaken
                before = user.id_number_masked
                user.set_id_number(number)
                changes["id_number"] = (before, user.id_number_masked)
        if (
            "real_name" in data
            and not user.identity_confirmed
            and data["real_name"] != user.real_name
        ):
            changes["real_name"] = (user.real_name, data["real_name"])
            user.real_name = data["real_name"]
        if data["phone"] != user.phone:
            if User.objects.filter(phone=data["phone"]).exclude(pk=user.pk).exists():
                raise RegistrationError("该手机号码已被其他账号使用。")
            changes["phone"] = (user.phone, data["phone"])
            user.phone = data["phone"]
        if data["employer"].pk != user.employer_id:
            employer = data["employer"]
            if (
                employer.kind != OrganisationKind.EMPLOYER
                or employer.status != OrganisationStatus.APPROVED
            ):
                raise RegistrationError("所选工作单位尚未通过审核，暂不能选择。")
            changes["employer"] = (user.employer_id, employer.pk)
            user.employer = employer
            user.employment_status = EmploymentStatus.PENDING
            user.employment_reviewed_at = None
        for field in ("title_series", "title_level", "is_accountant"):
            value = data[field]
            current = getattr(user, field)
            if value != current:
                changes[field] = (str(current or ""), str(value or ""))
                setattr(user, field, value)
        if not changes:
            return []
        try:
            user.save()
        except IntegrityError as exc:
            raise RegistrationError("手机号码或身份证号码已被其他账号使用。") from exc
        sensitive = {
            k: v for k, v in changes.items() if k in ("real_name", "id_number", "phone", "employer")
        }
        if sensitive:
            audit_record(
                action=AuditAction.PROFILE_CHANGED,
                actor=user,
                subject=user,
                request=request,
                changes={k: {"before": b, "after": a} for k, (b, a) in sensitive.items()},
            )
    return list(changes)


def identity_correct(
    *, actor: User, person: User, real_name: str, id_number: str, reason: str, request=None
) -> list[str]:
    """The bureau corrects a mistyped name or ID number, with a reason; returns what changed.

    Preconditions: the caller checked that `person` is in the actor's scope. Requires the
    `accounts.correct_identity` permission. Raises IdNumberTaken if the number belongs to another
    account. Audited with before → after (ID numbers masked) and the reason.
    """

    if not actor.has_perm("accounts.correct_identity"):
        raise PermissionDenied("更正实名信息需要相应权限")
    if not reason.strip():
        raise RegistrationError("请填写更正原因。")
    changes: dict[str, dict] = {}
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        digest = id_number_digest(id_number)
        if digest != person.id_number_digest:
            if User.objects.filter(id_number_digest=digest).exclude(pk=person.pk).exists():
                raise IdNumberTaken
            before = person.id_number_masked
            person.set_id_number(id_number)
            changes["id_number"] = {"before": before, "after": person.id_number_masked}
        if real_name != person.real_name:
            changes["real_name"] = {"before": person.real_name, "after": real_name}
            person.real_name = real_name
        if not changes:
            return []
        person.save()
        audit_record(
            action=AuditAction.IDENTITY_CORRECTED,
            actor=actor,
            subject=person,
            request=request,
            changes=changes,
            reason=reason.strip(),
        )
    return list(changes)


def id_number_reveal(*, actor: User, person: User, password: str, request=None) -> str:
    """The full ID number of `person`, for staff allowed to correct identities, after they typed
    their own password again; every display is audited. Raises PermissionDenied otherwise."""

    if not actor.has_perm("accounts.correct_identity"):
        raise PermissionDenied("查看完整身份证号码需要相应权限")

    failures_key = f"id-reveal-failures:{actor.pk}"
    if (cache.get(failures_key) or 0) >= 5:
        # Someone at an unattended desk must not guess the staff member's password here.
        raise PermissionDenied("密码错误次数过多，请 30 分钟后再试")
    if not actor.check_password(password):
        cache.add(failures_key, 0, 30 * 60)
        cache.incr(failures_key)
        audit_record(
            action=AuditAction.ID_NUMBER_VIEWED,
            actor=actor,
            subject=person,
            request=request,
            succeeded=False,
        )
        raise PermissionDenied("密码不正确")
    audit_record(action=AuditAction.ID_NUMBER_VIEWED, actor=actor, subject=person, request=request)
    return person.id_number_for_owner()


def identity_dispute_submit(*, real_name: str, id_number: str, phone: str, description: str):
    """A person whose ID number is registered by someone else asks the bureau to look into it."""

    dispute = IdentityDispute(
        real_name=real_name, phone=phone, description=description.strip()[:1000]
    )
    dispute.set_id_number(id_number)
    dispute.save()
    return dispute


def identity_dispute_resolve(*, actor: User, dispute, resolution: str, request=None) -> None:
    if not actor.has_perm("accounts.correct_identity"):
        raise PermissionDenied
    if not resolution.strip():
        raise RegistrationError("请填写处理结果。")
    with transaction.atomic():
        dispute.status = DisputeStatus.RESOLVED
        dispute.resolution = resolution.strip()
        dispute.resolved_by = actor
        dispute.resolved_at = timezone.now()
        dispute.save()
        account = dispute.registered_account()
        audit_record(
            action=AuditAction.IDENTITY_CORRECTED,
            actor=actor,
            subject=account,
            request=request,
            dispute=dispute.pk,
            resolution=dispute.resolution,
        )


def privacy_accept(*, user: User, version: str, request=None) -> None:
    """Record that `user` accepted the privacy notice `version`, now."""
    User.objects.filter(pk=user.pk).update(
        privacy_accepted_at=timezone.now(), privacy_notice_version=version
    )
    user.privacy_accepted_at = timezone.now()
    audit_record(
        action=AuditAction.PROFILE_CHANGED,
        actor=user,
        subject=user,
        request=request,
        changes={
            "privacy_notice_version": {"before": user.privacy_notice_version, "after": version}
        },
    )
    user.privacy_notice_version = version
