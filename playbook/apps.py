"""App config for playbook."""

from django.apps import AppConfig


class PlaybookConfig(AppConfig):
    name = "playbook"
    verbose_name = "操盘标准化 Playbook"
