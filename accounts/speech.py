"""A code of digits read aloud in Mandarin by espeak-ng (Debian's `espeak-ng`, installed by
`make run` as root and by CI): the audio alternative of the login and registration CAPTCHA and of
the player's attention checks, for people who cannot read the picture. Without espeak-ng the
audio is unavailable and says so."""

import shutil
import subprocess

ESPEAK = "espeak-ng"
_DIGITS = "零一二三四五六七八九"


def speech_available() -> bool:
    return shutil.which(ESPEAK) is not None


def digits_wav(code: str) -> bytes:
    """`code` (digits only) read aloud digit by digit, slowly, twice."""
    if not code.isdigit():
        raise ValueError("only digits are read aloud")
    spoken = "，".join(_DIGITS[int(c)] for c in code)
    text = f"验证码：{spoken}。再说一遍：{spoken}。"
    result = subprocess.run(  # noqa: S603 (a fixed program; the text is our own digits)
        [shutil.which(ESPEAK), "-v", "cmn", "-s", "110", "--stdout", text],
        capture_output=True,
        timeout=10,
        check=True,
    )
    return result.stdout
