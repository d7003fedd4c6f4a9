"""The main pages in real Chromium at laptop (1366) and phone (390) width, in Chinese and English, on the demo data:
nothing pushes the page wider than the screen, the header takes one row, formatted figures are what people read,
Chinese never wraps one character per line; screenshots kept under artifacts/screenshots/."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from certification.models import Appeal
from providers.models import Provider
from scoring.models import QualificationCycle
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "saima-demo-2026"
WIDTHS = [1366, 390]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False


def sign_in(browser, live_server, username, language, width):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return context, page


def layout_problems(page) -> list[str]:
    """What a phone reader would suffer: sideways scrolling, a header in two rows, a word broken per character."""
    return page.evaluate(
        """() => {
        const out = [];
        const root = document.documentElement;
        if (root.scrollWidth > root.clientWidth) out.push('page wider than the screen: ' + root.scrollWidth);
        const header = document.querySelector('header.top');
        if (header) {
          const items = [...header.querySelectorAll(':scope > *, nav > *')].filter(e => e.offsetParent !== null);
          const tops = items.map(e => e.getBoundingClientRect().top);
          const tallest = Math.max(...items.map(e => e.getBoundingClientRect().height));
          if (Math.max(...tops) - Math.min(...tops) > tallest / 2) out.push('header in more than one row');
        }
        const lines = (el) => {  // text lines: boxes that do not overlap vertically the line before
          const range = document.createRange();
          range.selectNodeContents(el);
          const rects = [...range.getClientRects()].filter(r => r.width > 0).sort((a, b) => a.top - b.top);
          let count = 0, bottom = -Infinity;
          for (const r of rects) { if (r.top >= bottom - 1) { count += 1; } bottom = Math.max(bottom, r.bottom); }
          return count;
        };
        // Header items stay on one line; a cell's text never breaks every character or two (Chinese squeezed).
        for (const item of document.querySelectorAll('header.top a, header.top button')) {
          const label = item.innerText.trim();
          if (item.offsetParent !== null && label && lines(item) > 1) out.push('header item wraps: ' + label);
        }
        for (const cell of document.querySelectorAll('main td, main th, main dd, main li, main h1, main h2')) {
          const text = cell.innerText.trim();
          const head = cell.closest('thead');
          const hidden = head && getComputedStyle(head).position === 'absolute';  // a stacked table's column names
          if (hidden || cell.offsetParent === null || text.length < 2) continue;
          const n = lines(cell);
          if (n >= 2 && n >= Math.ceil(text.length / 2)) out.push('squeezed: ' + text.slice(0, 20));
        }
        return out;
    }"""
    )


def visit(page, url, name, language, width):
    response = page.goto(url)
    assert response.status == 200, url
    assert page.evaluate("window.innerWidth") == width  # the width the screenshot's name says
    problems = layout_problems(page)
    assert problems == [], (url, width, problems[:5])
    body = page.locator("main").inner_text()
    assert not re.search(r"\d(?:\.\d+)?[Ee][+-]\d", body), url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"widths-{name}-{language}-{width}.png"), full_page=True)
    return body


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_provider_pages_at_both_widths(browser, live_server, demo, language):
    provider = Provider.objects.get(users__user__username="provider1")
    for width in WIDTHS:
        context, page = sign_in(browser, live_server, "provider1", language, width)
        body = visit(page, "/portal/", "dashboard", language, width)
        expect(page.locator("#effect-gmv")).to_have_text(re.compile(r"^¥[\d,]+\.\d\d(万)?$"))
        expect(page.locator("#overall")).to_have_text(re.compile(r"^\d{1,3}\.\d/100$"))
        assert "%" in page.locator("#percentile").inner_text()
        assert page.locator("#tier-bars progress").count() >= 1
        if width == 390:
            # The appeal button stays reachable: visible within the screen's width.
            button = page.locator("#decisions a.button").first
            if button.count():
                box = button.bounding_box()
                assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert ("综合得分" in body or "总分" in body) if language == "zh-hans" else "Overall score" in body
        page.locator("#metrics a").first.click()
        visit(page, page.url.replace(live_server.url, ""), "metric", language, width)
        visit(page, "/portal/inbox/", "inbox", language, width)
        if width == WIDTHS[-1]:  # the demo's decisions and appeal outcomes are unread until the provider says
            assert page.locator("#inbox-link .count").count() == 1
            page.locator("#mark-all").click()
            page.wait_for_load_state()
            assert page.locator("#inbox-link .count").count() == 0 and page.locator("li.unread").count() == 0
        merchant = page.goto("/portal/") and page.locator("#main .columns a").first
        if merchant.count():
            merchant.click()
            visit(page, page.url.replace(live_server.url, ""), "merchant", language, width)
        context.close()
    assert provider.name


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_console_pages_at_both_widths(browser, live_server, demo, language):
    cycle = QualificationCycle.objects.order_by("-window_end").first()
    provider = Provider.objects.order_by("pk").first()
    urls = {
        "home": "/console/",
        "admissions": "/console/admissions/",
        "appeals": "/console/appeals/",
        "delistings": "/console/delistings/",
        "leaderboard": "/console/leaderboard/",
        "ledger": "/console/ledger/",
        "cycles": "/console/cycles/",
        "preview": f"/console/cycles/{cycle.pk}/preview/",
        "provider": f"/console/providers/{provider.pk}/",
    }
    for width in WIDTHS:
        context, page = sign_in(browser, live_server, "manager", language, width)
        for name, url in urls.items():
            body = visit(page, url, name, language, width)
            for code in ("industrial_belt", "tier_certified", "cycle_delist_proposal", "warn_percentile"):
                assert code not in body, (url, code)
        if Appeal.objects.exists():
            assert page.goto("/console/appeals/").ok
            assert page.locator("input[name=outcome]:checked").count() == 0  # no default outcome
        context.close()
