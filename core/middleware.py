"""Request middleware: audit context (who, which URL) for every row change, and the page language."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from pghistory.middleware import HistoryMiddleware


class AuditContextMiddleware(HistoryMiddleware):
    def get_context(self, request):
        return {**super().get_context(request), "method": request.method, "via": "web"}


class LanguageMiddleware(LocaleMiddleware):
    """Pages are Simplified Chinese unless the visitor picked a language (cookie set by /i18n/setlang/).

    A browser's Accept-Language is not enough to switch the pages away from the platform's default;
    API clients, which have no cookie, may still ask for English error messages with it.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not chosen and request.path.startswith("/api/"):
            chosen = translation.get_language_from_request(request)
        try:
            language = translation.get_supported_language_variant(chosen or settings.LANGUAGE_CODE)
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
