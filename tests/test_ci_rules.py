"""The CI rule of tests/conftest.py: under CI=true a skip or an xfail fails the run."""

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = """
import pytest

def test_skipped():
    pytest.skip("no service")

@pytest.mark.xfail(reason="known bug")
def test_xfailed():
    assert False

def test_passes():
    assert True
"""


@pytest.mark.parametrize("ci,failed", [("true", 2), ("", 0)])
def test_skips_and_xfails_fail_under_ci(pytester, monkeypatch, ci, failed):
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makepyfile(test_sample=SAMPLE)
    result = pytester.runpytest_subprocess(
        "-p", "tests.ci_rules", "-p", "no:django", "-p", "no:cacheprovider"
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == failed
    assert outcomes.get("passed") == 1
