"""Providers, operators, merchants, engagements, live sessions, admission and ingest."""
