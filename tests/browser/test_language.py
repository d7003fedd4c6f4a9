"""The language switch turns the pages to English and back to Simplified Chinese (the default)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_language_switch_round_trip(page, screenshot):
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "登录"

    page.select_option("#lang", "en")
    page.click("text=切换")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Log in"
    screenshot("english")

    page.select_option("#lang", "zh-hans")
    page.click("text=Switch")
    assert page.locator("h1").inner_text() == "登录"
    screenshot("chinese")
