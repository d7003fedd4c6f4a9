"""Providers, operators, merchants, engagements, live sessions and ingest."""
