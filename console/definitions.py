"""Labels of the console's filters and progress stages, in the reader's language."""

from django.utils.translation import gettext_lazy as _

OUTCOME_LABELS = {
    "promote": _("Promoted"),
    "demote": _("Demoted"),
    "unchanged": _("Tier unchanged"),
    "warn": _("Warned"),
    "probation": _("Probation"),
    "delist_proposal": _("Delisting proposed"),
    "not_ranked": _("Not ranked"),
}

STAGE_LABELS = {
    "queued": _("Queued"),
    "scoring": _("Scoring"),
    "preview": _("Computing the preview"),
    "computed": _("Computed"),
    "published": _("Published"),
    "failed": _("Failed"),
    "cancelled": _("Cancelled"),
}
