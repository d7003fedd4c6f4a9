"""A small platform whose §13 figures are worked out by hand (tests/ecosystem)."""

import datetime as dt
from decimal import Decimal

from core.dates import SHANGHAI
from ecosystem.models import Programme
from ecosystem.services import report_settings_set
from tests import factories


def at(y, m, d=10, h=20):
    return dt.datetime(y, m, d, h, 0, tzinfo=SHANGHAI)


def session(merchant, when, gmv, *, provider=None, operator=None):
    return factories.LiveSessionFactory(
        merchant=merchant, started_at=when, gmv=Decimal(gmv), refund_amount=0, provider=provider, operator=operator
    )


def build():
    report_settings_set(data_start=dt.date(2024, 1, 1))
    s = {}
    p = s["P"] = factories.ProviderFactory(name="P", type="mcn")
    op = factories.OperatorFactory()
    factories.EmploymentFactory(operator=op, provider=p, start_date=dt.date(2024, 1, 1))
    names = "ABCDEF"
    for n in names:
        s[n] = factories.MerchantFactory(name=n)
    # A: first passes ¥500k in March 2025 (operated by P in March), again in April
    factories.EngagementFactory(
        provider=p, merchant=s["A"], start_date=dt.date(2025, 2, 15), end_date=dt.date(2025, 3, 1)
    )
    session(s["A"], at(2025, 3, 1, 10), "600000", provider=p, operator=op)
    session(s["A"], at(2025, 4), "600000")
    # B: ¥600k in March 2024 and ¥1.2M in March 2025; never served
    session(s["B"], at(2024, 3), "600000")
    session(s["B"], at(2025, 3), "1200000")
    # C: first passes ¥500k in March 2026
    session(s["C"], at(2026, 3), "300000")
    session(s["C"], at(2026, 3, 11), "300000")
    # D, E: covered from January 2025 on; ¥1,000 in December 2024; March 2025 ¥1,000 (D, stagnant) and ¥2,000 (E)
    # F: covered in January and March only (a gap in February): not in the stagnant cohort
    for n, march in (("D", "1000"), ("E", "2000"), ("F", "500")):
        session(s[n], at(2024, 12), "1000")
        session(s[n], at(2025, 3), march)
    factories.EngagementFactory(provider=p, merchant=s["D"], start_date=dt.date(2025, 1, 1))
    factories.EngagementFactory(provider=p, merchant=s["E"], start_date=dt.date(2024, 12, 20))
    factories.EngagementFactory(
        provider=p, merchant=s["F"], start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 1, 31)
    )
    factories.EngagementFactory(provider=p, merchant=s["F"], start_date=dt.date(2025, 3, 31))
    return s


def build_programme():
    """Providers Q and R; merchants G (leap Feb 2025 with Q and R), H (almost with Q), I (leap Apr 2025 with Q)."""
    s = {}
    q = s["Q"] = factories.ProviderFactory(name="Q", type="brand")
    r = s["R"] = factories.ProviderFactory(name="R", type="general")
    for n in "GHIJ":
        s[n] = factories.MerchantFactory(name=n)
    # G: one spell with Q (the second engagement starts the day after the first ends), one with R
    factories.EngagementFactory(
        provider=q, merchant=s["G"], start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 3, 31)
    )
    factories.EngagementFactory(provider=q, merchant=s["G"], start_date=dt.date(2025, 4, 1))
    factories.EngagementFactory(
        provider=r, merchant=s["G"], start_date=dt.date(2024, 12, 1), end_date=dt.date(2025, 2, 28)
    )
    session(s["G"], at(2024, 11), "50000")  # before R's spell: band 0
    session(s["G"], at(2024, 12), "50000")  # before Q's spell: band 0
    session(s["G"], at(2025, 1), "150000")
    session(s["G"], at(2025, 2), "150000")
    # H: spell from 10 January (January not fully covered); qualifying February and April, not March
    factories.EngagementFactory(provider=q, merchant=s["H"], start_date=dt.date(2025, 1, 10))
    for month, gmv in ((1, "150000"), (2, "150000"), (3, "50000"), (4, "150000")):
        session(s["H"], at(2025, month), gmv)
    # I: two spells with Q (gap 1–4 February); the second's "month before" is January (band 1)
    factories.EngagementFactory(
        provider=q, merchant=s["I"], start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 1, 31)
    )
    factories.EngagementFactory(provider=q, merchant=s["I"], start_date=dt.date(2025, 2, 5))
    for month, gmv in ((1, "150000"), (2, "150000"), (3, "600000"), (4, "600000")):
        session(s["I"], at(2025, month), gmv)
    # J: leaps with R, but in months outside the 12 ending June 2025 (June 2024 / July 2024)
    factories.EngagementFactory(provider=r, merchant=s["J"], start_date=dt.date(2024, 5, 1))
    session(s["J"], at(2024, 6), "200000")
    session(s["J"], at(2024, 7), "200000")
    # K: a spell with Q from 1 June 2025, June above May's band: "almost" for June (one qualifying month)
    s["K"] = factories.MerchantFactory(name="K")
    factories.EngagementFactory(provider=q, merchant=s["K"], start_date=dt.date(2025, 6, 1))
    session(s["K"], at(2025, 5), "50000")
    session(s["K"], at(2025, 6), "150000")
    s["programme"] = Programme.objects.create(
        start_month=dt.date(2025, 1, 1),
        deadline_month=dt.date(2025, 12, 1),
        high_bar=2,
        high_providers=1,
        low_bar=1,
        low_providers=2,
    )
    return s
