"""What the pages keep of their own: the version of what a provider's pages show."""

from django.db import models


class ProviderPageVersion(models.Model):
    """A counter per provider that PostgreSQL triggers (migration 0001) raise in the same transaction as every
    write to what the provider's dashboard shows beside its published results: the provider's row, its
    engagements and the merchants in them, its employments and their operators, its certificates, decisions and
    appeals, and the rule sets (every provider's). A rendered dashboard is kept under this number
    (``portal.views.dashboard``), so a page is never older than the data once that data has committed. A GET only
    reads it."""

    provider_id = models.BigIntegerField(primary_key=True)  # no foreign key: providers are never deleted
    n = models.BigIntegerField(default=1)

    class Meta:
        verbose_name = "provider page version"

    def __str__(self):
        return f"provider {self.provider_id}: version {self.n}"
