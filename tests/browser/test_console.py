"""Cycle managers in a real browser: start a cycle, watch the bar reach the preview, publish; approve a delisting."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from certification import services as cert_services
from certification.models import Decision
from core.dates import SHANGHAI
from scoring.models import QualificationCycle
from tests.browser.conftest import login
from tests.certification import cycle_world
from tests.conftest import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cycle_run_publish_and_delisting_approval(page, screenshot, roles, celery_worker_thread):
    make_staff(roles, "cycle_manager", username="manager1")
    make_staff(roles, "cycle_manager", username="manager2")
    providers = cycle_world.build()
    proposal = cert_services.delist_propose(provider=providers["weak"], reason_code="serious_violation")

    login(page, "manager1")
    page.goto("/console/cycles/")
    page.select_option("#c-kind", "monthly")
    page.fill("#c-start", "2025-06-01")
    page.fill("#c-end", "2025-06-30")  # the last day, included
    page.get_by_role("button", name="开始运行").click()
    expect(page.locator("progress#cycle-progress")).to_be_visible()
    # The page polls status.json every second and reloads itself once the run is computed.
    expect(page.locator("#preview-link")).to_be_visible(timeout=60_000)
    expect(page.locator("#cycle-progress")).to_have_attribute("value", "100")
    screenshot("computed")

    page.locator("#preview-link").click()
    expect(page.locator("#preview tbody tr")).to_have_count(4)
    page.select_option("#p-outcome", "not_ranked")
    page.locator("form.filters button").click()
    expect(page.locator("#preview tbody tr")).to_have_count(1)
    screenshot("preview-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("preview-390")
    page.set_viewport_size({"width": 1366, "height": 900})

    page.get_by_role("link", name="发布…").click()
    page.locator("#confirm-publish").click()
    expect(page.locator("#cycle-status")).to_have_text("已发布")
    expect(page.locator(".messages")).to_contain_text("已发布：晋级")
    cycle = QualificationCycle.objects.get()
    assert cycle.status == "published"
    assert cycle.window_start == dt.datetime(2025, 6, 1, tzinfo=SHANGHAI)
    assert cycle.window_end == dt.datetime(2025, 7, 1, tzinfo=SHANGHAI)  # the day after the last day entered

    # Approving a delisting goes through a confirmation step; the second approval says what took effect.
    page.goto("/console/delistings/")
    page.locator(f"#proposal-{proposal.pk}").get_by_role("link", name="批准清退…").click()
    expect(page.locator("h1")).to_contain_text("批准清退")
    page.locator("#confirm-delisting").click()
    expect(page.locator(".messages")).to_contain_text("还需要一位审批人")
    login(page, "manager2")
    page.goto("/console/delistings/")
    page.locator(f"#proposal-{proposal.pk}").get_by_role("link", name="批准清退…").click()
    expect(page.locator("[role=alert]")).to_contain_text("最后一项")
    page.locator("#confirm-delisting").click()
    expect(page.locator(".messages")).to_contain_text("现已生效")
    expect(page.locator(".messages")).to_contain_text("结束商家服务关系")  # what it did, counted by the service
    expect(page.locator(f"#proposal-{proposal.pk}")).to_have_count(0)
    screenshot("delisting-approved")
    providers["weak"].refresh_from_db()
    assert providers["weak"].status == "delisted"
    assert Decision.objects.filter(refers_to=proposal, status="effective").count() == 1
