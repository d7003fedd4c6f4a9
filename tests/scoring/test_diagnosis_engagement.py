"""A merchant's diagnosis is for the provider serving it today (Asia/Shanghai), not a former one."""

import datetime as dt

import pytest
from django.test import Client

from core.dates import shanghai_today

from . import platform as pf
from .platform import engage

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def diagnosis_and_page(user, merchant):
    page = Client()
    page.force_login(user)
    api = Client()
    api.force_login(user)
    return (
        api.get(f"/api/v1/merchants/{merchant.pk}/diagnosis/").status_code,
        page.get(f"/portal/merchants/{merchant.pk}/").status_code,
    )


def test_former_provider_loses_the_diagnosis_when_another_takes_over(provider_user, outsider, provider, other_provider):
    today = shanghai_today()
    merchant = pf.merchant("beauty")
    served = engage(provider, merchant, today - 90 * DAY, today)  # ends today: still engaged today
    assert diagnosis_and_page(provider_user, merchant) == (200, 200)
    engage(other_provider, merchant, today + DAY)  # takes over tomorrow: not yet
    assert diagnosis_and_page(outsider, merchant) == (404, 404)
    served.end_date = today - DAY
    served.save(update_fields=["end_date"])
    other = merchant.engagements.get(provider=other_provider)
    other.start_date = today
    other.save(update_fields=["start_date"])
    assert diagnosis_and_page(provider_user, merchant) == (404, 404)
    assert diagnosis_and_page(outsider, merchant) == (200, 200)
    # The former provider still lists the merchant it served (docs/api.md), only the diagnosis is gone.
    api = Client()
    api.force_login(provider_user)
    assert [m["id"] for m in api.get("/api/v1/merchants/").json()["results"]] == [merchant.pk]


def test_staff_read_any_diagnosis(staff, provider):
    merchant = pf.merchant("beauty")
    engage(provider, merchant, shanghai_today() - 90 * DAY, shanghai_today() - 30 * DAY)
    api = Client()
    api.force_login(staff)
    assert api.get(f"/api/v1/merchants/{merchant.pk}/diagnosis/").status_code == 200
