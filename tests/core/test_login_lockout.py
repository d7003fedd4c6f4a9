"""Login lockout (django-axes) on the real login views: the pages' /accounts/login/ and the admin's."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # tests.factories.UserFactory's
LOGINS = ["/accounts/login/", "/admin/login/"]


def attempt(client: Client, url: str, username: str, password: str):
    return client.post(url, {"username": username, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url", LOGINS)
def test_100_wrong_passwords_then_the_right_one_does_not_sign_in(url):
    factories.UserFactory(username="target", is_staff=True)
    client = Client()
    statuses = [attempt(client, url, "target", f"guess-{n}").status_code for n in range(100)]

    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 10
    # Below the limit the form answers again (200); from the limit on, the lockout page.
    assert statuses == [200] * (limit - 1) + [429] * (100 - limit + 1)
    right = attempt(client, url, "target", PASSWORD)
    assert right.status_code == 429
    assert not signed_in(client)
    assert int(right["Retry-After"]) == 30 * 60
    page = right.content.decode()
    # The site's layout, in Chinese by default.
    assert '<a class="brand" href="/">' in page and 'lang="zh-hans"' in page
    assert "登录失败次数过多" in page and "锁定 30 分钟" in page


def test_the_lockout_page_speaks_the_chosen_language():
    factories.UserFactory(username="target")
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = attempt(client, "/accounts/login/", "target", f"guess-{n}")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-in attempts" in page and "locked for 30 minutes" in page


def test_the_lock_is_per_username_and_address():
    factories.UserFactory(username="target")
    factories.UserFactory(username="colleague")
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "/accounts/login/", "target", f"guess-{n}")
    assert attempt(client, "/accounts/login/", "target", PASSWORD).status_code == 429

    # Another user behind the same address (an office NAT) still signs in...
    colleague = Client()
    assert attempt(colleague, "/accounts/login/", "colleague", PASSWORD).status_code == 302
    assert signed_in(colleague)
    # ...and so does the locked user from another address.
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert attempt(elsewhere, "/accounts/login/", "target", PASSWORD).status_code == 302
    assert signed_in(elsewhere)


def test_a_successful_sign_in_resets_the_count():
    factories.UserFactory(username="target")
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "/accounts/login/", "target", f"guess-{n}").status_code == 200
    assert attempt(client, "/accounts/login/", "target", PASSWORD).status_code == 302
    client.logout()
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "/accounts/login/", "target", f"again-{n}").status_code == 200
    assert attempt(client, "/accounts/login/", "target", PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_lock_ends_after_the_cool_off():
    factories.UserFactory(username="target")
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "/accounts/login/", "target", f"guess-{n}")
    assert attempt(client, "/accounts/login/", "target", PASSWORD).status_code == 429

    # 31 minutes later (the attempts' clock moved back instead of waiting).
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31))
    assert attempt(client, "/accounts/login/", "target", PASSWORD).status_code == 302
    assert signed_in(client)
