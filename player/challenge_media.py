"""An attention check's code as a picture and as speech, made on the server.

The picture is drawn by django-simple-captcha's renderer (the one the login CAPTCHA uses); the
speech is espeak-ng reading the digits in Mandarin, where it is installed (Debian's `espeak-ng`,
installed by `make run` as root and by CI). Without it the audio answers 503 and says so.
"""

import shutil
import subprocess
from types import SimpleNamespace

from captcha.views import _captcha_image

ESPEAK = "espeak-ng"
_DIGITS = "零一二三四五六七八九"


def code_png(code: str) -> bytes:
    return _captcha_image(SimpleNamespace(challenge=code), 1).content


def audio_available() -> bool:
    return shutil.which(ESPEAK) is not None


def code_wav(code: str) -> bytes:
    """The code read aloud digit by digit, slowly, twice."""
    spoken = "，".join(_DIGITS[int(c)] for c in code)
    text = f"验证码：{spoken}。再说一遍：{spoken}。"
    result = subprocess.run(  # noqa: S603 (a fixed program; the text is our own digits)
        [shutil.which(ESPEAK), "-v", "cmn", "-s", "110", "--stdout", text],
        capture_output=True,
        timeout=10,
        check=True,
    )
    return result.stdout
