"""The demo platform (seed_demo): the top of the house, beside the pages; it may use every app."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "Demo data"
