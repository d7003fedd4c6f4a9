"""django-filter FilterSets of the providers app's API lists.

Foreign-key filters take plain ids and never check that the id exists: "another provider's id" and
"no such id" must answer the same (an empty list), so no filter can be used to probe for rows.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField, RangeField
from django_filters.widgets import DateRangeWidget

from core.access import provider_id_of
from core.filtersets import FilterSet, IdFilter

from .choices import ProviderStatus, ProviderType, Severity, Tier, ViolationStatus
from .models import (
    Complaint,
    Employment,
    Engagement,
    IngestBatch,
    LiveSession,
    LiveSessionKey,
    Merchant,
    Operator,
    Provider,
    ProviderUser,
    Violation,
)

MAX_UTC_OFFSET = dt.timedelta(hours=14)


class _BoundedIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 time whose UTC offset is a real one (within ±14:00; PostgreSQL refuses some others)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and value.utcoffset() is not None and abs(value.utcoffset()) > MAX_UTC_OFFSET:
            raise ValidationError(_("The UTC offset must be within ±14:00."), code="invalid")
        return value


class _BoundedIsoDateTimeRangeField(RangeField):
    widget = DateRangeWidget

    def __init__(self, *args, **kwargs):
        super().__init__((_BoundedIsoDateTimeField(), _BoundedIsoDateTimeField()), *args, **kwargs)


class IsoDateTimeRangeFilter(filters.IsoDateTimeFromToRangeFilter):
    """``<name>_after`` / ``<name>_before`` in ISO 8601; an impossible UTC offset is a 400, not a 500."""

    field_class = _BoundedIsoDateTimeRangeField


class ScopedFilterSet(FilterSet):
    """Adds ``provider`` (an id) and ``q`` (free text); subclasses say what they mean for their rows.

    A provider user asking for another provider's rows gets an empty list, never an error: its
    queryset is already narrowed by ``restrict(user)``, and ``provider_q`` must not reveal links
    between other providers and rows it can see (e.g. an operator's other employers).
    """

    provider = IdFilter(method="filter_provider", label="provider id")
    q = filters.CharFilter(method="filter_q", label="free-text search")

    search_fields: tuple[str, ...] = ("name",)  # icontains
    exact_fields: tuple[str, ...] = ()  # iexact, for identifiers

    def provider_q(self, provider_id: int) -> Q:
        return Q(provider_id=provider_id)

    def filter_provider(self, queryset, name, value):
        own = provider_id_of(getattr(self.request, "user", None))
        if own is not None and value != own:
            return queryset.none()
        return queryset.filter(self.provider_q(value))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        for field in self.exact_fields:
            condition |= Q(**{f"{field}__iexact": value})
        if value.isascii() and value.isdigit():  # not "³", which int() refuses
            condition |= Q(pk=int(value))
        return queryset.filter(condition)


class ProviderFilterSet(ScopedFilterSet):
    type = filters.ChoiceFilter(choices=ProviderType.choices)
    status = filters.ChoiceFilter(choices=ProviderStatus.choices)
    tier = filters.ChoiceFilter(choices=Tier.choices)
    province = filters.CharFilter()
    city = filters.CharFilter()
    admitted_at = IsoDateTimeRangeFilter()

    exact_fields = ("credit_code",)

    class Meta:
        model = Provider
        fields = ["provider", "q", "type", "status", "tier", "province", "city", "admitted_at"]

    def provider_q(self, provider_id):
        return Q(pk=provider_id)


class ProviderUserFilterSet(ScopedFilterSet):
    search_fields = ("user__username", "user__email")

    class Meta:
        model = ProviderUser
        fields = ["provider", "q"]


class OperatorFilterSet(ScopedFilterSet):
    exact_fields = ("platform_user_id",)

    class Meta:
        model = Operator
        fields = ["provider", "q"]

    def provider_q(self, provider_id):
        # Employed by that provider at some time (for a provider user: only its own, see filter_provider).
        return Q(Exists(Employment.objects.filter(operator=OuterRef("pk"), provider_id=provider_id)))


class EmploymentFilterSet(ScopedFilterSet):
    operator = IdFilter(field_name="operator_id")
    open = filters.BooleanFilter(field_name="end_date", lookup_expr="isnull", label="still open (no end date)")
    start_date = filters.DateFromToRangeFilter()
    end_date = filters.DateFromToRangeFilter()

    search_fields = ("operator__name",)
    exact_fields = ("operator__platform_user_id",)

    class Meta:
        model = Employment
        fields = ["provider", "q", "operator", "open", "start_date", "end_date"]


class MerchantFilterSet(ScopedFilterSet):
    category = filters.CharFilter()

    exact_fields = ("platform_account_id",)

    class Meta:
        model = Merchant
        fields = ["provider", "q", "category"]

    def provider_q(self, provider_id):
        return Q(Exists(Engagement.objects.filter(merchant=OuterRef("pk"), provider_id=provider_id)))


class EngagementFilterSet(ScopedFilterSet):
    merchant = IdFilter(field_name="merchant_id")
    operator = IdFilter(field_name="lead_operator_id", label="lead operator id")
    category = filters.CharFilter(field_name="merchant__category")
    open = filters.BooleanFilter(field_name="end_date", lookup_expr="isnull", label="still open (no end date)")
    start_date = filters.DateFromToRangeFilter()
    end_date = filters.DateFromToRangeFilter()

    search_fields = ("merchant__name",)
    exact_fields = ("merchant__platform_account_id",)

    class Meta:
        model = Engagement
        fields = ["provider", "q", "merchant", "operator", "category", "open", "start_date", "end_date"]


class LiveSessionFilterSet(ScopedFilterSet):
    merchant = IdFilter(field_name="merchant_id")
    operator = IdFilter(field_name="operator_id")
    category = filters.CharFilter(field_name="merchant__category")
    started_at = IsoDateTimeRangeFilter()
    gmv_min = filters.NumberFilter(field_name="gmv", lookup_expr="gte")
    gmv_max = filters.NumberFilter(field_name="gmv", lookup_expr="lte")
    operated = filters.BooleanFilter(field_name="operator", lookup_expr="isnull", exclude=True)

    def filter_q(self, queryset, name, value):
        """Exactly an external id, a merchant's account id or an id: each an index lookup (the table is
        the platform's largest; a case-insensitive or joined match would read all of it)."""
        value = value.strip()
        if not value:
            return queryset
        merchant_ids = Merchant.objects.filter(platform_account_id=value).values_list("pk", flat=True)
        # external_id through its key table (the partitioned sessions table has no index on it)
        session_ids = LiveSessionKey.objects.filter(external_id=value).values_list("session_id", flat=True)
        condition = Q(pk__in=list(session_ids)) | Q(merchant_id__in=list(merchant_ids))
        if value.isascii() and value.isdigit():  # not "³", which int() refuses
            condition |= Q(pk=int(value))
        return queryset.filter(condition)

    class Meta:
        model = LiveSession
        fields = ["provider", "q", "merchant", "operator", "category", "started_at", "gmv_min", "gmv_max", "operated"]


class ViolationFilterSet(ScopedFilterSet):
    operator = IdFilter(field_name="operator_id")
    severity = filters.ChoiceFilter(choices=Severity.choices)
    status = filters.ChoiceFilter(choices=ViolationStatus.choices)
    occurred_at = IsoDateTimeRangeFilter()

    search_fields = ("description",)

    class Meta:
        model = Violation
        fields = ["provider", "q", "operator", "severity", "status", "occurred_at"]


class ComplaintFilterSet(ScopedFilterSet):
    merchant = IdFilter(field_name="merchant_id")
    upheld = filters.BooleanFilter()
    received_at = IsoDateTimeRangeFilter()

    search_fields = ("description", "merchant__name")

    class Meta:
        model = Complaint
        fields = ["provider", "q", "merchant", "upheld", "received_at"]


class IngestBatchFilterSet(FilterSet):
    source = filters.CharFilter()
    submitted_by = IdFilter(field_name="submitted_by_id")
    created_at = IsoDateTimeRangeFilter()

    class Meta:
        model = IngestBatch
        fields = ["source", "submitted_by", "created_at"]
