"""The books in PostgreSQL: an entry's two legs must sum to zero (raw SQL cannot post otherwise), and journal rows
are append-only for the app's role and even for the owner."""

import datetime as dt

import pytest
from django.db import DataError, IntegrityError, InternalError, ProgrammingError, connection, transaction

from settlement import services
from settlement.models import JournalEntry, JournalLeg, Statement
from tests.conftest import raw_cursor

from . import world as w

MARCH = dt.date(2025, 3, 1)
REFUSED = (IntegrityError, InternalError, DataError)


def rows():
    return list(JournalEntry.objects.order_by("id").values()), list(JournalLeg.objects.order_by("id").values())


def an_entry(cursor, statement_id):
    cursor.execute(
        "INSERT INTO settlement_journalentry (statement_id, memo, posted_at) VALUES (%s, 'test', now()) RETURNING id",
        [statement_id],
    )
    return cursor.fetchone()[0]


@pytest.mark.django_db
def test_an_unbalanced_entry_is_refused_by_postgresql(roles):
    world = w.build()
    services.statements_make(month=MARCH)
    st = Statement.objects.get(provider=world["p"], month=MARCH)
    before = rows()
    leg = "INSERT INTO settlement_journalleg (entry_id, account, provider_id, amount) VALUES "
    p = world["p"].pk
    for values, refusal in [
        (f"(%(e)s, 'merchant_payable', {p}, -100.00), (%(e)s, 'provider_receivable', {p}, 100.01)",  # off by a cent
         "unbalanced journal entry"),
        (f"(%(e)s, 'provider_receivable', {p}, 100.00)", "unbalanced journal entry"),  # a lone leg
        (f"(%(e)s, 'merchant_payable', {p}, -1), (%(e)s, 'platform_incentive', {p}, 0.5), "
         f"(%(e)s, 'provider_receivable', {p}, 0.5)", "unbalanced journal entry"),  # three legs
        (f"(%(e)s, 'merchant_payable', {p}, -1), (%(e)s, 'provider_receivable', {p}, 0.5), "
         f"(%(e)s, 'provider_receivable', {p}, 0.5)", "journal_leg_account_once"),  # an account twice
        (f"(%(e)s, 'cash', {p}, -1), (%(e)s, 'provider_receivable', {p}, 1)", "journal_leg_account_known"),
    ]:  # fmt: skip
        with pytest.raises(REFUSED, match=refusal), transaction.atomic():
            with connection.cursor() as cursor:
                entry = an_entry(cursor, st.pk)
                cursor.execute(leg + values, {"e": entry})
    assert rows() == before
    # legs added later to a balanced entry are refused as well: one (unbalanced), or two balanced ones (the check
    # reads only the new legs; the entry's own two hold two of the three accounts, so two more repeat one)
    existing = JournalEntry.objects.filter(statement=st, memo__startswith="commission").first().pk
    for values, refusal in [
        (f"(%(e)s, 'platform_incentive', {p}, 0)", "unbalanced"),
        (f"(%(e)s, 'platform_incentive', {p}, -5), (%(e)s, 'provider_receivable', {p}, 5)",
         "journal_leg_account_once"),
    ]:  # fmt: skip
        with pytest.raises(REFUSED, match=refusal), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(leg + values, {"e": existing})
    assert rows() == before
    # a balanced one passes
    with connection.cursor() as cursor:
        entry = an_entry(cursor, st.pk)
        cursor.execute(
            leg + f"(%(e)s, 'merchant_payable', {p}, -5), (%(e)s, 'provider_receivable', {p}, 5)", {"e": entry}
        )
    assert JournalLeg.objects.filter(entry_id=entry).count() == 2


@pytest.mark.django_db
def test_the_app_role_may_not_update_or_delete_journal_rows(roles):
    world = w.build()
    services.statements_make(month=MARCH)
    before = rows()
    for statement in [
        "UPDATE settlement_journalleg SET amount = 0",
        "DELETE FROM settlement_journalleg",
        "UPDATE settlement_journalentry SET memo = 'x'",
        "DELETE FROM settlement_journalentry",
        "TRUNCATE settlement_journalleg CASCADE",
    ]:
        with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    assert rows() == before
    assert world["p"].pk


@pytest.mark.django_db(transaction=True)
def test_even_the_owner_is_refused_by_the_triggers(roles):
    w.build()
    services.statements_make(month=MARCH)
    before = rows()
    for statement in [
        "UPDATE settlement_journalleg SET amount = 0",
        "DELETE FROM settlement_journalleg",
        "UPDATE settlement_journalentry SET memo = 'x'",
        "TRUNCATE settlement_journalentry CASCADE",
    ]:
        with pytest.raises(Exception, match="append-only books"):
            with raw_cursor("owner") as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(statement)
    assert rows() == before
