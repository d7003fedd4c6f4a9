"""API v1 viewsets of the providers app."""

from core.viewsets import RestrictedModelViewSet
from providers.models import LiveSession

from .ingest import ingest_response
from .serializers import LiveSessionSerializer


class LiveSessionViewSet(RestrictedModelViewSet):
    """Live sessions: list/retrieve for everyone in scope; POST a list of sessions to ingest them."""

    queryset = LiveSession.objects.all()
    serializer_class = LiveSessionSerializer
    http_method_names = ["get", "post", "head", "options"]
    action_permissions = {"create": ["providers.ingest_livesession"]}

    def create(self, request, *args, **kwargs):
        return ingest_response(request)
