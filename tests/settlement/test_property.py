"""Property: whatever sequence of ingests, corrections, new agreement versions, statements and dispute resolutions
happens, once a statement is made after the last change, every provider's money of every settled month is settled
exactly once in total (the standing lines of each month, engagement and kind add up to the reference's exact
amount), each line is its exact amount rounded half away from zero, and the books agree."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from providers.models import Engagement
from settlement import services
from settlement.models import AgreementVersion, JournalLeg, Statement, StatementLine
from tests import factories

from . import reference as ref
from . import world as w

pytestmark = pytest.mark.django_db
MONTHS = [dt.date(2025, m, 1) for m in range(1, 8)]
days = st.integers(min_value=0, max_value=119).map(lambda n: dt.date(2025, 1, 1) + dt.timedelta(days=n))
money = st.integers(min_value=0, max_value=500000).map(lambda c: Decimal(c) / 100)
rates = st.integers(min_value=0, max_value=900).map(lambda r: Decimal(r) / 1000)
hours = st.sampled_from([0, 12, 23])

ingest = st.tuples(st.just("ingest"), st.integers(0, 1), st.integers(0, 1), days, hours, money, st.floats(0, 1))
refund = st.tuples(st.just("refund"), st.integers(0, 50), st.floats(0, 1))
reattribute = st.tuples(st.just("reattribute"), st.integers(0, 50))
version = st.tuples(st.just("version"), st.integers(0, 3), days, money, rates, rates)
statement = st.tuples(st.just("statement"))
dispute = st.tuples(st.just("dispute"), st.integers(0, 1))
end = st.tuples(st.just("end"), st.integers(0, 3), st.one_of(st.none(), days))
operations = st.lists(
    st.one_of(ingest, ingest, refund, reattribute, version, statement, statement, dispute, end), min_size=1, max_size=14
)
plans = st.fixed_dictionaries(
    {
        "start": st.integers(0, 60).map(lambda n: dt.date(2025, 1, 1) + dt.timedelta(days=n)),
        "baseline": st.lists(money, min_size=0, max_size=3),
        "ops": operations,
    }
)


def build(plan):
    p1, p2 = w.admitted_provider("P1"), w.admitted_provider("P2")
    m1, m2 = factories.MerchantFactory(), factories.MerchantFactory()
    start = plan["start"]
    engagements = [
        factories.EngagementFactory(provider=p1, merchant=m1, start_date=start),
        factories.EngagementFactory(provider=p1, merchant=m1, start_date=start, end_date=start + dt.timedelta(days=20)),
        factories.EngagementFactory(provider=p1, merchant=m2, start_date=dt.date(2025, 1, 1)),
        factories.EngagementFactory(provider=p2, merchant=m1, start_date=dt.date(2025, 1, 15)),
    ]
    agreements = [
        w.agreement(e, (e.start_date, "3000.00", "0.1", "0.2")) if i != 1 else w.agreement(e)
        for i, e in enumerate(engagements)
    ]
    for i, gmv in enumerate(plan["baseline"]):  # m1's unoperated sessions in the 30 days before its engagements
        w.session(m1, when=w.at(2024, 12, 20 + i) + dt.timedelta(days=(start - dt.date(2025, 1, 1)).days), gmv=gmv)
    return {"providers": [p1, p2], "merchants": [m1, m2], "engagements": engagements, "agreements": agreements}


def run(plan, world):
    sessions = []
    made = 0
    for op in plan["ops"]:
        kind = op[0]
        if kind == "ingest":
            _, pi, mi, day, hour, gmv, share = op
            refund = (gmv * Decimal(str(round(share, 2)))).quantize(Decimal("0.01"))
            when = dt.datetime(day.year, day.month, day.day, hour, tzinfo=ref.SHANGHAI)
            sessions.append(w.session(world["merchants"][mi], world["providers"][pi], when, gmv=gmv, refund=refund))
        elif kind == "refund" and sessions:
            s = sessions[op[1] % len(sessions)]
            s.refund_amount = (s.gmv * Decimal(str(round(op[2], 2)))).quantize(Decimal("0.01"))
            s.save(update_fields=["refund_amount"])
        elif kind == "reattribute" and sessions:
            s = sessions[op[1] % len(sessions)]
            p1, p2 = world["providers"]
            s.provider = p2 if s.provider_id == p1.pk else p1
            s.save(update_fields=["provider"])
        elif kind == "version":
            _, ei, day, fee, rate, bonus = op
            agreement = world["agreements"][ei]
            if not AgreementVersion.objects.filter(agreement=agreement, effective_from=day).exists():
                services.agreement_version_add(
                    agreement=agreement,
                    effective_from=day,
                    fixed_fee_monthly=fee,
                    commission_rate=rate,
                    uplift_bonus_rate=bonus,
                )
        elif kind == "end":  # an engagement's end date corrected (never before its start)
            engagement = world["engagements"][op[1]]
            last = None if op[2] is None else max(op[2], engagement.start_date)
            Engagement.objects.filter(pk=engagement.pk).update(end_date=last)
        elif kind == "statement" and made < len(MONTHS) - 1:
            services.statements_make(month=MONTHS[made])
            made += 1
        elif kind == "dispute":
            provider = world["providers"][op[1]]
            draft = Statement.objects.filter(provider=provider, state="draft").order_by("-month").first()
            if draft is not None:
                user = factories.UserFactory(is_staff=True)
                services.statement_dispute(statement=draft, user=user, reason="check")
                services.statement_resolve(statement=draft, user=user, resolution="recomputed")
    services.statements_make(month=MONTHS[made])  # a statement after the last change


def check(world):
    for provider in world["providers"]:
        standing = Statement.objects.filter(provider=provider).exclude(state="void")
        months = sorted(set(standing.values_list("month", flat=True)))
        settled = {}
        for line in StatementLine.objects.filter(statement__in=standing).exclude(kind="carried"):
            assert line.amount == ref.cents(Fraction(line.exact)), (line.kind, line.exact, line.amount)
            key = (line.for_month, line.engagement_id, line.kind)
            settled[key] = settled.get(key, Fraction(0)) + Fraction(line.exact)
        for month in months:
            expected = ref.month_amounts(provider.pk, month)
            for (engagement_id, kind), exact in expected.items():
                got = settled.pop((month, engagement_id, kind), Fraction(0))
                assert abs(got - exact) < Fraction(1, 10**18), (month, engagement_id, kind, got, exact)
        assert all(abs(v) < Fraction(1, 10**18) for v in settled.values()), settled
        for s in standing:
            assert s.total == sum(s.lines.values_list("amount", flat=True), Decimal("0.00"))
        receivable = sum(
            JournalLeg.objects.filter(provider=provider, account="provider_receivable").values_list(
                "amount", flat=True
            ),
            Decimal("0.00"),
        )
        posted = sum(
            StatementLine.objects.filter(statement__in=standing)
            .exclude(kind="carried")
            .values_list("amount", flat=True),
            Decimal("0.00"),
        )
        assert receivable == posted


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(plan=plans)
def test_every_session_is_settled_exactly_once(roles, plan):
    with transaction.atomic():
        world = build(plan)
        run(plan, world)
        check(world)
        transaction.set_rollback(True)


bad_rates = st.one_of(
    st.decimals(min_value=Decimal("0.900001"), max_value=Decimal("1000"), places=6),
    st.decimals(min_value=Decimal("-1000"), max_value=Decimal("-0.000001"), places=6),
    st.sampled_from(["abc", "NaN", "Infinity", "", "0.1234567"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rate=bad_rates,
    which=st.sampled_from(["commission_rate", "uplift_bonus_rate"]),
    fee=st.sampled_from(["10.00", "-1", "1.001"]),
)
def test_every_bad_version_is_refused_and_nothing_changes(roles, rate, which, fee):
    with transaction.atomic():
        p = w.admitted_provider()
        agreement = w.agreement(factories.EngagementFactory(provider=p), (dt.date(2025, 3, 1), "0", "0.1", "0.1"))
        before = list(AgreementVersion.objects.values())
        terms = {"commission_rate": "0.1", "uplift_bonus_rate": "0.1", which: str(rate)}
        with pytest.raises(services.Refusal) as refused:
            services.agreement_version_add(
                agreement=agreement, effective_from=dt.date(2025, 4, 1), fixed_fee_monthly=fee, **terms
            )
        assert refused.value.code == "invalid_agreement_version" and which in refused.value.errors
        assert list(AgreementVersion.objects.values()) == before
        transaction.set_rollback(True)
