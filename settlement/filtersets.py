"""Filters of the settlement API (relations by plain id: core.filtersets)."""

from core.filtersets import FilterSet

from .models import Payout, Statement


class StatementFilterSet(FilterSet):
    class Meta:
        model = Statement
        fields = ["provider", "month", "state", "version"]


class PayoutFilterSet(FilterSet):
    class Meta:
        model = Payout
        fields = ["statement", "status"]
