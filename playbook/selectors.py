"""Reads of the playbook app: a plan's checklist by stage, and the public operator record (操盘履历)."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from certification.choices import CertificateKind, CertificateStatus
from certification.models import Certificate
from core.dates import SHANGHAI, add_months, shanghai_today
from live.choices import EventKind
from providers.models import Employment

from .choices import BEFORE_LIVE, CURVE_LABELS, FIGURE_LABELS
from .models import ItemTick, OperationPlan, OperatorRecordConsent, PlaybookItem, PlaybookStage
from .sql import OPERATOR_MERCHANTS, OPERATOR_UPLIFT

# §3's monthly-GMV bands, lowest first (lower bounds inclusive).
BANDS = [
    ("<100k", Decimal("0")),
    ("100k–500k", Decimal("100000")),
    ("500k–2M", Decimal("500000")),
    ("2M–10M", Decimal("2000000")),
    ("≥10M", Decimal("10000000")),
]


def plan_checklist(plan: OperationPlan) -> list[dict]:
    """The plan's stages in order, each with its items and their ticks (three queries)."""
    ticks = {t.item_id: t for t in ItemTick.objects.filter(plan=plan).select_related("ticked_by", "file").order_by()}
    stages = PlaybookStage.objects.filter(playbook_id=plan.playbook_id).prefetch_related("items").order_by("position")
    out = []
    for stage in stages:
        items = [{"item": i, "tick": ticks.get(i.pk)} for i in stage.items.all()]
        out.append(
            {
                "stage": stage,
                "items": items,
                "done": sum(1 for i in items if i["tick"]),
                "open_required": sum(1 for i in items if i["item"].required and not i["tick"]),
            }
        )
    return out


def current_stage(checklist: list[dict]) -> str | None:
    """The first stage with a required item open (None: every required item is done)."""
    for row in checklist:
        if row["open_required"]:
            return row["stage"].key
    return None


def _count(queryset):
    return Subquery(
        queryset.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("*")).values("n"),
        output_field=IntegerField(),
    )


def plans_with_progress(plans):
    """A plan queryset for lists (one query): ticked items and required items still open before the live stage."""
    open_required = PlaybookItem.objects.filter(
        stage__playbook=OuterRef("playbook"), required=True, stage__key__in=BEFORE_LIVE
    ).exclude(Exists(ItemTick.objects.filter(plan=OuterRef(OuterRef("pk")), item=OuterRef("pk"))))
    return plans.select_related("engagement__merchant", "lead_operator", "playbook", "review").annotate(
        ticked=Coalesce(_count(ItemTick.objects.filter(plan=OuterRef("pk"))), 0),
        open_required=Coalesce(_count(open_required), 0),
    )


def _band(index: int | None) -> dict | None:
    if index is None:
        return None
    label, lower = BANDS[index]
    return {"index": index, "label": label, "lower_bound": lower}


def record_window(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The last 12 months: the Shanghai days after the same day a year ago up to today, as instants [start, end)."""
    start_day = add_months(today, -12) + dt.timedelta(days=1)
    start = dt.datetime.combine(start_day, dt.time(0), tzinfo=SHANGHAI)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)
    return start, end


def public_operator_certificate(number: str, today: dt.date) -> Certificate | None:
    """The operator certificate of this number if its holder's record is public today: the certificate is
    valid today, and the provider employing the holder today opted in."""
    cert = (
        Certificate.objects.select_related("operator")
        .filter(number=number, kind=CertificateKind.OPERATOR, operator__isnull=False)
        .first()
    )
    if cert is None or cert.status_on(today) != CertificateStatus.ACTIVE:
        return None
    employers = Employment.objects.filter(operator_id=cert.operator_id, start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    consented = OperatorRecordConsent.objects.filter(
        operator_id=cert.operator_id, provider_id__in=employers.values("provider_id")
    ).exists()
    return cert if consented else None


def operator_record(*, operator, today: dt.date | None = None) -> dict:
    """What the platform recorded of the operator over the last 12 months (two queries)."""
    today = today or shanghai_today()
    start, end = record_window(today)
    params = {"operator": operator.pk, "start": start, "end": end}
    with connection.cursor() as cursor:
        cursor.execute(OPERATOR_MERCHANTS, params)
        columns = [c.name for c in cursor.description]
        merchants = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        cursor.execute(OPERATOR_UPLIFT, params)
        uplift_n, uplift = cursor.fetchone()
    highest = max((m["band"] for m in merchants), default=None)
    named = [
        {"name": m["name"], "sessions": m["sessions"], "highest_band": _band(m["band"])}
        for m in merchants
        if m["public_consent"]
    ]
    return {
        "operator": operator.name,
        "start": start,
        "end": end,
        "operated_sessions": sum(m["sessions"] for m in merchants),
        "merchants_served": len(merchants),
        "merchants_named": named,
        "merchants_unnamed": len(merchants) - len(named),
        "highest_band": _band(highest),
        "average_uplift": None
        if uplift is None
        else Decimal(uplift).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
        "uplift_sessions": uplift_n,
    }


EVENT_LABELS = dict(EventKind.choices)


def review_page(review) -> dict:
    """What a review page shows, with labels (no query)."""
    figures = [{**f, "label": FIGURE_LABELS.get(f["key"], f["key"])} for f in review.figures]
    return {
        "review": review,
        "figures": figures,
        "skipped": review.skipped_items,
        "skipped_required": sum(1 for s in review.skipped_items if s["required"]),
        "has_curves": bool(review.curves),
        "curves": [
            {"key": key, "label": CURVE_LABELS.get(key, key)}
            for key in sorted(((review.curves or {}).get("series") or {}).keys())
        ],
        "spikes": [
            {
                **spike,
                "events": [
                    {**e, "kind_label": EVENT_LABELS.get(e.get("kind"), e.get("kind"))} for e in spike["events"]
                ],
            }
            for spike in review.exit_spikes or []
        ],
    }


def diagnosis_rows(plan) -> list[dict]:
    return [{**f, "label": FIGURE_LABELS.get(f["key"], f["key"])} for f in (plan.diagnosis or {}).get("figures", [])]


def published_records(consents, today: dt.date) -> list[dict]:
    """Opt-ins with the certificate number their public record is reached by today (None: not public now)."""
    consents = list(consents.select_related("operator", "provider").order_by("operator__name", "id"))
    certificates = {}
    for cert in Certificate.objects.filter(
        kind=CertificateKind.OPERATOR,
        operator_id__in=[c.operator_id for c in consents],
        status=CertificateStatus.ACTIVE,
    ).order_by("operator_id", "-valid_until"):
        if cert.valid_from <= today <= cert.valid_until:
            certificates.setdefault(cert.operator_id, cert)
    employed = set(
        Employment.objects.filter(operator_id__in=[c.operator_id for c in consents], start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("operator_id", "provider_id")
    )
    return [
        {
            "consent": c,
            "certificate": certificates.get(c.operator_id) if (c.operator_id, c.provider_id) in employed else None,
        }
        for c in consents
    ]
