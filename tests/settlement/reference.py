"""An independent reading of DESIGN §11 in plain Python (Fractions, row by row), for the tests to compare with."""

import datetime as dt
from fractions import Fraction

from certification.models import Decision
from core.dates import SHANGHAI
from providers.models import Engagement, LiveSession
from settlement.models import AgreementVersion, TierIncentiveSchedule


def bounds(month):
    start = dt.datetime(month.year, month.month, 1, tzinfo=SHANGHAI)
    nxt = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return start, dt.datetime(nxt.year, nxt.month, 1, tzinfo=SHANGHAI), (nxt - month).days


def midnight(day):
    return dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


def covers(e, day):
    return e.start_date <= day and (e.end_date is None or day <= e.end_date)


def version_on(versions, day):
    best = None
    for v in versions:
        if v.effective_from <= day and (best is None or v.effective_from > best.effective_from):
            best = v
    return best


def baseline(merchant_id, start_date):
    rows = list(
        LiveSession.objects.filter(
            merchant_id=merchant_id,
            operator__isnull=True,
            started_at__gte=midnight(start_date - dt.timedelta(days=30)),
            started_at__lt=midnight(start_date),
        ).values_list("gmv", flat=True)
    )
    total = sum((Fraction(g) for g in rows), Fraction(0))
    if not rows or total == 0:
        return None
    return total / len(rows)


def tier_at(provider_id, instant):
    decisions = list(Decision.objects.filter(provider_id=provider_id).order_by("seq"))
    overturned = {d.refers_to_id for d in decisions if d.kind == "appeal_overturned"}
    overturned_moves = {
        d.cycle_id for d in decisions if d.id in overturned and d.kind in ("promote", "demote") and d.cycle_id
    }
    best = None
    for d in decisions:
        if d.status != "effective" or d.kind not in ("promote", "demote", "certify", "admit"):
            continue
        if d.effective_at is None or d.effective_at >= instant or d.id in overturned:
            continue
        if d.kind == "certify" and d.cycle_id in overturned_moves:
            continue
        if best is None or (d.effective_at, d.seq) > (best.effective_at, best.seq):
            best = d
    if best is None:
        return "L0"
    return {"certify": (best.evidence or {}).get("level"), "admit": "L0"}.get(
        best.kind, (best.evidence or {}).get("to")
    )


def share(tier, month):
    _, _, days = bounds(month)
    last = month + dt.timedelta(days=days - 1)
    sch = TierIncentiveSchedule.objects.filter(effective_from__lte=last).order_by("-effective_from").first()
    if sch is None or tier not in ("L1", "L2", "L3", "L4", "L5"):
        return Fraction(0)
    return Fraction(getattr(sch, tier.lower()))


def month_amounts(provider_id, month) -> dict:
    """{(engagement_id, kind): exact Fraction} for provider and month, recomputed from the data as it stands."""
    start, end, days = bounds(month)
    engagements = list(Engagement.objects.filter(provider_id=provider_id))
    versions = {}
    for v in AgreementVersion.objects.filter(agreement__engagement__provider_id=provider_id).select_related(
        "agreement"
    ):
        versions.setdefault(v.agreement.engagement_id, []).append(v)
    out = {}
    last = month + dt.timedelta(days=days - 1)
    for e in engagements:
        if e.start_date > last or (e.end_date is not None and e.end_date < month):
            continue
        fee = Fraction(0)
        for i in range(days):
            day = month + dt.timedelta(days=i)
            if covers(e, day):
                v = version_on(versions.get(e.pk, []), day)
                if v is not None:
                    fee += Fraction(v.fixed_fee_monthly)
        out[(e.pk, "fixed_fee")] = fee / days
        for kind in ("commission", "uplift_bonus", "tier_incentive"):
            out[(e.pk, kind)] = Fraction(0)
    sh = share(tier_at(provider_id, end), month)
    for s in LiveSession.objects.filter(provider_id=provider_id, started_at__gte=start, started_at__lt=end):
        day = s.started_at.astimezone(SHANGHAI).date()
        cands = [e for e in engagements if e.merchant_id == s.merchant_id and covers(e, day)]
        if not cands:
            continue
        e = sorted(cands, key=lambda e: (-e.start_date.toordinal(), e.pk))[0]
        v = version_on(versions.get(e.pk, []), day)
        if v is None:
            continue
        net = Fraction(s.gmv) - Fraction(s.refund_amount)
        out[(e.pk, "commission")] += net * Fraction(v.commission_rate)
        out[(e.pk, "tier_incentive")] += net * Fraction(v.commission_rate) * sh
        b = baseline(s.merchant_id, e.start_date)
        if b is not None:
            out[(e.pk, "uplift_bonus")] += max(Fraction(0), net - b) * Fraction(v.uplift_bonus_rate)
    return out


def cents(x: Fraction):
    """Round half away from zero to cents."""
    from decimal import Decimal

    sign = -1 if x < 0 else 1
    c = abs(x) * 100
    whole = c.numerator // c.denominator
    if c - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(sign * whole) / 100
