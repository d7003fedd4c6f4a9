"""App config for certification."""

from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = "逐层认证 Certification"
