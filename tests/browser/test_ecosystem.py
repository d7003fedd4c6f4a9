"""The ecosystem pages in a real browser at laptop (1366) and phone (390) widths: staff report, drill-down and
programme; a provider's own programme page."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from ecosystem.services import report_store
from tests import factories
from tests.browser.conftest import login
from tests.conftest import make_staff
from tests.ecosystem import scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def page_fits(page) -> bool:
    """Nothing wider than the viewport but the scrolling table wrappers."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_staff_report_drilldown_and_programme(page, screenshot, roles):
    make_staff(roles, "auditor", username="reader")
    scenario.build()
    scenario.build_programme()
    report_store(month=dt.date(2025, 3, 1))
    login(page, "reader")
    page.goto("/console/ecosystem/?month=2025-03")
    expect(page.locator("#thresholds tbody tr")).to_have_count(4)
    expect(page.locator("#effect")).to_be_visible()
    expect(page.locator("svg.bars")).to_have_count(2)
    screenshot("report-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page_fits(page)
    screenshot("report-390")
    page.locator("#thresholds a").first.click()
    expect(page.locator("#merchants tbody tr")).to_have_count(3)  # ≥ ¥500k in March 2025: B, A and I
    assert page_fits(page)
    page.goto("/console/ecosystem/programme/?month=2025-06")
    expect(page.locator("#programme-providers tbody tr")).to_have_count(2)
    page.locator("#programme-providers a").first.click()
    expect(page.locator("#credited tbody tr")).to_have_count(4)
    assert page_fits(page)
    screenshot("programme-390")


def test_provider_sees_its_own_programme_page(page, screenshot):
    s = scenario.build_programme()
    factories.ProviderUserFactory(provider=s["Q"], user__username="q-user")
    login(page, "q-user")
    page.goto("/portal/programme/?month=2025-06")
    expect(page.locator("#leaps li")).to_have_count(2)
    expect(page.locator("#almost li")).to_have_count(2)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page_fits(page)
    screenshot("portal-programme-390")
