"""What other apps may use of credits."""

import datetime

from django.utils import timezone

from .models import CreditYear

# DESIGN.md §2: online hours count for the year whose deadline (Dec 30 24:00 Asia/Shanghai) the
# completion comes before; later completions count for the next year.
DEADLINE_MONTH_DAY = (12, 30)


def current_year(today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    return today.year if (today.month, today.day) <= DEADLINE_MONTH_DAY else today.year + 1


def current_credit_year(today: datetime.date | None = None) -> CreditYear | None:
    return CreditYear.objects.filter(year=current_year(today)).first()
