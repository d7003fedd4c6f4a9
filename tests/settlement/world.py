"""A small settlement world: two providers, engagements with agreements, sessions over a few months."""

import datetime as dt
from decimal import Decimal

from core.dates import SHANGHAI
from settlement import services
from tests import factories

D = Decimal


def at(y, m, d, h=20):
    return dt.datetime(y, m, d, h, tzinfo=SHANGHAI)


def admitted_provider(name="P", **kw):
    return factories.ProviderFactory(name=name, admitted_at=at(2025, 1, 2), **kw)


def agreement(engagement, *versions, user=None):
    a = services.agreement_create(provider=engagement.provider, engagement=engagement, created_by=user)
    for eff, fee, rate, bonus in versions:
        services.agreement_version_add(
            agreement=a,
            effective_from=eff,
            fixed_fee_monthly=D(fee),
            commission_rate=D(rate),
            uplift_bonus_rate=D(bonus),
        )
    return a


def session(merchant, provider=None, when=None, gmv="1000.00", refund="0.00", operator=None):
    if provider is not None and operator is None:
        operator = factories.OperatorFactory()
    return factories.LiveSessionFactory(
        merchant=merchant, provider=provider, operator=operator, started_at=when, gmv=D(gmv), refund_amount=D(refund)
    )


def build():
    """Provider p: merchant m1 (engagement from 2025-03-10, agreement v1 from 03-10, v2 from 04-16), merchant m2
    (engagement without agreement). Baseline of m1: unoperated sessions 800 and 1200 in the 30 days before."""
    p = admitted_provider("Alpha")
    q = admitted_provider("Beta")
    m1, m2 = factories.MerchantFactory(), factories.MerchantFactory()
    e1 = factories.EngagementFactory(provider=p, merchant=m1, start_date=dt.date(2025, 3, 10))
    e2 = factories.EngagementFactory(provider=p, merchant=m2, start_date=dt.date(2025, 3, 1))
    agreement(
        e1,
        (dt.date(2025, 3, 10), "3100.00", "0.1", "0.2"),
        (dt.date(2025, 4, 16), "6000.00", "0.05", "0.1"),
    )
    session(m1, when=at(2025, 2, 20))  # baseline: 1000
    session(m1, when=at(2025, 3, 1), gmv="800.00")
    session(m1, when=at(2025, 3, 5), gmv="1200.00")
    sessions = [
        session(m1, p, at(2025, 3, 12), gmv="3000.00", refund="100.00"),
        session(m1, p, at(2025, 3, 31, 23), gmv="500.00"),
        session(m2, p, at(2025, 3, 20), gmv="999.99"),  # no agreement: unsettled
        session(m1, p, at(2025, 4, 20), gmv="2000.00"),
    ]
    return {"p": p, "q": q, "m1": m1, "m2": m2, "e1": e1, "e2": e2, "sessions": sessions}
