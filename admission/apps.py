"""App config for admission."""

from django.apps import AppConfig


class AdmissionConfig(AppConfig):
    name = "admission"
    verbose_name = "严准入 Admission"
