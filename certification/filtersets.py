"""django-filter filter sets of the certification API."""

import django_filters

from core.filtersets import FilterSet

from .models import Certificate, Decision


class DecisionFilterSet(FilterSet):
    read = django_filters.BooleanFilter(field_name="read", label="read by the provider (its inbox)")

    class Meta:
        model = Decision
        fields = {
            "kind": ["exact", "in"],
            "provider": ["exact"],
            "operator": ["exact"],
            "status": ["exact"],
            "subject_type": ["exact"],
            "subject_id": ["exact"],
            "refers_to": ["exact"],
            "cycle": ["exact"],
        }


class CertificateFilterSet(FilterSet):
    valid_on = django_filters.DateFilter(method="filter_valid_on", label="valid on (date)")

    class Meta:
        model = Certificate
        fields = {
            "kind": ["exact"],
            "level": ["exact"],
            "status": ["exact"],
            "provider": ["exact"],
            "operator": ["exact"],
            "number": ["exact"],
        }

    def filter_valid_on(self, queryset, name, value):
        return queryset.filter(valid_from__lte=value, valid_until__gte=value)
