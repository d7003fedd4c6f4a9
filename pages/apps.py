"""App config of the shared page plumbing (no models, no URLs)."""

from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Pages (shared plumbing)"
