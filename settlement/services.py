"""Every write of settlement (DESIGN §11): agreements and versions, the statement run, the statement's flow
(confirm, dispute, resolve, approve, invoice), payouts and their report. Each function is one transaction that
validates, writes and logs; the pghistory triggers audit the rows (and the request's context says who).

A statement's state has one writer: the functions of this module."""

import datetime as dt
import hashlib
import json
import logging
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import SHANGHAI, add_months, within_platform_data
from core.errors import Refusal
from providers.models import Engagement, Provider

from . import sql
from .choices import StatementState
from .models import (
    RATE_MAX,
    AgreementVersion,
    IdempotencyKey,
    Payout,
    ServiceAgreement,
    SettlementRun,
    Statement,
    StatementApproval,
)

logger = logging.getLogger(__name__)

CONFIRM_WITHIN = dt.timedelta(days=7)  # Shanghai has no DST: "the same Shanghai time 7 days later"
TWO_APPROVERS_ABOVE = Decimal("1000000.00")
RUN_WORK_MEM = "256MB"  # the statement run's hash tables (a month's sessions by engagement) stay in memory
RUN_LOCK_NS = 0x5E77  # advisory lock namespace: "the statements of month YYYYMM"


# --- months -------------------------------------------------------------------------------------------------


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants [start, end) of a Shanghai calendar month given by any of its days."""
    first = month.replace(day=1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=SHANGHAI)
    return start, dt.datetime.combine(add_months(first, 1), dt.time(), tzinfo=SHANGHAI)


def previous_month(now: dt.datetime | None = None) -> dt.date:
    """The Shanghai month before the one ``now`` falls in (its first day)."""
    today = (now or timezone.now()).astimezone(SHANGHAI).date()
    return add_months(today.replace(day=1), -1)


def parse_month(value) -> dt.date:
    """'YYYY-MM' (or a date) → its first day; refuses anything else."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    try:
        return dt.datetime.strptime(str(value), "%Y-%m").date()
    except ValueError:
        raise Refusal(
            "invalid_month",
            _("A month is written YYYY-MM."),
            errors={"month": [_("A month is written YYYY-MM.")]},
        ) from None


# --- agreements ---------------------------------------------------------------------------------------------


def _decimal(field: str, value, errors: dict) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = [_("A number is required.")]
        return None
    if not number.is_finite():
        errors[field] = [_("A number is required.")]
        return None
    return number


def _version_terms(*, effective_from, fixed_fee_monthly, commission_rate, uplift_bonus_rate) -> dict:
    errors: dict = {}
    if not isinstance(effective_from, dt.date) or not within_platform_data(effective_from):
        errors["effective_from"] = [_("A date between 2000-01-01 and a year from today is required.")]
    fee = _decimal("fixed_fee_monthly", fixed_fee_monthly, errors)
    if fee is not None and (fee < 0 or fee != fee.quantize(Decimal("0.01")) or fee >= Decimal("1e14")):
        errors["fixed_fee_monthly"] = [_("The fixed fee is yuan with at most 2 decimals, not negative.")]
    rates = {}
    for field, value in (("commission_rate", commission_rate), ("uplift_bonus_rate", uplift_bonus_rate)):
        rate = _decimal(field, value, errors)
        if rate is None:
            continue
        if not (Decimal(0) <= rate <= RATE_MAX) or rate != rate.quantize(Decimal("0.000001")):
            errors[field] = [_("A rate is between 0 and 0.9 (at most 6 decimals); %(value)s is not.") % {"value": rate}]
        rates[field] = rate
    if errors:
        raise Refusal("invalid_agreement_version", _("The agreement version is not valid."), errors=errors)
    return {"fixed_fee_monthly": fee, **rates}


@transaction.atomic
def agreement_create(
    *, provider: Provider, engagement: Engagement, created_by=None, note: str = ""
) -> ServiceAgreement:
    """An engagement's agreement (without terms yet: add versions). Refused on another provider's engagement."""
    if engagement.provider_id != provider.pk:
        raise Refusal(
            "engagement_of_another_provider",
            _("Engagement %(engagement)s belongs to another provider, not to %(provider)s.")
            % {"engagement": engagement.pk, "provider": provider.name},
            params={"engagement": engagement.pk, "provider": provider.pk},
            errors={"engagement": [_("This engagement belongs to another provider.")]},
        )
    if ServiceAgreement.objects.filter(engagement=engagement).exists():
        raise Refusal(
            "agreement_exists",
            _("Engagement %(engagement)s already has an agreement; add a version to it.")
            % {"engagement": engagement.pk},
            status=409,
            params={"engagement": engagement.pk},
        )
    agreement = ServiceAgreement.objects.create(
        engagement=engagement, provider=provider, created_by=created_by, note=(note or "").strip()[:200]
    )
    logger.info("agreement_create agreement=%s engagement=%s by=%s", agreement.pk, engagement.pk, created_by)
    return agreement


@transaction.atomic
def agreement_version_add(
    *,
    agreement: ServiceAgreement,
    effective_from,
    fixed_fee_monthly,
    commission_rate,
    uplift_bonus_rate,
    created_by=None,
) -> AgreementVersion:
    """A version in force from ``effective_from`` (a Shanghai date): one version per date, rates 0–0.9."""
    terms = _version_terms(
        effective_from=effective_from,
        fixed_fee_monthly=fixed_fee_monthly,
        commission_rate=commission_rate,
        uplift_bonus_rate=uplift_bonus_rate,
    )
    ServiceAgreement.objects.select_for_update().get(pk=agreement.pk)  # versions of one agreement one at a time
    if AgreementVersion.objects.filter(agreement=agreement, effective_from=effective_from).exists():
        raise Refusal(
            "version_date_taken",
            _("The agreement already has a version effective from %(date)s; one version per date.")
            % {"date": effective_from.isoformat()},
            status=409,
            params={"date": effective_from.isoformat()},
            errors={"effective_from": [_("Another version of this agreement starts on this date.")]},
        )
    version = AgreementVersion.objects.create(
        agreement=agreement, effective_from=effective_from, created_by=created_by, **terms
    )
    logger.info("agreement_version_add agreement=%s from=%s by=%s", agreement.pk, effective_from, created_by)
    return version


# --- the statement run --------------------------------------------------------------------------------------


def _run_lock(month: dt.date) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RUN_LOCK_NS, month.year * 100 + month.month])


def _checkpoint(step: str) -> None:
    """Between the run's steps (tests replace it to stand for a worker killed mid-run)."""


def providers_due(month: dt.date) -> list[int]:
    """Providers admitted before the month's end without a standing statement of the month (delisted ones too:
    they get their final statements)."""
    _, end = month_bounds(month)
    standing = Statement.objects.filter(provider=OuterRef("pk"), month=month).exclude(state=StatementState.VOID)
    return list(
        Provider.objects.filter(admitted_at__isnull=False, admitted_at__lt=end)
        .exclude(Exists(standing))
        .order_by("id")
        .values_list("id", flat=True)
    )


@transaction.atomic
def statements_make(
    *, month: dt.date, provider_ids: list[int] | None = None, started_by=None, now: dt.datetime | None = None
) -> SettlementRun:
    """Make the statements of ``month`` for every provider due (or those of ``provider_ids`` that are due), in one
    transaction under the month's lock: a second run, or a concurrent one, makes nothing more; a run killed
    midway leaves nothing behind."""
    month = month.replace(day=1)
    start, end = month_bounds(month)
    now = now or timezone.now()
    if end > now:
        raise Refusal(
            "month_not_over",
            _("The statements of %(month)s can be made once the month is over.") % {"month": f"{month:%Y-%m}"},
            status=409,
            params={"month": f"{month:%Y-%m}"},
        )
    _run_lock(month)
    due = providers_due(month)
    if provider_ids is not None:
        wanted = set(provider_ids)
        due = [p for p in due if p in wanted]
    run = SettlementRun.objects.create(month=month, started_by=started_by, created_at=now)
    if not due:
        logger.info("statements_make month=%s run=%s statements=0", f"{month:%Y-%m}", run.pk)
        return run
    params = {"month": month, "providers": due, "run": run.pk, "now": now, "confirm_by": now + CONFIRM_WITHIN}
    with connection.cursor() as cursor:
        # Hash joins and aggregates of a month's sessions in memory, not in batches on disk; no JIT compilation
        # (joins of temp tables, whose compile time costs more than it saves). Local to this transaction.
        cursor.execute(f"SET LOCAL work_mem = '{RUN_WORK_MEM}'")
        cursor.execute("SET LOCAL jit = off")
        for table in sql.TEMP_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        for step, statement, table in (
            ("targets", sql.TARGETS, "settlement_tmp_targets"),
            ("segments", sql.SEGMENTS, "settlement_tmp_seg"),
            ("versions", sql.VERSIONS, "settlement_tmp_ver"),
            ("baselines", sql.BASELINES, "settlement_tmp_base"),
            ("sessions", sql.SESSIONS, "settlement_tmp_ses"),
            ("recompute", sql.RECOMPUTE, "settlement_tmp_rc"),
            ("diff", sql.DIFF, "settlement_tmp_diff"),
        ):
            cursor.execute(statement, params)
            cursor.execute(f"ANALYZE {table}")  # temp tables have no statistics otherwise
            if step == "targets":  # the segments cover every target month, the earliest recomputed one first
                cursor.execute("SELECT min(m_start) FROM settlement_tmp_targets")
                params["start"], params["end"] = cursor.fetchone()[0], end
            _checkpoint(step)
        cursor.execute(sql.INSERT_STATEMENTS, params)
        made = cursor.rowcount
        cursor.execute(sql.NEW_STATEMENTS, params)
        cursor.execute("ANALYZE settlement_tmp_st")
        _checkpoint("statements")
        cursor.execute(sql.SEQUENCES)
        params["line_seq"], params["entry_seq"] = cursor.fetchone()
        cursor.execute(sql.LINES, params)
        cursor.execute("ANALYZE settlement_tmp_lines")
        for step, statement in (
            ("lines", sql.INSERT_LINES),
            ("totals", sql.UPDATE_TOTALS),
            ("sessions", sql.INSERT_SESSIONS),
            ("unsettled", sql.INSERT_UNSETTLED),
            ("entries", sql.INSERT_ENTRIES),
            ("legs", sql.INSERT_LEGS),
        ):
            cursor.execute(statement, params)
            _checkpoint(step)
        for table in sql.TEMP_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
    SettlementRun.objects.filter(pk=run.pk).update(statements=made)
    run.statements = made
    logger.info("statements_make month=%s run=%s statements=%s by=%s", f"{month:%Y-%m}", run.pk, made, started_by)
    return run


# --- the flow -----------------------------------------------------------------------------------------------


def _locked(statement: Statement) -> Statement:
    return Statement.objects.select_for_update().get(pk=statement.pk)


def _state_refusal(statement: Statement, action: str, allowed: list[str]):
    return Refusal(
        "wrong_state",
        _("A statement can be %(action)s only when %(allowed)s; this one is %(state)s.")
        % {"action": action, "allowed": " / ".join(allowed), "state": statement.state},
        status=409,
        params={"state": statement.state, "allowed": allowed},
    )


@transaction.atomic
def statement_confirm(*, statement: Statement, user=None, now: dt.datetime | None = None) -> Statement:
    """The provider confirms its draft statement (user None: the automatic confirmation)."""
    statement = _locked(statement)
    now = now or timezone.now()
    if statement.state != StatementState.DRAFT:
        raise _state_refusal(statement, _("confirmed"), [StatementState.DRAFT])
    statement.state = StatementState.CONFIRMED
    statement.confirmed_at, statement.confirmed_by = now, user
    statement.save(update_fields=["state", "confirmed_at", "confirmed_by"])
    logger.info("statement_confirm statement=%s by=%s", statement.pk, user)
    return statement


@transaction.atomic
def statement_dispute(*, statement: Statement, user, reason: str, now: dt.datetime | None = None) -> Statement:
    """The provider disputes its draft statement, with a reason, before the confirmation deadline."""
    statement = _locked(statement)
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise Refusal(
            "reason_required",
            _("A dispute needs a reason."),
            errors={"reason": [_("A dispute needs a reason.")]},
        )
    if statement.state != StatementState.DRAFT:
        raise _state_refusal(statement, _("disputed"), [StatementState.DRAFT])
    if now >= statement.confirm_by:
        raise Refusal(
            "dispute_window_closed",
            _("The statement could be disputed until %(deadline)s; that time has passed.")
            % {"deadline": f"{statement.confirm_by.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"},
            status=409,
            params={"deadline": statement.confirm_by.isoformat()},
        )
    statement.state = StatementState.DISPUTED
    statement.disputed_at, statement.disputed_by, statement.dispute_reason = now, user, reason[:2000]
    statement.save(update_fields=["state", "disputed_at", "disputed_by", "dispute_reason"])
    logger.info("statement_dispute statement=%s by=%s", statement.pk, user)
    return statement


@transaction.atomic
def statements_auto_confirm(*, now: dt.datetime | None = None) -> int:
    """Confirm every draft past its deadline (one conditional UPDATE; safe to run twice)."""
    now = now or timezone.now()
    count = Statement.objects.filter(state=StatementState.DRAFT, confirm_by__lte=now).update(
        state=StatementState.CONFIRMED, confirmed_at=now
    )
    logger.info("statements_auto_confirm confirmed=%s", count)
    return count


def _reverse_entries(statement: Statement, now: dt.datetime) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.REVERSE_ENTRIES, {"statement": statement.pk, "now": now})
        cursor.execute(sql.REVERSE_LEGS, {"statement": statement.pk, "now": now})


@transaction.atomic
def statement_resolve(*, statement: Statement, user, resolution: str, now: dt.datetime | None = None) -> Statement:
    """Finance resolves a dispute: the statement is voided (its entries reversed) and a replacement version is
    made from the data as it now stands. Returns the replacement."""
    now = now or timezone.now()
    resolution = (resolution or "").strip()
    if not resolution:
        raise Refusal(
            "resolution_required",
            _("Resolving a dispute needs a note of the resolution."),
            errors={"resolution": [_("Resolving a dispute needs a note of the resolution.")]},
        )
    _run_lock(statement.month)
    statement = _locked(statement)
    if statement.state != StatementState.DISPUTED:
        raise _state_refusal(statement, _("resolved"), [StatementState.DISPUTED])
    statement.state = StatementState.VOID
    statement.voided_at, statement.voided_by, statement.resolution = now, user, resolution[:2000]
    statement.save(update_fields=["state", "voided_at", "voided_by", "resolution"])
    _reverse_entries(statement, now)
    statements_make(month=statement.month, provider_ids=[statement.provider_id], started_by=user, now=now)
    replacement = Statement.objects.get(replaces=statement)
    logger.info("statement_resolve statement=%s replacement=%s by=%s", statement.pk, replacement.pk, user)
    return replacement


@transaction.atomic
def statement_approve(*, statement: Statement, user, now: dt.datetime | None = None) -> Statement:
    """Finance approves a confirmed statement; |total| above ¥1,000,000 needs two different approvers."""
    statement = _locked(statement)
    now = now or timezone.now()
    if statement.state != StatementState.CONFIRMED:
        raise _state_refusal(statement, _("approved"), [StatementState.CONFIRMED])
    if StatementApproval.objects.filter(statement=statement, approver=user).exists():
        raise Refusal(
            "already_approved_by_you",
            _("You have already approved this statement; a second approval must come from another finance member."),
            status=409,
        )
    StatementApproval.objects.create(statement=statement, approver=user, approved_at=now)
    needed = 2 if abs(statement.total) > TWO_APPROVERS_ABOVE else 1
    if statement.approvals.count() >= needed:
        statement.state, statement.approved_at = StatementState.APPROVED, now
        statement.save(update_fields=["state", "approved_at"])
    logger.info("statement_approve statement=%s by=%s state=%s", statement.pk, user, statement.state)
    return statement


@transaction.atomic
def statement_invoice_record(*, statement: Statement, user, invoice_number: str) -> Statement:
    """Record the provider's invoice (发票) number, which a payout needs."""
    statement = _locked(statement)
    number = (invoice_number or "").strip()
    if not number or len(number) > 64:
        raise Refusal(
            "invalid_invoice_number",
            _("An invoice number of 1 to 64 characters is required."),
            errors={"invoice_number": [_("An invoice number of 1 to 64 characters is required.")]},
        )
    allowed = [StatementState.CONFIRMED, StatementState.APPROVED]
    if statement.state not in allowed:
        raise _state_refusal(statement, _("invoiced"), allowed)
    statement.invoice_number = number
    statement.save(update_fields=["invoice_number"])
    logger.info("statement_invoice_record statement=%s by=%s", statement.pk, user)
    return statement


def request_hash(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def _payout_answer(payout: Payout) -> dict:
    return {
        "id": payout.pk,
        "statement": payout.statement_id,
        "amount": f"{payout.amount:.2f}",
        "status": payout.status,
        "idempotency_key": payout.idempotency_key,
        "requested_at": payout.requested_at.astimezone(SHANGHAI).isoformat(),
    }


@transaction.atomic
def payout_request(*, idempotency_key: str, body: dict, user, now: dt.datetime | None = None) -> tuple[int, dict]:
    """Request the payout of an approved, invoiced statement. The same key and body give the first answer; a
    different body under a used key is refused (409). Returns (HTTP status, answer)."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > 128:
        raise Refusal(
            "idempotency_key_required",
            _("A payout request carries an Idempotency-Key of 1 to 128 characters."),
            errors={"idempotency_key": [_("A payout request carries an Idempotency-Key of 1 to 128 characters.")]},
        )
    digest = request_hash(body)
    with connection.cursor() as cursor:  # one request per key at a time
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [RUN_LOCK_NS + 1, key])
    used = IdempotencyKey.objects.filter(key=key).first()
    if used is not None:
        if used.request_hash != digest:
            raise Refusal(
                "idempotency_key_reused",
                _("This Idempotency-Key was used for a different request."),
                status=409,
                params={"key": key},
            )
        return used.status_code, used.response
    try:
        statement_id = int(body.get("statement"))
    except (TypeError, ValueError):
        raise Refusal(
            "invalid_statement",
            _("A statement id is required."),
            errors={"statement": [_("A statement id is required.")]},
        ) from None
    statement = Statement.objects.select_for_update().filter(pk=statement_id).first()
    if statement is None:
        raise Refusal("not_found", _("No such statement."), status=404)
    if statement.state != StatementState.APPROVED:
        raise _state_refusal(statement, _("paid out"), [StatementState.APPROVED])
    if not statement.invoice_number:
        raise Refusal("invoice_missing", _("A payout needs the provider's invoice number recorded first."), status=409)
    if statement.total <= 0:
        raise Refusal(
            "nothing_to_pay",
            _("The statement's total is %(total)s: nothing to pay (a negative total is carried).")
            % {"total": statement.total},
            status=409,
        )
    if Payout.objects.filter(statement=statement).exists():
        raise Refusal("payout_exists", _("This statement's payout was already requested."), status=409)
    payout = Payout.objects.create(
        statement=statement,
        idempotency_key=key,
        amount=statement.total,
        requested_by=user,
        requested_at=now or timezone.now(),
    )
    answer = _payout_answer(payout)
    IdempotencyKey.objects.create(key=key, request_hash=digest, status_code=201, response=answer)
    logger.info("payout_request payout=%s statement=%s by=%s", payout.pk, statement.pk, user)
    return 201, answer


@transaction.atomic
def payout_report_paid(*, payout: Payout, user, reference: str, now: dt.datetime | None = None) -> Payout:
    """The payment system reports a payout paid, with its reference: the payout and its statement are paid. The
    same report again changes nothing; another reference for a paid payout is refused."""
    reference = (reference or "").strip()
    if not reference or len(reference) > 128:
        raise Refusal(
            "reference_required",
            _("A payment reference of 1 to 128 characters is required."),
            errors={"reference": [_("A payment reference of 1 to 128 characters is required.")]},
        )
    payout = Payout.objects.select_for_update().get(pk=payout.pk)
    if payout.status == "paid":
        if payout.reference == reference:
            return payout
        raise Refusal("already_paid", _("This payout was already reported paid with another reference."), status=409)
    statement = _locked(payout.statement)
    if statement.state != StatementState.APPROVED:
        raise _state_refusal(statement, _("paid"), [StatementState.APPROVED])
    now = now or timezone.now()
    payout.status, payout.paid_at, payout.reference = "paid", now, reference
    payout.save(update_fields=["status", "paid_at", "reference"])
    statement.state, statement.paid_at, statement.payment_reference = StatementState.PAID, now, reference
    statement.save(update_fields=["state", "paid_at", "payment_reference"])
    logger.info("payout_report_paid payout=%s statement=%s reference=%s", payout.pk, statement.pk, reference)
    return payout
