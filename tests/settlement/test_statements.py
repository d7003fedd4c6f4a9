"""The statement run (DESIGN §11): amounts to the cent, adjustments, once per provider and month, the books."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from providers.models import Engagement
from settlement import services
from settlement.models import JournalLeg, Statement, StatementLine, StatementSession, UnsettledSession

from . import reference as ref
from . import world as w

pytestmark = pytest.mark.django_db
MARCH, APRIL, MAY = dt.date(2025, 3, 1), dt.date(2025, 4, 1), dt.date(2025, 5, 1)


def lines(statement):
    return [(x.kind, x.for_month, x.engagement_id, x.amount) for x in statement.lines.order_by("position")]


def test_march_statement_to_the_cent(roles):
    world = w.build()
    run = services.statements_make(month=MARCH)
    assert run.statements == 2  # both admitted providers, the empty one too
    st = Statement.objects.get(provider=world["p"], month=MARCH)
    e1, e2 = world["e1"].pk, world["e2"].pk
    # fixed fee: 22 days (10–31 March) of 3100 / 31 = 2200; commission (2900 + 500) × 0.1 = 340;
    # bonus: baseline mean (1000 + 800 + 1200) / 3 = 1000 → (1900 + 0) × 0.2 = 380; tier L0: incentive 0.
    assert lines(st) == [
        ("fixed_fee", MARCH, e1, Decimal("2200.00")),
        ("commission", MARCH, e1, Decimal("340.00")),
        ("uplift_bonus", MARCH, e1, Decimal("380.00")),
        ("tier_incentive", MARCH, e1, Decimal("0.00")),
        ("fixed_fee", MARCH, e2, Decimal("0.00")),
        ("commission", MARCH, e2, Decimal("0.00")),
        ("uplift_bonus", MARCH, e2, Decimal("0.00")),
        ("tier_incentive", MARCH, e2, Decimal("0.00")),
    ]
    assert st.total == Decimal("2920.00") and st.state == "draft" and st.version == 1
    assert list(UnsettledSession.objects.filter(statement=st).values_list("session_id", "reason")) == [
        (world["sessions"][2].pk, "no_agreement_version")
    ]
    assert StatementSession.objects.filter(statement=st).count() == 2
    # the reference agrees
    expected = ref.month_amounts(world["p"].pk, MARCH)
    for line in st.lines.all():
        assert ref.cents(expected[(line.engagement_id, line.kind)]) == line.amount
    # books: every line two legs summing to zero; receivable = total
    assert JournalLeg.objects.filter(entry__statement=st).count() == 2 * st.lines.count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT account, sum(amount) FROM settlement_journalleg WHERE provider_id = %s GROUP BY account",
            [world["p"].pk],
        )
        assert dict(cursor.fetchall()) == {
            "merchant_payable": Decimal("-2920.00"),
            "platform_incentive": Decimal("0.00"),
            "provider_receivable": Decimal("2920.00"),
        }


def test_second_run_makes_nothing_and_adjustments_settle_once(roles):
    world = w.build()
    services.statements_make(month=MARCH)
    assert services.statements_make(month=MARCH).statements == 0
    assert Statement.objects.filter(month=MARCH).count() == 2
    # a late refund on a March session and a late March session
    s = world["sessions"][0]
    s.refund_amount = Decimal("1000.00")
    s.save()
    w.session(world["m1"], world["p"], w.at(2025, 3, 15), gmv="100.00")
    services.statements_make(month=APRIL)
    april = Statement.objects.get(provider=world["p"], month=APRIL)
    adjustments = [(k, m, a) for k, m, e, a in lines(april) if m == MARCH]
    # commission: (−900 + 100) × 0.1 = −80 (the rest: the reference)
    exp_march = ref.month_amounts(world["p"].pk, MARCH)
    settled = {}
    for x in StatementLine.objects.filter(statement__provider=world["p"], for_month=MARCH):
        settled[(x.engagement_id, x.kind)] = settled.get((x.engagement_id, x.kind), Decimal(0)) + x.exact
    for key, value in exp_march.items():
        assert abs(settled.get(key, Decimal(0)) - Decimal(value.numerator) / Decimal(value.denominator)) < Decimal(
            "1e-20"
        )
    assert ("commission", MARCH, Decimal("-80.00")) in adjustments
    # April itself
    exp_april = ref.month_amounts(world["p"].pk, APRIL)
    for line in april.lines.filter(for_month=APRIL):
        assert ref.cents(exp_april[(line.engagement_id, line.kind)]) == line.amount


def test_tier_incentive_at_the_months_last_instant_and_an_overturned_demotion(roles):
    from certification.ledger import decision_append

    world = w.build()
    p = world["p"]
    decision_append(
        kind="certify", provider=p, reason_code="t", evidence={"level": "L3"}, effective_at=w.at(2025, 3, 5)
    )
    demote = decision_append(
        kind="demote",
        provider=p,
        reason_code="t",
        evidence={"from": "L3", "to": "L2"},
        effective_at=dt.datetime(2025, 3, 31, 23, 59, 59, 999999, tzinfo=ref.SHANGHAI),
    )
    # from the first instant of April: not in force at March's end
    decision_append(
        kind="certify", provider=p, reason_code="t", evidence={"level": "L5"}, effective_at=w.at(2025, 4, 1, 0)
    )
    services.statements_make(month=MARCH)
    march = Statement.objects.get(provider=p, month=MARCH)
    assert (march.tier, march.incentive_share) == ("L2", Decimal("0"))
    # the demotion is overturned on appeal: March's tier was L3 all along → the April statement adjusts March
    decision_append(
        kind="appeal_overturned", provider=p, reason_code="t", refers_to=demote, effective_at=w.at(2025, 4, 10)
    )
    services.statements_make(month=APRIL)
    april = Statement.objects.get(provider=p, month=APRIL)
    assert april.tier == "L5" and april.incentive_share == Decimal("0.08")
    e1 = world["e1"].pk
    adjustments = [(k, a) for k, m, e, a in lines(april) if m == MARCH]
    assert adjustments == [("tier_incentive", Decimal("6.80"))]  # 340 × 0.02
    assert ref.tier_at(p.pk, ref.bounds(MARCH)[1]) == "L3"
    # April: commission 2000 × 0.05 = 100 → incentive 8.00
    assert ("tier_incentive", APRIL, e1, Decimal("8.00")) in lines(april)


def test_a_re_attributed_session_moves_and_a_negative_total_is_carried(roles):
    world = w.build()
    p, q = world["p"], world["q"]
    eq = w.factories.EngagementFactory(provider=q, merchant=world["m1"], start_date=dt.date(2025, 3, 1))
    w.agreement(eq, (dt.date(2025, 3, 1), "0.00", "0.5", "0"))
    services.statements_make(month=MARCH)
    # the 3000 session belonged to q all along: p gives its commission and bonus back, q earns it
    s = world["sessions"][0]
    s.provider = q
    s.save()
    # and p's engagement with m1 ended with March (a correction), so p earns nothing in April: its total is negative
    Engagement.objects.filter(pk=world["e1"].pk).update(end_date=dt.date(2025, 3, 31))
    services.statements_make(month=APRIL)
    april_p = Statement.objects.get(provider=p, month=APRIL)
    april_q = Statement.objects.get(provider=q, month=APRIL)
    adj_p = {(k, e): a for k, m, e, a in lines(april_p) if m == MARCH}
    adj_q = {(k, e): a for k, m, e, a in lines(april_q) if m == MARCH}
    assert adj_p[("commission", world["e1"].pk)] == Decimal("-290.00")  # 2900 × 0.1
    assert adj_p[("uplift_bonus", world["e1"].pk)] == Decimal("-380.00")  # 1900 × 0.2
    assert adj_q[("commission", eq.pk)] == Decimal("1450.00")  # 2900 × 0.5
    assert april_p.total == Decimal("-670.00") and april_p.payable == Decimal("0.00")
    assert UnsettledSession.objects.filter(statement=april_p, reason="no_engagement").count() == 1
    services.statements_make(month=MAY)
    may_p = Statement.objects.get(provider=p, month=MAY)
    first = may_p.lines.order_by("position").first()
    assert (first.kind, first.amount, first.carried_from_id) == ("carried", Decimal("-670.00"), april_p.pk)
    assert may_p.total == Decimal("-670.00")  # nothing else in May: carried again next month
