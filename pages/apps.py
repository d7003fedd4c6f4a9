"""App config of the shared page plumbing (one model, the pages' version per provider; no URLs)."""

from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Pages (shared plumbing)"
