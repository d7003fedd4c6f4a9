"""The Content-Security-Policy in a real browser: the pages, the admin, the API docs and the lockout page run
without one violation (Chromium reports each one on the console)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.conftest import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_violations(page) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda exc: seen.append(str(exc)))
    return seen


def test_staff_pages_admin_and_api_docs_run_under_the_policy(page, screenshot, roles):
    make_staff(roles, "cycle_manager", username="manager1")
    violations = watch_violations(page)

    login(page, "manager1")
    expect(page.locator("header.top")).to_be_visible()
    page.goto("/console/cycles/")
    expect(page.locator("h1")).to_be_visible()
    page.goto("/admin/")
    expect(page.locator("#site-name")).to_be_visible()

    response = page.goto("/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # Swagger UI started (its start-up script is a static response) and read the schema with the session.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Saima API", timeout=20_000)
    expect(page.locator(".opblock-tag").first).to_be_visible()
    screenshot("api-docs")
    assert violations == []


def test_the_lockout_page_runs_under_the_policy(page, screenshot, roles):
    make_staff(roles, "auditor", username="target")
    violations = watch_violations(page)
    for n in range(10):
        login(page, "target", f"wrong-{n}")
    expect(page.locator("#locked-title")).to_have_text("登录失败次数过多")
    screenshot("locked-out")
    assert violations == []
