"""Providers API v1 behaviour: validation through the services, masking, filters, auth, errors, docs."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.management import call_command
from rest_framework.test import APIClient

from providers import models, services
from providers.api.serializers import mask_phone
from tests import factories

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(client_for):
    """client_for(user) speaking English, so messages can be compared exactly."""

    def make(user):
        client = client_for(user)
        client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return client

    return make


PROVIDER = {"name": "Newcomer", "type": "brand", "province": "福建", "city": "福州", "deposit": "1000.00"}


# Providers and the credit code ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "error_code", "message"),
    [
        ("91350100M000100Y4", "credit_code_length", "A unified social credit code has 18 characters; this one has 17."),
        (
            "91350100M000100YI3",
            "credit_code_charset",
            "A unified social credit code uses digits and capitals except I, O, S, V, Z; found I.",
        ),
        (
            "91350100M000100Y44",
            "credit_code_check_digit",
            "The check character of this credit code is wrong (GB 32100-2015): expected 3.",
        ),
    ],
)
def test_invalid_credit_code_is_a_clear_400(api, staff, code, error_code, message):
    response = api(staff).post("/api/v1/providers/", {**PROVIDER, "credit_code": code}, format="json")
    assert response.status_code == 400
    assert response.json() == {"code": error_code, "message": "Invalid input.", "errors": {"credit_code": [message]}}
    assert not models.Provider.objects.exists()


@pytest.mark.django_db
def test_errors_follow_the_request_language_and_keep_their_codes(client_for, staff):
    """Without Accept-Language the API answers in the platform's language; the code is the same in both."""
    bad = {**PROVIDER, "credit_code": "91350100M000100Y44"}
    chinese = client_for(staff).post("/api/v1/providers/", bad, format="json")
    english = client_for(staff).post("/api/v1/providers/", bad, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert chinese.status_code == english.status_code == 400
    assert chinese.json()["code"] == english.json()["code"] == "credit_code_check_digit"
    assert (chinese.json()["message"], english.json()["message"]) == ("输入无效。", "Invalid input.")
    assert chinese.json()["errors"] == {"credit_code": ["该信用代码的校验位错误（GB 32100-2015）：应为 3。"]}
    assert english.json()["errors"] == {
        "credit_code": ["The check character of this credit code is wrong (GB 32100-2015): expected 3."]
    }
    employment = factories.EmploymentFactory(start_date=dt.date(2025, 1, 1))
    second = {"operator": employment.operator_id, "provider": employment.provider_id, "start_date": "2025-06-01"}
    refused = client_for(staff).post("/api/v1/employments/", second, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "open"
    assert refused.json()["errors"] == {"operator": ["该操盘手已有未结束的任职。"]}
    assert not models.Provider.objects.filter(credit_code="91350100M000100Y44").exists()
    assert models.Employment.objects.count() == 1


@pytest.mark.django_db
def test_staff_creates_a_provider_and_a_duplicate_code_is_refused(api, staff):
    client = api(staff)
    created = client.post("/api/v1/providers/", {**PROVIDER, "credit_code": "91350100M000100Y43"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert {k: body[k] for k in ("name", "credit_code", "type", "status", "tier", "deposit")} == {
        "name": "Newcomer",
        "credit_code": "91350100M000100Y43",
        "type": "brand",
        "status": "active",
        "tier": "L0",
        "deposit": "1000.00",
    }
    provider = models.Provider.objects.get(pk=body["id"])
    assert provider.deposit == Decimal("1000.00")
    again = client.post("/api/v1/providers/", {**PROVIDER, "credit_code": "91350100M000100Y43"}, format="json")
    assert again.status_code == 400
    assert list(again.json()["errors"]) == ["credit_code"]
    assert models.Provider.objects.count() == 1


@pytest.mark.django_db
def test_status_and_tier_are_not_writable_through_the_api(api, staff, provider):
    response = api(staff).patch(f"/api/v1/providers/{provider.pk}/", {"tier": "L5", "status": "delisted"})
    assert response.status_code == 200
    provider.refresh_from_db()
    assert (provider.tier, provider.status) == ("L0", "active")


@pytest.mark.django_db
def test_deleting_a_referenced_provider_is_a_409_and_changes_nothing(api, client_for, staff, provider, provider_user):
    response = api(staff).delete(f"/api/v1/providers/{provider.pk}/")
    assert response.status_code == 409
    assert response.json() == {"code": "protected", "message": "Still referenced by: provider users."}
    chinese = client_for(staff).delete(f"/api/v1/providers/{provider.pk}/")
    assert chinese.status_code == 409 and chinese.json()["code"] == "protected"
    assert chinese.json()["message"].startswith("仍被以下记录引用：")
    assert models.Provider.objects.filter(pk=provider.pk).exists()


@pytest.mark.django_db
def test_deleting_an_unreferenced_merchant(api, staff):
    merchant = factories.MerchantFactory()
    assert api(staff).delete(f"/api/v1/merchants/{merchant.pk}/").status_code == 204
    assert not models.Merchant.objects.exists()


# Provider logins --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_creates_a_provider_login_that_authenticates_by_token(api, staff, provider, other_provider):
    response = api(staff).post(
        "/api/v1/provider-users/",
        {
            "username": "shop-admin",
            "password": "Long-enough-pass-42",
            "email": "a@example.com",
            "provider": provider.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert "password" not in body
    assert {k: body[k] for k in ("username", "email", "is_active", "provider")} == {
        "username": "shop-admin",
        "email": "a@example.com",
        "is_active": True,
        "provider": provider.pk,
    }
    user = get_user_model().objects.get(username="shop-admin")
    assert user.check_password("Long-enough-pass-42")
    assert not user.is_staff and not user.is_superuser
    assert user.provider_account.provider == provider

    out = io.StringIO()
    call_command("create_api_token", "shop-admin", stdout=out, stderr=io.StringIO())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")
    listed = client.get("/api/v1/providers/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [provider.pk]
    assert client.get(f"/api/v1/providers/{other_provider.pk}/").status_code == 404


@pytest.mark.django_db
def test_weak_password_and_taken_username_are_refused(api, client_for, staff, provider, provider_user):
    users_before = get_user_model().objects.count()
    response = api(staff).post(
        "/api/v1/provider-users/",
        {"username": "Provider_User", "password": "password", "provider": provider.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"username": ["A user with that username already exists."]}
    chinese = client_for(staff).post(
        "/api/v1/provider-users/",
        {"username": "Provider_User", "password": "password", "provider": provider.pk},
        format="json",
    )
    assert chinese.json()["code"] == response.json()["code"] == "unique"
    assert chinese.json()["errors"] == {"username": ["已存在使用该用户名的用户。"]}
    response = api(staff).post(
        "/api/v1/provider-users/",
        {"username": "fresh", "password": "password", "provider": provider.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"password": ["This password is too common."]}
    assert get_user_model().objects.count() == users_before


@pytest.mark.django_db
def test_staff_changes_a_login_email_password_and_active_flag(api, staff, provider_user):
    account = provider_user.provider_account
    response = api(staff).patch(
        f"/api/v1/provider-users/{account.pk}/",
        {"email": "new@example.com", "password": "Another-long-pass-7", "is_active": False},
        format="json",
    )
    assert response.status_code == 200, response.content
    provider_user.refresh_from_db()
    assert provider_user.email == "new@example.com"
    assert provider_user.check_password("Another-long-pass-7")
    assert provider_user.is_active is False
    replaced = api(staff).put(
        f"/api/v1/provider-users/{account.pk}/",
        {"username": "ignored", "email": "put@example.com", "is_active": True, "provider": 987654321},
        format="json",
    )
    assert replaced.status_code == 200, replaced.content
    assert (replaced.json()["username"], replaced.json()["provider"]) == ("provider_user", account.provider_id)
    provider_user.refresh_from_db()
    assert (provider_user.username, provider_user.email, provider_user.is_active) == (
        "provider_user",
        "put@example.com",
        True,
    )
    assert provider_user.check_password("Another-long-pass-7")


# Operators and employments ----------------------------------------------------------------------


def test_mask_phone():
    assert mask_phone("13800001234") == "138****1234"
    assert mask_phone("+8613800001234") == "+86****1234"
    assert mask_phone("12345") == "***45"
    assert mask_phone("") == ""


@pytest.mark.django_db
def test_operator_phone_is_masked_for_provider_users_only(api, staff, provider, provider_user):
    operator = factories.OperatorFactory(phone="13812345678")
    factories.EmploymentFactory(operator=operator, provider=provider)
    assert api(provider_user).get(f"/api/v1/operators/{operator.pk}/").json()["phone"] == "138****5678"
    assert api(provider_user).get("/api/v1/operators/").json()["results"][0]["phone"] == "138****5678"
    assert api(staff).get(f"/api/v1/operators/{operator.pk}/").json()["phone"] == "13812345678"


@pytest.mark.django_db
def test_second_open_employment_is_a_400_on_the_operator_field(api, staff, provider, other_provider):
    employment = factories.EmploymentFactory(provider=provider, start_date=dt.date(2025, 1, 1))
    response = api(staff).post(
        "/api/v1/employments/",
        {"operator": employment.operator_id, "provider": other_provider.pk, "start_date": "2025-06-01"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "open",
        "message": "Invalid input.",
        "errors": {"operator": ["This operator already has an open employment."]},
    }
    assert models.Employment.objects.count() == 1


@pytest.mark.django_db
def test_overlapping_and_disordered_employments_are_refused(api, staff, provider, other_provider):
    employment = factories.EmploymentFactory(
        provider=provider, start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 6, 30)
    )
    client = api(staff)
    overlap = client.post(
        "/api/v1/employments/",
        {"operator": employment.operator_id, "provider": other_provider.pk, "start_date": "2025-06-30"},
        format="json",
    )
    assert overlap.status_code == 400
    assert overlap.json()["errors"] == {"start_date": ["This operator is employed elsewhere during these dates."]}
    disordered = client.post(
        "/api/v1/employments/",
        {
            "operator": employment.operator_id,
            "provider": other_provider.pk,
            "start_date": "2025-09-01",
            "end_date": "2025-08-01",
        },
        format="json",
    )
    assert disordered.status_code == 400
    assert disordered.json()["errors"] == {"end_date": ["An employment cannot end before it starts."]}
    assert models.Employment.objects.count() == 1
    following = client.post(
        "/api/v1/employments/",
        {"operator": employment.operator_id, "provider": other_provider.pk, "start_date": "2025-07-01"},
        format="json",
    )
    assert following.status_code == 201
    assert models.Employment.objects.count() == 2


@pytest.mark.django_db
def test_end_action_closes_an_open_employment_once(api, staff, provider):
    employment = factories.EmploymentFactory(provider=provider, start_date=dt.date(2025, 1, 1))
    client = api(staff)
    ended = client.post(f"/api/v1/employments/{employment.pk}/end/", {"end_date": "2025-05-31"}, format="json")
    assert ended.status_code == 200
    assert ended.json()["end_date"] == "2025-05-31"
    again = client.post(f"/api/v1/employments/{employment.pk}/end/", {"end_date": "2025-06-30"}, format="json")
    assert again.status_code == 400
    assert again.json()["errors"] == {"end_date": ["This employment has already ended."]}
    employment.refresh_from_db()
    assert employment.end_date == dt.date(2025, 5, 31)


@pytest.mark.django_db
def test_end_action_is_refused_to_provider_users_and_cycle_managers(api, roles, provider, provider_user):
    from tests.conftest import make_staff

    employment = factories.EmploymentFactory(provider=provider)
    for user in (provider_user, make_staff(roles, "cycle_manager")):
        response = api(user).post(f"/api/v1/employments/{employment.pk}/end/", {"end_date": "2025-05-31"})
        assert response.status_code == 403
    employment.refresh_from_db()
    assert employment.end_date is None


@pytest.mark.django_db
def test_a_lost_race_on_the_database_constraint_is_still_a_clean_400(api, staff, provider, other_provider, monkeypatch):
    """Two requests validated at the same moment: the second insert hits the unique index, not a 500."""
    employment = factories.EmploymentFactory(provider=provider)
    monkeypatch.setattr(services, "employment_rule_errors", lambda employment: {})
    response = api(staff).post(
        "/api/v1/employments/",
        {"operator": employment.operator_id, "provider": other_provider.pk, "start_date": "2025-06-01"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "conflict",
        "message": "Invalid input.",
        "errors": {"operator": ["This operator already has an open employment."]},
    }
    assert models.Employment.objects.count() == 1


# Engagements, violations, complaints ------------------------------------------------------------


@pytest.mark.django_db
def test_engagement_rules(api, staff, provider, other_provider):
    merchant = factories.MerchantFactory()
    outside_operator = factories.EmploymentFactory(provider=other_provider).operator
    client = api(staff)
    base = {"provider": provider.pk, "merchant": merchant.pk, "start_date": "2025-03-01"}
    response = client.post("/api/v1/engagements/", {**base, "lead_operator": outside_operator.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"lead_operator": ["The lead operator is not employed by this provider."]}
    response = client.post("/api/v1/engagements/", {**base, "end_date": "2025-02-01"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"non_field_errors": ["An engagement cannot end before it starts."]}
    assert not models.Engagement.objects.exists()
    assert client.post("/api/v1/engagements/", base, format="json").status_code == 201


@pytest.mark.django_db
def test_violation_operator_must_have_worked_for_the_provider_that_day(api, staff, provider):
    employment = factories.EmploymentFactory(
        provider=provider, start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 6, 1)
    )
    client = api(staff)
    payload = {"provider": provider.pk, "operator": employment.operator_id, "severity": "major", "points": 6}
    # 2025-06-02 00:30 in Shanghai is still 2025-06-01 in UTC: the Shanghai date decides.
    late = client.post("/api/v1/violations/", {**payload, "occurred_at": "2025-06-01T16:30:00Z"}, format="json")
    assert late.status_code == 400
    assert late.json()["errors"] == {"operator": ["This operator was not employed by this provider at that time."]}
    ok = client.post("/api/v1/violations/", {**payload, "occurred_at": "2025-06-01T15:30:00Z"}, format="json")
    assert ok.status_code == 201
    assert models.Violation.objects.get().occurred_at == dt.datetime(2025, 6, 1, 15, 30, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_complaint_merchant_must_have_been_served(api, staff, provider):
    merchant = factories.MerchantFactory()
    client = api(staff)
    payload = {"provider": provider.pk, "merchant": merchant.pk, "received_at": "2025-06-06T10:00:00+08:00"}
    refused = client.post("/api/v1/complaints/", payload, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"merchant": ["This merchant has no engagement with this provider."]}
    factories.EngagementFactory(provider=provider, merchant=merchant)
    assert client.post("/api/v1/complaints/", payload, format="json").status_code == 201
    assert models.Complaint.objects.get().upheld is False


# Filters and pagination -------------------------------------------------------------------------


def result_ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.django_db
def test_provider_filters(api, staff):
    a = factories.ProviderFactory(name="杭州 Alpha", type="mcn", province="浙江", city="杭州", tier="L2")
    b = factories.ProviderFactory(name="Beta", type="brand", province="广东", city="广州", status="probation")
    client = api(staff)
    assert result_ids(client.get("/api/v1/providers/", {"type": "brand"})) == [b.pk]
    assert result_ids(client.get("/api/v1/providers/", {"province": "浙江", "city": "杭州"})) == [a.pk]
    assert result_ids(client.get("/api/v1/providers/", {"tier": "L2"})) == [a.pk]
    assert result_ids(client.get("/api/v1/providers/", {"status": "probation"})) == [b.pk]
    assert result_ids(client.get("/api/v1/providers/", {"q": "alpha"})) == [a.pk]
    assert result_ids(client.get("/api/v1/providers/", {"q": b.credit_code.lower()})) == [b.pk]
    assert result_ids(client.get("/api/v1/providers/", {"q": str(b.pk)})) == [b.pk]
    assert result_ids(client.get("/api/v1/providers/", {"ordering": "-name"})) == [a.pk, b.pk]
    bad = client.get("/api/v1/providers/", {"type": "nope"})
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["type"]


@pytest.mark.django_db
def test_live_session_filters(api, staff, provider):
    employment = factories.EmploymentFactory(provider=provider)
    food = factories.MerchantFactory(category="food")
    factories.EngagementFactory(provider=provider, merchant=food)
    small = factories.LiveSessionFactory(
        merchant=food,
        operator=employment.operator,
        provider=provider,
        gmv=Decimal("100.00"),
        started_at=dt.datetime(2025, 6, 1, 23, 30, tzinfo=SHANGHAI),
    )
    big = factories.LiveSessionFactory(
        gmv=Decimal("90000.00"), started_at=dt.datetime(2025, 6, 2, 0, 30, tzinfo=SHANGHAI)
    )
    client = api(staff)
    get = lambda **params: result_ids(client.get("/api/v1/live-sessions/", params))  # noqa: E731
    assert get(gmv_min="1000") == [big.pk]
    assert get(gmv_max="100.00") == [small.pk]
    assert get(gmv_min="100", gmv_max="90000") == [small.pk, big.pk]
    assert get(started_at_after="2025-06-02T00:00:00+08:00") == [big.pk]
    assert get(started_at_before="2025-06-01T23:59:59+08:00") == [small.pk]
    assert get(provider=provider.pk) == [small.pk]
    assert get(operator=employment.operator_id) == [small.pk]
    assert get(merchant=big.merchant_id) == [big.pk]
    assert get(category="food") == [small.pk]
    assert get(operated="false") == [big.pk]
    assert get(q=big.external_id) == [big.pk]
    assert get(q=food.platform_account_id) == [small.pk]
    assert get(q=str(small.pk)) == [small.pk]
    # Identifiers match exactly (the unique index serves it): no case folding, no substring.
    assert get(q=big.external_id.upper()) == []  # factory ids are "ls-<n>"
    assert get(q=big.external_id[:-1]) == []
    assert get(ordering="-gmv") == [big.pk, small.pk]
    row = client.get(f"/api/v1/live-sessions/{small.pk}/").json()
    assert (row["gmv"], row["merchant_name"], row["provider"]) == ("100.00", food.name, provider.pk)


@pytest.mark.django_db
def test_date_filters_of_employments_engagements_violations_complaints(api, staff, provider):
    old = factories.EmploymentFactory(provider=provider, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31))
    new = factories.EmploymentFactory(provider=provider, start_date=dt.date(2025, 3, 1))
    client = api(staff)
    assert result_ids(client.get("/api/v1/employments/", {"start_date_after": "2025-01-01"})) == [new.pk]
    assert result_ids(client.get("/api/v1/employments/", {"open": "false"})) == [old.pk]
    assert result_ids(client.get("/api/v1/employments/", {"end_date_before": "2024-12-31"})) == [old.pk]
    g1 = factories.EngagementFactory(provider=provider, start_date=dt.date(2025, 1, 1))
    g2 = factories.EngagementFactory(provider=provider, start_date=dt.date(2025, 7, 1))
    assert result_ids(client.get("/api/v1/engagements/", {"start_date_before": "2025-06-30"})) == [g1.pk]
    assert result_ids(client.get("/api/v1/engagements/", {"merchant": g2.merchant_id})) == [g2.pk]
    v1 = factories.ViolationFactory(provider=provider, occurred_at=dt.datetime(2025, 5, 1, tzinfo=SHANGHAI))
    v2 = factories.ViolationFactory(
        provider=provider, severity="serious", occurred_at=dt.datetime(2025, 7, 1, tzinfo=SHANGHAI)
    )
    assert result_ids(client.get("/api/v1/violations/", {"occurred_at_before": "2025-06-01T00:00:00+08:00"})) == [v1.pk]
    assert result_ids(client.get("/api/v1/violations/", {"severity": "serious"})) == [v2.pk]
    c1 = factories.ComplaintFactory(
        provider=provider, upheld=False, received_at=dt.datetime(2025, 1, 5, tzinfo=SHANGHAI)
    )
    factories.ComplaintFactory(provider=provider, received_at=dt.datetime(2025, 8, 5, tzinfo=SHANGHAI))
    assert result_ids(client.get("/api/v1/complaints/", {"received_at_before": "2025-02-01T00:00:00Z"})) == [c1.pk]
    assert result_ids(client.get("/api/v1/complaints/", {"upheld": "false"})) == [c1.pk]


@pytest.mark.django_db
def test_lists_are_paginated(api, staff):
    providers = factories.ProviderFactory.create_batch(3)
    response = api(staff).get("/api/v1/providers/", {"page_size": 2})
    body = response.json()
    assert body["count"] == 3
    assert [row["id"] for row in body["results"]] == [p.pk for p in providers[:2]]
    assert body["next"].endswith("/api/v1/providers/?page=2&page_size=2")
    assert body["previous"] is None


# Authentication, schema and docs ----------------------------------------------------------------


@pytest.mark.django_db
def test_session_login_reads_and_writes_need_csrf(staff, provider):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.get("/api/v1/providers/").status_code == 200
    refused = client.patch(f"/api/v1/providers/{provider.pk}/", {"name": "x"}, format="json")
    assert refused.status_code == 403
    provider.refresh_from_db()
    assert provider.name == "Own Provider"


@pytest.mark.django_db
def test_bad_token_is_401(provider):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key", HTTP_ACCEPT_LANGUAGE="en")
    response = client.get("/api/v1/providers/")
    assert response.status_code == 401
    assert response.json() == {"code": "authentication_failed", "message": "Invalid token."}


@pytest.mark.django_db
def test_openapi_schema_lists_every_providers_resource(client, staff):
    client.force_login(staff)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for resource in (
        "providers",
        "provider-users",
        "operators",
        "employments",
        "merchants",
        "engagements",
        "live-sessions",
        "violations",
        "complaints",
        "ingest-batches",
    ):
        assert f"/api/v1/{resource}/" in paths
        assert f"/api/v1/{resource}/{{id}}/" in paths
    params = {p["name"] for p in paths["/api/v1/live-sessions/"]["get"]["parameters"]}
    assert {"gmv_min", "gmv_max", "started_at_after", "started_at_before", "provider", "q"} <= params


@pytest.mark.django_db
def test_swagger_docs_are_served_from_own_static_files(client, staff):
    client.force_login(staff)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css" in html
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs", "googleapis", "http://", "https://"):
        assert cdn not in html
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css")
