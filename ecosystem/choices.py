"""Choice lists of the ecosystem app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LeapKind(models.TextChoices):
    LEAP = "leap", _("Successful leap")
    ALMOST = "almost", _("Almost")


# Monthly-GMV thresholds of the report (yuan), DESIGN §13.
GMV_THRESHOLDS = (500_000, 1_000_000, 10_000_000)
FIRST_TIME_THRESHOLD = 500_000
