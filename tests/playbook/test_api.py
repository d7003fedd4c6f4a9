"""The playbook API tried by the three personas: the provider runs its plans, staff read them and edit playbooks,
another provider's user sees nothing (404) — and every refusal leaves the database as it was."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from playbook import services
from playbook.models import OperationPlan, OperatorRecordConsent, Playbook, PlaybookItem
from providers.ingest import ingest_rows

from . import world as wd
from .test_services import linked_plan, state, tick_all_required_before_live

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(provider, other_provider, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return wd.build(provider, other_provider)


def body(w, **kw):
    data = {
        "engagement": w["engagement"].pk,
        "lead_operator": w["operator"].pk,
        "planned_date": "2025-06-18",
        "title": "618",
        "target_gmv": "100000.00",
        "target_entries": 50000,
    }
    data.update(kw)
    return data


def test_a_provider_user_creates_and_reads_its_plan(w, client_for, provider_user, outsider, staff):
    r = client_for(provider_user).post("/api/v1/operation-plans/", body(w), format="json")
    assert r.status_code == 201, r.content
    plan = r.json()
    assert (plan["status"], plan["playbook_version"], plan["merchant_name"]) == ("preparing", 1, "Own Merchant")
    assert (
        plan["open_required"]
        == PlaybookItem.objects.filter(
            stage__playbook__version=1,
            required=True,
            stage__key__in=["diagnosis", "setup", "lineup", "preheat", "script"],
        ).count()
    )
    assert client_for(outsider).get(f"/api/v1/operation-plans/{plan['id']}/").status_code == 404
    assert client_for(outsider).get("/api/v1/operation-plans/").json()["count"] == 0
    assert client_for(staff).get(f"/api/v1/operation-plans/{plan['id']}/").status_code == 200
    # Staff read plans; they do not run them.
    before = state()
    assert client_for(staff).post("/api/v1/operation-plans/", body(w), format="json").status_code == 403
    assert client_for(staff).post(f"/api/v1/operation-plans/{plan['id']}/ready/").status_code == 403
    assert state() == before


def test_bad_plans_are_refused_with_the_field_and_nothing_written(w, client_for, provider_user):
    client = client_for(provider_user)
    before = state()
    for data, field, code in (
        (body(w, engagement=w["other_engagement"].pk), "engagement", "no_such_engagement"),
        (body(w, engagement=999999), "engagement", "no_such_engagement"),
        (body(w, lead_operator=w["other_operator"].pk), "lead_operator", "operator_not_employed"),
        (body(w, planned_date="2025-02-01"), "planned_date", "outside_engagement"),
    ):
        r = client.post("/api/v1/operation-plans/", data, format="json")
        assert r.status_code == 400, r.content
        assert r.json()["code"] == code and field in r.json()["errors"]
    assert state() == before


def test_ticking_over_the_api_with_a_file_and_the_refusals(w, client_for, provider_user):
    client = client_for(provider_user)
    plan_id = client.post("/api/v1/operation-plans/", body(w), format="json").json()["id"]
    sheet = PlaybookItem.objects.get(stage__playbook__version=1, key="lineup_sheet")
    before = state()
    wrong = client.post(
        f"/api/v1/operation-plans/{plan_id}/tick/",
        {"item": sheet.pk, "file": SimpleUploadedFile("a.pdf", b"GIF89a....")},
        format="multipart",
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "document_type" and "file" in wrong.json()["errors"]
    assert state() == before
    ok = client.post(
        f"/api/v1/operation-plans/{plan_id}/tick/",
        {"item": sheet.pk, "file": SimpleUploadedFile("a.pdf", wd.PDF)},
        format="multipart",
    )
    assert ok.status_code == 200, ok.content
    tick = next(t for t in ok.json()["ticks"] if t["item_key"] == "lineup_sheet")
    assert tick["ticked_by"] == "provider_user" and tick["file"]["content_type"] == "application/pdf"
    download = client.get(f"/api/v1/operation-plans/{plan_id}/files/{tick['file']['id']}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == wd.PDF
    ready = client.post(f"/api/v1/operation-plans/{plan_id}/ready/")
    assert ready.status_code == 409 and ready.json()["code"] == "required_items_open"
    assert OperationPlan.objects.get(pk=plan_id).status == "preparing"


def test_the_plan_list_has_a_query_budget(w, client_for, provider_user, django_assert_max_num_queries):
    for day in range(1, 16):
        services.plan_create(
            actor=provider_user,
            engagement=w["engagement"],
            lead_operator=w["operator"],
            planned_date=wd.PLAN_DAY.replace(day=day),
            title=f"plan {day}",
        )
    client = client_for(provider_user)
    with django_assert_max_num_queries(6):
        r = client.get("/api/v1/operation-plans/")
    assert r.json()["count"] == 15


def test_reviews_belong_to_the_provider(w, client_for, provider_user, outsider, provider, staff):
    plan = linked_plan(w, provider_user)
    ingest_rows(rows=[wd.final_row(w, provider)])
    services.reviews_refresh()
    mine = client_for(provider_user).get("/api/v1/reviews/").json()
    assert mine["count"] == 1 and mine["results"][0]["uplift"] == "14.000000"
    review_id = mine["results"][0]["id"]
    assert client_for(outsider).get(f"/api/v1/reviews/{review_id}/").status_code == 404
    assert client_for(staff).get(f"/api/v1/reviews/{review_id}/").status_code == 200
    r = client_for(provider_user).post(f"/api/v1/reviews/{review_id}/notes/", {"notes": "Start the coupon earlier."})
    assert r.status_code == 200 and r.json()["notes"] == "Start the coupon earlier."
    assert client_for(outsider).post(f"/api/v1/reviews/{review_id}/notes/", {"notes": "x"}).status_code == 404
    # A reviewed plan takes no ticks.
    item = PlaybookItem.objects.get(stage__playbook__version=1, key="setup_sheet")
    before = state()
    r = client_for(provider_user).post(f"/api/v1/operation-plans/{plan.pk}/tick/", {"item": item.pk, "text": "x"})
    assert r.status_code == 409 and r.json()["code"] == "plan_closed"
    assert state() == before


def test_staff_add_playbook_versions_and_a_pinned_one_is_immutable(w, client_for, staff, provider_user):
    data = {
        "name": "Short playbook",
        "stages": [
            {"key": "diagnosis", "items": [{"key": "look", "title": "Look", "title_zh": "看", "needs": "text"}]},
            {"key": "live", "items": [{"key": "stream", "title": "Stream", "title_zh": "场次", "needs": "stream"}]},
        ],
    }
    assert client_for(provider_user).post("/api/v1/playbooks/", data, format="json").status_code == 403
    r = client_for(staff).post("/api/v1/playbooks/", data, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["version"] == 2 and [s["key"] for s in r.json()["stages"]] == ["diagnosis", "live"]
    bad = {**data, "stages": [data["stages"][1], data["stages"][0]]}
    assert client_for(staff).post("/api/v1/playbooks/", bad, format="json").json()["code"] == "invalid_playbook"
    assert Playbook.objects.count() == 2
    services.plan_create(
        actor=provider_user,
        engagement=w["engagement"],
        lead_operator=w["operator"],
        planned_date=wd.PLAN_DAY,
        title="x",
    )
    assert client_for(provider_user).get("/api/v1/playbooks/").json()["count"] == 2
    pinned = client_for(staff).patch(f"/api/v1/playbooks/{r.json()['id']}/", {"name": "Renamed"}, format="json")
    assert pinned.status_code == 409 and pinned.json()["code"] == "playbook_pinned"
    assert Playbook.objects.get(version=2).name == "Short playbook"


def test_record_consent_is_for_an_operator_the_provider_employs(w, client_for, provider_user, outsider):
    client = client_for(provider_user)
    r = client.post("/api/v1/operator-record-consents/", {"operator": w["other_operator"].pk}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "operator_not_employed"
    assert OperatorRecordConsent.objects.count() == 0
    r = client.post("/api/v1/operator-record-consents/", {"operator": w["operator"].pk}, format="json")
    assert r.status_code == 201
    consent_id = r.json()["id"]
    assert client_for(outsider).delete(f"/api/v1/operator-record-consents/{consent_id}/").status_code == 404
    assert client.delete(f"/api/v1/operator-record-consents/{consent_id}/").status_code == 204
    assert OperatorRecordConsent.objects.count() == 0


def test_linking_a_ready_plan_over_the_api(w, client_for, provider_user):
    plan = services.plan_create(
        actor=provider_user,
        engagement=w["engagement"],
        lead_operator=w["operator"],
        planned_date=wd.PLAN_DAY,
        title="x",
    )
    tick_all_required_before_live(plan, provider_user)
    client = client_for(provider_user)
    assert client.post(f"/api/v1/operation-plans/{plan.pk}/ready/").status_code == 200
    r = client.post(f"/api/v1/operation-plans/{plan.pk}/link-stream/", {"external_id": "big-9"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "linked" and r.json()["stream_external_id"] == "big-9"
