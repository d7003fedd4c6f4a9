"""Plans, ticks, readiness, stream links and reviews through the services: every bad input refused, nothing changed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import Refusal
from live.ingest import events_ingest, snapshots_ingest
from playbook import services
from playbook.choices import STAGE_ORDER, PlanStatus
from playbook.models import ItemTick, OperationPlan, PlaybookItem, Review, TickFile
from playbook.reviews import exit_spikes, review_curves
from providers.ingest import ingest_rows
from tests import factories
from tests.live.helpers import row as live_row
from tests.live.helpers import today_start

from . import world as wd

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(provider, other_provider, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return wd.build(provider, other_provider)


def state():
    """Everything a refused call must leave as it was."""
    return (
        list(OperationPlan.objects.order_by("pk").values()),
        list(ItemTick.objects.order_by("pk").values()),
        TickFile.objects.count(),
        Review.objects.count(),
    )


def make_plan(w, user, **kw):
    args = {
        "actor": user,
        "engagement": w["engagement"],
        "lead_operator": w["operator"],
        "planned_date": wd.PLAN_DAY,
        "title": "618 big session",
        "target_gmv": Decimal("100000.00"),
        "target_entries": 50000,
        "target_new_followers": 1000,
        "target_paid_roi": Decimal("3.00"),
    }
    args.update(kw)
    return services.plan_create(**args)


def item(plan, key) -> PlaybookItem:
    return PlaybookItem.objects.get(stage__playbook=plan.playbook, key=key)


def tick_all_required_before_live(plan, user):
    for it in services.open_required_items(plan):
        if it.needs == "text":
            services.plan_tick(plan=plan, item=it, actor=user, text="done")
        elif it.needs == "number":
            services.plan_tick(plan=plan, item=it, actor=user, number="3")
        elif it.needs == "file":
            services.plan_tick(plan=plan, item=it, actor=user, upload=SimpleUploadedFile("s.pdf", wd.PDF))


def test_the_default_playbook_has_the_seven_stages_in_order(w):
    """DESIGN §12's stages, and items needing each of a text, a number, a file and a stream."""
    stages = list(w["playbook"].stages.order_by("position").values_list("key", flat=True))
    assert stages == STAGE_ORDER
    assert (
        item(make_plan(w, w and factories.ProviderUserFactory(provider=w["engagement"].provider).user), "stream").needs
        == "stream"
    )
    needs = set(PlaybookItem.objects.filter(stage__playbook=w["playbook"]).values_list("needs", flat=True))
    assert needs == {"text", "number", "file", "stream"}


def test_a_plan_is_created_pinned_to_the_latest_playbook(w, provider_user):
    plan = make_plan(w, provider_user)
    assert (plan.provider_id, plan.playbook.version, plan.status) == (w["engagement"].provider_id, 1, "preparing")


def test_another_providers_engagement_is_refused_like_a_missing_one(w, provider_user):
    before = state()
    with pytest.raises(Refusal) as exc:
        make_plan(w, provider_user, engagement=w["other_engagement"], lead_operator=w["operator"])
    assert exc.value.code == "no_such_engagement" and "engagement" in exc.value.errors
    assert state() == before


def test_a_lead_operator_the_provider_does_not_employ_is_refused(w, provider_user):
    before = state()
    with pytest.raises(Refusal) as exc:
        make_plan(w, provider_user, lead_operator=w["other_operator"])
    assert exc.value.code == "operator_not_employed"
    assert state() == before
    # Employed, but not yet on the plan's date.
    late = factories.OperatorFactory()
    factories.EmploymentFactory(operator=late, provider=w["engagement"].provider, start_date=dt.date(2025, 7, 1))
    with pytest.raises(Refusal):
        make_plan(w, provider_user, lead_operator=late)
    assert state() == before


def test_ticks_record_who_when_and_what_the_item_needs(w, provider_user):
    plan = make_plan(w, provider_user)
    tick = services.plan_tick(plan=plan, item=item(plan, "goal"), actor=provider_user, text="¥100k in 4 hours")
    assert (tick.ticked_by, tick.text) == (provider_user, "¥100k in 4 hours") and tick.ticked_at is not None
    tick = services.plan_tick(plan=plan, item=item(plan, "budget"), actor=provider_user, number="20000")
    assert tick.number == Decimal("20000.0000")
    before = state()
    for key, kwargs, code in (
        ("goal", {"text": "  "}, "text_needed"),
        ("budget", {"number": "lots"}, "not_a_number"),
        ("budget", {}, "number_needed"),
        ("lineup_sheet", {}, "file_needed"),
    ):
        with pytest.raises(Refusal) as exc:
            services.plan_tick(plan=plan, item=item(plan, key), actor=provider_user, **kwargs)
        assert exc.value.code == code
    assert state() == before


def test_a_file_is_sniffed_by_content_and_limited_to_10_mb(w, provider_user, tmp_path):
    plan = make_plan(w, provider_user)
    sheet = item(plan, "lineup_sheet")
    before = state()
    with pytest.raises(Refusal) as exc:
        services.plan_tick(
            plan=plan, item=sheet, actor=provider_user, upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00exe")
        )
    assert exc.value.code == "document_type"
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(Refusal) as exc:
        services.plan_tick(plan=plan, item=sheet, actor=provider_user, upload=big)
    assert exc.value.code == "document_too_large"
    assert state() == before
    assert not any(tmp_path.rglob("*.pdf"))
    tick = services.plan_tick(plan=plan, item=sheet, actor=provider_user, upload=SimpleUploadedFile("货盘.pdf", wd.PDF))
    stored = tick.file
    assert (stored.content_type, stored.size, stored.original_name) == ("application/pdf", len(wd.PDF), "货盘.pdf")
    assert stored.file.name.startswith("playbook/") and "货盘" not in stored.file.name
    assert (tmp_path / "private" / stored.file.name).read_bytes() == wd.PDF


def test_ready_is_refused_while_a_required_item_is_open(w, provider_user):
    plan = make_plan(w, provider_user)
    before = state()
    with pytest.raises(Refusal) as exc:
        services.plan_mark_ready(plan=plan, actor=provider_user)
    assert exc.value.code == "required_items_open" and "diagnosis.findings" in exc.value.errors["items"]
    assert state() == before
    tick_all_required_before_live(plan, provider_user)
    # Optional items may stay open.
    assert services.plan_mark_ready(plan=plan, actor=provider_user).status == PlanStatus.READY


def test_one_click_diagnosis_fills_the_diagnosis_stage(w, provider_user):
    plan = make_plan(w, provider_user)
    services.plan_fill_diagnosis(plan=plan, actor=provider_user)
    plan.refresh_from_db()
    assert plan.diagnosis["end_date"] == "2025-06-17"
    ticks = {t.item.key: t.number for t in plan.ticks.select_related("item")}
    assert ticks["sessions_7d"] == Decimal("2") and ticks["gmv_7d"] == Decimal("40000.0000")
    assert ticks["viewers_7d"] == Decimal("10000") and ticks["refund_rate_7d"] == Decimal("0.0250")
    # The findings are the operator's to write.
    assert "findings" not in ticks


def test_a_stream_of_another_merchant_is_refused(w, provider_user, other_provider):
    plan = make_plan(w, provider_user)
    tick_all_required_before_live(plan, provider_user)
    services.plan_mark_ready(plan=plan, actor=provider_user)
    factories.LiveSessionFactory(external_id="theirs", merchant=w["other_merchant"])
    before = state()
    with pytest.raises(Refusal) as exc:
        services.plan_link_stream(plan=plan, actor=provider_user, external_id="theirs")
    assert exc.value.code == "stream_other_merchant"
    # The own merchant's stream, but operated by another provider, reads the same.
    factories.LiveSessionFactory(
        external_id="operated-by-them", merchant=w["merchant"], operator=w["other_operator"], provider=other_provider
    )
    with pytest.raises(Refusal) as exc:
        services.plan_link_stream(plan=plan, actor=provider_user, external_id="operated-by-them")
    assert exc.value.code == "stream_other_merchant"
    assert state() == before
    services.plan_link_stream(plan=plan, actor=provider_user, external_id="big-1")
    plan.refresh_from_db()
    assert (plan.status, plan.stream_external_id) == ("linked", "big-1")


def test_linking_needs_a_ready_plan(w, provider_user):
    plan = make_plan(w, provider_user)
    before = state()
    with pytest.raises(Refusal) as exc:
        services.plan_link_stream(plan=plan, actor=provider_user, external_id="big-1")
    assert exc.value.code == "not_ready"
    assert state() == before


def test_another_providers_user_cannot_touch_the_plan(w, provider_user, outsider):
    plan = make_plan(w, provider_user)
    before = state()
    with pytest.raises(Refusal) as exc:
        services.plan_tick(plan=plan, item=item(plan, "goal"), actor=outsider, text="x")
    assert exc.value.status == 404
    assert state() == before


def linked_plan(w, user):
    plan = make_plan(w, user)
    tick_all_required_before_live(plan, user)
    services.plan_mark_ready(plan=plan, actor=user)
    services.plan_link_stream(plan=plan, actor=user, external_id="big-1")
    return plan


def test_the_review_is_made_when_the_final_row_arrives_and_refreshed_when_resent(w, provider_user, provider):
    plan = linked_plan(w, provider_user)
    assert services.reviews_refresh() == 0  # no final row yet
    report = ingest_rows(rows=[wd.final_row(w, provider)])
    assert report.created == 1
    assert services.reviews_refresh() == 1
    review = Review.objects.get(plan=plan)
    plan.refresh_from_db()
    assert plan.status == "reviewed"
    figures = {f["key"]: f for f in review.figures}
    assert figures["gmv"] == {"key": "gmv", "target": "100000.00", "actual": "150000.00", "ratio": "1.5000"}
    assert figures["entries"]["actual"] == "60000" and figures["entries"]["ratio"] == "1.2000"
    assert figures["paid_roi"]["actual"] == "3.5000" and figures["paid_roi"]["ratio"] == "1.1667"
    # Baseline: mean of 8,000 and 12,000 before the engagement; uplift 150,000 / 10,000 − 1.
    assert (review.baseline, review.uplift) == (Decimal("10000.00"), Decimal("14.000000"))
    skipped = {s["key"] for s in review.skipped_items}
    assert "setup_sheet" in skipped and "goal" not in skipped and "review_notes" not in skipped
    assert review.curves == {} and review.exit_spikes == []
    assert services.reviews_refresh() == 0  # nothing new
    # The same row again changes nothing; a corrected row redoes the review.
    assert ingest_rows(rows=[wd.final_row(w, provider)]).unchanged == 1
    assert services.reviews_refresh() == 0
    assert ingest_rows(rows=[wd.final_row(w, provider, gmv="50000.00")]).updated == 1
    assert services.reviews_refresh() == 1
    review.refresh_from_db()
    assert (review.refresh_count, review.uplift) == (1, Decimal("4.000000"))
    assert {f["key"]: f for f in review.figures}["gmv"]["ratio"] == "0.5000"


def test_a_tick_on_a_reviewed_plan_is_refused(w, provider_user, provider):
    plan = linked_plan(w, provider_user)
    ingest_rows(rows=[wd.final_row(w, provider)])
    services.reviews_refresh()
    plan.refresh_from_db()
    before = state()
    with pytest.raises(Refusal) as exc:
        services.plan_tick(
            plan=plan, item=item(plan, "setup_sheet"), actor=provider_user, upload=SimpleUploadedFile("a.pdf", wd.PDF)
        )
    assert exc.value.code == "plan_closed" and exc.value.status == 409
    assert state() == before
    # The operator's notes go on the review itself.
    review = services.review_set_notes(review=plan.review, actor=provider_user, notes="Hero product sold out at 21:10.")
    assert review.notes == "Hero product sold out at 21:10."


def test_a_final_row_of_another_merchant_under_the_linked_id_makes_no_review(w, provider_user, provider):
    plan = linked_plan(w, provider_user)
    row = wd.final_row(w, provider, merchant=w["other_merchant"].platform_account_id, operator=None)
    assert ingest_rows(rows=[row]).created == 1
    assert services.reviews_refresh() == 0
    assert not Review.objects.filter(plan=plan).exists()


def test_the_review_copies_the_walls_curves_and_finds_its_exit_spikes(w, provider_user, provider):
    plan = linked_plan(w, provider_user)
    start = today_start(days_ago=1, hour=20)  # the wall keeps 180 days of snapshots
    exits = [0, 1, 2, 3, 4, 5, 30, 31, 32, 33, 34, 35]
    account, operator = w["merchant"].platform_account_id, w["operator"].platform_user_id
    rows = [
        live_row("big-1", account, start, k, operator=operator, entries=100 + 10 * k, exits=exits[k], gmv=100 * k)
        for k in range(len(exits))
    ]
    assert snapshots_ingest(rows=rows).accepted == len(exits)
    at = (start + dt.timedelta(minutes=7)).isoformat()
    assert events_ingest(rows=[{"external_id": "big-1", "at": at, "kind": "coupon", "label": "满减"}]).accepted == 1
    ingest_rows(rows=[wd.final_row(w, provider, started_at=start.isoformat())])
    assert services.reviews_refresh() == 1
    review = Review.objects.get(plan=plan)
    assert review.curves["minutes"] == list(range(len(exits)))
    assert review.curves["series"]["exits"] == exits
    assert review.curves["series"]["gmv"][3] == "300.00"
    assert review.curves["events"] == [{"minute": 7, "kind": "coupon", "label": "满减"}]
    # Δ5 exits is 29 at minutes 6 to 10: the three largest, earliest first, each with the events around it.
    assert [(s["minute"], s["delta_exits"]) for s in review.exit_spikes] == [(6, 29), (7, 29), (8, 29)]
    assert all(s["events"] == [{"minute": 7, "kind": "coupon", "label": "满减"}] for s in review.exit_spikes)


def test_a_stream_the_wall_never_saw_has_no_curves(w, provider_user, provider):
    linked_plan(w, provider_user)
    ingest_rows(rows=[wd.final_row(w, provider)])
    services.reviews_refresh()
    assert Review.objects.get().curves == {} and review_curves([]) == {}


def test_exit_spikes_are_the_three_largest_delta5_exits_with_events_around_them():
    minutes = list(range(0, 21))
    exits = [0, 1, 2, 3, 4, 5, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 80, 81, 82, 83, 84]
    curves = {
        "minutes": minutes,
        "series": {"exits": exits},
        "events": [{"minute": 6, "kind": "price_change", "label": "A"}, {"minute": 20, "kind": "note", "label": "B"}],
    }
    spikes = exit_spikes(curves)
    # Δ5 at 16: 80 − 35 = 45; at 17..20: 81 − 36 = 45 …; ties go to the earliest minute.
    assert [(s["minute"], s["delta_exits"]) for s in spikes] == [(16, 45), (17, 45), (18, 45)]
    assert [e["label"] for e in spikes[0]["events"]] == ["B"]  # minute 20 is within 5 minutes of 16
    assert exit_spikes({}) == []
