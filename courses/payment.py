"""Paying for a course with a fee (报名缴费), through a pluggable backend chosen by
settings.PAYMENT_BACKEND, as text messages are by SMS_BACKEND.

Payment is offline today: the learner pays the institution as its disclosure page says, and the
institution's editor confirms it in the admin (报名确认). A provider is plugged in by writing a
class whose `begin(enrolment) -> PaymentStart` creates the provider's order and returns its
checkout page as `url`, plus a view that verifies the provider's signed notification and then
calls `courses.services.enrolment_confirm(enrolment_id=…, actor=None, reference=<the provider's
transaction id>)`; name the class in PAYMENT_BACKEND. The console backend (development, and the
default: offline payment) prints what is owed; the memory backend (tests) keeps it in `begun`.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class PaymentStart:
    message: str  # what the learner is told after 报名
    url: str = ""  # a provider's checkout page, where the learner is sent next


def _offline(enrolment) -> PaymentStart:
    return PaymentStart(
        message=_(
            "报名成功。请按施教机构公布的收费标准缴费（应缴 %(fee)s 元），"
            "机构确认缴费后即可开始学习。"
        )
        % {"fee": enrolment.fee}
    )


class ConsolePaymentBackend:
    """Offline payment: nothing to call; the institution confirms. Prints the order for the
    developer (never a learner's ID number)."""

    def begin(self, enrolment) -> PaymentStart:
        print(  # noqa: T201
            f"[缴费] 报名 #{enrolment.pk}《{enrolment.course.title}》应缴 {enrolment.fee} 元，"
            "待施教机构确认"
        )
        return _offline(enrolment)


class MemoryPaymentBackend:
    begun: list[int] = []

    def begin(self, enrolment) -> PaymentStart:
        type(self).begun.append(enrolment.pk)
        return _offline(enrolment)


def payment_begin(enrolment) -> PaymentStart:
    return import_string(settings.PAYMENT_BACKEND)().begin(enrolment)
