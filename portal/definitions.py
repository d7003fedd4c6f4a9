"""Plain-language definitions of the fourteen metrics (DESIGN §3), shown on the metric explanation page."""
# ruff: noqa: E501 - one definition per line keeps the translation catalogue readable

from django.utils.translation import gettext_lazy as _

METRIC_DEFINITIONS = {
    "gmv_uplift": _(
        "Mean single-session GMV uplift over the window's operated sessions: GMV of the session divided by the merchant's mean GMV without an operator in the 30 days before the engagement, minus 1."
    ),
    "leap_rate": _(
        "Share of merchants served whose monthly-GMV band in the window's last full month is above their band in the month before the window."
    ),
    "merchant_retention": _("Share of engagements open at the window start still open at the window end."),
    "gpm": _("GMV per thousand viewers over the operated sessions (ΣGMV × 1000 / Σviewers)."),
    "followers_per_session": _("Mean new followers per operated session."),
    "live_hours_per_merchant_week": _("Live hours per merchant served per week of the window."),
    "paid_roi": _("Paid GMV divided by paid spend over the sessions with spend."),
    "loss_session_rate": _("Share of sessions with spend whose paid GMV is below the spend (lower is better)."),
    "refund_rate": _("Refunds divided by GMV over the operated sessions (lower is better)."),
    "sell_through": _("SKUs sold divided by SKUs listed over the operated sessions."),
    "orders_per_1k_viewers": _("Orders per thousand viewers over the operated sessions."),
    "complaints_per_1k_orders": _("Upheld complaints in the window per thousand orders (lower is better)."),
    "violation_points": _("Points of confirmed violations in the window (lower is better)."),
    "certified_operator_ratio": _("Operators holding a valid certificate per merchant served, at most 1."),
}

FIGURE_LABELS = {
    "sessions": _("Live sessions"),
    "gmv": _("GMV"),
    "viewers": _("Viewers"),
    "gpm": _("GMV per thousand viewers"),
    "conversion": _("Orders per viewer"),
    "paid_roi": _("Paid ROI"),
    "refund_rate": _("Refund rate"),
}
