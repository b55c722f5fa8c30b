"""The public forms' CAPTCHA: five large digits nobody confuses (no 0/O, 1/l, 7), a 换一张 that
draws a new code and keeps what was typed (no script needed), the same code read aloud, and a
form that keeps its values after an error (all but the CAPTCHA answer)."""

import re

import pytest

from accounts.login import captcha_challenge
from accounts.speech import speech_available
from tests.accounts.test_registration import employer, form_data  # noqa: F401

pytestmark = pytest.mark.django_db


def captcha_key(html: str) -> str:
    return re.search(r'name="captcha_0" value="(\w+)"', html).group(1)


def test_codes_are_five_unambiguous_digits():
    for _ in range(300):
        text, answer = captcha_challenge()
        assert re.fullmatch(r"[234569]{5}", text) and answer == text


def test_the_registration_captcha_is_readable_with_a_working_refresh_and_audio(client):
    html = client.get("/accounts/register/").content.decode()
    assert 'width="170" height="56"' in html
    assert 'name="captcha_refresh"' in html and ">换一张</button>" in html
    key = captcha_key(html)
    audio = re.search(r'href="(/accounts/captcha/\w+/audio/)"', html).group(1)
    assert key in audio
    image = client.get(f"/captcha/image/{key}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    response = client.get(audio)
    if speech_available():  # CI and make run install espeak-ng
        assert response.status_code == 200 and response["Content-Type"] == "audio/wav"
        assert response.content[:4] == b"RIFF" and len(response.content) > 10_000
    else:
        assert response.status_code == 503
    assert client.get("/accounts/captcha/nosuchkey/audio/").status_code == 404


def test_refresh_draws_a_new_code_and_keeps_what_was_typed(client, employer):  # noqa: F811
    first = captcha_key(client.get("/accounts/register/").content.decode())
    data = form_data(employer, captcha_0=first, captcha_1="", captcha_refresh="1")
    response = client.post("/accounts/register/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert captcha_key(html) != first
    for value in ("王小明", "13912345678", "Kx7-continuing-edu"):
        assert f'value="{value}"' in html
    assert "form__error" not in html  # nothing was validated


def test_after_an_error_the_form_keeps_everything_but_the_captcha_answer(client, employer):  # noqa: F811
    data = form_data(employer, captcha_1="99999", password2="Kx7-continuing-edu")
    html = client.post("/accounts/register/", data).content.decode()
    assert "验证码不正确" in html
    assert 'value="王小明"' in html and 'value="Kx7-continuing-edu"' in html
    assert 'value="99999"' not in html
