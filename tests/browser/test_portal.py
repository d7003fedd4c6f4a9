"""A provider user in a real browser: radar and scores, a metric explanation, an appeal, 404 for others' pages."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certification.ledger import decision_append
from certification.models import Appeal
from scoring.models import ProviderScore
from tests import factories
from tests.browser.conftest import login
from tests.scores import make_cycle, score_providers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_provider_sees_scores_explanations_and_only_its_own(page, screenshot, provider_user, provider, other_provider):
    cohort = [factories.ProviderFactory() for _ in range(3)] + [other_provider, provider]
    score_providers(make_cycle(month=8), cohort, base=30)
    score_providers(make_cycle(month=9), cohort, base=35)
    own_merchant = factories.EngagementFactory(provider=provider, merchant__name="Own Shop").merchant
    foreign = factories.EngagementFactory(provider=other_provider).merchant
    other_score = ProviderScore.objects.filter(provider=other_provider).latest("cycle__window_start")

    login(page, "provider_user")
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.locator("h1")).to_have_text("Own Provider")
    expect(page.locator("svg.radar polygon.series-own")).to_be_visible()
    expect(page.locator("#rank")).to_have_text("1 / 5")
    expect(page.locator("#gap li").first).to_be_visible()
    screenshot("dashboard-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("dashboard-390")
    page.set_viewport_size({"width": 1366, "height": 900})

    page.locator("#metrics a").first.click()
    expect(page.locator("#raw-value")).to_have_text("50.0%")
    expect(page.locator("#median")).to_have_text("30.0%")
    screenshot("metric")

    page.goto("/portal/")
    page.get_by_role("link", name="Own Shop").click()
    expect(page.locator("h1")).to_have_text("Own Shop")
    assert own_merchant.name == "Own Shop"

    # A warning of 3 days ago may be appealed: the button leads to the form, the status shows after filing.
    warning = decision_append(
        kind="warn", provider=provider, reason_code="low_percentile", effective_at=timezone.now() - dt.timedelta(days=3)
    )
    page.goto("/portal/")
    page.get_by_role("link", name="申诉", exact=True).click()
    page.fill("#statement", "The complaint behind this was withdrawn.")
    page.get_by_role("button", name="提交申诉").click()
    expect(page.locator(".messages")).to_contain_text("申诉已提交")
    # The page now shows what was filed and its status; the dashboard shows the status beside the decision.
    expect(page.locator("#filed .statement")).to_contain_text("The complaint behind this was withdrawn.")
    expect(page.locator("#filed .appeal-status")).to_contain_text("待复核")
    page.goto("/portal/")
    expect(page.locator("#decisions .appeal-status")).to_contain_text("待复核")
    screenshot("appeal-filed")
    assert Appeal.objects.get().decision_id == warning.pk

    # Editing the URL to another provider's things answers 404.
    assert page.goto(f"/portal/merchants/{foreign.pk}/").status == 404
    assert page.goto(f"/portal/scores/{other_score.pk}/metrics/gpm/").status == 404
    other_warning = decision_append(kind="warn", provider=other_provider, reason_code="x", effective_at=timezone.now())
    assert page.goto(f"/portal/decisions/{other_warning.pk}/appeal/").status == 404
