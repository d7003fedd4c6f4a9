"""django-filter FilterSets of the scoring app's API lists (ids are compared as is, never probed)."""

from django_filters import rest_framework as filters

from core.filtersets import FilterSet
from providers.choices import ProviderType

from .choices import CycleKind, CycleStatus
from .models import ProviderScore, QualificationCycle


class ProviderScoreFilterSet(FilterSet):
    cycle = filters.NumberFilter(field_name="cycle_id")
    provider = filters.NumberFilter(field_name="provider_id")
    cohort = filters.ChoiceFilter(choices=ProviderType.choices)
    ranked = filters.BooleanFilter()

    class Meta:
        model = ProviderScore
        fields = ["cycle", "provider", "cohort", "ranked"]


class QualificationCycleFilterSet(FilterSet):
    kind = filters.ChoiceFilter(choices=CycleKind.choices)
    status = filters.ChoiceFilter(choices=CycleStatus.choices)

    class Meta:
        model = QualificationCycle
        fields = ["kind", "status"]
