"""Agreements with versions recorded in the admin go through the services; another provider's engagement and a
rate above 0.9 are refused with nothing written."""

import pytest

from settlement.models import AgreementVersion, ServiceAgreement
from tests import factories
from tests.conftest import page_client

from . import world as w

pytestmark = pytest.mark.django_db
URL = "/admin/settlement/serviceagreement/add/"


def form(provider, engagement, rate="0.1"):
    return {
        "provider": provider.pk,
        "engagement": engagement.pk,
        "note": "",
        "versions-TOTAL_FORMS": "1",
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
        "versions-0-effective_from": "2025-03-01",
        "versions-0-fixed_fee_monthly": "1000.00",
        "versions-0-commission_rate": rate,
        "versions-0-uplift_bonus_rate": "0.05",
    }


def test_reviewer_records_an_agreement_with_a_version_in_the_admin(reviewer, other_provider):
    p = w.admitted_provider()
    e = factories.EngagementFactory(provider=p)
    client = page_client(reviewer)
    for bad in (form(p, factories.EngagementFactory(provider=other_provider)), form(p, e, rate="0.95")):
        answer = client.post(URL, bad)
        assert answer.status_code == 200  # the form again, with its errors
        assert ServiceAgreement.objects.count() == 0 and AgreementVersion.objects.count() == 0
    answer = client.post(URL, form(p, e))
    assert answer.status_code == 302, answer.content[:2000]
    agreement = ServiceAgreement.objects.get()
    assert (agreement.engagement_id, agreement.created_by_id) == (e.pk, reviewer.pk)
    assert list(agreement.versions.values_list("effective_from", "commission_rate")) == [
        (w.dt.date(2025, 3, 1), w.D("0.100000"))
    ]
