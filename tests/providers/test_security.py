"""Every providers endpoint tried by staff, a provider user and an outsider: nothing crosses providers.

Two worlds are built, one per provider, each holding one row of every resource. The provider user
owns the first, the outsider (another provider's user) the second. Reads must show exactly the
persona's own rows; foreign objects answer 404 with the body of a missing id; filters naming the
other world's ids return only own rows; refused writes leave the tables as they were.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from providers import models
from tests import factories

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2's deliberate slowness costs about a second per test here; these tests need no strong hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    provider: models.Provider
    login: models.ProviderUser
    operator: models.Operator
    employment: models.Employment
    merchant: models.Merchant
    engagement: models.Engagement
    session: models.LiveSession
    violation: models.Violation
    complaint: models.Complaint


def build_world(provider, login=None, *, tag="x") -> World:
    """One row of every resource belonging to ``provider``."""
    login = login or factories.ProviderUserFactory(provider=provider)
    operator = factories.OperatorFactory(name=f"Operator {tag}", platform_user_id=f"op-{tag}")
    employment = factories.EmploymentFactory(operator=operator, provider=provider)
    merchant = factories.MerchantFactory(name=f"Merchant {tag}", platform_account_id=f"m-{tag}", category=f"cat-{tag}")
    engagement = factories.EngagementFactory(provider=provider, merchant=merchant, lead_operator=operator)
    session = factories.LiveSessionFactory(
        external_id=f"ls-{tag}", merchant=merchant, operator=operator, provider=provider
    )
    violation = factories.ViolationFactory(provider=provider, operator=operator, description=f"breach {tag}")
    complaint = factories.ComplaintFactory(provider=provider, merchant=merchant, description=f"complaint {tag}")
    return World(provider, login, operator, employment, merchant, engagement, session, violation, complaint)


@pytest.fixture
def worlds(provider, other_provider, provider_user, outsider):
    return {
        "own": build_world(provider, provider_user.provider_account, tag="own"),
        "other": build_world(other_provider, outsider.provider_account, tag="other"),
    }


@pytest.fixture
def batch(staff):
    return models.IngestBatch.objects.create(source="api", submitted_by=staff, received=1, created=1)


# endpoint → the World attribute holding its row (None: ingest batches, which belong to no provider)
ENDPOINTS = {
    "providers": "provider",
    "provider-users": "login",
    "operators": "operator",
    "employments": "employment",
    "merchants": "merchant",
    "engagements": "engagement",
    "live-sessions": "session",
    "violations": "violation",
    "complaints": "complaint",
    "ingest-batches": None,
}
MODELS = {
    "providers": models.Provider,
    "provider-users": models.ProviderUser,
    "operators": models.Operator,
    "employments": models.Employment,
    "merchants": models.Merchant,
    "engagements": models.Engagement,
    "live-sessions": models.LiveSession,
    "violations": models.Violation,
    "complaints": models.Complaint,
    "ingest-batches": models.IngestBatch,
}
PERSONAS = ["staff", "provider_user", "outsider"]
OWN_WORLD = {"provider_user": "own", "outsider": "other"}


def url(endpoint, pk=None):
    return f"/api/v1/{endpoint}/" + (f"{pk}/" if pk is not None else "")


def ids(response):
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


def snapshot():
    """Every row the providers endpoints could write, and the logins behind provider users."""
    tables = {name: list(model.objects.order_by("pk").values()) for name, model in MODELS.items()}
    tables["users"] = list(get_user_model().objects.order_by("pk").values())
    return tables


@pytest.fixture
def persona(request, staff, provider_user, outsider):
    return {"staff": staff, "provider_user": provider_user, "outsider": outsider}[request.param]


# Reads --------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_gets_401_json(client_for, endpoint, worlds):
    response = client_for(None).get(url(endpoint))
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "身份认证信息未提供。",  # pages and API default to Simplified Chinese
    }


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_list_shows_exactly_own_rows(client_for, persona, endpoint, worlds, batch):
    attr = ENDPOINTS[endpoint]
    response = client_for(persona).get(url(endpoint))
    if persona.is_staff:
        expected = sorted(MODELS[endpoint].objects.values_list("pk", flat=True))
    elif attr is None:
        expected = []
    else:
        expected = [getattr(worlds[OWN_WORLD[persona.username]], attr).pk]
    assert ids(response) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", [e for e, attr in ENDPOINTS.items() if attr])
@pytest.mark.parametrize("persona", ["provider_user", "outsider"], indirect=True)
def test_foreign_object_is_404_exactly_like_a_missing_one(client_for, persona, endpoint, worlds):
    mine = OWN_WORLD[persona.username]
    theirs = "other" if mine == "own" else "own"
    client = client_for(persona)
    own_pk = getattr(worlds[mine], ENDPOINTS[endpoint]).pk
    foreign_pk = getattr(worlds[theirs], ENDPOINTS[endpoint]).pk

    assert client.get(url(endpoint, own_pk)).status_code == 200
    foreign = client.get(url(endpoint, foreign_pk))
    missing = client.get(url(endpoint, 987654321))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    assert foreign.json() == {"code": "not_found", "message": "未找到。"}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["provider_user", "outsider"], indirect=True)
def test_ingest_batches_are_staff_only(client_for, persona, batch):
    response = client_for(persona).get(url("ingest-batches", batch.pk))
    assert response.status_code == 404
    assert response.json() == client_for(persona).get(url("ingest-batches", 987654321)).json()


def foreign_filters(world: World) -> dict[str, list[dict]]:
    """Every filter of every endpoint, aimed at ``world``'s rows."""
    w = world
    sess_day = w.session.started_at.astimezone(SHANGHAI).date()
    return {
        "providers": [
            {"provider": w.provider.pk},
            {"q": w.provider.name},
            {"q": w.provider.credit_code},
            {"q": str(w.provider.pk)},
            {"type": w.provider.type},
            {"status": w.provider.status},
            {"tier": w.provider.tier},
            {"province": w.provider.province, "city": w.provider.city},
        ],
        "provider-users": [
            {"provider": w.provider.pk},
            {"q": w.login.user.username},
            {"q": str(w.login.pk)},
        ],
        "operators": [
            {"provider": w.provider.pk},
            {"q": w.operator.name},
            {"q": w.operator.platform_user_id},
            {"q": str(w.operator.pk)},
        ],
        "employments": [
            {"provider": w.provider.pk},
            {"operator": w.operator.pk},
            {"open": "true"},
            {"start_date_after": "2024-01-01", "start_date_before": "2026-01-01"},
            {"q": w.operator.platform_user_id},
        ],
        "merchants": [
            {"provider": w.provider.pk},
            {"category": w.merchant.category},
            {"q": w.merchant.platform_account_id},
            {"q": w.merchant.name},
        ],
        "engagements": [
            {"provider": w.provider.pk},
            {"merchant": w.merchant.pk},
            {"operator": w.operator.pk},
            {"category": w.merchant.category},
            {"open": "true"},
            {"start_date_after": "2024-01-01"},
            {"q": w.merchant.platform_account_id},
        ],
        "live-sessions": [
            {"provider": w.provider.pk},
            {"merchant": w.merchant.pk},
            {"operator": w.operator.pk},
            {"category": w.merchant.category},
            {"started_at_after": f"{sess_day}T00:00:00+08:00", "started_at_before": f"{sess_day}T23:59:59+08:00"},
            {"gmv_min": "0", "gmv_max": "99999999"},
            {"operated": "true"},
            {"q": w.session.external_id},
        ],
        "violations": [
            {"provider": w.provider.pk},
            {"operator": w.operator.pk},
            {"severity": w.violation.severity},
            {"status": w.violation.status},
            {"occurred_at_after": "2024-01-01T00:00:00Z"},
            {"q": w.violation.description},
        ],
        "complaints": [
            {"provider": w.provider.pk},
            {"merchant": w.merchant.pk},
            {"upheld": "true"},
            {"received_at_after": "2024-01-01T00:00:00Z"},
            {"q": w.complaint.description},
        ],
        "ingest-batches": [{"source": "api"}, {"created_at_after": "2024-01-01T00:00:00Z"}],
    }


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("persona", ["provider_user", "outsider"], indirect=True)
def test_filters_aimed_at_another_provider_return_only_own_rows(client_for, persona, endpoint, worlds, batch):
    mine = OWN_WORLD[persona.username]
    theirs = "other" if mine == "own" else "own"
    attr = ENDPOINTS[endpoint]
    own_ids = [getattr(worlds[mine], attr).pk] if attr else []
    client = client_for(persona)
    for params in foreign_filters(worlds[theirs])[endpoint]:
        response = client.get(url(endpoint), params)
        got = ids(response)
        assert set(got) <= set(own_ids), (params, got)
        assert response.json()["count"] == len(got)
    # A provider filter naming another provider is empty (not an error), one naming its own is not.
    assert ids(client.get(url(endpoint), {"provider": worlds[theirs].provider.pk})) == []
    if attr:
        assert ids(client.get(url(endpoint), {"provider": worlds[mine].provider.pk})) == own_ids


@pytest.mark.django_db
def test_operator_filter_does_not_reveal_other_employers(client_for, provider_user, worlds):
    """An operator who moved from the own provider to the other one: the own user sees the operator,
    but asking which operators the other provider employs still shows nothing."""
    moved = worlds["own"].operator
    employment = worlds["own"].employment
    employment.end_date = dt.date(2025, 3, 31)
    employment.save()
    factories.EmploymentFactory(operator=moved, provider=worlds["other"].provider, start_date=dt.date(2025, 4, 1))
    client = client_for(provider_user)
    assert ids(client.get(url("operators"))) == [moved.pk]
    assert ids(client.get(url("operators"), {"provider": worlds["other"].provider.pk})) == []
    assert ids(client.get(url("employments"))) == [employment.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_malformed_filters_answer_the_same_400_for_everyone(client_for, staff, provider_user, endpoint, worlds):
    bodies = []
    for user in (staff, provider_user):
        response = client_for(user).get(
            url(endpoint), {"provider": "abc"} if endpoint != "ingest-batches" else {"submitted_by": "abc"}
        )
        assert response.status_code == 400
        bodies.append(response.json())
    assert bodies[0] == bodies[1]
    assert bodies[0]["code"] == "invalid"


# Writes -------------------------------------------------------------------------------------------


def create_payload(endpoint, world: World, free_operator):
    return {
        "providers": {
            "name": "Newcomer",
            "credit_code": "91350100M000100Y43",
            "type": "brand",
            "province": "福建",
            "city": "福州",
            "deposit": "1000.00",
        },
        "provider-users": {
            "username": "new-login",
            "password": "Long-enough-pass-42",
            "email": "new@example.com",
            "provider": world.provider.pk,
        },
        "operators": {"platform_user_id": "op-new", "name": "New Operator", "phone": "13900001111"},
        "employments": {"operator": free_operator.pk, "provider": world.provider.pk, "start_date": "2025-03-01"},
        "merchants": {"platform_account_id": "m-new", "name": "New Merchant", "category": "food"},
        "engagements": {
            "provider": world.provider.pk,
            "merchant": world.merchant.pk,
            "start_date": "2025-05-01",
            "lead_operator": world.operator.pk,
        },
        "live-sessions": [],
        "violations": {
            "provider": world.provider.pk,
            "operator": world.operator.pk,
            "severity": "major",
            "points": 6,
            "occurred_at": "2025-06-05T10:00:00+08:00",
        },
        "complaints": {
            "provider": world.provider.pk,
            "merchant": world.merchant.pk,
            "received_at": "2025-06-06T10:00:00+08:00",
        },
        "ingest-batches": {"source": "api"},
    }[endpoint]


UPDATE_PAYLOADS = {
    "providers": {"name": "Renamed"},
    "provider-users": {"email": "changed@example.com"},
    "operators": {"name": "Renamed"},
    "employments": {"end_date": "2025-12-31"},
    "merchants": {"name": "Renamed"},
    "engagements": {"end_date": "2025-12-31"},
    "live-sessions": {"gmv": "1.00"},
    "violations": {"status": "overturned"},
    "complaints": {"upheld": False},
    "ingest-batches": {"rejected": 5},
}


@pytest.fixture
def free_operator(db):
    return factories.OperatorFactory(platform_user_id="op-free", name="Free Operator")


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("persona", ["provider_user", "outsider"], indirect=True)
def test_provider_users_cannot_write_anything(client_for, persona, endpoint, worlds, batch, free_operator):
    """Create, update, replace and delete — on their own rows, on another provider's rows and on
    missing ids — are all refused with the same 403 body, and no table changes."""
    mine = OWN_WORLD[persona.username]
    theirs = "other" if mine == "own" else "own"
    attr = ENDPOINTS[endpoint]
    client = client_for(persona)
    before = snapshot()
    refusals = [client.post(url(endpoint), create_payload(endpoint, worlds[mine], free_operator), format="json")]
    targets = [987654321, batch.pk] if attr is None else [getattr(worlds[w], attr).pk for w in (mine, theirs)]
    for pk in [*targets, 987654321]:
        refusals.append(client.patch(url(endpoint, pk), UPDATE_PAYLOADS[endpoint], format="json"))
        refusals.append(client.put(url(endpoint, pk), UPDATE_PAYLOADS[endpoint], format="json"))
        refusals.append(client.delete(url(endpoint, pk)))
    assert {r.status_code for r in refusals} == {403}
    assert {r.content for r in refusals} == {refusals[0].content}
    assert refusals[0].json() == {"code": "permission_denied", "message": "您没有执行该操作的权限。"}
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "endpoint"),
    [
        ("auditor", "providers"),
        ("auditor", "employments"),
        ("auditor", "violations"),
        ("cycle_manager", "providers"),
        ("cycle_manager", "provider-users"),
        ("cycle_manager", "operators"),
        ("cycle_manager", "engagements"),
        ("admission_reviewer", "violations"),
        ("admission_reviewer", "complaints"),
        ("admission_reviewer", "live-sessions"),
        ("appeal_reviewer", "merchants"),
    ],
)
def test_staff_writes_need_the_role(client_for, roles, role, endpoint, worlds, batch, free_operator):
    from tests.conftest import make_staff

    user = make_staff(roles, role)
    client = client_for(user)
    before = snapshot()
    pk = getattr(worlds["own"], ENDPOINTS[endpoint]).pk
    responses = [
        client.post(url(endpoint), create_payload(endpoint, worlds["own"], free_operator), format="json"),
        client.patch(url(endpoint, pk), UPDATE_PAYLOADS[endpoint], format="json"),
        client.delete(url(endpoint, pk)),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert client.get(url(endpoint, pk)).status_code == 200  # every staff role reads
    assert snapshot() == before


WRITABLE = [e for e in ENDPOINTS if e not in ("live-sessions", "ingest-batches")]


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", WRITABLE)
def test_staff_with_the_role_creates_and_updates(client_for, staff, endpoint, worlds, free_operator):
    client = client_for(staff)
    model = MODELS[endpoint]
    count = model.objects.count()
    created = client.post(url(endpoint), create_payload(endpoint, worlds["own"], free_operator), format="json")
    assert created.status_code == 201, created.content
    assert model.objects.count() == count + 1
    pk = created.json()["id"]
    updated = client.patch(url(endpoint, pk), UPDATE_PAYLOADS[endpoint], format="json")
    assert updated.status_code == 200, updated.content
    for key, value in UPDATE_PAYLOADS[endpoint].items():
        assert updated.json()[key] == value
    fresh = client.get(url(endpoint, pk)).json()
    assert fresh == updated.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("endpoint", "field"),
    [
        ("provider-users", "provider"),
        ("employments", "provider"),
        ("employments", "operator"),
        ("engagements", "merchant"),
        ("engagements", "lead_operator"),
        ("violations", "provider"),
        ("violations", "operator"),
        ("complaints", "merchant"),
    ],
)
def test_staff_cannot_attach_a_missing_or_unrelated_row(client_for, staff, endpoint, field, worlds, free_operator):
    """Foreign keys must exist, and cross-provider links (another provider's operator or merchant) are refused."""
    client = client_for(staff)
    before = snapshot()
    payload = create_payload(endpoint, worlds["own"], free_operator)
    payload[field] = 987654321
    missing = client.post(url(endpoint), payload, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {field: ["无效主键 “987654321” － 对象不存在。"]}
    # A merchant may be served by several providers, so only these links are checked across providers.
    if (endpoint, field) in {("engagements", "lead_operator"), ("violations", "operator"), ("complaints", "merchant")}:
        payload[field] = getattr(worlds["other"], "merchant" if field == "merchant" else "operator").pk
        unrelated = client.post(url(endpoint), payload, format="json")
        assert unrelated.status_code == 400
        assert list(unrelated.json()["errors"]) == [field]
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_the_pipeline_account_reads_and_writes_nothing_here(client_for, pipeline_user, endpoint, worlds, free_operator):
    """The data pipeline may only ingest (POST live-sessions, owned by the ingest work)."""
    client = client_for(pipeline_user)
    before = snapshot()
    attr = ENDPOINTS[endpoint]
    pk = getattr(worlds["own"], attr).pk if attr else 987654321
    responses = [client.get(url(endpoint)), client.get(url(endpoint, pk)), client.delete(url(endpoint, pk))]
    if endpoint != "live-sessions":
        responses.append(client.post(url(endpoint), create_payload(endpoint, worlds["own"], free_operator)))
    assert {r.status_code for r in responses} == {403}
    assert snapshot() == before
