"""Writes for credit years and the hour ledger."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from .models import CreditEntry, CreditSource, CreditYear


def credit_year_ensure(*, year: int) -> CreditYear:
    """The year's rules, created from the defaults of DESIGN.md §2 if missing. Idempotent."""
    credit_year, _created = CreditYear.objects.get_or_create(
        year=year, defaults={"minutes_per_hour": settings.CREDIT_MINUTES_PER_HOUR_DEFAULT}
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
