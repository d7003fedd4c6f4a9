"""The run's rows keep their references, checked once per INSERT statement instead of per row (migration 0003):
raw SQL cannot name a missing statement, line, entry, engagement or provider; statements and lines are never
deleted; an engagement or provider that settlement names cannot be deleted."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from providers.models import Engagement, Provider
from settlement import services
from settlement.models import JournalEntry, JournalLeg, Statement, StatementLine, StatementSession
from tests import factories

from . import world as w

pytestmark = pytest.mark.django_db
MARCH = dt.date(2025, 3, 1)
MISSING = 987654321


@pytest.fixture
def march(roles):
    world = w.build()
    services.statements_make(month=MARCH)
    world["statement"] = Statement.objects.get(provider=world["p"], month=MARCH)
    return world


def counts():
    return [m.objects.count() for m in (Statement, StatementLine, StatementSession, JournalEntry, JournalLeg)]


def refused(statement: str, params: dict, match: str):
    with pytest.raises(IntegrityError, match=match), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


LINE = """INSERT INTO settlement_statementline (statement_id, position, kind, for_month, engagement_id, exact, amount,
          sessions) VALUES (%(st)s, 99, 'commission', '2025-03-01', %(e)s, 0, 0, 0), (%(st2)s, 98, 'commission',
          '2025-03-01', %(e)s, 0, 0, 0)"""
SESSION = """INSERT INTO settlement_statementsession (statement_id, session_id, engagement_id, for_month, net_gmv,
             commission_rate, uplift_bonus_rate, commission, uplift_bonus)
             VALUES (%(st)s, %(s)s, %(e)s, '2025-02-01', 0, 0, 0, 0, 0)"""
ENTRY = """INSERT INTO settlement_journalentry (statement_id, line_id, memo, posted_at)
           VALUES (%(st)s, %(l)s, 'x', now())"""
LEGS = """INSERT INTO settlement_journalleg (entry_id, account, provider_id, amount)
          VALUES (%(en)s, 'merchant_payable', %(p)s, -1), (%(en)s, 'provider_receivable', %(p)s, 1)"""


def test_a_missing_reference_is_refused_whichever_row_names_it(march):
    st, e1, p = march["statement"], march["e1"].pk, march["p"].pk
    line = st.lines.first()
    entry = JournalEntry.objects.filter(statement=st).first()
    session = march["sessions"][0].pk
    before = counts()
    refused(LINE, {"st": st.pk, "st2": MISSING, "e": e1}, "statement_id names no row of settlement_statement")
    refused(LINE, {"st": st.pk, "st2": st.pk, "e": MISSING}, "engagement_id names no row of providers_engagement")
    refused(SESSION, {"st": MISSING, "s": session, "e": e1}, "statement_id names no row")
    refused(SESSION, {"st": st.pk, "s": session, "e": MISSING}, "engagement_id names no row")
    refused(ENTRY, {"st": MISSING, "l": line.pk}, "statement_id names no row")
    refused(ENTRY, {"st": st.pk, "l": MISSING}, "line_id names no row of settlement_statementline")
    refused(LEGS, {"en": MISSING, "p": p}, "entry_id names no row of settlement_journalentry")
    with transaction.atomic(), connection.cursor() as cursor:  # a fresh entry, legs naming a missing provider
        cursor.execute(ENTRY + " RETURNING id", {"st": st.pk, "l": line.pk})
        fresh = cursor.fetchone()[0]
        with pytest.raises(IntegrityError, match="provider_id names no row of providers_provider"):
            with transaction.atomic():
                cursor.execute(LEGS, {"en": fresh, "p": MISSING})
        transaction.set_rollback(True)
    refused(
        "UPDATE settlement_statementline SET engagement_id = %(e)s WHERE id = %(l)s",
        {"e": MISSING, "l": line.pk},
        "UPDATE on settlement_statementline refused",
    )
    assert counts() == before
    # rows naming what exists pass (the two legs of a fresh entry)
    with connection.cursor() as cursor:
        cursor.execute(ENTRY + " RETURNING id", {"st": st.pk, "l": line.pk})
        cursor.execute(LEGS, {"en": cursor.fetchone()[0], "p": p})
    assert JournalLeg.objects.count() == before[-1] + 2 and entry is not None


def test_statements_and_lines_are_never_deleted_and_what_they_name_stays(march):
    st, e1, p = march["statement"], march["e1"], march["p"]
    before = counts()
    for statement, params in (
        ("DELETE FROM settlement_statementline WHERE statement_id = %(x)s", {"x": st.pk}),
        ("DELETE FROM settlement_statement WHERE id = %(x)s", {"x": march["q"].statements.get().pk}),  # empty
    ):
        refused(statement, params, "never deleted")
    refused("DELETE FROM providers_engagement WHERE id = %(x)s", {"x": e1.pk}, "still named by settlement_statement")
    refused("DELETE FROM providers_provider WHERE id = %(x)s", {"x": p.pk}, "still named by settlement_journalleg")
    with pytest.raises(ProtectedError), transaction.atomic():  # the ORM's PROTECT answers first, as before
        Engagement.objects.filter(pk=e1.pk).delete()
    assert counts() == before
    assert Engagement.objects.filter(pk=e1.pk).exists() and Provider.objects.filter(pk=p.pk).exists()
    # an engagement no statement names can still be deleted
    spare = factories.EngagementFactory(provider=p, start_date=dt.date(2026, 1, 1))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM providers_engagement WHERE id = %s", [spare.pk])
    assert not Engagement.objects.filter(pk=spare.pk).exists()
