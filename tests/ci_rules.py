"""The CI rule: under CI=true a skipped or xfailed test is a failure (CI must prove everything).

A plugin of its own so that tests/test_ci_rules.py can load it into a bare pytest run."""

import os

import pytest

ON_CI = os.environ.get("CI", "").lower() == "true"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped or xfailed test is a failure: CI must prove everything."""
    outcome = yield
    report = outcome.get_result()
    if ON_CI and (report.skipped or hasattr(report, "wasxfail")):
        reason = getattr(report, "wasxfail", None) or report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped or xfailed under CI=true, which is not allowed: {reason}"
