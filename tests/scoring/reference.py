"""Plain-Python reference of DESIGN §3 and §6, written from the text independently of scoring/sql.py.

Values are exact Fractions; scores are Decimals rounded half-up to 4 places at each step.
"""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

SH = ZoneInfo("Asia/Shanghai")
DAY = dt.timedelta(days=1)
UP = {
    "gmv_uplift": True,
    "leap_rate": True,
    "merchant_retention": True,
    "gpm": True,
    "followers_per_session": True,
    "live_hours_per_merchant_week": True,
    "paid_roi": True,
    "loss_session_rate": False,
    "refund_rate": False,
    "sell_through": True,
    "orders_per_1k_viewers": True,
    "complaints_per_1k_orders": False,
    "violation_points": False,
    "certified_operator_ratio": True,
}
MODEL = {
    "growth": (30, {"gmv_uplift": "0.5", "leap_rate": "0.3", "merchant_retention": "0.2"}),
    "content": (20, {"gpm": "0.5", "followers_per_session": "0.3", "live_hours_per_merchant_week": "0.2"}),
    "traffic": (15, {"paid_roi": "0.6", "loss_session_rate": "0.4"}),
    "product": (15, {"refund_rate": "0.5", "sell_through": "0.3", "orders_per_1k_viewers": "0.2"}),
    "service": (20, {"complaints_per_1k_orders": "0.4", "violation_points": "0.4", "certified_operator_ratio": "0.2"}),
}


def q4(value) -> Decimal:
    """Round an exact value half-up to 4 decimals."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator) if value.denominator != 1 else value.numerator
        # exact enough: denominators here are small, and 28 significant digits decide the 4th decimal
    return Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def q4_exact(frac: Fraction) -> Decimal:
    """Half-up rounding of an exact fraction to 4 decimals without any intermediate rounding."""
    scaled = frac * 10000
    floor = scaled.numerator // scaled.denominator
    rest = scaled - floor
    if rest >= Fraction(1, 2):
        floor += 1
    return Decimal(floor) / Decimal(10000)


def midnight(d: dt.date) -> dt.datetime:
    return dt.datetime.combine(d, dt.time(0), tzinfo=SH)


def local_date(t: dt.datetime) -> dt.date:
    return t.astimezone(SH).date()


def covers(start_date, end_date, instant) -> bool:
    return midnight(start_date) <= instant and (end_date is None or instant < midnight(end_date + DAY))


def ratio(num, den):
    return None if den == 0 else Fraction(num) / Fraction(den)


def band(gmv) -> int:
    gmv = gmv or 0
    for i, bound in enumerate([100000, 500000, 2000000, 10000000]):
        if gmv < bound:
            return i
    return 4


def month_floor(t: dt.datetime) -> dt.datetime:
    return t.astimezone(SH).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_before(t: dt.datetime) -> dt.datetime:
    return (t - DAY).replace(day=1)


def engagement_of(session, engagements):
    """The engagement of s's provider with s's merchant covering s's date, latest-starting."""
    day = local_date(session["started_at"])
    cands = [
        e
        for e in engagements
        if e["provider_id"] == session["provider_id"]
        and e["merchant_id"] == session["merchant_id"]
        and e["start_date"] <= day
        and (e["end_date"] is None or day <= e["end_date"])
    ]
    return max(cands, key=lambda e: e["start_date"]) if cands else None


def baseline(session, data):
    """(mean, total) of the baseline, or None when s has no baseline."""
    e = engagement_of(session, data["engagements"])
    if e is None:
        return None
    lo, hi = midnight(e["start_date"] - 30 * DAY), midnight(e["start_date"])
    gmvs = [
        b["gmv"]
        for b in data["sessions"]
        if b["merchant_id"] == session["merchant_id"] and b["operator_id"] is None and lo <= b["started_at"] < hi
    ]
    if not gmvs or sum(gmvs) == 0:
        return None
    return Fraction(sum(gmvs)) / len(gmvs), sum(gmvs)


def uplift(session, data):
    b = baseline(session, data)
    return None if b is None else Fraction(session["gmv"]) / b[0] - 1


def metrics(data, start, end):
    """{provider_id: {metric: (value or None, sample size)}} plus session counts and GMV."""
    out = {}
    months = None
    lm_end = month_floor(end)
    lm_start = month_before(lm_end)
    if lm_start >= start.astimezone(SH):
        bm_end = month_floor(start)
        months = ((lm_start, lm_end), (month_before(bm_end), bm_end))

    def month_gmv(merchant_id, span):
        return sum(
            (
                s["gmv"]
                for s in data["sessions"]
                if s["merchant_id"] == merchant_id and span[0] <= s["started_at"] < span[1]
            ),
            Decimal(0),
        )

    certified = {
        c["operator_id"]
        for c in data["certificates"]
        if c["kind"] == "operator"
        and c["operator_id"] is not None
        and c["status"] not in ("suspended", "revoked")
        and covers(c["valid_from"], c["valid_until"], end)
    }
    days = Fraction(int((end - start).total_seconds()), 86400)
    for p in data["providers"]:
        pid = p["id"]
        S = [
            s
            for s in data["sessions"]
            if s["provider_id"] == pid and s["operator_id"] and start <= s["started_at"] < end
        ]
        engs = [e for e in data["engagements"] if e["provider_id"] == pid]
        M = {
            e["merchant_id"]
            for e in engs
            if midnight(e["start_date"]) < end and (e["end_date"] is None or midnight(e["end_date"] + DAY) > start)
        }
        n = len(S)
        tot = lambda f, S=S: sum((s[f] for s in S), 0)  # noqa: E731
        ups = [u for u in (uplift(s, data) for s in S) if u is not None]
        paid = [s for s in S if s["paid_spend"] > 0]
        open_start = [e for e in engs if covers(e["start_date"], e["end_date"], start)]
        kept = [e for e in open_start if e["end_date"] is None or midnight(e["end_date"] + DAY) > end]
        comps = [
            c for c in data["complaints"] if c["provider_id"] == pid and c["upheld"] and start <= c["received_at"] < end
        ]
        viols = [
            v
            for v in data["violations"]
            if v["provider_id"] == pid and v["status"] == "confirmed" and start <= v["occurred_at"] < end
        ]
        employed = {
            em["operator_id"]
            for em in data["employments"]
            if em["provider_id"] == pid and covers(em["start_date"], em["end_date"], end)
        }
        if months and M:
            leaps = sum(1 for m in M if band(month_gmv(m, months[0])) > band(month_gmv(m, months[1])))
            leap = Fraction(leaps, len(M))
        else:
            leap = None
        values = {
            "gmv_uplift": (sum(ups) / len(ups) if ups else None, len(ups)),
            "leap_rate": (leap, len(M)),
            "merchant_retention": (ratio(len(kept), len(open_start)), len(open_start)),
            "gpm": (ratio(tot("gmv") * 1000, tot("viewers")), n),
            "followers_per_session": (ratio(tot("new_followers"), n), n),
            "live_hours_per_merchant_week": (
                None if not M else Fraction(tot("duration_minutes")) / 60 / (len(M) * days / 7),
                n,
            ),
            "paid_roi": (ratio(sum(s["paid_gmv"] for s in paid), sum(s["paid_spend"] for s in paid)), len(paid)),
            "loss_session_rate": (ratio(sum(1 for s in paid if s["paid_gmv"] < s["paid_spend"]), len(paid)), len(paid)),
            "refund_rate": (ratio(tot("refund_amount"), tot("gmv")), n),
            "sell_through": (ratio(tot("skus_sold"), tot("skus_listed")), n),
            "orders_per_1k_viewers": (ratio(tot("orders") * 1000, tot("viewers")), n),
            "complaints_per_1k_orders": (ratio(len(comps) * 1000, tot("orders")), n),
            "violation_points": (Fraction(sum(v["points"] for v in viols)), len(viols)),
            "certified_operator_ratio": (
                None if not M else min(Fraction(1), Fraction(len(employed & certified), len(M))),
                len(employed),
            ),
        }
        out[pid] = {"values": values, "n": n, "gmv": tot("gmv")}
    return out


def mid_rank(value, values, up=True) -> Fraction:
    n = len(values)
    if n == 1:
        return Fraction(1, 2)
    worse = sum(1 for v in values if (v < value if up else v > value))
    equal = sum(1 for v in values if v == value) - 1
    return (worse + Fraction(equal, 2)) / (n - 1)


def score(data, start, end, *, min_sessions=10, conf=30):
    """Full §3 scoring: {provider_id: dict(ranked, overall, rank, percentile, caps, metrics)}."""
    vals = metrics(data, start, end)
    providers = [p for p in data["providers"] if p["status"] in ("active", "probation")]
    result = {}
    for p in providers:
        v = vals[p["id"]]
        result[p["id"]] = {
            "cohort": p["type"],
            "ranked": v["n"] >= min_sessions,
            "n": v["n"],
            "gmv": v["gmv"],
            "metrics": {},
        }
    cohorts = defaultdict(list)
    for pid, r in result.items():
        if r["ranked"]:
            cohorts[r["cohort"]].append(pid)
    for pid, r in result.items():
        for metric, (value, sample) in vals[pid]["values"].items():
            r["metrics"][metric] = {"value": value, "sample": sample, "raw_score": None, "score": None}
    for members in cohorts.values():
        for metric, up in UP.items():
            have = [vals[p]["values"][metric][0] for p in members if vals[p]["values"][metric][0] is not None]
            for pid in members:
                value = vals[pid]["values"][metric][0]
                exact = Fraction(50) if value is None else 100 * Fraction(mid_rank(value, have, up))
                raw = q4_exact(exact)
                n = result[pid]["n"]
                # DESIGN §3: the shrink works on the exact 100 × percentile; the score is rounded once, after it.
                shrunk = raw if n >= conf else q4_exact(50 + (exact - 50) * n / conf)
                result[pid]["metrics"][metric].update(raw_score=raw, score=shrunk)
        for pid in members:
            caps = {}
            for cap, (_w, mws) in MODEL.items():
                caps[cap] = q4_exact(
                    sum(Fraction(Decimal(w)) * Fraction(result[pid]["metrics"][m]["score"]) for m, w in mws.items())
                )
            result[pid]["caps"] = caps
            result[pid]["overall"] = q4_exact(sum(Fraction(MODEL[c][0]) * Fraction(s) for c, s in caps.items()) / 100)
        order = sorted(members, key=lambda p: (-result[p]["overall"], -result[p]["gmv"], p))
        overalls = [result[p]["overall"] for p in members]
        for i, pid in enumerate(order, start=1):
            result[pid]["rank"] = i
            result[pid]["percentile"] = mid_rank(result[pid]["overall"], overalls)
    return result


def operation_effect(data, start, end, provider_id=None):
    """DESIGN §6 figures over [start, end) for one provider (or all operated sessions)."""
    ops = [
        s
        for s in data["sessions"]
        if s["provider_id"] is not None
        and (provider_id is None or s["provider_id"] == provider_id)
        and start <= s["started_at"] < end
    ]
    window = dt.timedelta(hours=14 * 24)
    groups = {"all": [], "small_medium": [], "large": []}
    for s in ops:
        b = baseline(s, data)
        groups["all"].append((s, b))
        if b is not None:
            groups["small_medium" if b[1] < 500000 else "large"].append((s, b))
    out = {}
    for name, rows in groups.items():
        ups = [Fraction(s["gmv"]) / b[0] - 1 for s, b in rows if b is not None]
        before_sum = after_sum = 0
        fo_n = 0
        for s, _b in rows:
            t = s["started_at"]
            if t + window > end:
                continue
            others = [o for o in data["sessions"] if o["merchant_id"] == s["merchant_id"] and o["id"] != s["id"]]
            before = sum((o["gmv"] for o in others if t - window <= o["started_at"] < t), Decimal(0))
            after = sum((o["gmv"] for o in others if t < o["started_at"] <= t + window), Decimal(0))
            if before > 0:
                fo_n += 1
                before_sum += before
                after_sum += after
        out[name] = {
            "sessions": len(rows),
            "gmv": sum((s["gmv"] for s, _ in rows), Decimal(0)),
            "merchants": len({s["merchant_id"] for s, _ in rows}),
            "uplift": sum(ups) / len(ups) if ups else None,
            "uplift_sessions": len(ups),
            "follow_on_growth": Fraction(after_sum) / Fraction(before_sum) - 1 if fo_n else None,
            "follow_on_sessions": fo_n,
        }
    return out
