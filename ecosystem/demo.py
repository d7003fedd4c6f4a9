"""Demo data of the ecosystem report: two years of monthly history before the session window, a cohort of
merchants that leap (or almost do) with three providers, the data start, a 造风者 programme, and the stored
reports of every finished month.

History sessions are a few a month per merchant (the report needs months, not days), growing over the two
years so that year-on-year ratios are above 1. They are unoperated (no engagement is that old), except the
leap cohort's, whose engagements start 14 and 8 months before today's month.
"""

import datetime as dt

from core.dates import add_months
from providers.demo import CATEGORIES, SHOP_PATTERNS, SHOP_WORDS, Demo, at, copy_rows, money
from providers.models import Employment, Engagement, IngestBatch, LiveSession, Merchant, Operator

from . import services

HISTORY_MONTHS = 25  # the data start: 25 months before today's month (a first-time ratio for the last one)
COHORT_MERCHANTS = 8  # per leap provider: 6 leap, 2 almost
SPELL_STARTS = (-14, -8, -8)  # months before today's month, per leap provider


def _session(rng, merchant_id, day, gmv_yuan, *, operator_id=None, provider_id=None, ext=""):
    gmv = max(100, round(gmv_yuan * 100))
    orders = max(1, round(gmv / 100 / rng.uniform(60, 200)))
    viewers = max(orders, round(orders / rng.uniform(0.006, 0.03)))
    listed = rng.randint(10, 80)
    return {
        "external_id": ext,
        "merchant_id": merchant_id,
        "operator_id": operator_id,
        "provider_id": provider_id,
        "started_at": at(day, rng.choice([19, 20, 21]), rng.choice([0, 15, 30])),
        "duration_minutes": rng.randrange(90, 241, 10),
        "gmv": money(gmv),
        "orders": orders,
        "viewers": viewers,
        "new_followers": round(viewers * rng.uniform(0.001, 0.01)),
        "refund_amount": money(round(gmv * rng.uniform(0.02, 0.2))),
        "paid_spend": money(0),
        "paid_gmv": money(0),
        "skus_listed": listed,
        "skus_sold": round(listed * rng.uniform(0.2, 0.8)),
    }


def _days_of(month: dt.date, k: int, rng, *, before: dt.date | None = None) -> list[dt.date]:
    """k distinct days of the month (before ``before`` if given), sorted."""
    last = (add_months(month, 1) - dt.timedelta(days=1)).day
    days = [month.replace(day=d) for d in range(1, last + 1)]
    if before is not None:
        days = [d for d in days if d < before]
    return sorted(rng.sample(days, min(k, len(days))))


def make_ecosystem(demo: Demo) -> None:
    rng = demo.rng("ecosystem")
    this_month = demo.today.replace(day=1)
    start = add_months(this_month, -HISTORY_MONTHS)
    ws = demo.window_start
    batch = IngestBatch.objects.create(source="demo", filename="seed_demo ecosystem")
    rows: list[dict] = []

    # 1. History of every merchant before the session window: 4 sessions a month, growing toward the window.
    months = [add_months(start, k) for k in range(HISTORY_MONTHS + 1) if add_months(start, k) < ws]
    for merchant in demo.merchants:
        median, frequency = demo.merchant_plan[merchant.id]
        for k, month in enumerate(months):
            growth = 0.4 + 0.6 * k / max(1, len(months) - 1)
            monthly = median * frequency * 30 * growth
            for n, day in enumerate(_days_of(month, 4, rng, before=ws)):
                gmv = monthly / 4 * rng.lognormvariate(0, 0.3)
                rows.append(
                    _session(rng, merchant.id, day, gmv, ext=f"demo-h-{merchant.platform_account_id}-{day:%Y%m%d}-{n}")
                )

    # 2. The leap cohort: three providers of different types, each with an operator of its own and 8 merchants
    # that stream ~¥60k a month before the engagement (band 0) and ¥150k–¥400k during it (band 1); two of them
    # alternate a good month and a poor one ("almost").
    active = [p for p in demo.providers if p.id not in demo.sparse]
    leapers, seen = [], set()
    for p in active:
        if p.type not in seen:
            leapers.append(p)
            seen.add(p.type)
        if len(leapers) == len(SPELL_STARTS):
            break
    operators = Operator.objects.bulk_create(
        [Operator(platform_user_id=f"op9{i:05d}", name=f"造风者操盘手{i + 1}", phone="") for i in range(len(leapers))]
    )
    Employment.objects.bulk_create(
        [
            Employment(operator=op, provider_id=p.id, start_date=add_months(start, -1))
            for op, p in zip(operators, leapers, strict=True)
        ]
    )
    merchants = Merchant.objects.bulk_create(
        [
            Merchant(
                platform_account_id=f"shop3{i:05d}",
                name=rng.choice(SHOP_PATTERNS).format(w=rng.choice(SHOP_WORDS), c=category),
                category=category,
            )
            for i, category in enumerate(rng.choice(list(CATEGORIES)) for _ in range(COHORT_MERCHANTS * len(leapers)))
        ]
    )
    engagements = []
    plans = []
    for j, (provider, operator, offset) in enumerate(zip(leapers, operators, SPELL_STARTS, strict=True)):
        spell = add_months(this_month, offset)
        for i in range(COHORT_MERCHANTS):
            merchant = merchants[j * COHORT_MERCHANTS + i]
            if i == 0:  # two engagements without a gap: one spell
                switch = add_months(spell, 3)
                engagements.append(
                    Engagement(
                        provider_id=provider.id,
                        merchant=merchant,
                        start_date=spell,
                        end_date=switch - dt.timedelta(days=1),
                        lead_operator=operator,
                    )
                )
                engagements.append(
                    Engagement(provider_id=provider.id, merchant=merchant, start_date=switch, lead_operator=operator)
                )
            else:
                engagements.append(
                    Engagement(provider_id=provider.id, merchant=merchant, start_date=spell, lead_operator=operator)
                )
            plans.append((merchant, provider, operator, spell, i >= COHORT_MERCHANTS - 2))
    Engagement.objects.bulk_create(engagements)
    month_list = [add_months(start, k) for k in range(HISTORY_MONTHS + 1)]
    switches = {e.merchant.id: e.start_date for e in engagements if e.end_date is None}  # the open one
    for merchant, provider, operator, spell, almost in plans:
        level = rng.uniform(150_000, 400_000)
        # like every demo engagement, a following one has a baseline: an own session in the 30 days before it
        switch = switches[merchant.id] if switches[merchant.id] != spell else None
        baseline_due = switch is not None
        for k, month in enumerate(month_list):
            if month < spell:
                monthly = 60_000
            elif almost:
                monthly = level if k % 2 == 0 else 60_000
            else:
                monthly = level
            days = _days_of(month, 6, rng, before=demo.today)
            for day in days:
                gmv = monthly / 6 * rng.lognormvariate(0, 0.05)
                operated = day >= spell and rng.random() < 0.9
                if baseline_due and switch - dt.timedelta(days=30) <= day < switch:
                    operated, baseline_due = False, False
                rows.append(
                    _session(
                        rng,
                        merchant.id,
                        day,
                        gmv,
                        operator_id=operator.id if operated else None,
                        provider_id=provider.id if operated else None,
                        ext=f"demo-eco-{merchant.platform_account_id}-{day:%Y%m%d}",
                    )
                )
    for r in rows:
        r["batch_id"] = batch.id
    copy_rows(LiveSession, rows)
    IngestBatch.objects.filter(pk=batch.pk).update(received=len(rows), created=len(rows))

    # 3. The report's data start, a programme scaled to the demo, and every finished month stored.
    services.report_settings_set(data_start=start)
    services.programme_save(
        name="造风者（演示）",
        start_month=add_months(this_month, -8),
        deadline_month=add_months(this_month, 15),
        high_bar=6,
        high_providers=2,
        low_bar=3,
        low_providers=3,
    )
    stored = services.reports_refresh(today=demo.today)
    demo.counts["history_sessions"] = len(rows)
    demo.counts["stored_reports"] = len(stored)
