"""Viewset bases that narrow every queryset through core.access."""

from rest_framework import viewsets


class RestrictedViewSetMixin:
    """Narrow the viewset's queryset to what the requesting user may see (core.access)."""

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user)


class RestrictedModelViewSet(RestrictedViewSetMixin, viewsets.ModelViewSet):
    pass


class RestrictedReadOnlyViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
