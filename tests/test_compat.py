"""The suite itself: the deprecation guard catches Home Assistant's reports."""

from __future__ import annotations

import logging

from .conftest import DEPRECATION_LOGGERS, DeprecationReports


def test_deprecation_reports_are_caught(no_deprecated_api_use: DeprecationReports) -> None:
    """A report logged by Home Assistant's frame helper is collected (and would fail the test)."""
    logging.getLogger(DEPRECATION_LOGGERS[0]).warning(
        "Detected that custom integration 'anpr' calls a deprecated helper at x.py, line 1"
    )
    logging.getLogger(DEPRECATION_LOGGERS[1]).warning("unrelated line")
    assert no_deprecated_api_use.reports == [
        "Detected that custom integration 'anpr' calls a deprecated helper at x.py, line 1"
    ]
    no_deprecated_api_use.reports.clear()  # this test made it on purpose
