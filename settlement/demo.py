"""Demo data of settlement: agreements on the demo engagements and the statements of the demo's past months in
every state (draft, confirmed, disputed, approved, paid, and a void one with its replacement)."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model

from core.dates import SHANGHAI, add_months
from providers.demo import Demo
from providers.models import Engagement

from . import services
from .models import AgreementVersion, ServiceAgreement, Statement


def _agreements(demo: Demo) -> None:
    rng = demo.rng("settlement_agreements")
    engagements = list(Engagement.objects.order_by("pk"))  # every demo engagement, the ecosystem's history's too
    agreements = ServiceAgreement.objects.bulk_create(
        [ServiceAgreement(engagement=e, provider_id=e.provider_id, note="demo") for e in engagements]
    )
    versions = []
    for agreement, e in zip(agreements, engagements, strict=True):
        fee = Decimal(rng.choice([0, 0, 3000, 5000, 8000, 12000]))
        rate = Decimal(rng.choice(["0.05", "0.08", "0.10", "0.12", "0.15"]))
        bonus = Decimal(rng.choice(["0", "0.10", "0.20", "0.30"]))
        versions.append(
            AgreementVersion(
                agreement=agreement,
                effective_from=e.start_date,
                fixed_fee_monthly=fee,
                commission_rate=rate,
                uplift_bonus_rate=bonus,
            )
        )
        if rng.random() < 0.3:  # renegotiated a few weeks in
            versions.append(
                AgreementVersion(
                    agreement=agreement,
                    effective_from=e.start_date + dt.timedelta(days=rng.randint(20, 50)),
                    fixed_fee_monthly=fee + 2000,
                    commission_rate=rate + Decimal("0.02"),
                    uplift_bonus_rate=bonus,
                )
            )
    AgreementVersion.objects.bulk_create(versions)
    demo.counts["service_agreements"] = len(agreements)


def _months(demo: Demo) -> list[dt.date]:
    """The full Shanghai months inside the demo's window, oldest first."""
    first = add_months(demo.window_start.replace(day=1), 1)
    months = []
    while add_months(first, 1) <= demo.today:
        months.append(first)
        first = add_months(first, 1)
    return months


def make_settlement(demo: Demo) -> None:
    _agreements(demo)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["finance", "finance2"])}
    finance, finance2 = users.get("finance"), users.get("finance2")
    # the demo's clock: the evening before its "today" (so the same seed gives the same data on any day)
    now = dt.datetime.combine(demo.today, dt.time(), tzinfo=SHANGHAI) - dt.timedelta(hours=1)
    months = _months(demo)
    made = []
    for i, month in enumerate(months):
        day16 = dt.datetime.combine(add_months(month, 1).replace(day=16), dt.time(2), tzinfo=SHANGHAI)
        # the newest month's statements were made an hour ago (by staff), so its drafts are still open
        at = day16 if i < len(months) - 1 and day16 < now else now - dt.timedelta(hours=1)
        services.statements_make(month=month, now=at)
        made.append((month, at))
    for i, (month, at) in enumerate(made):
        statements = list(Statement.objects.filter(month=month).exclude(state="void").order_by("provider_id"))
        newest = i == len(made) - 1
        for j, st in enumerate(statements):
            if newest:  # draft, one disputed, one confirmed by its user
                if j == 1:
                    services.statement_dispute(statement=st, user=None, reason="演示：固定服务费天数有误", now=at)
                elif j == 2:
                    services.statement_confirm(statement=st, user=None, now=at + dt.timedelta(hours=1))
                continue
            if j == 0 and i == 0 and finance is not None:  # disputed in time, resolved: void + replacement
                services.statement_dispute(
                    statement=st, user=None, reason="演示：佣金比例有误", now=at + dt.timedelta(days=1)
                )
                st = services.statement_resolve(
                    statement=st, user=finance, resolution="演示：已按协议重算", now=at + dt.timedelta(days=3)
                )
                services.statement_confirm(statement=st, now=st.confirm_by)
                continue
            services.statement_confirm(statement=st, now=st.confirm_by)
            if finance is None or j % 4 == 3:
                continue  # confirmed, awaiting approval
            st = services.statement_approve(statement=st, user=finance, now=st.confirm_by + dt.timedelta(days=1))
            if st.state != "approved" and finance2 is not None:
                st = services.statement_approve(statement=st, user=finance2, now=st.confirm_by + dt.timedelta(days=1))
            if st.state != "approved" or st.total <= 0 or i == len(made) - 2 and j % 2:
                continue  # approved, not paid yet
            services.statement_invoice_record(
                statement=st, user=finance, invoice_number=f"FP{month:%Y%m}{st.provider_id:04d}"
            )
            _, answer = services.payout_request(
                idempotency_key=f"demo-{st.pk}",
                body={"statement": st.pk},
                user=finance,
                now=st.confirm_by + dt.timedelta(days=2),
            )
            payout = st.payout
            services.payout_report_paid(
                payout=payout, user=None, reference=f"BANK{answer['id']:06d}", now=st.confirm_by + dt.timedelta(days=3)
            )
    demo.counts["statements"] = Statement.objects.count()
