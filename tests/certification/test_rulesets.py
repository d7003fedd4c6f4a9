"""Rule sets: default v1 (data migration), validation, API permissions, frozen once used."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from certification import services
from certification.models import RuleSet

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("certification.migrations.0002_default_ruleset_v1")


@pytest.fixture
def v1():
    # The data migration's own function (its row may have been flushed by a transactional test).
    MIGRATION.create_v1(apps, None)
    return RuleSet.objects.get(version=1)


def document(**overrides):
    data = {k: str(v) if isinstance(v, Decimal) else v for k, v in MIGRATION.V1.items() if k != "version"}
    data["name"] = "Stricter"
    return {**data, **overrides}


def test_default_v1_holds_every_number_of_design_section_4(v1):
    assert (v1.l1_overall, v1.l2_overall, v1.l3_overall, v1.l4_overall, v1.l5_overall) == (40, 55, 65, 75, 85)
    assert (v1.l4_min_capability, v1.l5_min_capability, v1.l5_min_percentile) == (50, 60, Decimal("0.97"))
    assert v1.demotion_hysteresis == 5
    assert (v1.warn_percentile_below, v1.warn_overall_below, v1.warn_unranked_cycles) == (Decimal("0.10"), 30, 2)
    assert (v1.probation_consecutive_warnings, v1.probation_fix_by_cycles) == (2, 1)
    assert v1.delist_on_warning_in_probation and v1.delist_on_serious_violation
    v1.full_clean()


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"l3_overall": "54"}, "l2_overall"),
        ({"l5_overall": "101"}, "l5_overall"),
        ({"l5_min_percentile": "1.2"}, "l5_min_percentile"),
        ({"warn_percentile_below": "-0.1"}, "warn_percentile_below"),
        ({"warn_overall_below": "-1"}, "warn_overall_below"),
        ({"warn_unranked_cycles": 0}, "warn_unranked_cycles"),
    ],
)
def test_invalid_documents_are_refused(client_for, staff, v1, overrides, field):
    response = client_for(staff).post("/api/v1/rule-sets/", document(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert RuleSet.objects.count() == 1


def test_staff_create_next_version(client_for, staff, v1):
    response = client_for(staff).post("/api/v1/rule-sets/", document(l1_overall="42.5"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["version"], body["l1_overall"], body["created_by"], body["in_use"]) == (2, "42.5000", "staff", False)
    assert RuleSet.objects.get(version=2).created_by == staff


def test_who_may_create(client_for, v1, auditor, reviewer, provider_user, outsider):
    for user in (auditor, reviewer, provider_user, outsider):
        assert client_for(user).post("/api/v1/rule-sets/", document(), format="json").status_code == 403
    assert client_for(None).post("/api/v1/rule-sets/", document(), format="json").status_code in (401, 403)
    assert RuleSet.objects.count() == 1


def test_everyone_signed_in_reads_rule_sets(client_for, v1, auditor, provider_user):
    for user in (auditor, provider_user):
        response = client_for(user).get("/api/v1/rule-sets/")
        assert response.status_code == 200
        assert [r["version"] for r in response.json()["results"]] == [1]


def test_unused_version_can_be_corrected(client_for, staff, v1):
    created = services.ruleset_create(
        name="draft", **{k: v for k, v in MIGRATION.V1.items() if k not in ("version", "name")}
    )
    response = client_for(staff).patch(f"/api/v1/rule-sets/{created.pk}/", {"l2_overall": "56"}, format="json")
    assert response.status_code == 200
    created.refresh_from_db()
    assert created.l2_overall == 56
    response = client_for(staff).patch(f"/api/v1/rule-sets/{created.pk}/", {"l2_overall": "70"}, format="json")
    assert response.status_code == 400  # would no longer be below L3's 65
    created.refresh_from_db()
    assert created.l2_overall == 56


def test_a_used_version_is_frozen(client_for, staff, v1, monkeypatch):
    # Cycles (scoring app) point at rule sets; any referring row freezes the version.
    monkeypatch.setattr(services, "ruleset_is_used", lambda ruleset: True)
    with pytest.raises(ValidationError) as info:
        services.ruleset_update(ruleset=v1, l1_overall=Decimal("41"))
    assert info.value.code == "ruleset_in_use"
    response = client_for(staff).patch(f"/api/v1/rule-sets/{v1.pk}/", {"l1_overall": "41"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "ruleset_in_use"
    v1.refresh_from_db()
    assert v1.l1_overall == 40


def test_nothing_refers_to_a_fresh_version(v1):
    assert services.ruleset_is_used(v1) is False
