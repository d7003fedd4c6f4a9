"""Certificates: numbering, issue/supersede, revoke/suspend, nightly expiry (real worker), API scope."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from certification import services, standing
from certification.models import Certificate, CertificateCounter, Decision
from certification.tasks import expire_certificates_task
from core.dates import shanghai_today
from core.errors import Refusal
from tests import factories

pytestmark = pytest.mark.django_db


def test_numbers_per_kind_and_year(provider, operator):
    a = standing.provider_certify(provider=provider, level="L1", valid_from=dt.date(2026, 1, 5))
    b = services.certificate_issue_operator(operator=operator, level="junior", valid_from=dt.date(2026, 2, 1))
    c = standing.provider_certify(provider=provider, level="L2", valid_from=dt.date(2026, 7, 1))
    d = standing.provider_certify(provider=factories.ProviderFactory(), level="L1", valid_from=dt.date(2027, 1, 1))
    assert [x.number for x in (a, b, c, d)] == ["SP-2026-000001", "OP-2026-000001", "SP-2026-000002", "SP-2027-000001"]
    assert set(CertificateCounter.objects.values_list("kind", "year", "last")) == {
        ("provider", 2026, 2),
        ("operator", 2026, 1),
        ("provider", 2027, 1),
    }


def test_issue_records_a_certify_decision_and_supersedes(provider, staff):
    first = standing.provider_certify(provider=provider, level="L1", valid_from=dt.date(2026, 1, 1))
    assert (first.valid_from, first.valid_until, first.status) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31), "active")
    assert (first.decision.kind, first.decision.provider_id, first.decision.decided_by_id) == (
        "certify",
        provider.pk,
        None,
    )
    assert first.decision.evidence == {"level": "L1", "valid_from": "2026-01-01", "valid_until": "2026-12-31"}
    second = standing.provider_certify(provider=provider, level="L2", valid_from=dt.date(2026, 4, 1), decided_by=staff)
    first.refresh_from_db()
    # A replaced tier certificate is superseded (it stays valid by its dates; the new one names it).
    assert (first.status, second.status, second.supersedes_id) == ("superseded", "active", first.pk)
    assert second.decision.decided_by_id == staff.pk
    assert Decision.objects.filter(kind="certify").count() == 2


def test_operator_certificates_last_two_years(operator):
    cert = services.certificate_issue_operator(operator=operator, level="intermediate", valid_from=dt.date(2024, 2, 29))
    assert (cert.kind, cert.level, cert.valid_until) == ("operator", "intermediate", dt.date(2026, 2, 27))
    assert cert.number == "OP-2024-000001"


def test_wrong_levels_and_delisted_providers_are_refused(provider, operator):
    with pytest.raises(Refusal) as info:
        standing.provider_certify(provider=provider, level="senior")
    assert info.value.code == "invalid_level"
    with pytest.raises(ValidationError):
        services.certificate_issue_operator(operator=operator, level="L3")
    provider.status = "delisted"
    provider.save()
    with pytest.raises(Refusal) as info:
        standing.provider_certify(provider=provider, level="L1")
    assert (info.value.code, info.value.status) == ("delisted", 409)
    assert not Certificate.objects.exists()
    assert not Decision.objects.exists()


def test_revoke_and_suspend_transitions(provider):
    cert = standing.provider_certify(provider=provider, level="L3")
    services.certificate_suspend(certificate=cert, reason="investigation")
    assert Certificate.objects.get(pk=cert.pk).status == "suspended"
    with pytest.raises(ValidationError):
        services.certificate_suspend(certificate=cert)
    services.certificate_revoke(certificate=cert, reason="fraud")
    assert Certificate.objects.get(pk=cert.pk).status == "revoked"
    with pytest.raises(ValidationError) as info:
        services.certificate_revoke(certificate=cert)
    assert info.value.code == "invalid_transition"
    assert Certificate.objects.get(pk=cert.pk).status == "revoked"


def test_certificates_expire_is_set_based(provider, operator, django_assert_num_queries):
    day = dt.date(2026, 6, 1)
    ended = services.certificate_issue_operator(operator=operator, level="junior", valid_from=dt.date(2024, 5, 31))
    last_day = standing.provider_certify(provider=provider, level="L1", valid_from=dt.date(2025, 6, 1), valid_until=day)
    other = factories.ProviderFactory()
    suspended = standing.provider_certify(
        provider=other, level="L1", valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2025, 12, 31)
    )
    services.certificate_suspend(certificate=suspended)
    with django_assert_num_queries(3):  # savepoint, one UPDATE, release
        assert services.certificates_expire(today=day) == 2
    statuses = dict(Certificate.objects.values_list("pk", "status"))
    assert statuses == {ended.pk: "expired", last_day.pk: "active", suspended.pk: "expired"}
    assert services.certificates_expire(today=day) == 0


@pytest.mark.django_db(transaction=True)
def test_expire_task_runs_on_a_real_worker(celery_worker_thread):
    provider = factories.ProviderFactory()
    today = shanghai_today()
    old = standing.provider_certify(
        provider=provider,
        level="L1",
        valid_from=today - dt.timedelta(days=400),
        valid_until=today - dt.timedelta(days=1),
    )
    current = standing.provider_certify(
        provider=factories.ProviderFactory(), level="L2", valid_from=today - dt.timedelta(days=10)
    )
    result = expire_certificates_task.delay()
    assert result.get(timeout=30) == 1
    assert Certificate.objects.get(pk=old.pk).status == "expired"
    assert Certificate.objects.get(pk=current.pk).status == "active"


def test_nightly_schedule_is_registered():
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    # The data migration's own function (the rows may have been flushed by a transactional test).
    migration = importlib.import_module("certification.migrations.0003_expire_certificates_schedule")
    migration.schedule(apps, None)
    migration.schedule(apps, None)  # idempotent
    task = PeriodicTask.objects.get(task="certification.tasks.expire_certificates_task")
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone), task.enabled) == (
        "10",
        "0",
        "Asia/Shanghai",
        True,
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_distinct_consecutive_numbers():
    providers = [factories.ProviderFactory() for _ in range(4)]
    barrier = threading.Barrier(len(providers))
    errors = []

    def issue(p):
        try:
            barrier.wait()
            for level in ("L1", "L2", "L3", "L4", "L5"):
                standing.provider_certify(provider=p, level=level, valid_from=dt.date(2026, 3, 1))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(p,)) for p in providers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert numbers == [f"SP-2026-{n:06d}" for n in range(1, 21)]
    assert Certificate.objects.filter(status="active").count() == 4


# --- API ------------------------------------------------------------------------------------------


@pytest.fixture
def certificates(provider, other_provider, operator):
    former = factories.EmploymentFactory(
        provider=provider, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31)
    ).operator
    elsewhere = factories.EmploymentFactory(provider=other_provider).operator
    return {
        "own": standing.provider_certify(provider=provider, level="L2"),
        "own_operator": services.certificate_issue_operator(operator=operator, level="junior"),
        "former_operator": services.certificate_issue_operator(operator=former, level="junior"),
        "other": standing.provider_certify(provider=other_provider, level="L1"),
        "other_operator": services.certificate_issue_operator(operator=elsewhere, level="senior"),
    }


def numbers(response):
    return sorted(row["number"] for row in response.json()["results"])


def test_staff_and_auditor_list_every_certificate(client_for, certificates, staff, auditor):
    for user in (staff, auditor):
        response = client_for(user).get("/api/v1/certificates/")
        assert response.status_code == 200
        assert numbers(response) == sorted(c.number for c in certificates.values())


def test_provider_user_sees_own_and_current_operators_certificates(client_for, certificates, provider_user, outsider):
    response = client_for(provider_user).get("/api/v1/certificates/")
    assert numbers(response) == sorted([certificates["own"].number, certificates["own_operator"].number])
    assert numbers(client_for(outsider).get("/api/v1/certificates/")) == sorted(
        [certificates["other"].number, certificates["other_operator"].number]
    )
    for name in ("other", "other_operator", "former_operator"):
        assert client_for(provider_user).get(f"/api/v1/certificates/{certificates[name].pk}/").status_code == 404
    body = client_for(provider_user).get(f"/api/v1/certificates/{certificates['own_operator'].pk}/").json()
    assert (body["holder_name"], body["level"], body["status"]) == ("Zhang San", "junior", "active")
    assert client_for(None).get("/api/v1/certificates/").status_code in (401, 403)


def test_certificate_filters_and_read_only(client_for, certificates, staff):
    client = client_for(staff)
    assert numbers(client.get("/api/v1/certificates/?kind=operator&level=senior")) == [
        certificates["other_operator"].number
    ]
    assert numbers(client.get(f"/api/v1/certificates/?number={certificates['own'].number}")) == [
        certificates["own"].number
    ]
    # Refused by permission (no role may delete certificates) before the method check.
    assert client.delete(f"/api/v1/certificates/{certificates['own'].pk}/").status_code in (403, 405)
    assert Certificate.objects.count() == 5


def test_certificate_list_query_budget(client_for, staff, provider_user, provider, django_assert_max_num_queries):
    for _ in range(15):
        standing.provider_certify(provider=factories.ProviderFactory(), level="L1")
        services.certificate_issue_operator(
            operator=factories.EmploymentFactory(provider=provider).operator, level="junior"
        )
    with django_assert_max_num_queries(6):
        assert len(client_for(staff).get("/api/v1/certificates/").json()["results"]) == 30
    with django_assert_max_num_queries(6):
        assert len(client_for(provider_user).get("/api/v1/certificates/").json()["results"]) == 15
