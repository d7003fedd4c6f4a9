"""Stored scores for page tests: cycles and a cohort's capability and metric scores, built directly (fast)."""

import datetime as dt
from decimal import Decimal

from scoring.models import CapabilityModel, CapabilityScore, MetricScore, ProviderScore, QualificationCycle
from scoring.services import DEFAULT_MODEL, SHANGHAI, capability_model_create


def model_v1():
    model = CapabilityModel.objects.filter(version=1).first()
    return model or capability_model_create(version=1, name="五力模型 v1", capabilities=DEFAULT_MODEL)


def make_cycle(*, month: int, status: str = "published", kind: str = "monthly") -> QualificationCycle:
    start = dt.datetime(2026, month, 1, tzinfo=SHANGHAI)
    end = dt.datetime(2026, month + 1, 1, tzinfo=SHANGHAI)
    return QualificationCycle.objects.create(
        kind=kind, window_start=start, window_end=end, capability_model=model_v1(), status=status, percent=100
    )


def score_providers(cycle, providers, *, base: int = 40, cohort: str = "mcn") -> list[ProviderScore]:
    """Provider i gets capability scores base+i*5+j (j = capability index) and overall = their weighted sum."""
    model = cycle.capability_model
    caps = list(model.capabilities.prefetch_related("metrics").order_by("id"))
    n = len(providers)
    scores = []
    for i, provider in enumerate(providers):
        cap_values = [Decimal(min(100, base + i * 5 + j)) for j in range(len(caps))]
        overall = sum(c.weight * v / 100 for c, v in zip(caps, cap_values, strict=True))
        scores.append(
            ProviderScore(
                cycle=cycle,
                provider=provider,
                cohort=cohort,
                status="active",
                ranked=True,
                session_count=20 + i,
                window_gmv=Decimal("1000.00") * (i + 1),
                overall=overall,
                rank=n - i,
                cohort_size=n,
                percentile=Decimal(i) / max(n - 1, 1),
            )
        )
    ProviderScore.objects.bulk_create(scores)
    cap_rows, metric_rows = [], []
    for i, score in enumerate(scores):
        for j, cap in enumerate(caps):
            value = Decimal(min(100, base + i * 5 + j))
            cap_rows.append(
                CapabilityScore(
                    provider_score=score,
                    capability=cap,
                    key=cap.key,
                    weight=cap.weight,
                    score=value,
                    contribution=cap.weight * value / 100,
                )
            )
            for metric in cap.metrics.all():
                metric_rows.append(
                    MetricScore(
                        provider_score=score,
                        metric=metric,
                        capability_key=cap.key,
                        key=metric.key,
                        direction=metric.direction,
                        weight=metric.weight,
                        raw_value=Decimal(i + 1) / 10,
                        sample_size=10 + i,
                        cohort_n=n,
                        percentile=Decimal(i) / max(n - 1, 1),
                        raw_score=value,
                        score=value,
                        contribution=cap.weight * metric.weight * value / 100,
                    )
                )
    CapabilityScore.objects.bulk_create(cap_rows)
    MetricScore.objects.bulk_create(metric_rows)
    return scores
