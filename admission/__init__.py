"""Strict admission (严准入): applications, their automatic checks, review and the admit/reject decision."""
