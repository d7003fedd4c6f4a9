"""The provider's page version (pages migration 0001): every write to what its dashboard shows raises it, in the
same transaction, and raises no other provider's; the dashboard kept under it shows each change at once."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certification import services as cert_services
from certification.ledger import decision_append
from certification.models import RuleSet
from pages.models import ProviderPageVersion
from providers.models import Merchant, Operator
from tests import factories
from tests.conftest import page_client
from tests.portal.test_dashboard_cache import without_csrf
from tests.scores import make_cycle, score_providers

pytestmark = pytest.mark.django_db


def version(provider) -> int:
    return ProviderPageVersion.objects.filter(provider_id=provider.pk).values_list("n", flat=True).first() or 0


def raised(write, *providers) -> list[int]:
    """How much each provider's version rose over ``write()``."""
    before = [version(p) for p in providers]
    write()
    return [version(p) - b for p, b in zip(providers, before, strict=True)]


def test_each_kind_of_write_raises_the_providers_it_shows_on_and_no_other(provider, other_provider):
    engagement = factories.EngagementFactory(provider=provider)
    employment = factories.EmploymentFactory(provider=provider)
    assert raised(lambda: factories.EngagementFactory(provider=provider), provider, other_provider) == [1, 0]
    assert raised(lambda: factories.EmploymentFactory(provider=provider), provider, other_provider) == [1, 0]
    # A merchant or an operator shows on the pages of the providers engaged with it or employing it.
    rename = lambda model, pk: model.objects.filter(pk=pk).update(name="renamed")  # noqa: E731
    assert raised(lambda: rename(Merchant, engagement.merchant_id), provider, other_provider) == [1, 0]
    assert raised(lambda: rename(Operator, employment.operator_id), provider, other_provider) == [1, 0]

    def decide():
        decision_append(kind="warn", provider=provider, reason_code="x", effective_at=timezone.now())

    assert raised(decide, provider, other_provider) == [1, 0]
    # An operator certificate shows on its employer's page.
    certify = lambda: cert_services.certificate_issue_operator(operator=employment.operator, level="junior")  # noqa: E731
    assert raised(certify, provider, other_provider) == [1, 0]
    assert raised(
        lambda: type(provider).objects.filter(pk=provider.pk).update(tier="L2"), provider, other_provider
    ) == [
        1,
        0,
    ]
    # Moving an engagement to another provider changes both pages.
    move = lambda: type(engagement).objects.filter(pk=engagement.pk).update(provider=other_provider)  # noqa: E731
    assert raised(move, provider, other_provider) == [1, 1]


def test_a_rule_set_raises_every_provider_and_a_statement_that_changes_nothing_raises_none(provider, other_provider):
    assert raised(lambda: Merchant.objects.filter(pk=-1).update(name="none"), provider, other_provider) == [0, 0]
    v1 = RuleSet.objects.get(version=1)
    fields = {f: getattr(v1, f) for f in ["l2_overall", "l3_overall", "l4_overall", "l5_overall"]}
    assert raised(lambda: RuleSet.objects.filter(pk=v1.pk).update(**fields), provider, other_provider) == [1, 1]


def test_a_rolled_back_write_raises_nothing(provider):
    before = version(provider)
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.EngagementFactory(provider=provider)
        assert version(provider) == before + 1  # seen inside the writing transaction
        raise RuntimeError
    assert version(provider) == before


def test_the_kept_dashboard_shows_a_new_decision_certificate_and_merchant_at_once(provider_user, provider, scored):
    client = page_client(provider_user, "en")
    assert client.get("/portal/").status_code == 200
    with CaptureQueriesContext(connection) as kept:
        page = client.get("/portal/").content.decode()
    assert "Bought on the page" not in page
    decision_append(kind="warn", provider=provider, reason_code="x", effective_at=timezone.now())
    factories.EngagementFactory(provider=provider, merchant=factories.MerchantFactory(name="Bought on the page"))
    employment = factories.EmploymentFactory(provider=provider, start_date=dt.date(2020, 1, 1))
    certificate = cert_services.certificate_issue_operator(operator=employment.operator, level="junior")
    with CaptureQueriesContext(connection) as rebuilt:
        after = client.get("/portal/").content.decode()
    assert "Bought on the page" in after and certificate.number in after
    assert after.count('data-label="#"') == page.count('data-label="#"') + 1  # one more decision row
    assert len(rebuilt) > len(kept)  # rebuilt once …
    with CaptureQueriesContext(connection) as again:
        assert without_csrf(client.get("/portal/").content.decode()) == without_csrf(after)
    assert len(again) == len(kept)  # … and kept again


def test_a_newer_published_cycle_rebuilds_the_kept_dashboard(provider_user, provider, scored):
    client = page_client(provider_user, "en")
    before = client.get("/portal/").content.decode()
    score_providers(make_cycle(month=10), scored, base=70)  # publishing writes none of the tables above
    after = client.get("/portal/").content.decode()
    assert "2026-10" not in before and "2026-10" in after


def test_a_get_sends_no_audit_context(provider_user, provider, scored):
    client = page_client(provider_user, "en")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/portal/").status_code == 200
    assert not [q for q in captured if "pghistory" in q["sql"]]
