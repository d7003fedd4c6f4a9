"""The demo's settlement: agreements on every demo engagement, statements of its past months in every state, the
finance logins, and books that balance."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from providers.models import Engagement
from settlement.models import JournalLeg, ServiceAgreement, Statement

pytestmark = pytest.mark.django_db


def test_demo_statements_in_every_state(roles, settings):
    settings.DEBUG = True
    call_command(
        "seed_demo", "--seed", "7", "--providers", "8", "--days", "120", "--today", "2025-06-20", stdout=StringIO()
    )
    assert ServiceAgreement.objects.count() == Engagement.objects.count() > 0
    states = set(Statement.objects.values_list("state", flat=True))
    assert states == {"draft", "confirmed", "disputed", "approved", "paid", "void"}
    # months: March, April, May 2025 (the full months of the window), one standing statement per provider each
    months = sorted({m.strftime("%Y-%m") for m in Statement.objects.values_list("month", flat=True)})
    assert months == ["2025-03", "2025-04", "2025-05"]
    void = Statement.objects.get(state="void")
    assert void.replaced_by.version == 2
    assert get_user_model().objects.get(username="finance").groups.get().name == "finance"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM settlement_journalleg GROUP BY entry_id HAVING sum(amount) <> 0")
        assert cursor.fetchall() == []
    assert JournalLeg.objects.exists()
