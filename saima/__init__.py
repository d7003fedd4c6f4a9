"""Saima project package: settings, URLs, Celery and WSGI wiring."""

from .celery import app as celery_app

__all__ = ["celery_app"]
