"""Personas of settlement: finance staff (two), the payment system, the provider's user."""

import pytest

from tests import factories
from tests.conftest import make_staff


@pytest.fixture
def finance(roles):
    return make_staff(roles, "finance", username="finance1")


@pytest.fixture
def finance2(roles):
    return make_staff(roles, "finance", username="finance2")


@pytest.fixture
def reviewer(roles):
    return make_staff(roles, "admission_reviewer", username="reviewer")


@pytest.fixture
def payment_system(roles):
    user = factories.UserFactory(username="payments")
    user.groups.set([roles["payment_system"]])
    return user
