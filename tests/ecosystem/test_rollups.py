"""The monthly rollups stay exact under ingest, corrections and deletes (DESIGN §13): after any sequence of
writes to providers_livesession they equal a full recomputation from the sessions table."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.dates import SHANGHAI
from ecosystem.models import MerchantMonth, ProviderMerchantMonth
from ecosystem.rollups import RECOMPUTE_MERCHANT_SQL, RECOMPUTE_PROVIDER_SQL
from providers.ingest import ingest_rows
from providers.models import LiveSession
from tests import factories

pytestmark = pytest.mark.django_db


def rollups():
    merchant = {(r.merchant_id, r.month): (r.gmv, r.sessions) for r in MerchantMonth.objects.all()}
    provider = {
        (r.provider_id, r.merchant_id, r.month): (r.gmv, r.sessions) for r in ProviderMerchantMonth.objects.all()
    }
    return merchant, provider


def recomputed():
    with connection.cursor() as cursor:
        cursor.execute(RECOMPUTE_MERCHANT_SQL)
        merchant = {(m, month): (gmv, n) for m, month, gmv, n in cursor.fetchall()}
        cursor.execute(RECOMPUTE_PROVIDER_SQL)
        provider = {(p, m, month): (gmv, n) for p, m, month, gmv, n in cursor.fetchall()}
    return merchant, provider


@pytest.fixture
def world(db):
    """Two providers, each with one operator engaged with merchants 0–1 (p0) and 1–2 (p1); merchant 3 unserved."""
    merchants = [factories.MerchantFactory(platform_account_id=f"pm-{i}") for i in range(4)]
    operators = []
    for i, served in enumerate([(0, 1), (1, 2)]):
        provider = factories.ProviderFactory()
        operator = factories.OperatorFactory(platform_user_id=f"po-{i}")
        factories.EmploymentFactory(operator=operator, provider=provider, start_date=dt.date(2025, 1, 1))
        for m in served:
            factories.EngagementFactory(provider=provider, merchant=merchants[m], start_date=dt.date(2025, 1, 1))
        operators.append(operator)
    return {"merchants": merchants, "operators": operators}


def row(world, ext, plan):
    merchant_i, operator_i, minutes, gmv = plan
    operator = None
    if operator_i is not None:
        # an operator only for a merchant its provider serves (else ingest refuses the row)
        served = [(0, 1), (1, 2)][operator_i]
        operator = world["operators"][operator_i].platform_user_id if merchant_i in served else None
    started = dt.datetime(2025, 5, 31, 23, 0, tzinfo=SHANGHAI) + dt.timedelta(minutes=minutes)
    return {
        "external_id": f"x-{ext}",
        "merchant": world["merchants"][merchant_i].platform_account_id,
        "operator": operator,
        "started_at": started.isoformat(),
        "duration_minutes": 60,
        "gmv": str(gmv),
        "orders": 1,
        "viewers": 10,
        "new_followers": 0,
        "refund_amount": "0",
        "paid_spend": "0",
        "paid_gmv": "0",
        "skus_listed": 1,
        "skus_sold": 0,
    }


# A session: merchant, operator index (or none), minutes after 31 May 23:00 Shanghai (so around the
# May/June boundary and up to August), GMV.
plans = st.tuples(
    st.integers(0, 3),
    st.one_of(st.none(), st.integers(0, 1)),
    st.sampled_from([0, 59, 60, 61, 24 * 60 * 31, 24 * 60 * 61 + 5]),
    st.sampled_from([Decimal("0"), Decimal("0.01"), Decimal("1000.50"), Decimal("650000")]),
)
steps = st.one_of(
    # ingest a batch: external ids from a small pool, so later batches correct earlier rows
    st.tuples(st.just("ingest"), st.lists(st.tuples(st.integers(0, 7), plans), min_size=1, max_size=6)),
    st.tuples(st.just("delete"), st.integers(0, 7)),
    st.tuples(st.just("bump"), st.integers(0, 7)),  # an UPDATE of GMV outside ingest (services, admin)
    st.tuples(st.just("delete_month"), st.sampled_from([5, 6, 7])),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(steps, min_size=1, max_size=6))
def test_rollups_equal_a_full_recomputation(world, sequence):
    with transaction.atomic():
        for step in sequence:
            if step[0] == "ingest":
                batch = {ext: row(world, ext, plan) for ext, plan in step[1]}  # one row per id in a batch
                report = ingest_rows(rows=list(batch.values()))
                assert report.ok and report.rejected == 0, report.errors
            elif step[0] == "delete":
                LiveSession.objects.filter(external_id=f"x-{step[1]}").delete()
            elif step[0] == "bump":
                LiveSession.objects.filter(external_id=f"x-{step[1]}").update(gmv=Decimal("77.77"))
            else:
                LiveSession.objects.filter(started_at__month=step[1]).delete()
            assert rollups() == recomputed()
        transaction.set_rollback(True)


def test_a_corrected_session_moves_exactly_its_months(world):
    m0 = world["merchants"][0]
    op = world["operators"][0]
    ingest_rows(rows=[row(world, 1, (0, 0, 0, Decimal("100"))), row(world, 2, (0, 0, 61, Decimal("50")))])
    may, june = dt.date(2025, 5, 1), dt.date(2025, 6, 1)
    assert rollups()[0] == {(m0.pk, may): (Decimal("100.00"), 1), (m0.pk, june): (Decimal("50.00"), 1)}
    provider_id = op.employments.get().provider_id
    assert rollups()[1][(provider_id, m0.pk, may)] == (Decimal("100.00"), 1)
    # re-sending changes nothing; correcting session 1 into June moves it out of May (May's row goes)
    ingest_rows(rows=[row(world, 1, (0, 0, 0, Decimal("100")))])
    assert rollups()[0][(m0.pk, may)] == (Decimal("100.00"), 1)
    ingest_rows(rows=[row(world, 1, (0, None, 60, Decimal("30")))])
    assert rollups() == (
        {(m0.pk, june): (Decimal("80.00"), 2)},
        {(provider_id, m0.pk, june): (Decimal("50.00"), 1)},
    )
