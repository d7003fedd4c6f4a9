"""Fixtures of the certification tests: a second cycle manager, ledger helpers, a clean rate limit."""

import pytest
from django.core.cache import cache

from tests import factories
from tests.conftest import make_staff
from tests.scoring.conftest import model_v1  # noqa: F401  (autouse: the default model in every test)


@pytest.fixture(autouse=True)
def _fresh_verify_rate_limit():
    """Verification is rate-limited per client address in Redis; each test starts with a full allowance."""
    keys = ["throttle_verify_127.0.0.1", "throttle_verify_10.0.0.9"]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


@pytest.fixture
def manager(roles):
    """A cycle manager (may approve delistings)."""
    return make_staff(roles, "cycle_manager", username="manager")


@pytest.fixture
def manager2(roles):
    return make_staff(roles, "cycle_manager", username="manager2")


@pytest.fixture
def reviewer(roles):
    """Staff without the cycle-manager role."""
    return make_staff(roles, "admission_reviewer", username="reviewer")


@pytest.fixture
def operator(provider):
    """An operator employed by the provider-user's provider."""
    return factories.EmploymentFactory(provider=provider, operator__name="Zhang San").operator


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Personas are created with passwords; the production hasher's work factor only slows tests here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
