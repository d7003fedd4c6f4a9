"""The monthly report's figures (DESIGN §13) on a platform worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from ecosystem import selectors
from ecosystem.choices import LeapKind
from ecosystem.models import MonthlyReport, ProgrammeMerchant
from ecosystem.services import report_store, reports_refresh

from . import scenario

pytestmark = pytest.mark.django_db

MARCH_2025 = dt.date(2025, 3, 1)


def test_march_2025_figures_and_ratios():
    scenario.build()
    f = selectors.report_figures(MARCH_2025)
    assert f["merchants_with_sessions"] == 5  # A, B, D, E, F
    assert [(g["threshold"], g["count"], g["year_earlier"], g["ratio"]) for g in f["gmv_at_least"]] == [
        (500000, 2, 1, Decimal(2)),
        (1000000, 1, 0, None),
        (10000000, 0, 0, None),
    ]
    # A is new above ¥500k; B had been there in March 2024. March 2024 is inside the first 12 months.
    assert f["first_time"] == {
        "threshold": 500000,
        "insufficient_history": False,
        "count": 1,
        "year_earlier": None,
        "ratio": None,
    }
    # served on some day of March: A (1 March), D, E, F (31 March); B never
    assert f["served_share"] == {"served": 4, "merchants": 5, "share": Decimal("0.8")}
    mcn = next(t for t in f["operated_gmv_by_type"] if t["type"] == "mcn")
    assert (mcn["gmv"], mcn["providers"], mcn["year_earlier"], mcn["ratio"]) == (Decimal("600000.00"), 1, 0, None)
    assert f["operated_gmv"]["gmv"] == Decimal("600000.00")
    # cohort: D and E (F had a gap in February, A was not covered in January); D did not grow
    assert f["stagnant_or_declining"] == {"stagnant": 1, "merchants": 2, "share": Decimal("0.5")}


def test_first_time_history_and_its_ratio():
    scenario.build()
    assert selectors.report_figures(dt.date(2024, 12, 1))["first_time"]["insufficient_history"] is True
    assert selectors.report_figures(dt.date(2024, 12, 1))["first_time"]["count"] is None
    march_2026 = selectors.report_figures(dt.date(2026, 3, 1))["first_time"]
    assert (march_2026["count"], march_2026["year_earlier"], march_2026["ratio"]) == (1, 1, Decimal(1))


def test_provider_type_in_force_at_the_months_end():
    s = scenario.build()
    today = selectors.month_of(dt.date.today())
    scenario.session(
        s["A"],
        scenario.at(today.year, today.month, 1, 12),
        "10",
        provider=s["P"],
        operator=s["P"].employments.get().operator,
    )
    s["P"].type = "brand"
    s["P"].save()
    by_type = {t["type"]: t["gmv"] for t in selectors.report_figures(today)["operated_gmv_by_type"]}
    assert by_type["brand"] == Decimal("10.00") and by_type["mcn"] == 0
    # March 2025 ended before the provider was recorded at all: the first type it was recorded with
    by_type = {t["type"]: t["gmv"] for t in selectors.report_figures(MARCH_2025)["operated_gmv_by_type"]}
    assert by_type["mcn"] == Decimal("600000.00") and by_type["brand"] == 0


def test_drilldowns_list_the_merchants_behind_each_count():
    s = scenario.build()
    names = lambda kind, **kw: [r["name"] for r in selectors.drilldown(kind, MARCH_2025, **kw)[0]]  # noqa: E731
    assert names("gmv_at_least", threshold=500000) == ["B", "A"]
    assert names("first_time") == ["A"]
    assert names("not_served") == ["B"]
    assert sorted(names("served")) == ["A", "D", "E", "F"]
    assert names("stagnant") == ["D"]
    assert sorted(names("stagnant_cohort")) == ["D", "E"]
    assert selectors.drilldown("served", MARCH_2025, limit=2)[1] == 4
    rows = selectors.providers_by_type(MARCH_2025, "mcn")
    assert [(r["provider_id"], r["gmv"]) for r in rows] == [(s["P"].pk, Decimal("600000.00"))]


def test_programme_leaps_almost_and_progress():
    s = scenario.build_programme()
    june = dt.date(2025, 6, 1)
    rows = {(p, m): (kind, leap) for p, m, kind, leap in selectors.programme_rows(june)}
    q, r = s["Q"].pk, s["R"].pk
    assert rows == {
        (q, s["G"].pk): (LeapKind.LEAP, dt.date(2025, 2, 1)),
        (r, s["G"].pk): (LeapKind.LEAP, dt.date(2025, 2, 1)),
        (q, s["H"].pk): (LeapKind.ALMOST, None),
        (q, s["I"].pk): (LeapKind.LEAP, dt.date(2025, 4, 1)),
        # J leapt with R in July 2024 (June and July 2024 above April's band); June 2024 lies outside the 12 months
        # ending June 2025, where only July 2024 qualifies: "almost"
        (r, s["J"].pk): (LeapKind.ALMOST, None),
        # K's spell starts on M's first day: June is its one qualifying month
        (q, s["K"].pk): (LeapKind.ALMOST, None),
    }
    may_rows = {(p, m): (kind, leap) for p, m, kind, leap in selectors.programme_rows(dt.date(2025, 5, 1))}
    assert may_rows[(r, s["J"].pk)] == (LeapKind.LEAP, dt.date(2024, 7, 1))
    progress = selectors.programme_progress(s["programme"], june, {q: 2, r: 1})
    assert (progress["programme_months"], progress["elapsed_months"]) == (12, 6)
    high, low = progress["groups"]
    assert (high["providers_reached"], high["met"], high["providers_on_track"], high["on_track_bar"]) == (
        1,
        True,
        2,
        Decimal(1),
    )
    assert (low["providers_reached"], low["met"], low["providers_on_track"]) == (2, True, 2)
    assert sorted(selectors.programme_rows(june, provider_id=r)) == sorted(
        [(r, s["G"].pk, LeapKind.LEAP, dt.date(2025, 2, 1)), (r, s["J"].pk, LeapKind.ALMOST, None)]
    )


def test_report_store_keeps_figures_effect_and_standings():
    scenario.build()
    s = scenario.build_programme()
    report = report_store(month=dt.date(2025, 6, 1))
    assert report.operation_effect["all"]["operated_sessions"] == 0
    assert ProgrammeMerchant.objects.filter(month=dt.date(2025, 6, 1), kind=LeapKind.LEAP).count() == 3
    assert ProgrammeMerchant.objects.filter(month=dt.date(2025, 6, 1), kind=LeapKind.ALMOST).count() == 3
    stored = selectors.report(MARCH_2025)
    assert stored["stored"] is False and stored["operation_effect"] is None
    report_store(month=MARCH_2025)
    stored = selectors.report(MARCH_2025)
    assert stored["stored"] is True
    live = selectors.report_figures(MARCH_2025)
    assert stored["served_share"] == live["served_share"] and stored["served_share"]["share"] == Decimal(6) / 7
    assert stored["gmv_at_least"] == live["gmv_at_least"] and stored["first_time"] == live["first_time"]
    assert stored["operation_effect"]["all"]["operated_gmv"] == Decimal("600000.00")
    assert stored["operation_effect"]["all"]["merchants_served"] == 1
    assert s["Q"].pk in ProgrammeMerchant.objects.values_list("provider_id", flat=True)


def test_the_monthly_job_fills_missing_months_and_redoes_the_last():
    scenario.build()
    done = reports_refresh(today=dt.date(2024, 4, 15))
    assert done == [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]
    assert reports_refresh(today=dt.date(2024, 4, 20)) == [dt.date(2024, 3, 1)]
    assert MonthlyReport.objects.count() == 3
