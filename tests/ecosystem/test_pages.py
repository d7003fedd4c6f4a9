"""The ecosystem pages: the staff report, drill-downs, programme (with CSV exports) and a provider's own page."""

import datetime as dt

import pytest

from ecosystem.services import report_store
from tests import factories
from tests.conftest import page_client

from . import scenario

pytestmark = pytest.mark.django_db


def test_report_page_figures_links_and_csv(staff, provider_user, django_assert_max_num_queries):
    scenario.build()
    report_store(month=dt.date(2025, 3, 1))
    client = page_client(staff, "en")
    with django_assert_max_num_queries(12):
        page = client.get("/console/ecosystem/?month=2025-03")
    html = page.content.decode()
    assert page.status_code == 200
    assert "2.00×" in html and "80.0%" in html and "50.0%" in html and "¥600,000.00" in html
    assert "kind=first_time" in html and "<svg" in html
    csv = client.get("/console/ecosystem/?month=2025-03&format=csv")
    body = csv.content.decode("utf-8")
    assert body.startswith("\ufefffigure,value,year_earlier,ratio")
    assert "merchants_gmv_ge_500000,2,1,2" in body and "operation_effect_operated_gmv,600000.00" in body
    assert page_client(provider_user).get("/console/ecosystem/").status_code == 404
    assert client.get("/console/ecosystem/?month=nope").status_code == 404


def test_unstored_month_says_not_computed(staff):
    scenario.build()
    html = page_client(staff, "en").get("/console/ecosystem/?month=2024-12").content.decode()
    assert "Not stored yet" in html and "insufficient history" in html


def test_drilldown_pages_and_csv(staff, django_assert_max_num_queries):
    scenario.build()
    client = page_client(staff, "en")
    with django_assert_max_num_queries(8):
        html = client.get("/console/ecosystem/merchants/?month=2025-03&kind=stagnant").content.decode()
    assert ">D<" in html and ">E<" not in html
    body = client.get("/console/ecosystem/merchants/?month=2025-03&kind=not_served&format=csv").content.decode()
    lines = body.splitlines()
    assert lines[0] == "\ufeffmerchant_id,platform_account_id,name,category,gmv,gmv_three_months_before"
    assert len(lines) == 2 and ",B," in lines[1]
    assert client.get("/console/ecosystem/merchants/?month=2025-03&kind=bogus").status_code == 404
    html = client.get("/console/ecosystem/providers/?month=2025-03&type=mcn").content.decode()
    assert ">P<" in html and "¥600,000.00" in html


def test_programme_page_and_provider_lists(staff, django_assert_max_num_queries):
    s = scenario.build_programme()
    client = page_client(staff, "en")
    with django_assert_max_num_queries(10):
        html = client.get("/console/ecosystem/programme/?month=2025-06").content.decode()
    assert "month 6 of 12" in html and ">Q<" in html and ">R<" in html
    html = client.get(f"/console/ecosystem/programme/?month=2025-06&provider={s['Q'].pk}").content.decode()
    assert ">G<" in html and ">H<" in html and "Successful leap" in html and "Almost" in html
    body = client.get(f"/console/ecosystem/programme/?month=2025-06&provider={s['Q'].pk}&format=csv").content
    assert body.decode().startswith("\ufeffprovider_id,provider,merchant_id")


def test_portal_page_shows_only_the_own_provider(staff, django_assert_max_num_queries):
    s = scenario.build_programme()
    user = factories.ProviderUserFactory(provider=s["R"]).user
    client = page_client(user, "en")
    with django_assert_max_num_queries(10):
        html = client.get("/portal/programme/?month=2025-06").content.decode()
    assert "1 merchant leapt with you" in html and "1 more almost did" in html
    assert ">G<" not in html and "G <span" in html and "J</li>" in html and "H</li>" not in html
    assert page_client(staff).get("/portal/programme/").status_code == 404
