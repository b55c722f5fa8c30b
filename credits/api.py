"""What other apps may use of credits."""

import datetime

from django.utils import timezone

from .models import CreditYear

# DESIGN.md §2: online hours count for the year whose deadline (Dec 30 24:00 Asia/Shanghai; the
# 会计专区 Dec 31) the completion comes before; later completions count for the next year.
DEADLINE_MONTH_DAY = (12, 30)
ACCOUNTING_DEADLINE_MONTH_DAY = (12, 31)


def current_year(today: datetime.date | None = None, *, accounting: bool = False) -> int:
    today = today or timezone.localdate()
    deadline = ACCOUNTING_DEADLINE_MONTH_DAY if accounting else DEADLINE_MONTH_DAY
    return today.year if (today.month, today.day) <= deadline else today.year + 1


def current_credit_year(
    today: datetime.date | None = None, *, accounting: bool = False
) -> CreditYear | None:
    return CreditYear.objects.filter(year=current_year(today, accounting=accounting)).first()
