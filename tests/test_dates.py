"""Dates: ISO on a fast path that never imports dateparser, natural language relative to today."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest
from conftest import REPO, TODAY

from vaultcrm import dates
from vaultcrm.errors import UsageError

SUNDAY = date(2026, 11, 22)  # the fixed VAULTCRM_TODAY of the test suite


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "VAULTCRM_TODAY": TODAY, **env}, timeout=60)


@pytest.mark.parametrize("text", ["2025-12-19", " 2025-12-19 ", "today", "yesterday", "Tomorrow", "+3d", "-2w"])
def test_iso_dates_and_simple_words_never_import_dateparser(text):
    code = ("import sys; from datetime import date; from vaultcrm.dates import parse_date; "
            f"parse_date({text!r}, today=date(2026, 11, 22)); "
            "assert 'dateparser' not in sys.modules, 'dateparser was imported'")
    r = _python(code)
    assert r.returncode == 0, r.stderr


def test_an_edit_with_an_iso_date_through_the_cli_never_imports_dateparser(vault):
    code = ("import sys; from vaultcrm.cli import main\n"
            "try:\n"
            f"    main(['--vault', {str(vault)!r}, 'log', 'Acme Corp', 'Call', '--date', '2026-01-05'])\n"
            "except SystemExit as e:\n"
            "    assert e.code == 0, e.code\n"
            "assert 'dateparser' not in sys.modules, 'dateparser was imported'\n")
    r = _python(code)
    assert r.returncode == 0, r.stderr
    assert "- 2026-01-05: [[2026-01-05]] - Call" in (vault / "Customers" / "Acme Corp.md").read_text()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-12-19", date(2025, 12, 19)),
        ("today", SUNDAY),
        ("yesterday", date(2026, 11, 21)),
        ("tomorrow", date(2026, 11, 23)),
        ("+3d", date(2026, 11, 25)),
        ("-2w", date(2026, 11, 8)),
        ("1m", date(2026, 12, 22)),
        ("next friday", date(2026, 11, 27)),
        ("in 2 weeks", date(2026, 12, 6)),
        ("3 days ago", date(2026, 11, 19)),
        ("last monday", date(2026, 11, 16)),
    ],
)
def test_dates_are_read_relative_to_the_given_today(text, expected):
    assert dates.parse_date(text, today=SUNDAY) == expected


def test_natural_language_follows_another_today_too():
    assert dates.parse_date("next friday", today=date(2026, 1, 5)) == date(2026, 1, 9)
    assert dates.parse_date("yesterday", today=date(2026, 3, 1)) == date(2026, 2, 28)


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "banana", "", "   ", "20260105x"])
def test_a_bad_date_is_a_usage_error(text):
    with pytest.raises(UsageError) as info:
        dates.parse_date(text, today=SUNDAY)
    assert info.value.exit_code == 2


def test_today_reads_vaultcrm_today_at_call_time(monkeypatch):
    monkeypatch.setenv("VAULTCRM_TODAY", "2030-01-02")
    assert dates.today() == date(2030, 1, 2)
    monkeypatch.setenv("VAULTCRM_TODAY", "not a date")
    with pytest.raises(UsageError):
        dates.today()
    monkeypatch.delenv("VAULTCRM_TODAY")
    assert dates.today() == date.today()


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-01-05", date(2026, 1, 5)), (" 2026-01-05 ", date(2026, 1, 5)), ("2026-01-05T10:00", date(2026, 1, 5)),
     (date(2026, 1, 5), date(2026, 1, 5)), ("2026-02-30", None), ("unknown", None), (None, None), (20260105, None)],
)
def test_iso_date_never_raises(value, expected):
    assert dates.iso_date(value) == expected


@pytest.mark.parametrize(
    ("start", "count", "unit", "expected"),
    [(date(2026, 1, 31), 1, "m", date(2026, 2, 28)), (date(2024, 1, 31), 1, "m", date(2024, 2, 29)),
     (date(2026, 12, 15), 1, "m", date(2027, 1, 15)), (date(2026, 3, 31), -1, "m", date(2026, 2, 28)),
     (date(2024, 2, 29), 1, "y", date(2025, 2, 28)), (date(2026, 1, 1), 2, "w", date(2026, 1, 15)),
     (date(2026, 1, 1), -1, "d", date(2025, 12, 31))],
)
def test_add_period_clamps_months_to_their_last_day(start, count, unit, expected):
    assert dates.add_period(start, count, unit) == expected


@pytest.mark.parametrize(
    ("text", "days"),
    [("14d", 14), ("2w", 14), ("3m", 90), ("1y", 365), ("14", 14), (14, 14), (" 2W ", 14), ("2 weeks", 14),
     ("1 month", 30), ("10 days", 10), ("0", None), (0, None), (-3, None), ("-3", None), (True, None), (None, None),
     ("x", None), ("3.5d", None), ("", None)],
)
def test_parse_period_reads_cadences_in_days(text, days):
    assert dates.parse_period(text) == days
