"""Every write of the scoring app: capability-model versions, cycles and the scoring engine."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dbroles import analyze

from . import selectors, sql
from .choices import CapabilityKey, CycleKind, CycleStatus, Direction, MetricKey
from .models import Capability, CapabilityModel, CategoryMedian, CohortMember, Metric, QualificationCycle

SHANGHAI = ZoneInfo("Asia/Shanghai")
# work_mem of the scoring transaction: the per-merchant hash aggregate (1M merchants at DESIGN §9 scale, a few
# hundred bytes each) must not spill to disk; hash tables may use hash_mem_multiplier (2) × this.
SCORING_WORK_MEM = "512MB"

# DESIGN §3, default version 1: capability → (weight, [(metric, weight, direction)]).
DEFAULT_MODEL = [
    {
        "key": "growth",
        "weight": "30",
        "metrics": [
            {"key": "gmv_uplift", "weight": "0.5", "direction": "up"},
            {"key": "leap_rate", "weight": "0.3", "direction": "up"},
            {"key": "merchant_retention", "weight": "0.2", "direction": "up"},
        ],
    },
    {
        "key": "content",
        "weight": "20",
        "metrics": [
            {"key": "gpm", "weight": "0.5", "direction": "up"},
            {"key": "followers_per_session", "weight": "0.3", "direction": "up"},
            {"key": "live_hours_per_merchant_week", "weight": "0.2", "direction": "up"},
        ],
    },
    {
        "key": "traffic",
        "weight": "15",
        "metrics": [
            {"key": "paid_roi", "weight": "0.6", "direction": "up"},
            {"key": "loss_session_rate", "weight": "0.4", "direction": "down"},
        ],
    },
    {
        "key": "product",
        "weight": "15",
        "metrics": [
            {"key": "refund_rate", "weight": "0.5", "direction": "down"},
            {"key": "sell_through", "weight": "0.3", "direction": "up"},
            {"key": "orders_per_1k_viewers", "weight": "0.2", "direction": "up"},
        ],
    },
    {
        "key": "service",
        "weight": "20",
        "metrics": [
            {"key": "complaints_per_1k_orders", "weight": "0.4", "direction": "down"},
            {"key": "violation_points", "weight": "0.4", "direction": "down"},
            {"key": "certified_operator_ratio", "weight": "0.2", "direction": "up"},
        ],
    },
]


def _decimal(value, where: str, errors: dict) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except Exception:  # noqa: BLE001 - any unparsable weight is the same user error
        errors[where] = [_("Weight must be a number.")]
        return None
    if not number.is_finite() or number <= 0:
        errors[where] = [_("Weight must be a positive number.")]
        return None
    return number


def capability_model_validate(capabilities: list[dict]) -> list[dict]:
    """Check a nested capability spec; return it normalised (Decimal weights) or raise ValidationError.

    Rules: the five known capabilities, each once, weights summing to 100; within a capability known
    metric keys, each metric at most once in the whole model, weights summing to 1, direction up/down.
    """
    errors: dict[str, list[str]] = {}
    if not isinstance(capabilities, list) or not capabilities:
        raise ValidationError({"capabilities": [_("Give the five capabilities, each with its metrics.")]})
    known_caps = set(CapabilityKey.values)
    known_metrics = set(MetricKey.values)
    seen_caps: set[str] = set()
    seen_metrics: set[str] = set()
    out = []
    total = Decimal(0)
    for i, cap in enumerate(capabilities):
        where = f"capabilities[{i}]"
        key = cap.get("key") if isinstance(cap, dict) else None
        if key not in known_caps:
            errors[f"{where}.key"] = [
                _("Unknown capability %(key)r; use one of %(known)s.")
                % {"key": key, "known": ", ".join(CapabilityKey.values)}
            ]
        elif key in seen_caps:
            errors[f"{where}.key"] = [_("Capability %(key)r appears more than once.") % {"key": key}]
        seen_caps.add(key)
        weight = _decimal(cap.get("weight") if isinstance(cap, dict) else None, f"{where}.weight", errors)
        total += weight or 0
        metrics = cap.get("metrics") if isinstance(cap, dict) else None
        if not isinstance(metrics, list) or not metrics:
            errors[f"{where}.metrics"] = [_("A capability needs at least one metric.")]
            metrics = []
        m_total = Decimal(0)
        m_out = []
        for j, metric in enumerate(metrics):
            m_where = f"{where}.metrics[{j}]"
            m_key = metric.get("key") if isinstance(metric, dict) else None
            if m_key not in known_metrics:
                errors[f"{m_where}.key"] = [
                    _("Unknown metric %(key)r; use one of %(known)s.")
                    % {"key": m_key, "known": ", ".join(MetricKey.values)}
                ]
            elif m_key in seen_metrics:
                errors[f"{m_where}.key"] = [_("Metric %(key)r appears more than once in the model.") % {"key": m_key}]
            seen_metrics.add(m_key)
            m_weight = _decimal(metric.get("weight") if isinstance(metric, dict) else None, f"{m_where}.weight", errors)
            m_total += m_weight or 0
            direction = metric.get("direction") if isinstance(metric, dict) else None
            if direction not in Direction.values:
                errors[f"{m_where}.direction"] = [
                    _("Direction must be 'up' or 'down', not %(direction)r.") % {"direction": direction}
                ]
            m_out.append({"key": m_key, "weight": m_weight, "direction": direction})
        if metrics and m_total != 1:
            errors[f"{where}.metrics"] = [
                _("Metric weights of %(key)r must sum to 1 (they sum to %(total)s).") % {"key": key, "total": m_total}
            ]
        out.append({"key": key, "weight": weight, "metrics": m_out})
    if not errors and seen_caps != known_caps:
        missing = sorted(known_caps - seen_caps)
        errors["capabilities"] = [
            _("The model needs all five capabilities; missing: %(missing)s.") % {"missing": ", ".join(missing)}
        ]
    if not errors and total != 100:
        errors["capabilities"] = [_("Capability weights must sum to 100 (they sum to %(total)s).") % {"total": total}]
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def capability_model_create(*, version: int, name: str, capabilities: list[dict], created_by=None) -> CapabilityModel:
    """Create a new capability-model version with its capabilities and metrics (validated first)."""
    spec = capability_model_validate(capabilities)
    if CapabilityModel.objects.filter(version=version).exists():
        raise ValidationError(
            {"version": [_("Version %(version)s already exists; versions are immutable.") % {"version": version}]}
        )
    model = CapabilityModel.objects.create(version=version, name=name, created_by=created_by)
    for cap in spec:
        capability = Capability.objects.create(model=model, key=cap["key"], weight=cap["weight"])
        Metric.objects.bulk_create(
            Metric(capability=capability, key=m["key"], weight=m["weight"], direction=m["direction"])
            for m in cap["metrics"]
        )
    return model


def capability_model_assert_mutable(*, model: CapabilityModel) -> None:
    """Refuse any change to a version a cycle has used (staff create a new version instead)."""
    if model.is_locked:
        raise ValidationError(
            {
                "version": [
                    _("Version %(version)s has been used by a cycle and cannot change; create a new version.")
                    % {"version": model.version}
                ]
            }
        )


@transaction.atomic
def capability_model_update(*, model: CapabilityModel, name: str) -> CapabilityModel:
    """Rename a version that no cycle has used yet."""
    model = CapabilityModel.objects.select_for_update().get(pk=model.pk)
    capability_model_assert_mutable(model=model)
    model.name = name
    model.save(update_fields=["name"])
    return model


@transaction.atomic
def capability_model_delete(*, model: CapabilityModel) -> None:
    model = CapabilityModel.objects.select_for_update().get(pk=model.pk)
    capability_model_assert_mutable(model=model)
    model.delete()


def _aware(value: dt.datetime, field: str) -> dt.datetime:
    if timezone.is_naive(value):
        raise ValidationError({field: [_("Give a timezone-aware instant (e.g. 2025-06-01T00:00:00+08:00).")]})
    return value


@transaction.atomic
def cycle_create(
    *,
    kind: str,
    window_start: dt.datetime,
    window_end: dt.datetime,
    capability_model: CapabilityModel | None = None,
    min_sessions: int = 10,
    confidence_sessions: int = 30,
    created_by=None,
) -> QualificationCycle:
    """Schedule a cycle over [window_start, window_end); pins (and locks) the capability-model version (default:
    the highest). The rule-set pin is certification's (certification.cycles.cycle_create)."""
    if kind not in CycleKind.values:
        raise ValidationError({"kind": [_("Kind must be one of %(kinds)s.") % {"kinds": ", ".join(CycleKind.values)}]})
    _aware(window_start, "window_start")
    _aware(window_end, "window_end")
    if window_end <= window_start:
        raise ValidationError({"window_end": [_("The window must end after it starts.")]})
    if confidence_sessions < 1:
        raise ValidationError({"confidence_sessions": [_("Must be at least 1.")]})
    if capability_model is None:
        capability_model = CapabilityModel.objects.order_by("-version").first()
        if capability_model is None:
            raise ValidationError({"capability_model": [_("No capability model exists.")]})
    if (
        kind != CycleKind.SIMULATION
        and QualificationCycle.objects.filter(kind=kind, window_start=window_start, window_end=window_end).exists()
    ):
        raise ValidationError({"window_start": [_("A cycle of this kind already exists for this window.")]})
    CapabilityModel.objects.filter(pk=capability_model.pk, locked=False).update(locked=True)
    return QualificationCycle.objects.create(
        kind=kind,
        window_start=window_start,
        window_end=window_end,
        capability_model=capability_model,
        min_sessions=min_sessions,
        confidence_sessions=confidence_sessions,
        created_by=created_by,
    )


def _month_start(value: dt.datetime) -> dt.datetime:
    return value.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _prev_month(value: dt.datetime) -> dt.datetime:
    return (value - dt.timedelta(days=1)).replace(day=1)


def leap_months(start: dt.datetime, end: dt.datetime):
    """(last full month, month before the window) as Shanghai [start, end) instants, or None.

    The last full month is the latest Shanghai calendar month lying wholly inside [start, end); the
    month before the window is the latest calendar month ending at or before ``start``.
    """
    end_local = end.astimezone(SHANGHAI)
    start_local = start.astimezone(SHANGHAI)
    lm_end = _month_start(end_local)
    lm_start = _prev_month(lm_end)
    if lm_start < start_local:
        return None
    bm_end = _month_start(start_local)
    bm_start = _prev_month(bm_end)
    return (lm_start, lm_end), (bm_start, bm_end)


def _table_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        return cursor.fetchone()[0]


def scoring_params(cycle: QualificationCycle) -> dict:
    months = leap_months(cycle.window_start, cycle.window_end)
    seconds = Decimal((cycle.window_end - cycle.window_start).total_seconds())
    params = {
        "cycle": cycle.pk,
        "model": cycle.capability_model_id,
        "start": cycle.window_start,
        "end": cycle.window_end,
        "days": seconds / Decimal(86400),
        "min_sessions": cycle.min_sessions,
        "conf": cycle.confidence_sessions,
        "lm_start": None,
        "lm_end": None,
        "bm_start": None,
        "bm_end": None,
    }
    if months:
        (params["lm_start"], params["lm_end"]), (params["bm_start"], params["bm_end"]) = months
    return params


@transaction.atomic
def cycle_score(*, cycle: QualificationCycle, refresh_cohort: bool = False) -> int:
    """Recompute every provider's scores of the cycle in a handful of set-based statements (a re-run
    updates the provider scores in place: each keeps its id).

    The cohort (provider type and status) is snapshotted at the first run and reused by re-runs, so
    scoring the same cycle twice gives identical results; ``refresh_cohort`` takes it afresh.
    Returns the number of providers scored.
    """
    cycle = QualificationCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status == CycleStatus.PUBLISHED:
        raise ValidationError({"status": [_("A published cycle cannot be re-scored.")]})
    CapabilityModel.objects.filter(pk=cycle.capability_model_id, locked=False).update(locked=True)
    params = scoring_params(cycle)
    with connection.cursor() as cursor:
        # Per-merchant hash aggregates (leap months, baselines) must not spill to disk; local to this transaction.
        cursor.execute(f"SET LOCAL work_mem = '{SCORING_WORK_MEM}'")
        for statement in sql.DELETE_SCORES:
            cursor.execute(statement, params)
        if refresh_cohort:
            CohortMember.objects.filter(cycle=cycle).delete()
        if not CohortMember.objects.filter(cycle=cycle).exists():
            cursor.execute(sql.SNAPSHOT_COHORT, params)
        analyze("scoring_cohortmember")  # fresh row estimates → hash joins, not loops (as the table's owner)
        for table in sql.TEMP_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        has_full_month = params["lm_start"] is not None
        cursor.execute(sql.segments_sql(), params)
        cursor.execute(sql.provider_sums_sql(), params)
        cursor.execute(sql.merchant_sums_sql(has_full_month=has_full_month), params)
        # The two scans above gain from JIT-compiled expressions; the statements below are joins of the temp
        # tables whose compilation (≈ 2 s at DESIGN §9 scale) costs more than it saves.
        cursor.execute("SET LOCAL jit = off")
        # fresh row estimates → hash joins, and index lookups only for the few merchants resolved per session
        cursor.execute("ANALYZE scoring_tmp_seg, scoring_tmp_pm")
        cursor.execute(sql.UPLIFT_GROUPS_SINGLE, params)
        cursor.execute("ANALYZE scoring_tmp_g")
        cursor.execute(sql.UPLIFT_GROUPS_REST, params)
        cursor.execute(
            sql.metric_values_sql(
                has_full_month=has_full_month, has_certificates=_table_exists("certification_certificate")
            ),
            params,
        )
        cursor.execute(sql.INSERT_PROVIDER_SCORES, params)
        scored = cursor.rowcount
        cursor.execute(sql.DELETE_STALE_PROVIDER_SCORES, params)
        for statement in (
            sql.INSERT_METRIC_SCORES,
            sql.INSERT_CAPABILITY_SCORES,
            sql.SCORE_OVERALL,
            sql.SCORE_RANK,
        ):
            cursor.execute(statement, params)
        for table in sql.TEMP_TABLES:
            cursor.execute(f"DROP TABLE {table}")
    return scored


@transaction.atomic
def category_medians_refresh(*, end_date: dt.date, category: str | None = None) -> list[CategoryMedian]:
    """Compute (and store) the 7-day category medians ending on end_date, for one category or all."""
    start, end = selectors.diagnosis_window(end_date)
    category_filter = "AND m.category = %(category)s" if category is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            selectors.CATEGORY_MEDIANS.format(category_filter=category_filter),
            {"start": start, "end": end, "category": category},
        )
        columns = [c.name for c in cursor.description]
        rows = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
    out = []
    for r in rows:
        values = {k: (None if r[k] is None else Decimal(str(r[k]))) for k in selectors.DIAGNOSIS_FIGURES}
        obj, _ = CategoryMedian.objects.update_or_create(
            category=r["category"], end_date=end_date, defaults={"merchants": r["merchants"], **values}
        )
        out.append(obj)
    return out
