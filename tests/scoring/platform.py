"""Build small platforms straight into the database (bulk inserts) and read them back for the reference."""

import datetime as dt
import itertools
from decimal import Decimal

from django.apps import apps
from django.db import connection

from providers.models import Complaint, Employment, Engagement, LiveSession, Merchant, Operator, Provider, Violation
from scoring import services
from scoring.models import CapabilityModel
from tests.factories import make_credit_code

from .reference import SH

_seq = itertools.count(100000)

JUNE = (dt.datetime(2025, 6, 1, tzinfo=SH), dt.datetime(2025, 7, 1, tzinfo=SH))


def certificate_model():
    """certification.Certificate once that app defines it (built in parallel by another helper)."""
    try:
        return apps.get_model("certification", "Certificate")
    except LookupError:
        return None


def at(*args) -> dt.datetime:
    """A Shanghai wall-clock instant."""
    return dt.datetime(*args, tzinfo=SH)


def session(merchant, *, operator=None, provider=None, started_at, **facts) -> LiveSession:
    n = next(_seq)
    defaults = {
        "duration_minutes": 60,
        "gmv": Decimal("1000.00"),
        "orders": 10,
        "viewers": 1000,
        "new_followers": 5,
        "refund_amount": Decimal("0"),
        "paid_spend": Decimal("0"),
        "paid_gmv": Decimal("0"),
        "skus_listed": 10,
        "skus_sold": 5,
    }
    defaults.update(facts)
    for money in ("gmv", "refund_amount", "paid_spend", "paid_gmv"):
        defaults[money] = Decimal(str(defaults[money]))
    return LiveSession(
        external_id=f"t-{n}",
        merchant=merchant,
        operator=operator,
        provider=provider if provider is not None else None,
        started_at=started_at,
        **defaults,
    )


def provider(**kw) -> Provider:
    n = next(_seq)
    kw.setdefault("type", "mcn")
    kw.setdefault("status", "active")
    return Provider.objects.create(name=f"P{n}", credit_code=make_credit_code(n), province="浙江", city="杭州", **kw)


def merchant(category="apparel") -> Merchant:
    n = next(_seq)
    return Merchant.objects.create(platform_account_id=f"m{n}", name=f"M{n}", category=category)


def operator(employer=None, start=dt.date(2025, 1, 1), end=None) -> Operator:
    n = next(_seq)
    op = Operator.objects.create(platform_user_id=f"o{n}", name=f"O{n}")
    if employer is not None:
        Employment.objects.create(operator=op, provider=employer, start_date=start, end_date=end)
    return op


def engage(p, m, start=dt.date(2025, 1, 1), end=None) -> Engagement:
    return Engagement.objects.create(provider=p, merchant=m, start_date=start, end_date=end)


def certify(op, *, valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2026, 12, 31), status="active"):
    Certificate = certificate_model()
    n = next(_seq)
    return Certificate.objects.create(
        kind="operator",
        number=f"OP-2025-{n:06d}",
        operator=op,
        level="junior",
        valid_from=valid_from,
        valid_until=valid_until,
        status=status,
    )


def run_cycle(window=JUNE, *, min_sessions=10, confidence_sessions=30, kind="monthly"):
    cycle = services.cycle_create(
        kind=kind,
        window_start=window[0],
        window_end=window[1],
        capability_model=CapabilityModel.objects.get(version=1),
        min_sessions=min_sessions,
        confidence_sessions=confidence_sessions,
    )
    services.cycle_score(cycle=cycle)
    return cycle


def load() -> dict:
    """Every row the reference needs, as plain dicts."""
    data = {
        "providers": list(Provider.objects.values("id", "type", "status")),
        "sessions": list(
            LiveSession.objects.values(
                "id",
                "merchant_id",
                "operator_id",
                "provider_id",
                "started_at",
                "duration_minutes",
                "gmv",
                "orders",
                "viewers",
                "new_followers",
                "refund_amount",
                "paid_spend",
                "paid_gmv",
                "skus_listed",
                "skus_sold",
            )
        ),
        "engagements": list(Engagement.objects.values("id", "provider_id", "merchant_id", "start_date", "end_date")),
        "complaints": list(Complaint.objects.values("provider_id", "received_at", "upheld")),
        "violations": list(Violation.objects.values("provider_id", "occurred_at", "status", "points")),
        "employments": list(Employment.objects.values("provider_id", "operator_id", "start_date", "end_date")),
        "certificates": [],
    }
    Certificate = certificate_model()
    if Certificate is not None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('certification_certificate') IS NOT NULL")
            if cursor.fetchone()[0]:
                data["certificates"] = list(
                    Certificate.objects.values("kind", "operator_id", "valid_from", "valid_until", "status")
                )
    return data
