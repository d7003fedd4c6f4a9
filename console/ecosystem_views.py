"""Staff console pages of the ecosystem report (§13): the month's figures with ratios and charts, the merchants
behind each count, the 造风者 programme; each with a CSV export (UTF-8 with BOM, so spreadsheet programs read
the Chinese names)."""

import csv
import io

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.dates import add_months, within_platform_data
from ecosystem import selectors
from ecosystem.choices import GMV_THRESHOLDS, LeapKind
from pages.access import staff_page
from providers.choices import ProviderType

from .ecosystem_charts import bars_svg

PAGE_ROWS = 100


def _month(request):
    raw = request.GET.get("month")
    if not raw:
        return selectors.last_finished_month()
    month = selectors.parse_month(raw)
    if month is None or not within_platform_data(month):
        raise Http404
    return month


def _csv(name: str, header: list[str], rows) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _report_csv(month, report):
    rows = []
    for g in report["gmv_at_least"]:
        rows.append([f"merchants_gmv_ge_{g['threshold']}", g["count"], g["year_earlier"], g["ratio"]])
    ft = report["first_time"]
    rows.append(
        [
            "first_time_ge_500000",
            "insufficient history" if ft["insufficient_history"] else ft["count"],
            ft["year_earlier"],
            ft["ratio"],
        ]
    )
    ss = report["served_share"]
    rows.append(["served_share", ss["share"], f"{ss['served']}/{ss['merchants']}", ""])
    for t in report["operated_gmv_by_type"]:
        rows.append([f"operated_gmv_{t['type']}", t["gmv"], t["year_earlier"], t["ratio"]])
    og = report["operated_gmv"]
    rows.append(["operated_gmv", og["gmv"], og["year_earlier"], og["ratio"]])
    st = report["stagnant_or_declining"]
    rows.append(["stagnant_or_declining_share", st["share"], f"{st['stagnant']}/{st['merchants']}", ""])
    effect = report["operation_effect"]
    if effect:
        for key, value in effect["all"].items():
            rows.append([f"operation_effect_{key}", value, "", ""])
    return _csv(
        f"ecosystem-{month:%Y-%m}.csv",
        ["figure", "value", "year_earlier", "ratio"],
        [[("" if v is None else v) for v in r] for r in rows],
    )


@staff_page("ecosystem.view_monthlyreport")
def ecosystem_report(request):
    month = _month(request)
    report = selectors.report(month)
    if request.GET.get("format") == "csv":
        return _report_csv(month, report)
    series = selectors.report_series(month)
    labels = [f"{s['month']:%Y-%m}" for s in series]
    charts = []
    if series:
        charts = [
            bars_svg(
                labels,
                [s["gmv_at_least"][str(GMV_THRESHOLDS[0])] for s in series],
                title=_("Merchants with monthly GMV of ¥500,000 or more"),
            ),
            bars_svg(
                labels, [s["operated_gmv"] for s in series], title=_("Operated GMV"), value_label=lambda v: f"¥{v:,.2f}"
            ),
        ]
    types = dict(ProviderType.choices)
    for t in report["operated_gmv_by_type"]:
        t["label"] = types.get(t["type"], t["type"])
    return render(
        request,
        "ecosystem/report.html",
        {
            "month": month,
            "previous": add_months(month, -1),
            "next": add_months(month, 1),
            "report": report,
            "charts": charts,
            "chart_titles": [_("Merchants with monthly GMV of ¥500,000 or more"), _("Operated GMV")],
        },
    )


@staff_page("ecosystem.view_monthlyreport")
def ecosystem_merchants(request):
    month = _month(request)
    kind = request.GET.get("kind")
    if kind not in selectors.DRILLDOWNS:
        raise Http404
    try:
        threshold = int(request.GET.get("threshold", GMV_THRESHOLDS[0]))
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError as exc:
        raise Http404 from exc
    if threshold not in GMV_THRESHOLDS:
        raise Http404
    if request.GET.get("format") == "csv":
        rows, _total = selectors.drilldown(kind, month, threshold=threshold, limit=None)
        return _csv(
            f"ecosystem-{kind}-{month:%Y-%m}.csv",
            ["merchant_id", "platform_account_id", "name", "category", "gmv", "gmv_three_months_before"],
            [
                [
                    r["merchant_id"],
                    r["platform_account_id"],
                    r["name"],
                    r["category"],
                    r["gmv"],
                    "" if r["gmv_before"] is None else r["gmv_before"],
                ]
                for r in rows
            ],
        )
    rows, total = selectors.drilldown(kind, month, threshold=threshold, limit=PAGE_ROWS, offset=(page - 1) * PAGE_ROWS)
    titles = {
        "gmv_at_least": _("Merchants with monthly GMV of at least ¥%(threshold)s") % {"threshold": f"{threshold:,}"},
        "first_time": _("Merchants above ¥500,000 for the first time"),
        "served": _("Merchants with a session that an engagement covered"),
        "not_served": _("Merchants with a session that no engagement covered"),
        "stagnant": _("Stagnant or declining merchants"),
        "stagnant_cohort": _("Merchants served through the last three months"),
    }
    return render(
        request,
        "ecosystem/merchants.html",
        {
            "month": month,
            "kind": kind,
            "threshold": threshold,
            "title": titles[kind],
            "rows": rows,
            "total": total,
            "page": page,
            "has_next": page * PAGE_ROWS < total,
            "with_before": kind in ("stagnant", "stagnant_cohort"),
        },
    )


@staff_page("ecosystem.view_monthlyreport")
def ecosystem_providers(request):
    month = _month(request)
    provider_type = request.GET.get("type")
    if provider_type not in ProviderType.values:
        raise Http404
    rows = selectors.providers_by_type(month, provider_type, limit=500)
    return render(
        request,
        "ecosystem/providers.html",
        {"month": month, "type_label": dict(ProviderType.choices)[provider_type], "rows": rows},
    )


@staff_page("ecosystem.view_programmemerchant")
def ecosystem_programme(request):
    month = _month(request)
    overview = selectors.programme_overview(month)
    provider_id = request.GET.get("provider")
    merchants = None
    if provider_id:
        if not provider_id.isdigit():
            raise Http404
        merchants = selectors.programme_merchants(month, provider_id=int(provider_id))
        if request.GET.get("format") == "csv":
            return _csv(
                f"programme-{provider_id}-{month:%Y-%m}.csv",
                ["provider_id", "provider", "merchant_id", "platform_account_id", "merchant", "kind", "leap_month"],
                [
                    [
                        r["provider_id"],
                        r["provider_name"],
                        r["merchant_id"],
                        r["platform_account_id"],
                        r["merchant_name"],
                        r["kind"],
                        r["leap_month"] or "",
                    ]
                    for r in merchants
                ],
            )
    elif overview is not None and request.GET.get("format") == "csv":
        return _csv(
            f"programme-{month:%Y-%m}.csv",
            ["provider_id", "provider", "leap_merchants", "almost", "on_track_upper_bar", "on_track_lower_bar"],
            [
                [p["provider_id"], p["provider_name"], p["leaps"], p["almost"], p["on_track_high"], p["on_track_low"]]
                for p in overview["providers"]
            ],
        )
    return render(
        request,
        "ecosystem/programme.html",
        {
            "month": month,
            "previous": add_months(month, -1),
            "next": add_months(month, 1),
            "overview": overview,
            "providers": overview["providers"][:500] if overview else [],
            "merchants": merchants,
            "provider_id": provider_id,
            "LEAP": LeapKind.LEAP,
        },
    )
