"""Provider users' passwords: not the username (or it plus a digit), not the company's name, not all digits."""

import pytest
from django.contrib.auth import get_user_model

from providers.validators import credit_code_check_char
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return factories.ProviderFactory(name="杭州星辰文化传媒有限公司")


@pytest.fixture
def api(client_for, staff):
    client = client_for(staff)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def create(api, provider, password, username="shop-admin"):
    return api.post(
        "/api/v1/provider-users/",
        {"username": username, "password": password, "provider": provider.pk},
        format="json",
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("shop-admin", "The password is too similar to the username."),
        ("shop-admin1", "The password is too similar to the username."),
        ("Shop_Admin2026", "The password is too similar to the username."),
        ("杭州星辰文化传媒有限公司", "The password is too similar to the provider's name."),
        ("杭州星辰文化传媒2026", "The password is too similar to the provider's name."),
        ("星辰文化传媒有限公司!", "The password is too similar to the provider's name."),
        ("98765432123", "This password is entirely numeric."),
    ],
)
def test_weak_passwords_of_a_new_provider_user_are_refused_with_the_error_body(api, company, password, message):
    users_before = get_user_model().objects.count()
    response = create(api, company, password)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] in ("password_too_similar", "password_entirely_numeric")
    assert body["message"] == "Invalid input."
    assert body["errors"] == {"password": [message]}
    assert get_user_model().objects.count() == users_before


def test_a_latin_company_name_and_its_credit_code_are_refused_too(api):
    body = "91330100MA2KXY123"  # a credit code with letters, so that it is not refused as all digits first
    provider = factories.ProviderFactory(name="Blue Horizon Media", credit_code=body + credit_code_check_char(body))
    for password in ("BlueHorizonMedia", "blue-horizon-media-1", provider.credit_code.lower()):
        response = create(api, provider, password)
        assert response.status_code == 400, password
        assert response.json()["code"] == "password_too_similar"
    assert not get_user_model().objects.filter(username="shop-admin").exists()


def test_the_refusal_is_in_chinese_by_default(client_for, staff, company):
    response = create(client_for(staff), company, "杭州星辰文化传媒有限公司")
    assert response.status_code == 400
    assert response.json()["errors"] == {"password": ["密码与服务商的名称过于相似。"]}


def test_a_strong_password_is_accepted(api, company):
    response = create(api, company, "Lantern-orbit-57-quiet")
    assert response.status_code == 201
    assert get_user_model().objects.get(username="shop-admin").check_password("Lantern-orbit-57-quiet")


def test_changing_a_provider_users_password_to_the_company_name_is_refused(api, company):
    login = factories.ProviderUserFactory(provider=company, user__username="xingchen-ops")
    response = api.patch(f"/api/v1/provider-users/{login.pk}/", {"password": "杭州星辰文化传媒有限公司"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"password": ["The password is too similar to the provider's name."]}
    login.user.refresh_from_db()
    assert login.user.check_password("pw-for-tests-1")


def test_staff_passwords_are_not_compared_with_any_company(company):
    from django.contrib.auth.password_validation import validate_password

    staff_user = factories.UserFactory(username="reviewer-wang", is_staff=True)
    validate_password("杭州星辰文化传媒有限公司", user=staff_user)  # no provider account: no company to resemble
