"""Writes for credit years and the hour ledger."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.api import AuditAction, audit_record

from .models import CreditEntry, CreditSource, CreditYear

# The rule fields a change is audited for (every editable field of the year).
RULE_FIELDS = (
    "required_total",
    "required_public",
    "required_professional",
    "minutes_per_hour",
    "deadline",
    "accounting_deadline",
    "completion_coverage",
    "heartbeat_interval_seconds",
    "heartbeat_messages_per_interval",
    "outage_grace_seconds",
    "attention_check_min_minutes",
    "attention_check_max_minutes",
    "review_working_days",
    "closed",
)


def credit_year_get_or_create(*, year: int) -> CreditYear:
    """The year's rules, created from the defaults of DESIGN.md §2 if missing. Idempotent."""
    credit_year, _created = CreditYear.objects.get_or_create(
        year=year, defaults={"minutes_per_hour": settings.CREDIT_MINUTES_PER_HOUR_DEFAULT}
    )
    return credit_year


def _rules_of(credit_year: CreditYear | None) -> dict:
    if credit_year is None:
        return {}
    return {name: str(getattr(credit_year, name)) for name in RULE_FIELDS}


def credit_year_rules_save(*, credit_year: CreditYear, actor, request=None) -> CreditYear:
    """Save a year's rules as edited in the admin (the caller has validated them and checked that
    `actor` may: credits.permissions), and write one audit row naming every changed rule with
    its value before → after. Nothing is written if nothing changed.

    The stored row is locked first, so two admins saving at once are audited one after the
    other, each against what the other left."""
    with transaction.atomic():
        stored = CreditYear.objects.select_for_update().filter(pk=credit_year.pk).first()
        before = _rules_of(stored)
        credit_year.save()
        after = _rules_of(credit_year)
        changes = {
            name: [before.get(name), value]
            for name, value in after.items()
            if before.get(name) != value
        }
        if changes:
            audit_record(
                action=AuditAction.RULES_CHANGED,
                actor=actor,
                request=request,
                year=credit_year.year,
                created=stored is None,
                changes=changes,
            )
    return credit_year


def credit_grant(
    *,
    learner,
    year: CreditYear,
    category: str,
    hours: Decimal,
    source: str,
    source_key: str,
    course=None,
) -> tuple[CreditEntry, bool]:
    """Write `hours` into the learner's ledger once per `source_key`; (entry, created).

    Idempotent: a second call with the same learner and source key returns the first entry and
    writes nothing (the database's unique constraint decides, so concurrent callers agree).
    Call it inside the transaction that records what earned the hours (DESIGN.md §4).
    """
    if year.closed:
        raise ValueError(f"{year.year} 年度已结束，不能再记入学时")
    existing = CreditEntry.objects.filter(learner=learner, source_key=source_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            entry = CreditEntry.objects.create(
                learner=learner,
                year=year,
                category=category,
                hours=hours,
                source=source,
                source_key=source_key,
                course=course,
            )
    except IntegrityError:
        # Another transaction wrote the same source first: theirs stands. Any other refusal
        # (a check constraint) is the caller's error and goes up.
        existing = CreditEntry.objects.filter(learner=learner, source_key=source_key).first()
        if existing is None:
            raise
        return existing, False
    return entry, True


def credit_correct(
    *, learner, year: CreditYear, category: str, hours: Decimal, reason: str, actor, corrects=None
) -> CreditEntry:
    """A correction: a new, reasoned entry by `actor` (never a change to an old one). `hours`
    may be negative. `corrects` names the entry it corrects, if any."""
    if not reason.strip():
        raise ValueError("更正须填写原因")
    key = f"correction:{uuid.uuid4().hex}"
    if corrects is not None:
        key = f"correction:{corrects.pk}:{uuid.uuid4().hex[:12]}"
    return CreditEntry.objects.create(
        learner=learner,
        year=year,
        category=category,
        hours=hours,
        source=CreditSource.CORRECTION,
        source_key=key,
        reason=reason.strip(),
        actor=actor,
    )
