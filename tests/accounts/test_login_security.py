"""Login security (the accounts issue): login by ID number or phone, CAPTCHA after 3 failures,
lockout after 5 and its end after 30 minutes, the per-address limit, idle expiry on the server,
logout ending every session, and an audit trail that never holds an ID number."""

import datetime
import json
import logging
import re
from contextlib import contextmanager
from unittest import mock

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from captcha.models import CaptchaStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.backends import account_key
from accounts.login import account_lock_status, account_unlock, password_change_completed
from accounts.models import AuditAction, AuditEvent
from tests.accounts.conftest import LEARNER_ID_NUMBER, LEARNER_PASSWORD, LEARNER_PHONE
from tests.factories import StaffUserFactory, UserFactory, valid_id_number

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LOCKED_TEXT = "登录失败次数过多，账号已锁定 30 分钟，请稍后再试或联系单位/人社局解锁"
INVALID_TEXT = "身份证号码/手机号或密码不正确，请重新输入。"
ADDRESS_TEXT = "您所在的网络地址登录失败次数过多"
IDLE_TEXT = "由于长时间未操作，您已退出登录"
UNKNOWN_ID_NUMBER = valid_id_number(777, birth="19800101")


@pytest.fixture(autouse=True)
def _clean_cache():
    """The per-address counts live in the (process-wide) cache: start and end each test empty."""
    cache.clear()
    yield
    cache.clear()


class Clock:
    """Time travel for the code under test: Django's timezone.now (sessions, captcha, audit, our
    idle and address windows) and axes' own clock, moved together."""

    def __init__(self):
        self.offset = datetime.timedelta()
        self._real_now = timezone.now

    def now(self):
        return self._real_now() + self.offset

    def advance(self, **delta):
        self.offset += datetime.timedelta(**delta)


@pytest.fixture
def clock():
    clock = Clock()
    with (
        mock.patch("django.utils.timezone.now", clock.now),
        mock.patch("axes.handlers.proxy.now", clock.now),
        mock.patch("axes.attempts.now", clock.now),
    ):
        yield clock


def login(client, username, password, *, captcha=None, ip="10.1.1.1", **extra):
    data = {"username": username, "password": password, **extra}
    if captcha is not None:
        data["captcha_0"], data["captcha_1"] = captcha
    return client.post(LOGIN, data, REMOTE_ADDR=ip)


def shows_captcha(response) -> bool:
    return 'name="captcha_1"' in response.content.decode()


def captcha_solved(response) -> tuple[str, str]:
    """The key of the captcha the page shows, and its right answer (from the store)."""
    key = re.search(r'name="captcha_0" value="(\w+)"', response.content.decode()).group(1)
    return key, CaptchaStore.objects.get(hashkey=key).response.upper()


def fail_until_locked(client, username, *, ip="10.1.1.1"):
    """Five wrong passwords (the 4th and 5th with a solved captcha); returns every response."""
    responses = [login(client, username, "wrong-password-1", ip=ip) for _ in range(3)]
    for _ in range(2):
        responses.append(
            login(
                client, username, "wrong-password-2", captcha=captcha_solved(responses[-1]), ip=ip
            )
        )
    return responses


def is_logged_in_as(client, user) -> bool:
    return str(client.session.get("_auth_user_id")) == str(user.pk)


def failures_of(user) -> int:
    return account_lock_status(user)["failures"]


# --- Login by ID number, phone or (staff) username -------------------------------------------


@pytest.mark.parametrize(
    "identifier",
    [
        LEARNER_ID_NUMBER,
        LEARNER_ID_NUMBER.lower(),
        f" {LEARNER_ID_NUMBER[:6]} {LEARNER_ID_NUMBER[6:]} ",
        LEARNER_PHONE,
    ],
    ids=["id-number", "lowercase-x", "with-spaces", "phone"],
)
def test_learner_logs_in_with_id_number_or_phone(client, learner, identifier):
    response = login(client, identifier, LEARNER_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/my/"
    assert is_logged_in_as(client, learner)
    assert client.get("/my/").status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_SUCCEEDED)
    assert event.subject == learner and event.actor == learner
    assert event.ip_address == "10.1.1.1"


def test_login_page_asks_for_id_number_or_phone(client):
    html = client.get(LOGIN).content.decode()
    assert "身份证号码或手机号" in html
    assert 'name="captcha_1"' not in html  # no CAPTCHA before any failure


def test_wrong_password_and_unknown_account_get_the_same_answer(client, learner):
    wrong = login(client, LEARNER_ID_NUMBER, "not-the-password")
    unknown = login(client, UNKNOWN_ID_NUMBER, "not-the-password")
    unknown_phone = login(client, "13900000000", "not-the-password")
    for response in (wrong, unknown, unknown_phone):
        assert response.status_code == 200
        assert INVALID_TEXT in response.content.decode()
        assert "_auth_user_id" not in client.session
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("pk")
    assert [event.subject for event in failed] == [learner, None, None]
    assert all(not event.succeeded for event in failed)


def test_staff_log_in_with_username_but_a_learners_generated_username_is_no_way_in(client, learner):
    staff = UserFactory(username="hr_office", is_staff=True)
    response = login(client, "hr_office", "Correct-horse-42")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    client.logout()
    refused = login(Client(), learner.username, LEARNER_PASSWORD)
    assert refused.status_code == 200
    assert INVALID_TEXT in refused.content.decode()
    assert staff.pk != learner.pk


def test_inactive_account_gets_the_common_error(client, learner):
    learner.is_active = False
    learner.save()
    response = login(client, LEARNER_PHONE, LEARNER_PASSWORD)
    assert response.status_code == 200
    assert INVALID_TEXT in response.content.decode()


# --- CAPTCHA after 3 failures ------------------------------------------------------------------


def test_captcha_is_required_after_three_failures_on_the_account(client, learner):
    # Three failures by three spellings of the same account count together.
    first = login(client, LEARNER_ID_NUMBER, "wrong-1")
    second = login(client, LEARNER_PHONE, "wrong-2")
    assert not shows_captcha(first) and not shows_captcha(second)
    third = login(client, LEARNER_ID_NUMBER.lower(), "wrong-3")
    assert shows_captcha(third), "the 4th form must show a CAPTCHA"
    assert failures_of(learner) == 3

    # The right password without the captcha is refused, and is not counted as a failure.
    no_captcha = login(client, LEARNER_ID_NUMBER, LEARNER_PASSWORD)
    assert no_captcha.status_code == 200
    assert "请输入图中的验证码" in no_captcha.content.decode()
    assert "_auth_user_id" not in client.session
    assert shows_captcha(no_captcha)

    # A wrong captcha: refused with a Chinese message, the password not even checked.
    key, answer = captcha_solved(no_captcha)
    wrong_captcha = login(client, LEARNER_ID_NUMBER, LEARNER_PASSWORD, captcha=(key, "ZZZZ"))
    assert "验证码不正确" in wrong_captcha.content.decode()
    assert "_auth_user_id" not in client.session
    # A captcha is single-use: even its right answer cannot be replayed.
    replay = login(client, LEARNER_ID_NUMBER, LEARNER_PASSWORD, captcha=(key, answer))
    assert "验证码不正确" in replay.content.decode()
    assert failures_of(learner) == 3

    # The right captcha (from the store) and the right password: in, and the count is reset.
    response = login(client, LEARNER_PHONE, LEARNER_PASSWORD, captcha=captcha_solved(replay))
    assert response.status_code == 302
    assert is_logged_in_as(client, learner)
    assert failures_of(learner) == 0
    reasons = list(
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
        .order_by("pk")
        .values_list("detail__reason", flat=True)
    )
    assert reasons == ["credentials"] * 3 + ["captcha"] * 3


def test_captcha_answer_is_not_case_sensitive(client, learner):
    for _ in range(3):
        last = login(client, LEARNER_PHONE, "wrong")
    key, answer = captcha_solved(last)
    response = login(client, LEARNER_PHONE, LEARNER_PASSWORD, captcha=(key, answer.lower()))
    assert response.status_code == 302


def test_captcha_refresh_keeps_what_was_typed_and_counts_nothing(client, learner):
    for _ in range(3):
        last = login(client, LEARNER_PHONE, "wrong")
    old_key, _ = captcha_solved(last)
    refreshed = login(client, LEARNER_PHONE, "", captcha_refresh="1")
    new_key, _ = captcha_solved(refreshed)
    assert new_key != old_key
    assert f'value="{LEARNER_PHONE}"' in refreshed.content.decode()
    assert failures_of(learner) == 3


def test_captcha_image_is_served_from_our_origin_under_the_site_csp(client, learner):
    for _ in range(3):
        page = login(client, LEARNER_PHONE, "wrong")
    html = page.content.decode()
    image_url = re.search(r'<img class="captcha__image" src="([^"]+)"', html).group(1)
    assert image_url.startswith("/captcha/image/")
    policy = page["Content-Security-Policy"]
    assert "img-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "<script" not in html and "style=" not in html
    image = client.get(image_url)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"


# --- Lockout after 5, and its end after 30 minutes ----------------------------------------------


def test_fifth_failure_locks_the_account_even_against_the_right_password(client, learner):
    responses = fail_until_locked(client, LEARNER_ID_NUMBER)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert LOCKED_TEXT in responses[-1].content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT, subject=learner).count() == 1

    # The right password, by phone this time, from another address: still refused.
    other = Client()
    refused = login(other, LEARNER_PHONE, LEARNER_PASSWORD, ip="10.9.9.9")
    assert refused.status_code == 429
    assert LOCKED_TEXT in refused.content.decode()
    assert "_auth_user_id" not in other.session
    assert account_lock_status(learner)["locked"]
    # Refusals during the lock do not extend it.
    assert failures_of(learner) == 5


def test_unknown_account_is_captchad_and_locked_exactly_like_a_real_one(learner):
    def journey(identifier):
        client = Client()
        responses = fail_until_locked(client, identifier)
        responses.append(login(client, identifier, LEARNER_PASSWORD))
        return [
            (
                response.status_code,
                shows_captcha(response),
                INVALID_TEXT in response.content.decode(),
                LOCKED_TEXT in response.content.decode(),
            )
            for response in responses
        ]

    real = journey(LEARNER_ID_NUMBER)
    unknown = journey(UNKNOWN_ID_NUMBER)
    assert real == unknown
    assert real[-1] == (429, False, False, True)


def test_lockout_ends_after_30_minutes(client, learner, clock):
    fail_until_locked(client, LEARNER_PHONE)
    clock.advance(minutes=29)
    still = login(client, LEARNER_PHONE, LEARNER_PASSWORD)
    assert still.status_code == 429 and LOCKED_TEXT in still.content.decode()
    clock.advance(minutes=2)
    response = login(client, LEARNER_PHONE, LEARNER_PASSWORD)  # no captcha due any more
    assert response.status_code == 302
    assert is_logged_in_as(client, learner)


def test_captcha_requirement_ends_after_30_minutes_too(client, learner, clock):
    for _ in range(3):
        login(client, LEARNER_PHONE, "wrong")
    clock.advance(minutes=31)
    fresh = login(client, LEARNER_PHONE, "wrong")
    assert not shows_captcha(fresh)
    assert failures_of(learner) == 1


def test_unlock_by_someone_with_the_permission_is_audited(client, learner):
    fail_until_locked(client, LEARNER_ID_NUMBER)
    nobody = UserFactory(username="just_a_user")
    with pytest.raises(PermissionDenied):
        account_unlock(actor=nobody, user=learner)
    assert account_lock_status(learner)["locked"]

    bureau = StaffUserFactory(username="bureau")
    request = RequestFactory().post("/admin/", REMOTE_ADDR="10.5.5.5")
    assert account_unlock(actor=bureau, user=learner, request=request) >= 1
    event = AuditEvent.objects.get(action=AuditAction.UNLOCKED)
    assert (event.actor, event.subject, event.ip_address) == (bureau, learner, "10.5.5.5")
    assert login(Client(), LEARNER_ID_NUMBER, LEARNER_PASSWORD).status_code == 302


def admin_login(client, username, password, ip="10.2.2.2"):
    return client.post(
        "/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_admin_login_counts_against_the_same_account_and_demands_the_captcha(client):
    staff = StaffUserFactory(username="bureau_admin", phone="13700000000")
    for _ in range(3):
        assert admin_login(client, "bureau_admin", "wrong").status_code == 200
    # Three failures on the admin's login page: the site's login by phone now wants a captcha ...
    page = login(Client(), "13700000000", "wrong-again")
    assert shows_captcha(page)
    # ... and the admin's page, which has none, sends them to ours, even with the right password.
    refused = admin_login(client, "bureau_admin", "Correct-horse-42")
    assert refused.status_code == 403
    assert "需要在登录页输入验证码" in refused.content.decode()
    assert "/accounts/login/?next=%2Fadmin%2F" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert failures_of(staff) == 3
    # Two more failures through our page (with captchas) lock the account everywhere.
    browser = Client()
    last = login(browser, "bureau_admin", "wrong", captcha=captcha_solved(page))
    last = login(browser, "bureau_admin", "wrong", captcha=captcha_solved(last))
    assert last.status_code == 429
    locked = admin_login(client, "bureau_admin", "Correct-horse-42")
    assert locked.status_code == 429
    assert LOCKED_TEXT in locked.content.decode()


def test_client_login_without_a_request_still_obeys_the_account_rules(client, learner):
    assert client.login(username=LEARNER_PHONE, password=LEARNER_PASSWORD)
    client.logout()
    for _ in range(3):
        login(Client(), LEARNER_PHONE, "wrong")
    assert not client.login(username=LEARNER_PHONE, password=LEARNER_PASSWORD)


# --- The per-address limit ----------------------------------------------------------------------


def test_one_address_may_fail_20_logins_across_accounts_per_15_minutes(learner, clock):
    attacker = Client()
    for n in range(20):  # twenty different accounts, one failure each: no account lockout
        response = login(attacker, valid_id_number(n, birth="19700101"), "guess", ip="10.6.6.6")
        assert response.status_code == 200
    # The 21st try from that address is refused, whatever the account and password.
    refused = login(attacker, LEARNER_PHONE, LEARNER_PASSWORD, ip="10.6.6.6")
    assert refused.status_code == 429
    assert ADDRESS_TEXT in refused.content.decode()
    assert "_auth_user_id" not in attacker.session
    # ... without counting against the account, and without stopping other addresses.
    assert failures_of(learner) == 0
    assert login(Client(), LEARNER_PHONE, LEARNER_PASSWORD, ip="10.7.7.7").status_code == 302
    event = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).latest("pk")
    assert event.detail["reason"] == "address" and event.subject == learner

    clock.advance(minutes=14)
    assert login(Client(), LEARNER_PHONE, LEARNER_PASSWORD, ip="10.6.6.6").status_code == 429
    clock.advance(minutes=2)
    assert login(Client(), LEARNER_PHONE, LEARNER_PASSWORD, ip="10.6.6.6").status_code == 302


def test_the_address_limit_also_guards_the_admin_login(client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    StaffUserFactory(username="bureau_admin")
    for name in ("nobody1", "nobody2"):
        admin_login(client, name, "x", ip="10.3.3.3")
    refused = admin_login(client, "bureau_admin", "Correct-horse-42", ip="10.3.3.3")
    assert refused.status_code == 429
    assert ADDRESS_TEXT in refused.content.decode()
    assert "_auth_user_id" not in client.session


# --- Idle expiry --------------------------------------------------------------------------------


def test_login_expires_after_30_idle_minutes(client, learner, clock):
    assert login(client, LEARNER_PHONE, LEARNER_PASSWORD).status_code == 302
    session_key = client.session.session_key
    clock.advance(minutes=29)
    assert client.get("/my/").status_code == 200
    clock.advance(minutes=30, seconds=1)
    response = client.get("/my/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/my/"
    page = client.get(response["Location"])
    assert IDLE_TEXT in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert not Session.objects.filter(session_key=session_key).exists()
    event = AuditEvent.objects.get(action=AuditAction.SESSION_EXPIRED)
    assert event.subject == learner and event.detail["idle_seconds"] >= 30 * 60
    # Idle expiry ends this session only, and is not recorded as a logout.
    assert not AuditEvent.objects.filter(action=AuditAction.LOGGED_OUT).exists()


def test_activity_within_30_minutes_keeps_the_login(client, learner, clock):
    login(client, LEARNER_PHONE, LEARNER_PASSWORD)
    for _ in range(8):  # two hours, a page every 15 to 29 minutes
        clock.advance(minutes=15)
        assert client.get("/my/").status_code == 200
        clock.advance(minutes=14)
        assert client.get("/my/").status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.SESSION_EXPIRED).exists()


def test_activity_is_written_at_most_once_a_minute(client, learner, clock):
    login(client, LEARNER_PHONE, LEARNER_PASSWORD)
    first = client.session["_last_activity"]
    clock.advance(seconds=30)
    client.get("/my/")
    assert client.session["_last_activity"] == first
    clock.advance(seconds=31)
    client.get("/my/")
    assert first + 61 <= client.session["_last_activity"] <= first + 63  # real time moves too


def test_heartbeats_alone_do_not_keep_a_login_alive(client, learner, clock):
    login(client, LEARNER_PHONE, LEARNER_PASSWORD)
    for _ in range(3):  # a hidden tab's heartbeats, every 10 minutes
        clock.advance(minutes=10)
        client.get("/api/player/sessions/x/heartbeat", HTTP_ACCEPT="application/json")
    clock.advance(minutes=1)
    response = client.get("/my/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_an_api_request_after_expiry_goes_on_anonymous_without_a_redirect(client, learner, clock):
    login(client, LEARNER_PHONE, LEARNER_PASSWORD)
    clock.advance(minutes=31)
    response = client.get("/api/player/sessions/x/heartbeat", HTTP_ACCEPT="application/json")
    assert response.status_code != 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.SESSION_EXPIRED).count() == 1


# --- Logout and password change end every session ----------------------------------------------


def test_logout_is_post_only_and_ends_every_session_of_the_user(learner):
    laptop, phone = Client(), Client()
    login(laptop, LEARNER_ID_NUMBER, LEARNER_PASSWORD)
    login(phone, LEARNER_PHONE, LEARNER_PASSWORD, ip="10.8.8.8")
    someone_else = Client()
    someone_else.force_login(UserFactory(username="other_person"))

    confirm = laptop.get("/accounts/logout/")
    assert confirm.status_code == 200
    assert "确认退出" in confirm.content.decode()
    assert laptop.get("/my/").status_code == 200  # a GET logs nobody out

    response = laptop.post("/accounts/logout/")
    assert response.status_code == 302
    assert laptop.get("/my/").status_code == 302
    assert phone.get("/my/").status_code == 302, "the other device must be logged out too"
    assert someone_else.get("/my/").status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.LOGGED_OUT)
    assert event.subject == learner


def test_logout_requires_the_csrf_token(learner):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)
    assert browser.post("/accounts/logout/").status_code == 403
    assert browser.get("/my/").status_code == 200


def test_logout_page_sends_visitors_to_login(client):
    response = client.get("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == LOGIN


def test_password_change_ends_the_other_sessions_and_keeps_this_one(learner):
    this, other = Client(), Client()
    login(this, LEARNER_ID_NUMBER, LEARNER_PASSWORD)
    login(other, LEARNER_PHONE, LEARNER_PASSWORD)
    learner.set_password("A-new-password-2025")
    learner.save()
    request = RequestFactory().post("/my/password/", REMOTE_ADDR="10.4.4.4")
    request.user = learner
    request.session = this.session
    password_change_completed(request, learner)
    request.session.save()
    this.cookies["sessionid"] = request.session.session_key  # the response would set it

    assert this.get("/my/").status_code == 200
    assert other.get("/my/").status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGED)
    assert (event.actor, event.subject, event.ip_address) == (learner, learner, "10.4.4.4")


# --- No ID number in the audit log, axes' tables or the logs -----------------------------------


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@contextmanager
def collected_logs():
    handler = _Collect()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def test_no_id_number_or_phone_is_stored_or_logged(learner):
    with collected_logs() as lines:
        client = Client()
        login(client, LEARNER_ID_NUMBER.lower(), "wrong")
        login(client, f"{LEARNER_ID_NUMBER[:9]} {LEARNER_ID_NUMBER[9:]}", "wrong")
        fail_until_locked(Client(), UNKNOWN_ID_NUMBER)
        fail_until_locked(Client(), "13911112222")
        login(Client(), "13911112222", "wrong")  # refused while locked
        ok = Client()
        third = login(ok, LEARNER_PHONE, "wrong")
        assert (
            login(
                ok, LEARNER_ID_NUMBER, LEARNER_PASSWORD, captcha=captcha_solved(third)
            ).status_code
            == 302
        )
        ok.post("/accounts/logout/")
        account_unlock(actor=StaffUserFactory(username="bureau"), user=learner)

    secrets = [
        LEARNER_ID_NUMBER,
        LEARNER_ID_NUMBER[:17],  # its digits, whatever the check character's case
        UNKNOWN_ID_NUMBER[:17],
        LEARNER_PHONE,
        "13911112222",
    ]
    rows = [
        *AccessAttempt.objects.values(),
        *AccessLog.objects.values(),
        *AccessFailureLog.objects.values(),
        *AuditEvent.objects.values(),
    ]
    assert AccessAttempt.objects.exists() and AccessLog.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() >= 10
    dumped = json.dumps(rows, default=str, ensure_ascii=False)
    dumped_logs = "\n".join(lines)
    assert lines, "the flow above logs (axes does), so this checks something"
    for secret in secrets:
        assert secret not in dumped
        assert secret not in dumped_logs
        assert secret.lower() not in dumped.lower()
    # axes keys failures by account, and by a keyed digest for what names no account.
    usernames = set(AccessAttempt.objects.values_list("username", flat=True))
    assert all(name.startswith(("user:", "unknown:")) for name in usernames)
    assert account_key(learner) not in usernames  # reset by the successful login
