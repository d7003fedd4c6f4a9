"""The FilterSet base and filter backend of every API list: foreign keys are filtered by plain ids.

django-filter turns a foreign key into a model-choice filter that checks the id exists and answers
``400 invalid_choice`` when it does not, while another provider's id (which exists) gives an empty
list: a probe for rows outside the caller's scope. Here every relation is compared as a plain id, so
"another provider's id" and "no such id" both answer ``200`` with an empty list (the queryset is
already narrowed by ``restrict(user)``). The backend makes ``filterset_fields`` use this base too.
"""

from django import forms
from django_filters import rest_framework as filters


class IdFilter(filters.NumberFilter):
    """An integer id, compared as is (never checked for existence)."""

    field_class = forms.IntegerField


class FilterSet(filters.FilterSet):
    @classmethod
    def filter_for_lookup(cls, field, lookup_type):
        if field.is_relation and not field.many_to_many and lookup_type == "exact":
            return IdFilter, {}
        return super().filter_for_lookup(field, lookup_type)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A model-choice filter declared by hand would probe too; none may remain.
        for name, declared in self.filters.items():
            if isinstance(declared, (filters.ModelChoiceFilter, filters.ModelMultipleChoiceFilter)):
                raise TypeError(f"{type(self).__name__}.{name}: filter relations by id (core.filtersets.IdFilter)")


class FilterBackend(filters.DjangoFilterBackend):
    filterset_base = FilterSet
