"""Tiers, certificates, the decision ledger, appeals and operator assessments."""
