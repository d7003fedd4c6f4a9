"""Notifications by e-mail on a real Celery worker: sent once, a refusing mail server retried and recorded,
a publish whose e-mail task cannot be queued still stands and the sweep sends its mail later."""

import pytest
from django.core import mail

from certification.mailing import MAX_ATTEMPTS, notifications_email, notifications_email_enqueue
from certification.models import Notification
from certification.tasks import email_notifications_task
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED_SMTP_PORT = 1  # nothing listens there on this machine: a real "connection refused"


def notes_for(provider, *emails, kinds=("promote",)):
    for address in emails:
        factories.ProviderUserFactory(provider=provider, user__email=address)
    return [
        Notification.objects.create(provider=provider, kind=kind, text=f"You were {kind}d.", params={})
        for kind in kinds
    ]


def test_the_worker_sends_each_pending_notification_once(celery_worker_thread, provider, other_provider):
    (note,) = notes_for(provider, "a@own.example", "b@own.example")
    (silent,) = notes_for(other_provider)  # its users have no address
    ids = [note.pk, silent.pk]
    counts = email_notifications_task.delay(ids).get(timeout=60)
    assert counts == {"pending": 0, "sent": 1, "no_address": 1, "failed": 0}
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (["a@own.example", "b@own.example"], "Saima: promote", "You were promoted.")
    ]
    note.refresh_from_db()
    assert (note.email_status, note.email_attempts, note.email_error) == ("sent", 1, "")
    assert note.emailed_at is not None
    assert Notification.objects.get(pk=silent.pk).email_status == "no_address"
    # Run again (a duplicate delivery, or the sweep): nothing is sent twice.
    assert email_notifications_task.delay(ids).get(timeout=60)["sent"] == 0
    assert email_notifications_task.delay().get(timeout=60)["sent"] == 0
    assert len(mail.outbox) == 1


def test_a_refusing_mail_server_is_retried_and_every_failure_recorded(celery_worker_thread, settings, provider):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", CLOSED_SMTP_PORT, 5
    settings.EMAIL_RETRY_SECONDS = 0
    (note,) = notes_for(provider, "a@own.example")
    counts = email_notifications_task.delay([note.pk]).get(timeout=60)
    assert counts == {"pending": 0, "sent": 0, "no_address": 0, "failed": 1}
    note.refresh_from_db()
    assert (note.email_status, note.email_attempts, note.emailed_at) == ("failed", MAX_ATTEMPTS, None)
    assert note.email_error.startswith("ConnectionRefusedError")
    # A failed one is not swept again: staff see it in the admin (filter e-mail: failed).
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications_email()["sent"] == 0 and not mail.outbox


def test_with_the_queue_down_the_publish_stands_and_the_sweep_sends_later(redis_down, provider):
    notes = notes_for(provider, "a@own.example", kinds=("promote", "warn"))
    notifications_email_enqueue([n.pk for n in notes])  # the broker is unreachable: logged, not raised
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"pending"}
    assert not mail.outbox
    assert notifications_email() == {"pending": 0, "sent": 2, "no_address": 0, "failed": 0}
    assert sorted(m.subject for m in mail.outbox) == ["Saima: promote", "Saima: warn"]
