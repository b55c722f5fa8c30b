"""Text messages (短信) through a pluggable backend, chosen by settings.SMS_BACKEND.

A provider is plugged in by writing a class with `send(phone: str, text: str) -> None` that calls
its API (Aliyun, Tencent Cloud and others sign templated messages; put the template code and
keys in the environment), and naming it in SMS_BACKEND. `send` raises SmsError when the message
could not be handed over. The console backend (development) prints the message; the memory
backend (tests) keeps it in `outbox`.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class SmsError(Exception):
    pass


class ConsoleSmsBackend:
    def send(self, phone: str, text: str) -> None:
        # Development only: the code is printed for the developer; never an ID number.
        print(f"[短信] 发送至 {phone[:3]}****{phone[-4:]}：{text}")  # noqa: T201


class MemorySmsBackend:
    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        type(self).outbox.append((phone, text))


def sms_send(*, phone: str, text: str) -> None:
    backend = import_string(settings.SMS_BACKEND)()
    backend.send(phone, text)
