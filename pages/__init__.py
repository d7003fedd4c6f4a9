"""Plumbing the provider portal and the staff console share: page access decorators, template filters, styles."""
