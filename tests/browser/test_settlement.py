"""A provider's statement in a real browser at laptop and phone widths: lines, drill-down, confirm."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from settlement import services
from settlement.models import Statement
from tests import factories
from tests.browser.conftest import login
from tests.settlement import world as w

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_provider_reads_and_confirms_its_statement(page, screenshot, roles):
    world = w.build()
    services.statements_make(month=dt.date(2025, 3, 1))
    st = Statement.objects.get(provider=world["p"], month=dt.date(2025, 3, 1))
    factories.ProviderUserFactory(provider=world["p"], user__username="alpha")
    login(page, "alpha")
    page.goto("/portal/statements/")
    page.get_by_role("link", name="2025-03").click()
    expect(page).to_have_url(re.compile(rf"/portal/statements/{st.pk}/$"))
    expect(page.locator("#statement-total")).to_have_text("¥2,920.00")
    screenshot("statement-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#confirm")).to_be_visible()
    screenshot("statement-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.locator("table.statement-lines a").first.click()
    expect(page.locator("h1")).to_contain_text("第 2 行")  # the default language is Chinese
    page.go_back()
    page.locator("#confirm").click()
    expect(page.locator("#statement-state")).to_have_text("已确认")
    st.refresh_from_db()
    assert st.state == "confirmed"
