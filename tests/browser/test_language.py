"""The language switch turns the pages to English and back to Simplified Chinese (the default); each language is
named in itself, and choosing one switches at once (the Switch button is for browsers without JavaScript)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_language_switch_round_trip(page, screenshot):
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "登录"
    assert page.locator("#lang option").all_inner_texts() == ["简体中文", "English"]
    expect(page.locator(".lang-submit")).to_be_hidden()

    page.select_option("#lang", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.locator("h1").inner_text() == "Log in"
    assert page.locator("#lang option").all_inner_texts() == ["简体中文", "English"]
    screenshot("english")

    page.select_option("#lang", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert page.locator("h1").inner_text() == "登录"
    screenshot("chinese")


def test_language_switch_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.select_option("#lang", "en")
    page.click("text=切换")
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()
