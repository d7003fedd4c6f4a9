"""Figures for people (pages.formats and the {% load pages %} filters): one format per kind of figure."""

import datetime as dt
from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from core.dates import SHANGHAI
from pages import formats


def test_rates_are_percentages_never_fractions_or_exponents():
    assert formats.percent(Decimal("0.1429")) == "14.3%"
    assert formats.percent(Decimal("1.8631")) == "186.3%"
    assert formats.percent(Decimal("0E-10")) == "0.0%"
    assert formats.percent(Decimal("-0.00001")) == "0.0%"  # never "-0.0%"
    assert formats.percent(None) == "—"
    assert formats.percentile(Decimal("0.0999")) == "9.9%"  # under a 10% bar never reads 10.0%
    assert formats.percentile(1) == "100.0%"


def test_money_has_yuan_and_separators_and_wan_in_chinese_when_large():
    with translation.override("en"):
        assert formats.money(Decimal("10230624.55")) == "¥10,230,624.55"
        assert formats.money(Decimal("-1234.5")) == "-¥1,234.50"
    with translation.override("zh-hans"):
        assert formats.money(Decimal("10230624.55")) == "¥1,023.06万"
        assert formats.money(Decimal("999999.99")) == "¥999,999.99"
        assert formats.money(Decimal("10230624.55"), exact=True) == "¥10,230,624.55"
    assert formats.money(Decimal("5E+1")) == "¥50.00"
    assert formats.money("None") == "—"


def test_counts_are_whole_and_scores_have_one_decimal_out_of_100():
    assert formats.count(Decimal("2.0000")) == "2"
    assert formats.count(12345) == "12,345"
    assert formats.count(Decimal("2.5")) == "2.5"  # a median of two counts
    assert formats.score(Decimal("5E+1")) == "50.0/100"
    assert formats.score(Decimal("45.2500")) == "45.2/100"
    assert formats.score(Decimal("59.95"), suffix=False) == "59.9"  # under 60 never reads 60.0
    assert formats.points(Decimal("15.375")) == "15.38"
    assert formats.number(Decimal("0E-10"), 2) == "0.00"


def test_metric_values_read_in_their_own_unit():
    assert formats.metric_value(Decimal("0.1429"), "leap_rate") == "14.3%"
    assert formats.metric_value(Decimal("1.8631"), "gmv_uplift") == "186.3%"
    assert formats.metric_value(Decimal("2.3602"), "paid_roi") == "2.36"
    assert formats.metric_value(Decimal("0.0000"), "violation_points") == "0"
    assert formats.figure_value(Decimal("2.0000"), "sessions") == "2"
    assert formats.figure_value(Decimal("0.0159"), "conversion") == "1.6%"


def test_dates_are_shanghai_dates_that_do_not_wrap():
    late = dt.datetime(2026, 11, 30, 17, 30, tzinfo=dt.UTC)  # 01:30 on 1 December in Shanghai
    html = Template("{% load pages %}{{ at|day }} {{ at|moment }} {{ none|day }}").render(
        Context({"at": late, "none": None})
    )
    assert html == (
        '<time class="d" datetime="2026-12-01">2026-12-01</time> '
        f'<time class="d" datetime="{late.astimezone(SHANGHAI).isoformat()}">2026-12-01 01:30</time> —'
    )


def test_stored_iso_instants_read_as_shanghai_dates():
    assert formats.day("2026-11-30T17:00:00+00:00") == "2026-12-01"  # evidence stores UTC instants
    assert formats.day("2026-05-08") == "2026-05-08"
    assert formats.day("not a date") == "not a date"


def test_labels_of_codes_are_translated():
    template = Template("{% load pages %}{{ 'industrial_belt'|cohort_label }} {{ 'L2'|tier_label }}")
    with translation.override("zh-hans"):
        assert template.render(Context()) == "产业带服务商 L2 铜牌"
    with translation.override("en"):
        assert template.render(Context()) == "Industrial-belt provider L2 Bronze"
