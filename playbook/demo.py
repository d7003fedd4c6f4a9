"""Demo step of the playbook app for `manage.py seed_demo` (run by demo/steps.py).

- ``make_operation_plans``: for the first demo provider login's provider, plans in every stage (a fresh one,
  the diagnosis filled, up to each later stage, ready, linked, cancelled) for the coming days, and reviews of
  its three latest operated sessions (plans dated on them, linked to them, reviewed by the refresh job); one
  in three merchants consents to be named publicly; the lead operator of the reviewed plans (or another
  certified operator of the provider) has a public record.

Everything goes through playbook.services, so the demo plans obey the same rules as real ones. Dates are
relative to ``demo.today``; the step draws from its own random stream.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F, Q

from certification.models import Certificate
from core.dates import SHANGHAI, shanghai_date
from providers.models import Employment, Engagement, LiveSession, Merchant, ProviderUser

from . import services
from .choices import BEFORE_LIVE, ItemNeed
from .models import PlaybookItem

if TYPE_CHECKING:
    from providers.demo import Demo

PDF = b"%PDF-1.4\n% Saima demo\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TEXTS = ["按诊断结论调整货盘", "引流款 + 利润款组合", "开播前 3 天预热", "主推款 21:00 上架", "福袋每 30 分钟一次"]


def _tick_stages(plan, user, stages, rng) -> None:
    items = PlaybookItem.objects.filter(stage__playbook_id=plan.playbook_id, stage__key__in=stages).order_by(
        "stage__position", "position"
    )
    done = set(plan.ticks.values_list("item_id", flat=True))  # the one-click diagnosis keeps its figures
    for item in items.exclude(pk__in=done):
        if item.needs == ItemNeed.TEXT:
            services.plan_tick(plan=plan, item=item, actor=user, text=rng.choice(TEXTS))
        elif item.needs == ItemNeed.NUMBER:
            services.plan_tick(plan=plan, item=item, actor=user, number=str(rng.randint(3, 30000)))
        elif item.needs == ItemNeed.FILE and (item.required or rng.random() < 0.5):
            services.plan_tick(
                plan=plan, item=item, actor=user, upload=SimpleUploadedFile("demo.pdf", PDF, "application/pdf")
            )


def make_operation_plans(demo: Demo) -> None:
    rng = demo.rng("operation_plans")
    today = demo.today
    account = ProviderUser.objects.select_related("user").order_by("id").first()
    if account is None:
        demo.counts["operation_plans"] = 0
        return
    user, provider_id = account.user, account.provider_id
    Merchant.objects.annotate(r=F("id") % 3).filter(r=0).update(public_consent=True)
    made = 0

    # Reviews of past streams: the provider's three latest operated sessions.
    past = list(
        LiveSession.objects.filter(
            provider_id=provider_id, started_at__lt=dt.datetime.combine(today, dt.time(0), tzinfo=SHANGHAI)
        )
        .select_related("merchant")
        .order_by("-started_at")[:3]
    )
    lead = None
    for session in past:
        day = shanghai_date(session.started_at)
        engagement = (
            Engagement.objects.filter(provider_id=provider_id, merchant_id=session.merchant_id, start_date__lte=day)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
            .order_by("-start_date")
            .first()
        )
        if engagement is None:
            continue
        gmv = Decimal(session.gmv)
        plan = services.plan_create(
            actor=user,
            engagement=engagement,
            lead_operator=session.operator,
            planned_date=day,
            title=f"{session.merchant.name} 大场",
            target_gmv=(gmv * Decimal(rng.choice(["0.8", "1.0", "1.2"]))).quantize(Decimal("1")),
            target_entries=max(1, int(session.viewers * rng.uniform(0.8, 1.2))),
            target_new_followers=max(1, int(session.new_followers * rng.uniform(0.8, 1.2))),
            target_paid_roi=Decimal("3.00"),
        )
        services.plan_fill_diagnosis(plan=plan, actor=user, end_date=day - dt.timedelta(days=1))
        _tick_stages(plan, user, BEFORE_LIVE, rng)
        services.plan_mark_ready(plan=plan, actor=user)
        services.plan_link_stream(plan=plan, actor=user, external_id=session.external_id)
        lead = lead or session.operator
        made += 1
    services.reviews_refresh()

    # Plans in every stage, for the coming days.
    employed = Employment.objects.filter(provider_id=provider_id, start_date__lte=today, end_date__isnull=True)
    operators = [e.operator for e in employed.select_related("operator").order_by("operator_id")]
    engagements = list(
        Engagement.objects.filter(provider_id=provider_id, start_date__lte=today, end_date__isnull=True)
        .select_related("merchant")
        .order_by("id")
    )
    if operators and engagements:
        stages = [
            ("new", []),
            ("diagnosed", ["diagnosis"]),
            ("set_up", ["diagnosis", "setup"]),
            ("lineup", ["diagnosis", "setup", "lineup"]),
            ("preheat", ["diagnosis", "setup", "lineup", "preheat"]),
            ("ready", BEFORE_LIVE),
            ("linked", BEFORE_LIVE),
            ("cancelled", ["diagnosis"]),
        ]
        for i, (name, ticked) in enumerate(stages):
            engagement = engagements[i % len(engagements)]
            plan = services.plan_create(
                actor=user,
                engagement=engagement,
                lead_operator=operators[i % len(operators)],
                planned_date=today + dt.timedelta(days=3 + i),
                title=f"{engagement.merchant.name} 专场 {i + 1}",
                target_gmv=Decimal(rng.randrange(50_000, 500_000, 1000)),
                target_entries=rng.randrange(20_000, 200_000, 1000),
                target_new_followers=rng.randrange(200, 3000, 50),
                target_paid_roi=Decimal(rng.choice(["2.50", "3.00", "4.00"])),
            )
            if "diagnosis" in ticked:
                services.plan_fill_diagnosis(plan=plan, actor=user, end_date=today - dt.timedelta(days=1))
            _tick_stages(plan, user, ticked, rng)
            if name in ("ready", "linked"):
                services.plan_mark_ready(plan=plan, actor=user)
            if name == "linked":
                services.plan_link_stream(plan=plan, actor=user, external_id=f"demo-upcoming-{plan.pk}")
            if name == "cancelled":
                services.plan_cancel(plan=plan, actor=user)
            made += 1

    # One operator with a public record: certified and employed by the provider today.
    certified = Certificate.objects.filter(
        kind="operator", status="active", valid_from__lte=today, valid_until__gte=today
    ).values("operator_id")
    candidates = employed.filter(operator_id__in=certified).order_by("operator_id")
    chosen = candidates.filter(operator=lead).first() if lead else None
    chosen = chosen or candidates.first()
    if chosen is not None:
        services.record_consent_give(actor=user, operator=chosen.operator)
    demo.counts["operation_plans"] = made
