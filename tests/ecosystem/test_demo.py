"""seed_demo's ecosystem step: two years of history, stored reports, leap providers, a programme."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from ecosystem import selectors
from ecosystem.models import MonthlyReport, Programme, ReportSettings

ARGS = ["--seed", "7", "--providers", "8", "--days", "75", "--today", "2026-06-15"]


@pytest.fixture
def seeded(db, settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", *ARGS, stdout=StringIO())


def test_demo_has_year_on_year_figures_and_leaps(seeded):
    assert ReportSettings.objects.get().data_start == dt.date(2024, 5, 1)
    # every finished month from the data start (May 2024) to May 2026 is stored
    assert MonthlyReport.objects.count() == 25
    report = selectors.report(dt.date(2026, 5, 1))
    assert report["stored"] and report["operation_effect"]["all"]["operated_sessions"] > 0
    assert report["gmv_at_least"][0]["ratio"] is not None and report["gmv_at_least"][0]["ratio"] > 1
    assert report["first_time"]["insufficient_history"] is False and report["first_time"]["year_earlier"] is not None
    assert report["operated_gmv"]["ratio"] is not None
    overview = selectors.programme_overview(dt.date(2026, 5, 1))
    assert Programme.objects.count() == 1 and overview["elapsed_months"] == 8
    top = overview["providers"][:3]
    assert [p["leaps"] for p in top] == [6, 6, 6] and all(p["on_track_high"] for p in top)
    assert sum(p["almost"] for p in overview["providers"]) >= 6
