"""A small platform for cycle tests: one mcn cohort of a strong, a middling and a weak provider and an idle one."""

import datetime as dt

from providers.models import LiveSession, Violation
from tests.scoring import platform as pf

JULY = (pf.at(2025, 7, 1), pf.at(2025, 8, 1))


def build(window=pf.JUNE, *, serious_violation_for: str | None = None, windows=None) -> dict:
    """Providers 'strong', 'middle', 'weak' (30 operated sessions each in the window, better to worse on
    every session fact) and 'idle' (3 sessions: not ranked). Returns name → Provider."""
    providers = {}
    sessions = []
    quality = {"strong": 3, "middle": 2, "weak": 1, "idle": 2}
    for name, q in quality.items():
        p = pf.provider()
        providers[name] = p
        m = pf.merchant()
        pf.engage(p, m)
        op = pf.operator(p)
        count = 3 if name == "idle" else 30
        for start, i in [(w[0], i) for w in (windows or [window]) for i in range(count)]:
            sessions.append(
                pf.session(
                    m,
                    operator=op,
                    provider=p,
                    started_at=start + dt.timedelta(hours=12 + 20 * i),
                    gmv=1000 * q,
                    orders=10 * q,
                    new_followers=5 * q,
                    skus_sold=2 * q,
                    paid_spend=100,
                    paid_gmv=100 * q,
                    refund_amount=100 // q,
                )
            )
    LiveSession.objects.bulk_create(sessions)
    if serious_violation_for:
        Violation.objects.create(
            provider=providers[serious_violation_for],
            severity="serious",
            points=12,
            status="confirmed",
            occurred_at=window[0] + dt.timedelta(days=3),
            description="fake orders",
        )
    return providers
