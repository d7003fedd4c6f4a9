"""Capability models, metrics in SQL, qualification cycles, ranking and operation effect."""
