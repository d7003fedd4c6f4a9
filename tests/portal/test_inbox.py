"""The provider inbox's decisions and appeal outcomes: unread until one of the provider's own users marks them read
(a POST; a GET writes nothing), never by staff or another provider, the ledger untouched, the same in the API."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certification import appeals as appeals_service
from certification import services as cert_services
from certification.ledger import decision_append, ledger_verify
from certification.models import Decision, DecisionRead
from tests import factories
from tests.conftest import make_staff, page_client

pytestmark = pytest.mark.django_db


def ledger_rows():
    return list(Decision.objects.order_by("seq").values())


@pytest.fixture
def inbox(roles, provider, provider_user, other_provider):
    """A warning and a promotion of the provider, the warning appealed and upheld; a warning of another provider."""
    warn = decision_append(kind="warn", provider=provider, reason_code="x", effective_at=timezone.now())
    promote = decision_append(kind="promote", provider=provider, reason_code="x", effective_at=timezone.now())
    appeal = appeals_service.appeal_file(decision=warn, filed_by=provider_user, statement="We disagree.")
    reviewer = make_staff(roles, "appeal_reviewer", username="reviewer")
    appeal = appeals_service.appeal_decide(appeal=appeal, reviewer=reviewer, outcome="upheld", reason="Evidence holds.")
    foreign = decision_append(kind="warn", provider=other_provider, reason_code="x", effective_at=timezone.now())
    return {"warn": warn, "promote": promote, "appeal": appeal, "outcome": appeal.outcome, "foreign": foreign}


def test_decisions_and_appeal_outcomes_are_unread_until_marked_and_a_get_writes_nothing(provider_user, inbox):
    client = page_client(provider_user, "en")
    before = ledger_rows()
    dashboard = client.get("/portal/").content.decode()
    assert '<span class="count" aria-label="3 unread">3</span>' in dashboard  # two decisions, one appeal outcome
    body = client.get("/portal/inbox/").content.decode()
    assert 'id="unread-total">3 unread' in body
    assert 'id="unread-decisions">2 unread' in body and 'id="unread-appeals">1 unread' in body
    assert f'<li class="unread" id="decision-{inbox["warn"].pk}">' in body
    assert f'<li class="unread" id="appeal-{inbox["appeal"].pk}">' in body
    assert f'value="{inbox["outcome"].pk}"' in body  # the appeal outcome is marked read through its decision
    assert f'id="decision-{inbox["foreign"].pk}"' not in body
    assert f'id="decision-{inbox["outcome"].pk}"' not in body  # listed once, as the appeal's outcome
    assert not DecisionRead.objects.exists()  # reading the inbox marks nothing
    # An appealable decision links its appeal page (the window is shown there); a promotion does not.
    assert f'<a href="/portal/decisions/{inbox["warn"].pk}/appeal/">Details and appeal</a>' in body
    assert f'href="/portal/decisions/{inbox["promote"].pk}/appeal/"' not in body

    client.post("/portal/inbox/", {"decision": inbox["foreign"].pk})  # another provider's: not the user's
    client.post("/portal/inbox/", {"decision": "nope"})
    assert not DecisionRead.objects.exists()
    response = client.post("/portal/inbox/", {"decision": inbox["outcome"].pk}, follow=True)
    assert "Marked as read: 1." in response.content.decode()
    mark = DecisionRead.objects.get()
    assert (mark.decision_id, mark.read_by_id) == (inbox["outcome"].pk, provider_user.pk)
    body = client.get("/portal/inbox/").content.decode()
    assert f'<li class="" id="appeal-{inbox["appeal"].pk}">' in body and 'id="unread-appeals"' not in body
    assert 'id="unread-total">2 unread' in body

    response = client.post("/portal/inbox/", follow=True)  # all of it
    assert "Marked as read: 2." in response.content.decode()
    own = {inbox[k].pk for k in ("warn", "promote", "outcome")}
    assert set(DecisionRead.objects.values_list("decision_id", flat=True)) == own
    assert DecisionRead.objects.get(decision=inbox["outcome"]).read_at == mark.read_at  # first reading kept
    assert 'class="count"' not in client.get("/portal/").content.decode()
    # The ledger is as it was (no row changed, none added) and its chain still verifies.
    assert ledger_rows() == before
    assert ledger_verify().broken is None


def test_staff_never_mark_a_providers_inbox_read(roles, staff, auditor, inbox):
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    for user in (staff, auditor, superuser):
        with pytest.raises(PermissionDenied):
            cert_services.decisions_mark_read(user=user)
        with pytest.raises(PermissionDenied):
            cert_services.notifications_mark_read(user=user)
        assert page_client(user).post("/portal/inbox/", {"decision": inbox["warn"].pk}).status_code == 404
    assert not DecisionRead.objects.exists()


def test_the_api_marks_a_decision_read_for_the_providers_own_users_only(
    client_for, staff, auditor, pipeline_user, provider_user, outsider, inbox
):
    url = f"/api/v1/decisions/{inbox['warn'].pk}/read/"
    for user in (staff, auditor, pipeline_user):
        response = client_for(user).post(url)
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert client_for(outsider).post(url).status_code == 404  # another provider's: as if missing
    assert not DecisionRead.objects.exists()
    mine = client_for(provider_user)
    assert [row["read"] for row in mine.get("/api/v1/decisions/?read=false").json()["results"]] == [False] * 3
    response = mine.post(url)
    assert response.status_code == 200 and response.json()["read"] is True
    assert list(DecisionRead.objects.values_list("decision_id", flat=True)) == [inbox["warn"].pk]
    assert {row["id"] for row in mine.get("/api/v1/decisions/?read=true").json()["results"]} == {inbox["warn"].pk}
    # Staff see whether the provider read it, and cannot change it.
    rows = {row["id"]: row["read"] for row in client_for(auditor).get("/api/v1/decisions/").json()["results"]}
    assert rows[inbox["warn"].pk] is True and rows[inbox["foreign"].pk] is False


def test_the_inbox_and_the_header_count_read_in_fixed_queries(roles, provider, provider_user):
    client = page_client(provider_user)
    reviewer = make_staff(roles, "appeal_reviewer", username="reviewer")

    def add(n):
        for _ in range(n):
            d = decision_append(kind="warn", provider=provider, reason_code="x", effective_at=timezone.now())
            a = appeals_service.appeal_file(decision=d, filed_by=provider_user, statement="s")
            appeals_service.appeal_decide(appeal=a, reviewer=reviewer, outcome="upheld", reason="r")

    def queries(url):
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    add(1)
    small = {url: queries(url) for url in ("/portal/inbox/", "/portal/")}
    add(8)
    cert_services.decisions_mark_read(
        user=provider_user, decision_ids=list(Decision.objects.values_list("pk", flat=True)[:5])
    )
    assert {url: queries(url) for url in small} == small
