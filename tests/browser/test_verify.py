"""An anonymous visitor verifies an active and a revoked certificate."""

import datetime as dt

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from certification import services, standing
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_anonymous_verifies_active_and_revoked(page, screenshot):
    cache.delete_many(["throttle_verify_127.0.0.1"])
    active = standing.provider_certify(
        provider=factories.ProviderFactory(name="Good Co"),
        level="L3",
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2099, 12, 31),
    )
    revoked = standing.provider_certify(
        provider=factories.ProviderFactory(name="Bad Co"),
        level="L2",
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2099, 12, 31),
    )
    services.certificate_revoke(certificate=revoked, reason="test")

    page.goto(f"/verify/{active.number}/")
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "active")
    expect(page.locator("p.status")).to_have_text("该证书有效。")
    screenshot("active")

    page.goto(f"/verify/{revoked.number}/")
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "revoked")
    expect(page.locator("dd").nth(1)).to_have_text("Bad Co")
    screenshot("revoked")
