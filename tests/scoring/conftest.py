"""Scoring fixtures: the default model v1 exists in every test (a transactional test elsewhere may flush it)."""

import pytest

from scoring import services
from scoring.models import CapabilityModel


@pytest.fixture(autouse=True)
def model_v1(db):
    model = CapabilityModel.objects.filter(version=1).first()
    if model is None:
        model = services.capability_model_create(
            version=1, name="五力模型 v1 (default)", capabilities=services.DEFAULT_MODEL
        )
    return model
