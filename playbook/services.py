"""Every write of the playbook app: playbook versions, operation plans and their ticks, reviews, record opt-ins."""

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import provider_id_of
from core.dates import shanghai_today, within_platform_data
from core.errors import Refusal
from providers.files import inspect_upload
from providers.models import Employment, Engagement, LiveSession, Operator
from scoring.selectors import DIAGNOSIS_FIGURES, diagnosis_last_day, merchant_diagnosis

from .choices import BEFORE_LIVE, CLOSED_STATUSES, STAGE_ORDER, ItemNeed, PlanStatus, StageKey
from .files import random_tick_file_name
from .models import (
    ItemTick,
    OperationPlan,
    OperatorRecordConsent,
    Playbook,
    PlaybookItem,
    PlaybookStage,
    Review,
    TickFile,
)
from .reviews import reviews_build

logger = logging.getLogger(__name__)


def _field(field: str, code: str, message: str, status: int = 400) -> Refusal:
    return Refusal(code, message, status=status, errors={field: [message]})


def _require_own_provider(actor, provider_id: int) -> None:
    """A provider user acts on its own provider's plans only (staff read plans; they do not run them)."""
    if provider_id_of(actor) != provider_id:
        raise Refusal("not_found", _("No such operation plan."), status=404)


def _locked(plan: OperationPlan) -> OperationPlan:
    return OperationPlan.objects.select_for_update().select_related("engagement", "playbook").get(pk=plan.pk)


def _require_open(plan: OperationPlan) -> None:
    if plan.status in CLOSED_STATUSES:
        raise Refusal(
            "plan_closed",
            _("This plan is %(status)s: its items can no longer be changed.") % {"status": plan.get_status_display()},
            status=409,
            errors={"status": plan.status},
        )


def _employs(provider_id: int, operator_id: int, day: dt.date) -> bool:
    return (
        Employment.objects.filter(provider_id=provider_id, operator_id=operator_id, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .exists()
    )


# --- playbook versions (staff) ------------------------------------------------------------------


@transaction.atomic
def playbook_create(*, actor, name: str, stages: list[dict], notes: str = "") -> Playbook:
    """A new playbook version (the next number): stages in the §12 order, each with its items."""
    errors = {}
    keys = [s.get("key") for s in stages]
    if not stages:
        errors["stages"] = [_("A playbook needs at least one stage.")]
    elif any(k not in STAGE_ORDER for k in keys) or len(set(keys)) != len(keys):
        errors["stages"] = [_("Stages are named once each, from: %(keys)s.") % {"keys": ", ".join(STAGE_ORDER)}]
    elif keys != sorted(keys, key=STAGE_ORDER.index):
        errors["stages"] = [_("Stages go in the playbook's order: %(keys)s.") % {"keys": ", ".join(STAGE_ORDER)}]
    for i, stage in enumerate(stages):
        item_keys = [it.get("key") for it in stage.get("items", [])]
        if len(set(item_keys)) != len(item_keys):
            errors[f"stages[{i}].items"] = [_("Item keys are unique within a stage.")]
        for j, it in enumerate(stage.get("items", [])):
            if it.get("needs") not in ItemNeed.values:
                errors[f"stages[{i}].items[{j}].needs"] = [
                    _("An item needs one of: %(v)s.") % {"v": ", ".join(ItemNeed.values)}
                ]
            figure = it.get("diagnosis_figure", "")
            if figure and (figure not in DIAGNOSIS_FIGURES or it.get("needs") != ItemNeed.NUMBER):
                errors[f"stages[{i}].items[{j}].diagnosis_figure"] = [
                    _("A diagnosis figure is a number item, one of: %(v)s.") % {"v": ", ".join(DIAGNOSIS_FIGURES)}
                ]
            if not it.get("key") or not it.get("title") or not it.get("title_zh"):
                errors[f"stages[{i}].items[{j}]"] = [_("An item has a key, an English and a Chinese title.")]
    if errors:
        raise Refusal("invalid_playbook", _("The playbook is not valid."), errors=errors)
    version = (Playbook.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0) + 1
    playbook = Playbook.objects.create(version=version, name=name, notes=notes)
    for position, stage in enumerate(stages, start=1):
        row = PlaybookStage.objects.create(playbook=playbook, key=stage["key"], position=position)
        PlaybookItem.objects.bulk_create(
            PlaybookItem(
                stage=row,
                key=it["key"],
                position=j,
                title=it["title"],
                title_zh=it["title_zh"],
                required=bool(it.get("required", True)),
                needs=it["needs"],
                diagnosis_figure=it.get("diagnosis_figure", ""),
            )
            for j, it in enumerate(stage.get("items", []), start=1)
        )
    logger.info("playbook_create version=%s by=%s", version, actor.pk)
    return playbook


def playbook_is_pinned(playbook: Playbook) -> bool:
    return OperationPlan.objects.filter(playbook=playbook).exists()


@transaction.atomic
def playbook_update(*, playbook: Playbook, actor, **changes) -> Playbook:
    """Name and notes of a version no plan pinned yet; a pinned version is immutable."""
    playbook = Playbook.objects.select_for_update().get(pk=playbook.pk)
    if playbook_is_pinned(playbook):
        raise Refusal(
            "playbook_pinned",
            _("Playbook v%(version)s is pinned by a plan and cannot change; create a new version.")
            % {"version": playbook.version},
            status=409,
        )
    for field in ("name", "notes"):
        if field in changes:
            setattr(playbook, field, changes[field])
    playbook.save()
    return playbook


def latest_playbook() -> Playbook | None:
    return Playbook.objects.order_by("-version").first()


# --- operation plans ----------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor,
    engagement: Engagement,
    lead_operator: Operator,
    planned_date: dt.date,
    title: str,
    playbook: Playbook | None = None,
    target_gmv: Decimal | None = None,
    target_entries: int | None = None,
    target_new_followers: int | None = None,
    target_paid_roi: Decimal | None = None,
) -> OperationPlan:
    """A plan for one of the actor's provider's engagements, pinned to a playbook version (default: the latest)."""
    provider_id = provider_id_of(actor)
    if provider_id is None or engagement.provider_id != provider_id:
        # Another provider's engagement reads exactly like one that does not exist.
        raise _field("engagement", "no_such_engagement", _("No engagement of your provider has this id."))
    if not within_platform_data(planned_date):
        raise _field("planned_date", "date_out_of_range", _("The date is outside the platform's data."))
    if planned_date < engagement.start_date or (engagement.end_date and planned_date > engagement.end_date):
        raise _field("planned_date", "outside_engagement", _("The engagement does not cover this date."))
    if not _employs(provider_id, lead_operator.pk, planned_date):
        raise _field(
            "lead_operator", "operator_not_employed", _("Your provider does not employ this operator on that date.")
        )
    playbook = playbook or latest_playbook()
    if playbook is None:
        raise _field("playbook", "no_playbook", _("There is no playbook yet."))
    for field, value in (("target_gmv", target_gmv), ("target_paid_roi", target_paid_roi)):
        if value is not None and value < 0:
            raise _field(field, "negative_target", _("A target cannot be negative."))
    plan = OperationPlan.objects.create(
        engagement=engagement,
        provider_id=provider_id,
        playbook=playbook,
        title=title.strip() or _("Big session"),
        planned_date=planned_date,
        lead_operator=lead_operator,
        target_gmv=target_gmv,
        target_entries=target_entries,
        target_new_followers=target_new_followers,
        target_paid_roi=target_paid_roi,
        created_by=actor,
    )
    logger.info("plan_create plan=%s provider=%s by=%s", plan.pk, provider_id, actor.pk)
    return plan


def _item_of(plan: OperationPlan, item: PlaybookItem) -> PlaybookItem:
    if item.stage.playbook_id != plan.playbook_id:
        raise _field("item", "item_not_in_playbook", _("This item is not in the plan's playbook version."))
    return item


def _as_number(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _field("number", "not_a_number", _("Enter a number.")) from None
    if not number.is_finite() or abs(number) >= Decimal("1e16"):
        raise _field("number", "not_a_number", _("Enter a number."))
    return number.quantize(Decimal("0.0001"))


def _store_file(plan: OperationPlan, actor, upload) -> TickFile:
    try:
        facts = inspect_upload(upload)
    except ValidationError as exc:
        raise Refusal(exc.code or "invalid_file", " ".join(exc.messages), errors={"file": exc.messages}) from exc
    stored = TickFile(
        plan=plan,
        original_name=(getattr(upload, "name", "") or "")[:255],
        content_type=facts["content_type"],
        size=facts["size"],
        sha256=facts["sha256"],
        uploaded_by=actor,
    )
    stored.file.save(random_tick_file_name(facts["extension"]), upload, save=False)
    stored.save()
    return stored


def _write_tick(plan, item, actor, **values) -> ItemTick:
    tick, _created = ItemTick.objects.update_or_create(
        plan=plan,
        item=item,
        defaults={
            "ticked_by": actor,
            "ticked_at": timezone.now(),
            "text": values.get("text", ""),
            "number": values.get("number"),
            "file": values.get("file"),
            "stream_external_id": values.get("stream_external_id", ""),
        },
    )
    return tick


@transaction.atomic
def plan_tick(
    *, plan: OperationPlan, item: PlaybookItem, actor, text: str = "", number=None, upload=None, stream: str = ""
) -> ItemTick:
    """Tick an item with what it needs (who and when recorded); ticking again replaces the earlier tick."""
    _require_own_provider(actor, plan.provider_id)
    plan = _locked(plan)
    _require_open(plan)
    item = _item_of(plan, item)
    if item.needs == ItemNeed.STREAM:
        return _link(plan, item, actor, stream)
    text = (text or "").strip()
    value = _as_number(number)
    if item.needs == ItemNeed.TEXT and not text:
        raise _field("text", "text_needed", _("This item needs a text."))
    if item.needs == ItemNeed.NUMBER and value is None:
        raise _field("number", "number_needed", _("This item needs a number."))
    if item.needs == ItemNeed.FILE and upload is None:
        raise _field("file", "file_needed", _("This item needs a file."))
    stored = _store_file(plan, actor, upload) if upload is not None else None
    tick = _write_tick(plan, item, actor, text=text, number=value, file=stored)
    logger.info("plan_tick plan=%s item=%s by=%s", plan.pk, item.key, actor.pk)
    return tick


@transaction.atomic
def plan_untick(*, plan: OperationPlan, item: PlaybookItem, actor) -> None:
    _require_own_provider(actor, plan.provider_id)
    plan = _locked(plan)
    _require_open(plan)
    if item.needs == ItemNeed.STREAM and plan.stream_external_id:
        raise Refusal("stream_linked", _("The stream is linked; the link stays with the plan."), status=409)
    ItemTick.objects.filter(plan=plan, item=item).delete()


def open_required_items(plan: OperationPlan, stages=BEFORE_LIVE) -> list[PlaybookItem]:
    """Required items of the given stages that the plan has not ticked (one query)."""
    return list(
        PlaybookItem.objects.filter(stage__playbook_id=plan.playbook_id, stage__key__in=stages, required=True)
        .exclude(ticks__plan=plan)
        .select_related("stage")
        .order_by("stage__position", "position")
    )


@transaction.atomic
def plan_mark_ready(*, plan: OperationPlan, actor) -> OperationPlan:
    """preparing → ready for the live stage; refused while a required item of an earlier stage is open."""
    _require_own_provider(actor, plan.provider_id)
    plan = _locked(plan)
    if plan.status != PlanStatus.PREPARING:
        raise Refusal(
            "invalid_transition",
            _("Only a plan in preparation can be marked ready; this one is %(status)s.")
            % {"status": plan.get_status_display()},
            status=409,
        )
    missing = open_required_items(plan)
    if missing:
        raise Refusal(
            "required_items_open",
            _("%(n)d required items are still open; tick them before the live stage.") % {"n": len(missing)},
            status=409,
            params={"n": len(missing)},
            errors={"items": [f"{i.stage.key}.{i.key}" for i in missing]},
        )
    plan.status = PlanStatus.READY
    plan.ready_at = timezone.now()
    plan.save(update_fields=["status", "ready_at"])
    logger.info("plan_mark_ready plan=%s by=%s", plan.pk, actor.pk)
    return plan


def _link(plan: OperationPlan, item: PlaybookItem, actor, external_id: str) -> ItemTick:
    external_id = (external_id or "").strip()
    if not external_id:
        raise _field("stream", "stream_needed", _("This item needs the stream's external id."))
    if plan.status not in (PlanStatus.READY, PlanStatus.LINKED):
        raise Refusal(
            "not_ready",
            _("Mark the plan ready for the live stage before linking its stream."),
            status=409,
            errors={"status": plan.status},
        )
    session = LiveSession.objects.filter(external_id=external_id).only("merchant_id", "provider_id").first()
    if session is not None and (
        session.merchant_id != plan.engagement.merchant_id
        or (session.provider_id is not None and session.provider_id != plan.provider_id)
    ):
        raise _field(
            "stream", "stream_other_merchant", _("This stream is not a stream of the plan's merchant run by you.")
        )
    if OperationPlan.objects.filter(stream_external_id=external_id).exclude(pk=plan.pk).exists():
        raise _field("stream", "stream_taken", _("Another plan already links this stream."))
    plan.stream_external_id = external_id
    plan.status = PlanStatus.LINKED
    plan.linked_at = timezone.now()
    plan.save(update_fields=["stream_external_id", "status", "linked_at"])
    tick = _write_tick(plan, item, actor, stream_external_id=external_id)
    # The review appears as soon as the final row is there (it may already be): the refresh job, now.
    transaction.on_commit(_enqueue_refresh)
    logger.info("plan_link_stream plan=%s stream=%s by=%s", plan.pk, external_id, actor.pk)
    return tick


def _enqueue_refresh() -> None:
    from .tasks import refresh_reviews_task  # tasks import this module

    try:
        refresh_reviews_task.delay()
    except Exception:  # the broker down: the beat job (every minute) makes the review instead
        logger.warning("refresh_reviews_task not queued; the beat job will make the review", exc_info=True)


@transaction.atomic
def plan_link_stream(*, plan: OperationPlan, actor, external_id: str) -> ItemTick:
    """Link the plan's stream (external_id) by ticking the live stage's stream item."""
    _require_own_provider(actor, plan.provider_id)
    plan = _locked(plan)
    _require_open(plan)
    item = PlaybookItem.objects.filter(stage__playbook_id=plan.playbook_id, needs=ItemNeed.STREAM).first()
    if item is None:
        raise _field("stream", "no_stream_item", _("The plan's playbook has no item to link a stream."))
    return _link(plan, item, actor, external_id)


@transaction.atomic
def plan_cancel(*, plan: OperationPlan, actor) -> OperationPlan:
    _require_own_provider(actor, plan.provider_id)
    plan = _locked(plan)
    _require_open(plan)
    plan.status = PlanStatus.CANCELLED
    plan.save(update_fields=["status"])
    return plan


@transaction.atomic
def plan_fill_diagnosis(*, plan: OperationPlan, actor, end_date: dt.date | None = None) -> OperationPlan:
    """One click: the merchant diagnosis (its last 7 days beside the category's medians) into the diagnosis stage.

    The 7 days end the day before the plan's date, or yesterday if that is earlier. Number items naming a figure
    are ticked with the merchant's value; a figure without a value (no viewers, no paid sessions) stays open."""
    _require_own_provider(actor, plan.provider_id)
    plan = _locked(plan)
    _require_open(plan)
    end_date = end_date or min(plan.planned_date - dt.timedelta(days=1), diagnosis_last_day())
    diagnosis = merchant_diagnosis(merchant=plan.engagement.merchant, end_date=end_date)
    values = {f["key"]: f for f in diagnosis["figures"]}
    plan.diagnosis = {
        "end_date": end_date.isoformat(),
        "start": diagnosis["start"].isoformat(),
        "end": diagnosis["end"].isoformat(),
        "medians_computed": diagnosis["medians_computed"],
        "category": diagnosis["category"],
        "category_merchants": diagnosis["category_merchants"],
        "figures": [
            {
                "key": f["key"],
                "value": None if f["value"] is None else str(f["value"]),
                "category_median": None if f["category_median"] is None else str(f["category_median"]),
            }
            for f in diagnosis["figures"]
        ],
    }
    plan.save(update_fields=["diagnosis"])
    items = PlaybookItem.objects.filter(
        stage__playbook_id=plan.playbook_id, stage__key=StageKey.DIAGNOSIS, needs=ItemNeed.NUMBER
    ).exclude(diagnosis_figure="")
    for item in items:
        figure = values.get(item.diagnosis_figure)
        if figure is None or figure["value"] is None:
            continue
        median = figure["category_median"]
        text = _("Category median: %(m)s") % {"m": median} if median is not None else ""
        _write_tick(plan, item, actor, number=Decimal(figure["value"]).quantize(Decimal("0.0001")), text=text)
    logger.info("plan_fill_diagnosis plan=%s end=%s by=%s", plan.pk, end_date, actor.pk)
    return plan


# --- reviews --------------------------------------------------------------------------------------


@transaction.atomic
def review_set_notes(*, review: Review, actor, notes: str) -> Review:
    """The operator's notes on a review (kept when the review is refreshed)."""
    _require_own_provider(actor, review.plan.provider_id)
    review = Review.objects.select_for_update().get(pk=review.pk)
    review.notes = (notes or "").strip()
    review.save(update_fields=["notes"])
    return review


def reviews_refresh(*, now: dt.datetime | None = None) -> int:
    """Make the reviews whose stream's final row has arrived and redo those whose row was re-sent with other
    facts (its ingest batch changed). Set-based: one query finds them, one computes their baselines."""
    return reviews_build(now=now or timezone.now())


# --- the public operator record: opt-in -----------------------------------------------------------


@transaction.atomic
def record_consent_give(*, actor, operator: Operator) -> OperatorRecordConsent:
    provider_id = provider_id_of(actor)
    if provider_id is None or not _employs(provider_id, operator.pk, shanghai_today()):
        raise _field("operator", "operator_not_employed", _("Your provider does not employ this operator today."))
    consent, _created = OperatorRecordConsent.objects.get_or_create(
        provider_id=provider_id, operator=operator, defaults={"consented_by": actor}
    )
    logger.info("record_consent_give operator=%s provider=%s by=%s", operator.pk, provider_id, actor.pk)
    return consent


@transaction.atomic
def record_consent_withdraw(*, consent: OperatorRecordConsent, actor) -> None:
    _require_own_provider(actor, consent.provider_id)
    consent.delete()
    logger.info(
        "record_consent_withdraw operator=%s provider=%s by=%s", consent.operator_id, consent.provider_id, actor.pk
    )
