"""A small world for plan tests: the own provider with a merchant, engagement and operator; another provider with
its own; sessions with a baseline before the engagement (DESIGN §6)."""

import datetime as dt
from decimal import Decimal

from playbook.models import Playbook
from tests import factories

SHANGHAI = factories.SHANGHAI
ENGAGED = dt.date(2025, 3, 1)
PLAN_DAY = dt.date(2025, 6, 18)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def build(provider, other_provider) -> dict:
    merchant = factories.MerchantFactory(name="Own Merchant", category="apparel", public_consent=True)
    engagement = factories.EngagementFactory(provider=provider, merchant=merchant, start_date=ENGAGED)
    operator = factories.OperatorFactory(name="Lead Operator")
    factories.EmploymentFactory(operator=operator, provider=provider, start_date=dt.date(2025, 1, 1))
    other_merchant = factories.MerchantFactory(name="Other Merchant", category="apparel")
    other_engagement = factories.EngagementFactory(provider=other_provider, merchant=other_merchant, start_date=ENGAGED)
    other_operator = factories.OperatorFactory(name="Other Operator")
    factories.EmploymentFactory(operator=other_operator, provider=other_provider, start_date=dt.date(2025, 1, 1))
    # Baseline: two unoperated sessions in the 30 days before the engagement, mean GMV 10,000.
    for day, gmv in ((dt.date(2025, 2, 10), "8000.00"), (dt.date(2025, 2, 20), "12000.00")):
        factories.LiveSessionFactory(
            merchant=merchant, started_at=dt.datetime.combine(day, dt.time(20), tzinfo=SHANGHAI), gmv=Decimal(gmv)
        )
    # The merchant's last week before the plan (the diagnosis days).
    for day in (dt.date(2025, 6, 12), dt.date(2025, 6, 15)):
        factories.LiveSessionFactory(
            merchant=merchant,
            operator=operator,
            provider=provider,
            started_at=dt.datetime.combine(day, dt.time(20), tzinfo=SHANGHAI),
            gmv=Decimal("20000.00"),
        )
    return {
        "merchant": merchant,
        "engagement": engagement,
        "operator": operator,
        "other_merchant": other_merchant,
        "other_engagement": other_engagement,
        "other_operator": other_operator,
        "playbook": Playbook.objects.get(version=1),
    }


def final_row(w, provider, external_id="big-1", **overrides):
    """The stream's final LiveSession row as the pipeline would send it (ingest format)."""
    row = {
        "external_id": external_id,
        "merchant": w["merchant"].platform_account_id,
        "operator": w["operator"].platform_user_id,
        "started_at": "2025-06-18T20:00:00+08:00",
        "duration_minutes": 240,
        "gmv": "150000.00",
        "orders": 1500,
        "viewers": 60000,
        "new_followers": 900,
        "refund_amount": "6000.00",
        "paid_spend": "20000.00",
        "paid_gmv": "70000.00",
        "skus_listed": 40,
        "skus_sold": 30,
    }
    row.update(overrides)
    return row
