"""Operation plans, reviews and the public operator record in real Chromium, at laptop (1366) and phone (390) widths."""

import re

import pytest
from playwright.sync_api import expect

from certification import services as cert_services
from core.dates import shanghai_today
from playbook import services
from playbook.models import OperationPlan
from providers.ingest import ingest_rows
from tests.browser.conftest import login
from tests.playbook import world as wd
from tests.playbook.test_services import linked_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page, width: int) -> None:
    """Nothing wider than the viewport (tables scroll inside their own box)."""
    page.set_viewport_size({"width": width, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_provider_plans_ticks_and_reads_the_review(
    page, screenshot, provider, other_provider, provider_user, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    w = wd.build(provider, other_provider)
    reviewed = linked_plan(w, provider_user)
    ingest_rows(rows=[wd.final_row(w, provider)])
    services.reviews_refresh()

    login(page, "provider_user")
    page.goto("/portal/plans/")
    expect(page.locator("h1")).to_contain_text("操盘计划")
    page.fill("#title", "双11 大场")
    page.fill("#planned_date", "2025-06-20")
    page.fill("#target_gmv", "200000")
    page.get_by_role("button", name="创建计划").click()
    expect(page).to_have_url(re.compile(r"/portal/plans/\d+/$"))
    plan = OperationPlan.objects.get(title="双11 大场")
    page.locator("#fill-diagnosis").click()
    expect(page.locator("#diagnosis")).to_be_visible()
    expect(page.locator('li[data-item="gmv_7d"]')).to_have_attribute("data-done", "yes")
    goal = page.locator('li[data-item="goal"]')
    goal.locator("input[name=text]").fill("GMV ¥200k")
    goal.get_by_role("button", name="完成").click()
    expect(page.locator('li[data-item="goal"]')).to_have_attribute("data-done", "yes")
    page.locator("#mark-ready").click()
    expect(page.locator(".messages")).to_contain_text("必做事项未完成")
    screenshot("plan-1366")
    fits(page, 390)
    screenshot("plan-390")
    assert plan.ticks.filter(item__key="goal").get().text == "GMV ¥200k"

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/portal/plans/")
    page.locator(f'a[href="/portal/reviews/{reviewed.review.pk}/"]').click()
    expect(page.locator('#targets tr[data-key="gmv"] td').nth(2)).to_have_text("150.0%")
    expect(page.locator('#uplift [data-key="uplift"]')).to_have_text("1,400.0%")
    expect(page.locator("#no-curves")).to_be_visible()
    page.fill("#notes", "主推款 21:10 售罄")
    page.get_by_role("button", name="保存笔记").click()
    expect(page.locator(".messages")).to_contain_text("笔记已保存")
    screenshot("review-1366")
    fits(page, 390)
    screenshot("review-390")


def test_staff_read_plans_and_anyone_reads_a_published_record(
    page, screenshot, provider, other_provider, provider_user, staff, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    w = wd.build(provider, other_provider)
    linked_plan(w, provider_user)
    cert = cert_services.certificate_issue_operator(operator=w["operator"], level="senior", valid_from=shanghai_today())
    services.record_consent_give(actor=provider_user, operator=w["operator"])

    page.goto(f"/verify/operators/{cert.number}/")
    expect(page.locator("h1")).to_contain_text("操盘履历")
    expect(page.locator('[data-key="operated_sessions"]')).to_have_text("0")
    screenshot("record-1366")
    fits(page, 390)
    screenshot("record-390")

    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, "staff")
    page.goto("/console/plans/")
    expect(page.locator("#plans tbody tr")).to_have_count(1)
    page.get_by_role("link", name="618 big session").click()
    expect(page.locator("#stage-diagnosis")).to_be_visible()
    expect(page.locator(".tick-form")).to_have_count(0)  # staff read; they do not tick
    screenshot("console-plan-1366")
    fits(page, 390)
    screenshot("console-plan-390")
