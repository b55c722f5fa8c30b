"""The README's commands as make runs them: `make run` keeps the virtual environment it has (uv
asked for the pyenv shim, not the interpreter behind it, and rebuilt .venv at every step) and
prints the address it really serves."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def make(*args: str, extra: str = "") -> str:
    makefiles = ["-f", "Makefile"]
    if extra:
        makefiles += ["-f", "-"]
    done = subprocess.run(
        ["make", "--no-print-directory", "-s", *makefiles, *args],
        cwd=ROOT,
        input=extra,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_uv_is_given_the_interpreter_itself_not_a_shim():
    shown = make("show-uv-python", extra="show-uv-python:\n\t@echo $(UV_PYTHON)\n").strip()
    assert Path(shown).is_file()
    assert "shims" not in shown
    assert (
        Path(shown).resolve()
        == Path(
            subprocess.run(
                [shown, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True
            ).stdout.strip()
        ).resolve()
    )
    assert sys.version_info[:2] == (3, 11)


def test_make_run_serves_and_prints_the_port_it_is_given():
    plan = make("-n", "run", "PORT=8101")
    assert "--site-url http://127.0.0.1:8101" in plan
    assert "--port 8101" in plan


@pytest.mark.django_db
def test_the_demo_prints_the_real_address():
    out = io.StringIO()
    call_command(
        "load_demo",
        "--password",
        "Demo-pass-2025",
        "--skip-courses",
        "--site-url",
        "http://127.0.0.1:8101",
        stdout=out,
    )
    text = out.getvalue()
    assert "http://127.0.0.1:8101/accounts/login/" in text
    assert ":8000" not in text
