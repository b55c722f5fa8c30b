"""What other apps may use of credits."""

import datetime
import time
from dataclasses import dataclass

from django.utils import timezone

from config import memo
from config.memo import NotCopied

from .models import CreditCategory, CreditSource, CreditYear, default_deadline
from .selectors import CategoryHours, YearHours, learner_years, year_hours
from .services import credit_grant, credit_year_get_or_create

__all__ = [
    "CategoryHours",
    "CreditCategory",
    "CreditSource",
    "CreditYear",
    "HeartbeatLimits",
    "YearHours",
    "credit_grant",
    "credit_year_get_or_create",
    "credit_year_rules",
    "current_credit_year",
    "current_year",
    "deadlines_forget",
    "default_deadline",
    "heartbeat_limits",
    "learner_years",
    "year_deadline",
    "year_hours",
]

_DEADLINES_TTL = 60.0  # s: other processes see an edited deadline (or limit) within a minute
_deadlines_memo: dict = {"at": None, "rows": {}, "limits": {}, "years": {}}


def deadlines_forget(**_kwargs) -> None:
    """Drop this process's copy of the deadlines (on every CreditYear save or delete)."""
    _deadlines_memo["at"] = None


def _memo_refresh(*, query: bool = True) -> None:
    now = time.monotonic()
    at = _deadlines_memo["at"]
    if at is None or now - at > _DEADLINES_TTL:
        if not query:  # the socket's event loop (player.loop_db) never waits on the database
            raise NotCopied("credit years")
        _memo_read()
    elif not query and now - at >= _DEADLINES_TTL - memo.REFRESH_AHEAD:
        memo.refresh_ahead("credit years", _memo_read)


def _memo_read() -> None:
    """Read the credit years again (a query): the copy every heartbeat reads."""
    now = time.monotonic()
    years = list(CreditYear.objects.all())  # a row per year: a handful
    _deadlines_memo["rows"] = {y.year: (y.deadline, y.accounting_deadline) for y in years}
    _deadlines_memo["limits"] = {
        y.year: HeartbeatLimits(
            y.heartbeat_interval_seconds,
            y.heartbeat_messages_per_interval,
            y.outage_grace_seconds,
        )
        for y in years
    }
    _deadlines_memo["years"] = {y.year: y for y in years}
    _deadlines_memo["at"] = now


def credit_year_rules(year: int, *, query: bool = True) -> CreditYear | None:
    """The year's rules from this process's copy (at most a minute old; this process's own edits
    at once): what a heartbeat reads them from, without a query. Read only: never save it. With
    `query` false NotCopied where the copy is due to be read again."""
    _memo_refresh(query=query)
    return _deadlines_memo["years"].get(year)


def _deadlines(*, query: bool = True) -> dict[int, tuple[datetime.date, datetime.date]]:
    _memo_refresh(query=query)
    return _deadlines_memo["rows"]


@dataclass(frozen=True)
class HeartbeatLimits:
    interval: int  # s between heartbeats
    per_interval: int  # messages a session may send per interval
    outage_grace: int  # s of heartbeats a player may queue through an outage


def heartbeat_limits(today: datetime.date | None = None, *, query: bool = True) -> HeartbeatLimits:
    """The current year's heartbeat limits, from this process's copy of the rules (refreshed
    within a minute): read on every heartbeat without a query. With `query` false NotCopied
    where the copy is due to be read again."""
    year = current_year(today, query=query)
    limits = _deadlines_memo["limits"].get(year)
    if limits is None:
        defaults = {f.name: f.default for f in CreditYear._meta.fields}
        limits = HeartbeatLimits(
            defaults["heartbeat_interval_seconds"],
            defaults["heartbeat_messages_per_interval"],
            defaults["outage_grace_seconds"],
        )
    return limits


def year_deadline(year: int, *, accounting: bool = False, query: bool = True) -> datetime.date:
    """The year's deadline: its record's, else the default."""
    row = _deadlines(query=query).get(year)
    value = row and (row[1] if accounting else row[0])
    return value or default_deadline(year, accounting=accounting)


def current_year(
    today: datetime.date | None = None, *, accounting: bool = False, query: bool = True
) -> int:
    """The credit year that a completion (or a submission) on `today` counts for: the first
    year whose deadline is not yet past."""
    today = today or timezone.localdate()
    year = today.year - 1  # a deadline may lie early in the next calendar year
    while year_deadline(year, accounting=accounting, query=query) < today:
        year += 1
    return year


def current_credit_year(
    today: datetime.date | None = None, *, accounting: bool = False
) -> CreditYear | None:
    return CreditYear.objects.filter(year=current_year(today, accounting=accounting)).first()
