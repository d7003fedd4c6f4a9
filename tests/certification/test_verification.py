"""Public verification: /verify/<number>/ and /verify/<number>.json — every status, 404, no private data, 429."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from certification import services, standing
from certification.models import Certificate
from core.dates import shanghai_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def provider_cert(provider):
    return standing.provider_certify(
        provider=provider, level="L3", valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2099, 12, 31)
    )


@pytest.fixture
def operator_cert(operator):
    return services.certificate_issue_operator(operator=operator, level="senior", valid_from=shanghai_today())


def test_json_is_open_badges_shaped(anonymous, provider_cert):
    response = anonymous.get(f"/verify/{provider_cert.number}.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "id": f"http://testserver/verify/{provider_cert.number}.json",
        "name": f"Saima 服务商等级证书 {provider_cert.number}",
        "issuer": {"id": "http://testserver/", "type": "Profile", "name": "Saima"},
        "validFrom": "2026-01-01T00:00:00+08:00",
        "validUntil": "2099-12-31T23:59:59+08:00",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": "Own Provider",
            "achievement": {
                "id": "http://testserver/achievements/provider/L3",
                "type": ["Achievement"],
                "name": "L3 银牌",
                "criteria": {
                    "narrative": "Saima provider tier L3 银牌: earned in a qualification cycle (强赛马) "
                    "under the published rule set."
                },
            },
        },
        "credentialStatus": {
            "id": f"http://testserver/verify/{provider_cert.number}/",
            "type": "SaimaCertificateStatus",
            "status": "active",
        },
    }


def test_nothing_private_is_published(anonymous, provider, operator, operator_cert):
    provider_cert = standing.provider_certify(provider=provider, level="L1")
    for cert in (provider_cert, operator_cert):
        for url in (f"/verify/{cert.number}.json", f"/verify/{cert.number}/"):
            text = anonymous.get(url).content.decode()
            for private in (operator.phone, provider.credit_code, operator.platform_user_id):
                assert private not in text
            assert f'"{cert.pk}"' not in text and f"/{cert.pk}/" not in text


@pytest.mark.parametrize("status", ["active", "expired", "suspended", "revoked"])
def test_each_status_page_and_json(anonymous, provider_cert, status):
    if status == "suspended":
        services.certificate_suspend(certificate=provider_cert)
    elif status == "revoked":
        services.certificate_revoke(certificate=provider_cert)
    elif status == "expired":
        services.certificates_expire(today=dt.date(2100, 1, 1))
    assert Certificate.objects.get(pk=provider_cert.pk).status == status
    assert anonymous.get(f"/verify/{provider_cert.number}.json").json()["credentialStatus"]["status"] == status
    page = anonymous.get(f"/verify/{provider_cert.number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-status="{status}"' in html
    assert "Own Provider" in html and provider_cert.number in html and "L3 银牌" in html
    assert "2099-12-31" in html


def test_active_certificate_past_its_last_day_reads_expired_before_the_nightly_job(anonymous, provider):
    cert = standing.provider_certify(
        provider=provider, level="L1", valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2020, 12, 31)
    )
    assert cert.status == "active"
    assert anonymous.get(f"/verify/{cert.number}.json").json()["credentialStatus"]["status"] == "expired"


def test_operator_certificate(anonymous, operator_cert):
    body = anonymous.get(f"/verify/{operator_cert.number}.json").json()
    assert body["credentialSubject"]["name"] == "Zhang San"
    assert body["credentialSubject"]["achievement"]["name"] == "高级操盘手"
    anonymous.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = anonymous.get(f"/verify/{operator_cert.number}.json").json()
    assert body["name"] == f"Saima Operator certificate {operator_cert.number}"
    assert body["credentialSubject"]["achievement"]["name"] == "Senior operator"


@pytest.mark.parametrize("number", ["SP-2026-999999", "nonsense", "OP-1999-000001"])
def test_unknown_number_is_404(anonymous, provider_cert, number):
    response = anonymous.get(f"/verify/{number}.json")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "没有此编号的证书。"}
    page = anonymous.get(f"/verify/{number}/")
    assert page.status_code == 404
    assert f"没有编号为 {number} 的证书，请检查编号后重试。" in page.content.decode()
    anonymous.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = anonymous.get(f"/verify/{number}/")
    assert page.status_code == 404
    assert f"No certificate has the number {number}. Check the number and try again." in page.content.decode()
    response = anonymous.get(f"/verify/{number}.json")
    assert response.json() == {"code": "not_found", "message": "No certificate has this number."}


def test_rate_limit_is_shared_by_page_and_json(anonymous, provider_cert):
    # settings: DEFAULT_THROTTLE_RATES["verify"] = 60/min per client address.
    for i in range(60):
        url = f"/verify/{provider_cert.number}/" if i % 2 else f"/verify/{provider_cert.number}.json"
        assert anonymous.get(url).status_code == 200
    throttled = anonymous.get(f"/verify/{provider_cert.number}.json")
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    page = anonymous.get(f"/verify/{provider_cert.number}/")
    assert page.status_code == 429
    assert int(page["Retry-After"]) > 0
    # A client cannot pick a fresh counter by sending its own X-Forwarded-For.
    spoofed = anonymous.get(f"/verify/{provider_cert.number}.json", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert spoofed.status_code == 429
    # Another client address still gets through.
    assert Client(REMOTE_ADDR="10.0.0.9").get(f"/verify/{provider_cert.number}.json").status_code == 200


def test_a_replaced_tier_certificate_reads_superseded_and_points_to_the_current_one(anonymous, provider):
    first = standing.provider_certify(provider=provider, level="L1")
    second = standing.provider_certify(provider=provider, level="L2")
    first.refresh_from_db()
    assert first.status == "superseded" and first.valid_until > shanghai_today()  # not "expired"
    assert second.supersedes == first and second.status == "active"
    anonymous.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = anonymous.get(f"/verify/{first.number}/").content.decode()
    assert "replaced by a newer one" in page and "expired" not in page.lower()
    assert f'href="/verify/{second.number}/"' in page
    document = anonymous.get(f"/verify/{first.number}.json").json()
    assert document["credentialStatus"]["status"] == "superseded"
    assert document["credentialStatus"]["supersededBy"].endswith(f"/verify/{second.number}.json")
    assert "supersededBy" not in anonymous.get(f"/verify/{second.number}.json").json()["credentialStatus"]


@pytest.mark.django_db
def test_verify_search_box_any_letter_case_and_when_revoked(provider):
    """/verify/ has a search box; a number in any letter case finds its certificate; a revoked one says when."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    body = client.get("/verify/").content.decode()
    assert 'name="number"' in body and "letter case does not matter" in body
    cert = standing.provider_certify(provider=provider, level="L1")
    lower = cert.number.lower()
    assert client.get(f"/verify/?number=+{lower}+")["Location"] == f"/verify/{cert.number}/"
    assert client.get(f"/verify/{lower}/")["Location"] == f"/verify/{cert.number}/"
    assert client.get(f"/verify/{lower}.json").status_code == 200
    services.certificate_revoke(certificate=cert, reason="test")
    body = client.get(f"/verify/{cert.number}/").content.decode()
    assert "This certificate was revoked on" in body and '<time class="d"' in body
