"""Reads of the ecosystem app (DESIGN §13): the monthly report's figures and drill-down lists over the
rollups, and the 造风者 programme's spells, successful leaps, "almost" merchants and progress.

Every figure is one set-based statement over the rollups (ecosystem_merchantmonth,
ecosystem_providermerchantmonth) and the engagements; nothing loops over providers or merchants.
Months are first days of Asia/Shanghai calendar months (``datetime.date``).
"""
# ruff: noqa: S608 - statements are assembled from this module's constants only; values go as parameters

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction

from core.dates import SHANGHAI, add_months, shanghai_today
from providers.choices import ProviderType

from .choices import FIRST_TIME_THRESHOLD, GMV_THRESHOLDS, LeapKind
from .figures import revive
from .models import MonthlyReport, Programme, ReportSettings

# DESIGN §3's monthly-GMV bands (lower bounds inclusive; a month without sessions is the lowest band).
BAND = """(CASE WHEN coalesce({v}, 0) < 100000 THEN 0 WHEN {v} < 500000 THEN 1 WHEN {v} < 2000000 THEN 2
            WHEN {v} < 10000000 THEN 3 ELSE 4 END)"""
HISTORY_MONTHS = 12  # "insufficient history": the data-start month and the 11 after it


# --------------------------------------------------------------------------- months


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def last_day(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def month_instants(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month as instants [start, end) in Shanghai."""
    start = dt.datetime.combine(month, dt.time(0), tzinfo=SHANGHAI)
    return start, dt.datetime.combine(add_months(month, 1), dt.time(0), tzinfo=SHANGHAI)


def months_between(first: dt.date, last: dt.date) -> int:
    """Whole months from first to last, both included (0 when last is before first)."""
    return max(0, (last.year - first.year) * 12 + last.month - first.month + 1)


def last_finished_month(today: dt.date | None = None) -> dt.date:
    return add_months(month_of(today or shanghai_today()), -1)


def parse_month(text: str | None) -> dt.date | None:
    """'YYYY-MM' → the month's first day; None for anything else."""
    try:
        return dt.date.fromisoformat(f"{text}-01") if text and len(text) == 7 else None
    except ValueError:
        return None


def data_start() -> dt.date | None:
    row = ReportSettings.objects.order_by("pk").first()
    return month_of(row.data_start) if row else None


# --------------------------------------------------------------------------- the report


def ratio(now, before) -> Decimal | None:
    """count(M) / count(M − 12 months); no value when the earlier figure is 0 (or has none)."""
    if now is None or not before:
        return None
    return Decimal(now) / Decimal(before)


def share(part: int, whole: int) -> Decimal | None:
    return None if not whole else Decimal(part) / Decimal(whole)


_COUNTS_SQL = f"""
    SELECT
        count(*) AS merchants,
        {", ".join(f"count(*) FILTER (WHERE mm.gmv >= {t}) AS ge_{t}" for t in GMV_THRESHOLDS)},
        count(*) FILTER (WHERE EXISTS (
            SELECT 1 FROM providers_engagement e WHERE e.merchant_id = mm.merchant_id
              AND e.start_date <= %(last)s AND (e.end_date IS NULL OR e.end_date >= %(month)s))) AS served,
        count(*) FILTER (WHERE %(history)s AND mm.gmv >= {FIRST_TIME_THRESHOLD} AND NOT EXISTS (
            SELECT 1 FROM ecosystem_merchantmonth x WHERE x.merchant_id = mm.merchant_id
              AND x.month >= %(data_start)s AND x.month < %(month)s AND x.gmv >= {FIRST_TIME_THRESHOLD})) AS first_time
    FROM ecosystem_merchantmonth mm
    WHERE mm.month = %(month)s AND mm.sessions > 0
"""

# Operated GMV by provider type, each provider's type being the one in force at the month's last instant:
# the latest audit event before the month's end; a provider whose history starts later (rows loaded before
# their audit, or backfilled sessions) has the first type it was recorded with; without events, its type now.
_BY_TYPE_SQL = """
    WITH g AS (
        SELECT pmm.provider_id, sum(pmm.gmv) AS gmv, sum(pmm.sessions) AS sessions
        FROM ecosystem_providermerchantmonth pmm WHERE pmm.month = %(month)s GROUP BY pmm.provider_id
    )
    SELECT coalesce(
               (SELECT e.type FROM providers_providerevent e WHERE e.pgh_obj_id = p.id AND e.pgh_created_at < %(end)s
                ORDER BY e.pgh_created_at DESC, e.pgh_id DESC LIMIT 1),
               (SELECT e.type FROM providers_providerevent e WHERE e.pgh_obj_id = p.id
                ORDER BY e.pgh_created_at, e.pgh_id LIMIT 1),
               p.type) AS type,
           sum(g.gmv), sum(g.sessions), count(*)
    FROM g JOIN providers_provider p ON p.id = g.provider_id
    GROUP BY 1
"""

_COVERED = """EXISTS (SELECT 1 FROM providers_engagement e WHERE e.merchant_id = m3.merchant_id
              AND e.start_date <= %({last})s AND (e.end_date IS NULL OR e.end_date >= %({first})s))"""

# Stagnant or declining: merchants covered by an engagement on some day of each of M−2, M−1 and M, with
# GMV in M−3 above 0; stagnant when GMV(M) is not above GMV(M−3).
_STAGNANT_BASE = f"""
    SELECT m3.merchant_id, m3.gmv AS gmv_before, coalesce(mm.gmv, 0) AS gmv_now
    FROM ecosystem_merchantmonth m3
    LEFT JOIN ecosystem_merchantmonth mm ON mm.merchant_id = m3.merchant_id AND mm.month = %(month)s
    WHERE m3.month = %(m3)s AND m3.gmv > 0
      AND {_COVERED.format(first="m2", last="m2_last")}
      AND {_COVERED.format(first="m1", last="m1_last")}
      AND {_COVERED.format(first="month", last="last")}
"""
_STAGNANT_SQL = f"""
    SELECT count(*), count(*) FILTER (WHERE s.gmv_now <= s.gmv_before) FROM ({_STAGNANT_BASE}) s
"""


def _params(month: dt.date, start: dt.date | None) -> dict:
    _, end = month_instants(month)
    params = {
        "month": month,
        "last": last_day(month),
        "end": end,
        "m3": add_months(month, -3),
        "data_start": start or month,
        "history": start is not None and month >= add_months(start, HISTORY_MONTHS),
    }
    for k in (1, 2):
        params[f"m{k}"] = add_months(month, -k)
        params[f"m{k}_last"] = last_day(add_months(month, -k))
    return params


def first_time_available(month: dt.date, start: dt.date | None) -> bool:
    """False in the data-start month and the 11 after it (and before the start, or with no start set)."""
    return start is not None and month >= add_months(start, HISTORY_MONTHS)


def month_counts(month: dt.date, start: dt.date | None = None) -> dict:
    """The month's own figures (no ratios) from the rollups: three statements."""
    params = _params(month, start)
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS_SQL, params)
        columns = [c.name for c in cursor.description]
        counts = dict(zip(columns, cursor.fetchone(), strict=True))
        cursor.execute(_BY_TYPE_SQL, params)
        by_type = {t: {"gmv": Decimal("0.00"), "sessions": 0, "providers": 0} for t in ProviderType.values}
        for type_, gmv, sessions, providers in cursor.fetchall():
            by_type[type_] = {"gmv": gmv, "sessions": int(sessions), "providers": providers}
        cursor.execute(_STAGNANT_SQL, params)
        cohort, stagnant = cursor.fetchone()
    return {
        "merchants_with_sessions": counts["merchants"],
        "gmv_at_least": {str(t): counts[f"ge_{t}"] for t in GMV_THRESHOLDS},
        "first_time": counts["first_time"] if params["history"] else None,
        "served": counts["served"],
        "operated_gmv_by_type": by_type,
        "stagnant_cohort": cohort,
        "stagnant": stagnant,
    }


def report_figures(month: dt.date) -> dict:
    """Every §13 figure of month M with its ratio to M − 12 months, computed from the rollups now."""
    start = data_start()
    with transaction.atomic(), connection.cursor() as cursor:
        # The planner's estimate of the correlated EXISTS is far above their cost (index probes): without this,
        # JIT compilation would cost more than the statements.
        cursor.execute("SET LOCAL jit = off")
        now, before = month_counts(month, start), month_counts(add_months(month, -12), start)
    year_earlier = add_months(month, -12)
    first_ok = first_time_available(month, start)
    first_ratio_ok = first_time_available(year_earlier, start)
    total_now = sum((v["gmv"] for v in now["operated_gmv_by_type"].values()), Decimal("0.00"))
    total_before = sum((v["gmv"] for v in before["operated_gmv_by_type"].values()), Decimal("0.00"))
    return {
        "month": month.isoformat(),
        "data_start": start.isoformat() if start else None,
        "merchants_with_sessions": now["merchants_with_sessions"],
        "gmv_at_least": [
            {
                "threshold": int(t),
                "count": now["gmv_at_least"][t],
                "year_earlier": before["gmv_at_least"][t],
                "ratio": ratio(now["gmv_at_least"][t], before["gmv_at_least"][t]),
            }
            for t in now["gmv_at_least"]
        ],
        "first_time": {
            "threshold": FIRST_TIME_THRESHOLD,
            "insufficient_history": not first_ok,
            "count": now["first_time"] if first_ok else None,
            "year_earlier": before["first_time"] if first_ratio_ok else None,
            "ratio": ratio(now["first_time"], before["first_time"]) if first_ok and first_ratio_ok else None,
        },
        "served_share": {
            "served": now["served"],
            "merchants": now["merchants_with_sessions"],
            "share": share(now["served"], now["merchants_with_sessions"]),
        },
        "operated_gmv_by_type": [
            {
                "type": t,
                "gmv": now["operated_gmv_by_type"][t]["gmv"],
                "providers": now["operated_gmv_by_type"][t]["providers"],
                "year_earlier": before["operated_gmv_by_type"][t]["gmv"],
                "ratio": ratio(now["operated_gmv_by_type"][t]["gmv"], before["operated_gmv_by_type"][t]["gmv"]),
            }
            for t in ProviderType.values
        ],
        "operated_gmv": {"gmv": total_now, "year_earlier": total_before, "ratio": ratio(total_now, total_before)},
        "stagnant_or_declining": {
            "stagnant": now["stagnant"],
            "merchants": now["stagnant_cohort"],
            "share": share(now["stagnant"], now["stagnant_cohort"]),
        },
    }


def stored_report(month: dt.date) -> MonthlyReport | None:
    return MonthlyReport.objects.filter(month=month).first()


def report(month: dt.date) -> dict:
    """The report of month M: the stored figures of a finished month (the monthly job), else the figures as the
    rollups give them now (marked not stored); the stored operation effect, or None (not computed yet)."""
    stored = stored_report(month)
    if stored is not None:
        return {
            "stored": True,
            "computed_at": stored.computed_at,
            **revive(stored.figures),
            "operation_effect": revive(stored.operation_effect),
        }
    return {"stored": False, "computed_at": None, **report_figures(month), "operation_effect": None}


# --------------------------------------------------------------------------- drill-down lists

DRILLDOWNS = ("gmv_at_least", "first_time", "served", "not_served", "stagnant", "stagnant_cohort")

_MERCHANT_COLUMNS = "m.id AS merchant_id, m.platform_account_id, m.name, m.category"


def drilldown_sql(kind: str) -> str:
    """The merchants behind one count of the report (same conditions as the count), GMV of M first."""
    if kind in ("stagnant", "stagnant_cohort"):
        extra = "WHERE s.gmv_now <= s.gmv_before" if kind == "stagnant" else ""
        return f"""
            SELECT {_MERCHANT_COLUMNS}, s.gmv_now AS gmv, s.gmv_before
            FROM ({_STAGNANT_BASE}) s JOIN providers_merchant m ON m.id = s.merchant_id {extra}
            ORDER BY s.gmv_now DESC, m.id
        """
    cond = {
        "gmv_at_least": "mm.gmv >= %(threshold)s",
        "first_time": f"""%(history)s AND mm.gmv >= {FIRST_TIME_THRESHOLD} AND NOT EXISTS (
            SELECT 1 FROM ecosystem_merchantmonth x WHERE x.merchant_id = mm.merchant_id
              AND x.month >= %(data_start)s AND x.month < %(month)s AND x.gmv >= {FIRST_TIME_THRESHOLD})""",
        "served": """EXISTS (SELECT 1 FROM providers_engagement e WHERE e.merchant_id = mm.merchant_id
              AND e.start_date <= %(last)s AND (e.end_date IS NULL OR e.end_date >= %(month)s))""",
    }
    cond["not_served"] = f"NOT {cond['served']}"
    return f"""
        SELECT {_MERCHANT_COLUMNS}, mm.gmv, NULL::numeric AS gmv_before
        FROM ecosystem_merchantmonth mm JOIN providers_merchant m ON m.id = mm.merchant_id
        WHERE mm.month = %(month)s AND mm.sessions > 0 AND {cond[kind]}
        ORDER BY mm.gmv DESC, m.id
    """


def drilldown(kind: str, month: dt.date, *, threshold: int = GMV_THRESHOLDS[0], limit: int | None = 100, offset=0):
    """(rows, total) of the merchants behind a count; rows as dicts. ``limit=None``: all (CSV export)."""
    params = {**_params(month, data_start()), "threshold": threshold}
    base = drilldown_sql(kind)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({base}) q", params)
        total = cursor.fetchone()[0]
        page = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
        cursor.execute(base + page, params)
        columns = [c.name for c in cursor.description]
        rows = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
    return rows, total


def providers_by_type(month: dt.date, provider_type: str, *, limit: int | None = 100):
    """The providers behind one type's operated GMV in M (type in force at the month's last instant)."""
    _, end = month_instants(month)
    sql = """
        WITH g AS (
            SELECT pmm.provider_id, sum(pmm.gmv) AS gmv, sum(pmm.sessions) AS sessions, count(*) AS merchants
            FROM ecosystem_providermerchantmonth pmm WHERE pmm.month = %(month)s GROUP BY pmm.provider_id
        ), t AS (
            SELECT g.*, p.name, coalesce(
                (SELECT e.type FROM providers_providerevent e WHERE e.pgh_obj_id = p.id AND e.pgh_created_at < %(end)s
                 ORDER BY e.pgh_created_at DESC, e.pgh_id DESC LIMIT 1),
                (SELECT e.type FROM providers_providerevent e WHERE e.pgh_obj_id = p.id
                 ORDER BY e.pgh_created_at, e.pgh_id LIMIT 1),
                p.type) AS type
            FROM g JOIN providers_provider p ON p.id = g.provider_id
        )
        SELECT provider_id, name, gmv, sessions, merchants FROM t WHERE type = %(type)s ORDER BY gmv DESC, provider_id
    """
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, {"month": month, "end": end, "type": provider_type})
        columns = [c.name for c in cursor.description]
        return [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]


def report_series(last: dt.date, months: int = 13) -> list[dict]:
    """The stored months of the ``months`` ending with ``last``, oldest first, for the charts (one query): a month
    the monthly job has not stored is not charted."""
    rows = MonthlyReport.objects.filter(month__lte=last, month__gt=add_months(last, -months)).order_by("month")
    out = []
    for r in rows:
        f = revive(r.figures)
        out.append(
            {
                "month": r.month,
                "gmv_at_least": {str(x["threshold"]): x["count"] for x in f["gmv_at_least"]},
                "operated_gmv": f["operated_gmv"]["gmv"],
                "stagnant_share": f["stagnant_or_declining"]["share"],
            }
        )
    return out


# --------------------------------------------------------------------------- the 造风者 programme

# p's engagements with m that follow one another without a gap (the next starts at most a day after the
# latest end so far; an open-ended one never ends) form one spell.
SPELLS_SQL = """
    SELECT provider_id, merchant_id, min(start_date) AS s_start,
           CASE WHEN bool_or(end_date IS NULL) THEN NULL ELSE max(end_date) END AS s_end
    FROM (
        SELECT y.*, sum(y.new_spell) OVER (PARTITION BY y.provider_id, y.merchant_id
                                           ORDER BY y.start_date, y.id) AS spell_no
        FROM (
            SELECT e.id, e.provider_id, e.merchant_id, e.start_date, e.end_date,
                   CASE WHEN e.start_date <= max(coalesce(e.end_date, 'infinity'::date)) OVER (
                            PARTITION BY e.provider_id, e.merchant_id ORDER BY e.start_date, e.id
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) + 1
                        THEN 0 ELSE 1 END AS new_spell
            FROM providers_engagement e {where}
        ) y
    ) z
    GROUP BY provider_id, merchant_id, spell_no
"""

# For the 12 complete months ending with M (first = M − 11): each spell's fully covered months in that
# span, the band of each against the band of the month before the spell started (a "qualifying" month is
# one strictly above it), and per provider and merchant: a successful leap in month a (a − 1 and a both
# qualifying, consecutive, in the span), else "almost" (a qualifying month but no leap).
PROGRAMME_SQL = f"""
    WITH sp AS ({SPELLS_SQL}),
    s AS (
        SELECT sp.*,
               CASE WHEN sp.s_start = date_trunc('month', sp.s_start)::date THEN sp.s_start
                    ELSE (date_trunc('month', sp.s_start) + interval '1 month')::date END AS full_from,
               CASE WHEN sp.s_end IS NULL THEN %(month)s::date
                    WHEN sp.s_end + 1 = date_trunc('month', sp.s_end + 1)::date THEN date_trunc('month', sp.s_end)::date
                    ELSE (date_trunc('month', sp.s_end) - interval '1 month')::date END AS full_to,
               (date_trunc('month', sp.s_start) - interval '1 month')::date AS before_month
        FROM sp
        WHERE sp.s_start <= %(month)s AND (sp.s_end IS NULL OR sp.s_end >= %(first)s)
    ),
    c AS (  -- each spell's fully covered months inside the span, qualifying or not
        SELECT s.provider_id, s.merchant_id, s.s_start, x.month::date AS month,
               {BAND.format(v="mx.gmv")} > {BAND.format(v="mb.gmv")} AS qualifying
        FROM s
        CROSS JOIN LATERAL generate_series(greatest(s.full_from, %(first)s::date), least(s.full_to, %(month)s::date),
                                           interval '1 month') x(month)
        LEFT JOIN ecosystem_merchantmonth mx ON mx.merchant_id = s.merchant_id AND mx.month = x.month::date
        LEFT JOIN ecosystem_merchantmonth mb ON mb.merchant_id = s.merchant_id AND mb.month = s.before_month
    ),
    q AS (
        SELECT c.*, lag(c.month) OVER (PARTITION BY c.provider_id, c.merchant_id, c.s_start ORDER BY c.month)
                    AS prev_qualifying
        FROM c WHERE c.qualifying
    ),
    pm AS (
        SELECT provider_id, merchant_id,
               min(month) FILTER (WHERE prev_qualifying = (month - interval '1 month')::date) AS leap_month
        FROM q GROUP BY provider_id, merchant_id
    )
    SELECT provider_id, merchant_id,
           CASE WHEN leap_month IS NOT NULL THEN '{LeapKind.LEAP}' ELSE '{LeapKind.ALMOST}' END AS kind, leap_month
    FROM pm
"""


def programme_rows(month: dt.date, *, provider_id: int | None = None) -> list[tuple]:
    """(provider_id, merchant_id, kind, leap_month) for the 12 complete months ending with M, computed now."""
    where = "WHERE e.provider_id = %(provider)s" if provider_id is not None else ""
    sql = PROGRAMME_SQL.replace("{where}", where)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"month": month, "first": add_months(month, -11), "provider": provider_id})
        return cursor.fetchall()


def programme_for(month: dt.date) -> Programme | None:
    """The programme running at M (the latest-starting one that started by M), else the latest one."""
    qs = Programme.objects.order_by("-start_month", "-id")
    return qs.filter(start_month__lte=month).first() or qs.first()


def programme_progress(programme: Programme, month: dt.date, counts: dict[int, int]) -> dict:
    """Targets, progress and the providers on track at M: count ≥ bar × elapsed / programme months (exact),
    both in whole months with both ends included; elapsed = start to M, within [0, programme months]."""
    total = months_between(programme.start_month, programme.deadline_month)
    elapsed = min(total, months_between(programme.start_month, month))
    groups = []
    for key, bar, target in (
        ("high", programme.high_bar, programme.high_providers),
        ("low", programme.low_bar, programme.low_providers),
    ):
        reached = sorted(p for p, n in counts.items() if n >= bar)
        on_track = sorted(p for p, n in counts.items() if n * total >= bar * elapsed) if elapsed else []
        groups.append(
            {
                "key": key,
                "bar": bar,
                "target_providers": target,
                "providers_reached": len(reached),
                "providers_on_track": len(on_track),
                "on_track_bar": Decimal(bar * elapsed) / Decimal(total) if total else None,
                "met": len(reached) >= target,
                "on_track_ids": on_track,
            }
        )
    return {
        "programme": programme.pk,
        "name": programme.name,
        "start_month": programme.start_month,
        "deadline_month": programme.deadline_month,
        "programme_months": total,
        "elapsed_months": elapsed,
        "started": month >= programme.start_month,
        "groups": groups,
    }


_STANDING_COLUMNS = """r.provider_id, p.name AS provider_name, r.merchant_id, m.name AS merchant_name,
                       m.platform_account_id, r.kind, r.leap_month"""


def _standing_source(month: dt.date, stored: bool, provider_id: int | None) -> tuple[str, dict]:
    params = {"month": month, "first": add_months(month, -11), "provider": provider_id}
    if stored:
        where = "AND pm.provider_id = %(provider)s" if provider_id is not None else ""
        return (
            f"SELECT provider_id, merchant_id, kind, leap_month FROM ecosystem_programmemerchant pm "
            f"WHERE pm.month = %(month)s {where}",
            params,
        )
    where = "WHERE e.provider_id = %(provider)s" if provider_id is not None else ""
    return PROGRAMME_SQL.replace("{where}", where), params


def programme_standing(month: dt.date, *, provider_id: int | None = None) -> dict:
    """Per provider: successful-leap merchants and "almost" ones for the 12 complete months ending with M — the
    stored standings of a finished month (the monthly job), else computed from the rollups now. Two statements."""
    stored = MonthlyReport.objects.filter(month=month).exists()
    source, params = _standing_source(month, stored, provider_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT r.provider_id, p.name, count(*) FILTER (WHERE r.kind = '{LeapKind.LEAP}'),
                       count(*) FILTER (WHERE r.kind = '{LeapKind.ALMOST}')
                FROM ({source}) r JOIN providers_provider p ON p.id = r.provider_id
                GROUP BY r.provider_id, p.name ORDER BY 3 DESC, 4 DESC, r.provider_id""",
            params,
        )
        providers = [
            {"provider_id": pid, "provider_name": name, "leaps": leaps, "almost": almost}
            for pid, name, leaps, almost in cursor.fetchall()
        ]
    return {"month": month, "stored": stored, "providers": providers}


def programme_merchants(month: dt.date, *, provider_id: int | None = None, kind: str | None = None) -> list[dict]:
    """The credited merchants (leap or almost) of one provider or all, for the 12 months ending with M."""
    stored = MonthlyReport.objects.filter(month=month).exists()
    source, params = _standing_source(month, stored, provider_id)
    params["kind"] = kind
    kind_filter = "WHERE r.kind = %(kind)s" if kind else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT {_STANDING_COLUMNS}
                FROM ({source}) r JOIN providers_provider p ON p.id = r.provider_id
                JOIN providers_merchant m ON m.id = r.merchant_id {kind_filter}
                ORDER BY r.provider_id, r.kind DESC, r.leap_month, m.id""",
            params,
        )
        columns = [c.name for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def programme_overview(month: dt.date) -> dict | None:
    """The programme at M: its terms, progress and providers on track, and each provider's counts."""
    programme = programme_for(month)
    if programme is None:
        return None
    standing = programme_standing(month)
    counts = {p["provider_id"]: p["leaps"] for p in standing["providers"]}
    progress = programme_progress(programme, month, counts)
    on_track = {g["key"]: set(g.pop("on_track_ids")) for g in progress["groups"]}
    for p in standing["providers"]:
        p["on_track_high"] = p["provider_id"] in on_track["high"]
        p["on_track_low"] = p["provider_id"] in on_track["low"]
    return {**progress, "month": month, "stored": standing["stored"], "providers": standing["providers"]}
