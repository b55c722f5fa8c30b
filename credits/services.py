"""Writes for credit years."""

from django.conf import settings

from .models import CreditYear


def credit_year_ensure(*, year: int) -> CreditYear:
    """The year's rules, created from the defaults of DESIGN.md §2 if missing. Idempotent."""
    credit_year, _created = CreditYear.objects.get_or_create(
        year=year, defaults={"minutes_per_hour": settings.CREDIT_MINUTES_PER_HOUR_DEFAULT}
    )
    return credit_year
