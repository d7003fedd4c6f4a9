"""The public operator record (操盘履历): opt-in, beside verification, facts only, consenting merchants named."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from certification import services as cert_services
from certification import standing
from core.dates import shanghai_today
from playbook import services
from playbook.models import OperatorRecordConsent
from tests import factories

pytestmark = pytest.mark.django_db


def at(days_ago: int) -> dt.datetime:
    day = shanghai_today() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(20), tzinfo=factories.SHANGHAI)


@pytest.fixture
def rec(provider, provider_user):
    operator = factories.OperatorFactory(name="张三")
    factories.EmploymentFactory(
        operator=operator, provider=provider, start_date=shanghai_today() - dt.timedelta(days=500)
    )
    named = factories.MerchantFactory(name="Consenting Shop", public_consent=True)
    unnamed = factories.MerchantFactory(name="Private Shop", public_consent=False)
    start = shanghai_today() - dt.timedelta(days=90)
    for m in (named, unnamed):
        factories.EngagementFactory(provider=provider, merchant=m, start_date=start - dt.timedelta(days=400))
    # Re-engaged 90 days ago: the baseline is the 30 days before that (mean 10,000 for the named shop).
    factories.EngagementFactory(provider=provider, merchant=named, start_date=start)
    for days, gmv in ((100, "8000.00"), (95, "12000.00")):
        factories.LiveSessionFactory(merchant=named, started_at=at(days), gmv=Decimal(gmv))
    operated = dict(operator=operator, provider=provider)
    factories.LiveSessionFactory(merchant=named, started_at=at(30), gmv=Decimal("150000.00"), **operated)
    factories.LiveSessionFactory(merchant=named, started_at=at(20), gmv=Decimal("30000.00"), **operated)
    factories.LiveSessionFactory(merchant=unnamed, started_at=at(10), gmv=Decimal("5000.00"), **operated)
    factories.LiveSessionFactory(merchant=named, started_at=at(400), gmv=Decimal("9000000.00"), **operated)  # too old
    cert = cert_services.certificate_issue_operator(operator=operator, level="senior", valid_from=shanghai_today())
    return {"operator": operator, "cert": cert, "user": provider_user}


def test_no_record_without_the_providers_opt_in(rec):
    client = Client()
    assert client.get(f"/verify/operators/{rec['cert'].number}/").status_code == 404
    assert client.get(f"/verify/operators/{rec['cert'].number}.json").status_code == 404
    assert client.get("/verify/operators/OP-1999-000001.json").status_code == 404


def test_the_record_shows_the_platforms_facts_and_names_only_consenting_merchants(rec):
    services.record_consent_give(actor=rec["user"], operator=rec["operator"])
    client = Client()
    body = client.get(f"/verify/operators/{rec['cert'].number}.json").json()
    assert body["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert body["credentialSubject"]["name"] == "张三"
    results = {r["resultDescription"]: r["value"] for r in body["credentialSubject"]["result"]}
    assert results == {
        "operated_sessions": "3",
        "merchants_served": "2",
        "highest_band": "100k–500k",
        # (150,000 / 10,000 − 1 + 30,000 / 10,000 − 1) / 2; the private shop has no baseline
        "average_uplift": "8.0000",
        "uplift_sessions": "2",
    }
    assert [e["name"] for e in body["evidence"]] == ["Consenting Shop"]
    assert body["credentialStatus"]["merchantsUnnamed"] == 1
    text = str(body)
    assert (
        "Private Shop" not in text
        and rec["operator"].phone not in text
        and rec["operator"].platform_user_id not in text
    )
    page = client.get(f"/verify/operators/{rec['cert'].number}/")
    html = page.content.decode()
    assert page.status_code == 200 and "Consenting Shop" in html and "Private Shop" not in html and "800.0%" in html


def test_the_record_lapses_when_the_certificate_is_revoked_or_the_consent_withdrawn(rec, staff):
    consent = services.record_consent_give(actor=rec["user"], operator=rec["operator"])
    client = Client()
    assert client.get(f"/verify/operators/{rec['cert'].number}.json").status_code == 200
    services.record_consent_withdraw(consent=consent, actor=rec["user"])
    assert not OperatorRecordConsent.objects.exists()
    assert client.get(f"/verify/operators/{rec['cert'].number}.json").status_code == 404
    services.record_consent_give(actor=rec["user"], operator=rec["operator"])
    rec["cert"].status = "revoked"
    rec["cert"].save(update_fields=["status"])
    assert client.get(f"/verify/operators/{rec['cert'].number}/").status_code == 404


def test_the_record_shares_the_verification_rate_limit(rec):
    services.record_consent_give(actor=rec["user"], operator=rec["operator"])
    client = Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(60):
        client.get(f"/verify/{rec['cert'].number}.json")
    assert client.get(f"/verify/operators/{rec['cert'].number}.json").status_code == 429
    assert client.get(f"/verify/operators/{rec['cert'].number}/").status_code == 429


def test_the_certificate_page_links_the_record_while_it_is_public(rec, provider):
    number = rec["cert"].number
    link = f'<p id="operator-record"><a href="/verify/operators/{number}/">'
    client = Client()
    assert link not in client.get(f"/verify/{number}/").content.decode()  # no opt-in: nothing public to link
    consent = services.record_consent_give(actor=rec["user"], operator=rec["operator"])
    body = client.get(f"/verify/{number}/").content.decode()
    assert link + "张三 的操盘履历：平台自己记录的近 12 个月数据</a>" in body
    client.cookies["django_language"] = "en"
    body = client.get(f"/verify/{number}/").content.decode()
    assert link + "The operator record of 张三: what the platform itself recorded over the last 12 months</a>" in body
    assert client.get(f"/verify/operators/{number}/").status_code == 200  # the link leads to the record
    # A tier certificate has no operator record; a withdrawn opt-in takes the link away.
    tier = standing.provider_certify(provider=provider, level="L2")
    assert 'id="operator-record"' not in client.get(f"/verify/{tier.number}/").content.decode()
    services.record_consent_withdraw(consent=consent, actor=rec["user"])
    assert 'id="operator-record"' not in client.get(f"/verify/{number}/").content.decode()
