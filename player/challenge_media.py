"""An attention check's code as a picture and as speech, made on the server.

The picture is drawn by django-simple-captcha's renderer (the one the login CAPTCHA uses); the
speech is accounts.speech (espeak-ng reading the digits in Mandarin), shared with the login and
registration CAPTCHA. Without espeak-ng the audio answers 503 and says so.
"""

from types import SimpleNamespace

from captcha.views import _captcha_image

from accounts.api import digits_wav, speech_available


def code_png(code: str) -> bytes:
    return _captcha_image(SimpleNamespace(challenge=code), 1).content


def audio_available() -> bool:
    return speech_available()


def code_wav(code: str) -> bytes:
    """The code read aloud digit by digit, slowly, twice."""
    return digits_wav(code)
