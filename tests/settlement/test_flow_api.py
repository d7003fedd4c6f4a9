"""The statement's flow through the API: agreements, confirm/dispute, resolve, approve, invoice, payout, paid;
every bad input of the issue refused with nothing changed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from settlement import services
from settlement.models import (
    AgreementVersion,
    IdempotencyKey,
    JournalEntry,
    JournalLeg,
    Payout,
    ServiceAgreement,
    Statement,
    StatementApproval,
)
from tests import factories

from . import world as w

pytestmark = pytest.mark.django_db
MARCH = dt.date(2025, 3, 1)


def snapshot():
    return (
        list(ServiceAgreement.objects.order_by("id").values()),
        list(AgreementVersion.objects.order_by("id").values()),
        list(Statement.objects.order_by("id").values()),
        list(StatementApproval.objects.order_by("id").values()),
        list(JournalLeg.objects.order_by("id").values()),
        list(Payout.objects.order_by("id").values()),
        list(IdempotencyKey.objects.order_by("id").values()),
    )


def own_user(provider):
    return factories.ProviderUserFactory(provider=provider).user


def test_agreements_api_and_bad_terms_refused(reviewer, client_for, outsider, other_provider):
    p = w.admitted_provider()
    e = factories.EngagementFactory(provider=p)
    foreign = factories.EngagementFactory(provider=other_provider)
    client = client_for(reviewer)
    good = {
        "effective_from": "2025-03-01",
        "fixed_fee_monthly": "1000.00",
        "commission_rate": "0.1",
        "uplift_bonus_rate": "0",
    }
    made = client.post(
        "/api/v1/service-agreements/", {"provider": p.pk, "engagement": e.pk, "versions": [good]}, format="json"
    )
    assert made.status_code == 201, made.content
    agreement_id = made.json()["id"]
    assert made.json()["versions"][0]["commission_rate"] == "0.100000"
    before = snapshot()
    for body, code, field in [
        (
            {**good, "effective_from": "2025-04-01", "commission_rate": "0.91"},
            "invalid_agreement_version",
            "commission_rate",
        ),
        (
            {**good, "effective_from": "2025-04-01", "uplift_bonus_rate": "-0.01"},
            "invalid_agreement_version",
            "uplift_bonus_rate",
        ),
        ({**good}, "version_date_taken", "effective_from"),
    ]:
        answer = client.post(f"/api/v1/service-agreements/{agreement_id}/versions/", body, format="json")
        assert answer.status_code in (400, 409) and answer.json()["code"] == code, answer.content
        assert field in answer.json()["errors"]
    answer = client.post("/api/v1/service-agreements/", {"provider": p.pk, "engagement": foreign.pk}, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "engagement_of_another_provider"
    # a whole agreement refused when one of its versions is bad
    e2 = factories.EngagementFactory(provider=p)
    answer = client.post(
        "/api/v1/service-agreements/",
        {"provider": p.pk, "engagement": e2.pk, "versions": [{**good, "commission_rate": "2"}]},
        format="json",
    )
    assert answer.status_code == 400
    assert snapshot() == before
    # the other provider's user sees nothing of it, the own user sees it
    assert client_for(outsider).get(f"/api/v1/service-agreements/{agreement_id}/").status_code == 404
    assert client_for(own_user(p)).get(f"/api/v1/service-agreements/{agreement_id}/").status_code == 200
    assert client_for(own_user(p)).post(f"/api/v1/service-agreements/{agreement_id}/versions/", good).status_code == 403


def test_the_whole_flow(roles, client_for, finance, finance2, payment_system, outsider):
    world = w.build()
    services.statements_make(month=MARCH)
    st = Statement.objects.get(provider=world["p"], month=MARCH)
    user = own_user(world["p"])
    provider_client = client_for(user)
    # reads: own yes, outsider 404, lines drill to sessions, CSV with BOM
    assert client_for(outsider).get(f"/api/v1/statements/{st.pk}/").status_code == 404
    detail = provider_client.get(f"/api/v1/statements/{st.pk}/").json()
    assert detail["total"] == "2920.00" and len(detail["lines"]) == 8
    sessions = provider_client.get(f"/api/v1/statements/{st.pk}/lines/2/sessions/").json()["results"]
    assert sorted(r["session"] for r in sessions) == sorted(s.pk for s in world["sessions"][:2])
    csv = provider_client.get(f"/api/v1/statements/{st.pk}/csv/")
    assert csv.content.startswith("\ufeff".encode()) and b"2920.00" in csv.content
    # finance cannot confirm for the provider; the provider disputes
    assert client_for(finance).post(f"/api/v1/statements/{st.pk}/confirm/").status_code == 403
    answer = provider_client.post(f"/api/v1/statements/{st.pk}/dispute/", {"reason": ""}, format="json")
    assert answer.status_code == 400
    answer = provider_client.post(f"/api/v1/statements/{st.pk}/dispute/", {"reason": "fee wrong"}, format="json")
    assert answer.status_code == 200 and answer.json()["state"] == "disputed"
    assert provider_client.post(f"/api/v1/statements/{st.pk}/resolve/", {"resolution": "x"}).status_code == 403
    entries = JournalEntry.objects.count()
    answer = client_for(finance).post(
        f"/api/v1/statements/{st.pk}/resolve/", {"resolution": "recomputed"}, format="json"
    )
    assert answer.status_code == 201, answer.content
    replacement = Statement.objects.get(pk=answer.json()["id"])
    st.refresh_from_db()
    assert (st.state, replacement.version, replacement.replaces_id, replacement.total) == ("void", 2, st.pk, st.total)
    # 8 reversals + 8 new entries; the receivable nets to the replacement's total
    assert JournalEntry.objects.count() == entries + 16
    balance = sum(
        JournalLeg.objects.filter(provider=world["p"], account="provider_receivable").values_list("amount", flat=True)
    )
    assert balance == replacement.total
    # confirm the replacement; approve; invoice; payout with idempotency; paid
    assert provider_client.post(f"/api/v1/statements/{replacement.pk}/confirm/").json()["state"] == "confirmed"
    fin = client_for(finance)
    before = snapshot()
    answer = fin.post("/api/v1/payouts/", {"statement": replacement.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert answer.status_code == 409 and answer.json()["code"] == "wrong_state"  # not approved
    assert snapshot() == before
    assert fin.post(f"/api/v1/statements/{replacement.pk}/approve/").json()["state"] == "approved"
    answer = fin.post("/api/v1/payouts/", {"statement": replacement.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert answer.status_code == 409 and answer.json()["code"] == "invoice_missing"
    assert fin.post(f"/api/v1/statements/{replacement.pk}/invoice/", {"invoice_number": "FP-001"}).status_code == 200
    first = fin.post("/api/v1/payouts/", {"statement": replacement.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 201 and first.json()["amount"] == "2920.00"
    again = fin.post("/api/v1/payouts/", {"statement": replacement.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert (again.status_code, again.json()) == (201, first.json())
    before = snapshot()
    other = fin.post("/api/v1/payouts/", {"statement": st.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    assert snapshot() == before
    payout_id = first.json()["id"]
    assert fin.post(f"/api/v1/payouts/{payout_id}/paid/", {"reference": "BANK-1"}).status_code == 403
    paid = client_for(payment_system).post(f"/api/v1/payouts/{payout_id}/paid/", {"reference": "BANK-1"}, format="json")
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    replacement.refresh_from_db()
    assert (replacement.state, replacement.payment_reference) == ("paid", "BANK-1")
    assert client_for(outsider).get(f"/api/v1/payouts/{payout_id}/").status_code == 404
    assert provider_client.get(f"/api/v1/payouts/{payout_id}/").status_code == 200


def test_dispute_after_seven_days_and_auto_confirm(roles):
    world = w.build()
    made = timezone.now() - dt.timedelta(days=7, minutes=1)
    services.statements_make(month=MARCH, now=made)
    st = Statement.objects.get(provider=world["p"], month=MARCH)
    before = snapshot()
    with pytest.raises(services.Refusal) as refused:
        services.statement_dispute(statement=st, user=own_user(world["p"]), reason="late")
    assert refused.value.code == "dispute_window_closed"
    assert snapshot()[2] == before[2]
    assert services.statements_auto_confirm() == 2
    assert services.statements_auto_confirm() == 0
    st.refresh_from_db()
    assert st.state == "confirmed"


def test_two_approvers_above_a_million(roles, finance, finance2, client_for):
    world = w.build()
    big = w.session(world["m1"], world["p"], w.at(2025, 3, 25), gmv="20000000.00")
    assert big.pk
    services.statements_make(month=MARCH)
    st = Statement.objects.get(provider=world["p"], month=MARCH)
    assert abs(st.total) > Decimal("1000000")
    services.statements_auto_confirm(now=st.confirm_by)
    first = client_for(finance).post(f"/api/v1/statements/{st.pk}/approve/")
    assert first.json()["state"] == "confirmed" and first.json()["approvals"] == [finance.pk]
    before = snapshot()
    again = client_for(finance).post(f"/api/v1/statements/{st.pk}/approve/")
    assert again.status_code == 409 and again.json()["code"] == "already_approved_by_you"
    assert snapshot() == before
    second = client_for(finance2).post(f"/api/v1/statements/{st.pk}/approve/")
    assert second.json()["state"] == "approved"


def test_staff_run_is_refused_for_an_unfinished_month_and_needs_the_permission(roles, finance, reviewer, client_for):
    this_month = timezone.now().strftime("%Y-%m")
    assert client_for(reviewer).post("/api/v1/statement-runs/", {"month": "2025-03"}).status_code == 403
    answer = client_for(finance).post("/api/v1/statement-runs/", {"month": this_month})
    assert answer.status_code == 409 and answer.json()["code"] == "month_not_over"
    assert client_for(finance).post("/api/v1/statement-runs/", {"month": "2025-13"}).status_code == 400


def test_statement_list_query_budget(roles, client_for, django_assert_max_num_queries):
    world = w.build()
    for month in (MARCH, dt.date(2025, 4, 1), dt.date(2025, 5, 1)):
        services.statements_make(month=month)
    client = client_for(own_user(world["p"]))
    with django_assert_max_num_queries(8):
        listing = client.get("/api/v1/statements/")
    assert [s["month"] for s in listing.json()["results"]] == ["2025-05-01", "2025-04-01", "2025-03-01"]
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/statements/?state=draft").json()["count"] == 3
