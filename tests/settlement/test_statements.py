"""The statement run (DESIGN §11): amounts to the cent, adjustments, once per provider and month, the books."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

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
