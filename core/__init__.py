"""Shared plumbing that is not a domain: access control, API conventions, roles, audit."""
