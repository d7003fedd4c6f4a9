"""Choices of the playbook app: stages, what an item needs, plan statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StageKey(models.TextChoices):
    """The stages of DESIGN §12, in order."""

    DIAGNOSIS = "diagnosis", _("Diagnosis")
    SETUP = "setup", _("Set-up: goal and budget")
    LINEUP = "lineup", _("Product lineup")
    PREHEAT = "preheat", _("Preheat")
    SCRIPT = "script", _("Script and product order")
    LIVE = "live", _("Live execution")
    REVIEW = "review", _("Review")


STAGE_ORDER = [s.value for s in StageKey]
# Stages whose required items must be done before a plan is ready for the live stage.
BEFORE_LIVE = STAGE_ORDER[: STAGE_ORDER.index(StageKey.LIVE)]


class ItemNeed(models.TextChoices):
    """What ticking an item needs (DESIGN §12: a text, a number, a file, or a link to a stream)."""

    TEXT = "text", _("a text")
    NUMBER = "number", _("a number")
    FILE = "file", _("a file")
    STREAM = "stream", _("a link to a stream")


class PlanStatus(models.TextChoices):
    PREPARING = "preparing", _("preparing")
    READY = "ready", _("ready for the live stage")
    LINKED = "linked", _("stream linked")
    REVIEWED = "reviewed", _("reviewed")
    CANCELLED = "cancelled", _("cancelled")


# Ticks are refused on plans in these statuses.
CLOSED_STATUSES = [PlanStatus.REVIEWED, PlanStatus.CANCELLED]


# Figures of a review's targets against actuals, and of the one-click diagnosis, as people read them.
# The minute curves a review copies from the live wall (live.selectors.REVIEW_COUNTERS and REVIEW_RATES).
CURVE_LABELS = {
    "gmv": _("GMV (yuan, cumulative)"),
    "entries": _("Entries (cumulative)"),
    "exits": _("Exits (cumulative)"),
    "orders": _("Orders (cumulative)"),
    "new_followers": _("New followers (cumulative)"),
    "online_viewers": _("Online now"),
    "gpm": _("GMV per thousand viewers"),
    "conversion_rate": _("Orders per viewer"),
}

FIGURE_LABELS = {
    "gmv": _("GMV (yuan)"),
    "entries": _("Entries (viewers)"),
    "new_followers": _("New followers"),
    "paid_roi": _("Paid ROI"),
    "sessions": _("Live sessions"),
    "viewers": _("Viewers"),
    "gpm": _("GMV per thousand viewers"),
    "conversion": _("Orders per viewer"),
    "refund_rate": _("Refund rate"),
}
