"""Response bodies keep the OpenAPI schema's promises: each validated against its schema (JSON Schema from the
spectacular document), every time in +08:00, decimals never in exponent form, money with two places."""

import datetime as dt
import re

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

from certification import cycles
from providers.models import LiveSession
from scoring.models import ProviderScore
from tests.certification import cycle_world
from tests.scoring import platform as pf

pytestmark = pytest.mark.django_db

ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
EXPONENT = re.compile(r"^-?\d+(\.\d+)?[eE][+-]?\d+$")


@pytest.fixture(scope="module")
def openapi():
    return SchemaGenerator().get_schema(request=None, public=True)


def json_schema(node):
    """OpenAPI 3.0 → JSON Schema: ``nullable`` becomes a null alternative, refs point into ``$defs``."""
    if isinstance(node, list):
        return [json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: json_schema(v) for k, v in node.items() if k not in ("nullable", "readOnly", "writeOnly")}
    if "$ref" in out:
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/$defs/")
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def validate(openapi, path, body, status=200):
    schema = openapi["paths"][path]["get"]["responses"][str(status)]["content"]["application/json"]["schema"]
    document = {**json_schema(schema), "$defs": json_schema(openapi["components"]["schemas"])}
    jsonschema.Draft202012Validator(document).validate(body)


def strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)
    elif isinstance(value, str):
        yield value


def assert_people_formats(body):
    for text in strings(body):
        if ISO_TIME.match(text):
            assert text.endswith("+08:00"), text
        assert not EXPONENT.match(text), text


@pytest.fixture
def published(roles):
    world = cycle_world.build()
    cycle = cycles.cycle_create(kind="monthly", window_start=pf.JUNE[0], window_end=pf.JUNE[1])
    token = cycles.cycle_claim(cycle_id=cycle.pk)
    assert cycles.cycle_run(cycle_id=cycle.pk, token=token)
    cycles.cycle_publish(cycle=cycle, user=None)
    return world, cycle


def test_bodies_match_the_schema(openapi, published, staff, client_for):
    world, cycle = published
    client = client_for(staff)
    ranked = ProviderScore.objects.filter(cycle=cycle, ranked=True).first()
    provider = world["strong"].pk
    checks = [
        ("/api/v1/rule-sets/", "/api/v1/rule-sets/"),  # v1 comes from a migration: created_by null
        ("/api/v1/scores/", f"/api/v1/scores/?cycle={cycle.pk}"),  # ranked providers: reason ""
        ("/api/v1/scores/{id}/", f"/api/v1/scores/{ranked.pk}/"),
        ("/api/v1/cycles/{id}/scores/", f"/api/v1/cycles/{cycle.pk}/scores/"),
        ("/api/v1/cycles/{id}/", f"/api/v1/cycles/{cycle.pk}/"),
        ("/api/v1/decisions/", "/api/v1/decisions/"),
        ("/api/v1/certificates/", "/api/v1/certificates/"),
        ("/api/v1/cycle-outcomes/", "/api/v1/cycle-outcomes/"),
        ("/api/v1/notifications/", "/api/v1/notifications/"),
        ("/api/v1/providers/", "/api/v1/providers/"),
    ]
    for path, url in checks:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content)
        body = response.json()
        assert body.get("count", 1), url  # something to validate
        validate(openapi, path, body)
        assert_people_formats(body)
    assert "" in {s["reason"] for s in client.get(f"/api/v1/scores/?cycle={cycle.pk}").json()["results"]}
    assert None in {r["created_by"] for r in client.get("/api/v1/rule-sets/").json()["results"]}
    decisions = client.get(f"/api/v1/decisions/?cycle={cycle.pk}").json()["results"]
    assert [d["reason_code"] for d in decisions if not d["reason_text"]] == []
    for url in (f"/api/v1/cycles/{cycle.pk}/preview/", f"/api/v1/scores/{ranked.pk}/explain/"):
        assert_people_formats(client.get(url).json())
    effect = client.get(f"/api/v1/providers/{provider}/operation-effect/?start=2025-06-01&end=2025-07-01").json()
    assert_people_formats(effect)


def test_money_has_two_places_even_when_nothing_was_operated(staff, client_for, provider):
    assert not LiveSession.objects.filter(provider=provider).exists()
    url = f"/api/v1/providers/{provider.pk}/operation-effect/?start=2025-06-01&end=2025-07-01"
    body = client_for(staff).get(url).json()
    assert body["operated_gmv"] == "0.00"
    assert body["by_merchant_size"]["small_medium"]["operated_gmv"] == "0.00"
    assert body["start"] == dt.datetime(2025, 6, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))).isoformat()
