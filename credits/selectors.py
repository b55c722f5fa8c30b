"""Reads of the hour ledger (DESIGN.md §2): a learner's hours of a year against that year's rules.
The one place the figures of 学时查询 come from; declarations, records and the employers' views
read them here too."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from .models import CreditCategory, CreditEntry, CreditYear, default_deadline
from .services import credit_year_get_or_create

ZERO = Decimal("0.0")
TENTH = Decimal("0.1")


def _hours(value) -> Decimal:
    """学时 to one decimal, as the ledger keeps them (a sum comes back bare on SQLite)."""
    return Decimal(value or 0).quantize(TENTH)


@dataclass(frozen=True)
class CategoryHours:
    category: str
    label: str
    credited: Decimal
    required: int

    @property
    def met(self) -> bool:
        return self.credited >= self.required

    @property
    def missing(self) -> Decimal:
        return max(ZERO, _hours(self.required) - self.credited)

    @property
    def percent(self) -> int:
        """How full the meter is (0–100)."""
        if self.required <= 0:
            return 100
        return min(100, int(self.credited * 100 / self.required))


@dataclass(frozen=True)
class YearHours:
    year: int
    rules: CreditYear
    public: CategoryHours
    professional: CategoryHours
    entries: list[CreditEntry]
    deadline: datetime.date
    today: datetime.date

    @property
    def total(self) -> Decimal:
        """Every hour credited in the year, whatever its category."""
        return self.public.credited + self.professional.credited

    @property
    def total_percent(self) -> int:
        required = self.rules.required_total
        return 100 if required <= 0 else min(100, int(self.total * 100 / required))

    @property
    def met(self) -> bool:
        """The year's requirement: each category its own minimum (public hours above theirs
        never fill the professional one), and the total."""
        return self.public.met and self.professional.met and self.total >= self.rules.required_total

    @property
    def days_left(self) -> int:
        return (self.deadline - self.today).days

    @property
    def categories(self) -> list[CategoryHours]:
        return [self.public, self.professional]

    def missing_of(self, category: str) -> Decimal:
        return (
            self.public.missing if category == CreditCategory.PUBLIC else self.professional.missing
        )


def year_hours(*, learner, year: int, today: datetime.date | None = None) -> YearHours:
    """`learner`'s ledger for `year`: each category's hours against the year's rules, the entries
    (course, date, category, 学时, source) in the order they were written, and the deadline.
    The year's rules are created from the defaults if it has none yet (a year being viewed
    before anything was credited in it)."""
    rules = credit_year_get_or_create(year=year)
    entries = list(
        CreditEntry.objects.filter(learner=learner, year=rules)
        .select_related("course")
        .order_by("created_at", "pk")
    )
    sums = dict(
        CreditEntry.objects.filter(learner=learner, year=rules)
        .values_list("category")
        .annotate(total=Sum("hours"))
        .values_list("category", "total")
    )
    labels = dict(CreditCategory.choices)
    return YearHours(
        year=year,
        rules=rules,
        public=CategoryHours(
            CreditCategory.PUBLIC,
            str(labels[CreditCategory.PUBLIC]),
            _hours(sums.get(CreditCategory.PUBLIC)),
            rules.required_public,
        ),
        professional=CategoryHours(
            CreditCategory.PROFESSIONAL,
            str(labels[CreditCategory.PROFESSIONAL]),
            _hours(sums.get(CreditCategory.PROFESSIONAL)),
            rules.required_professional,
        ),
        entries=entries,
        deadline=rules.deadline or default_deadline(year),
        today=today or timezone.localdate(),
    )


def learner_years(*, learner, current: int) -> list[int]:
    """The years a learner may look at: those with entries of theirs, and the current one,
    newest first."""
    years = set(
        CreditEntry.objects.filter(learner=learner).values_list("year_id", flat=True).distinct()
    )
    years.add(current)
    return sorted((y for y in years if y <= current + 1), reverse=True)
