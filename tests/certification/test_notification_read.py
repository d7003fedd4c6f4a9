"""Marking a notification read: only the provider's own users; staff of every role and other providers cannot."""

import pytest

from certification.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def note(provider):
    return Notification.objects.create(provider=provider, kind="warn", text="Cohort percentile below 0.10.")


def read(client, note):
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client.post(f"/api/v1/notifications/{note.pk}/read/")


@pytest.mark.parametrize("persona", ["staff", "auditor", "pipeline_user"])
def test_staff_of_any_role_and_service_accounts_may_not_mark_a_providers_notification_read(persona, request, note):
    response = read(request.getfixturevalue("client_for")(request.getfixturevalue(persona)), note)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    note.refresh_from_db()
    assert note.read is False


def test_a_superuser_may_not_either(client_for, note):
    from tests import factories

    admin = factories.UserFactory(is_staff=True, is_superuser=True)
    assert read(client_for(admin), note).status_code == 403
    note.refresh_from_db()
    assert note.read is False


def test_another_providers_user_gets_the_404_of_a_missing_notification(client_for, outsider, note):
    response = read(client_for(outsider), note)
    assert response.status_code == 404
    assert response.json() == read(client_for(outsider), Notification(pk=note.pk + 1000)).json()
    note.refresh_from_db()
    assert note.read is False


def test_the_providers_own_user_marks_it_read(client_for, provider_user, note):
    response = read(client_for(provider_user), note)
    assert response.status_code == 200
    assert response.json()["read"] is True
    note.refresh_from_db()
    assert note.read is True


def test_staff_still_read_every_providers_notifications(client_for, auditor, note):
    response = client_for(auditor).get("/api/v1/notifications/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [note.pk]
