"""Notifications by e-mail: sent by a Celery task once the publish has committed, retried, every failure kept.

A notification starts ``pending``. ``notifications_email`` sends the pending ones to their provider's active
users with an address: ``sent`` (with the time), ``no_address`` (nobody to send to), or, when the mail server
refuses or cannot be reached, the attempt and its error are recorded and it stays pending until
``MAX_ATTEMPTS``, then ``failed`` (staff see it in the admin). The task that calls it retries with a backoff;
a beat job sweeps whatever is still pending (a publish whose task could not even be queued included).
"""

import logging
import smtplib
from collections import defaultdict

from celery import signature
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from providers.models import ProviderUser

from .choices import EmailStatus
from .models import Notification

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
EMAIL_TASK = "certification.tasks.email_notifications_task"
DELIVERY_ERRORS = (smtplib.SMTPException, OSError)


def notification_subject(note: Notification) -> str:
    return f"Saima 强赛马 {note.cycle}: {note.kind}" if note.cycle_id else f"Saima: {note.kind}"


@transaction.atomic
def notifications_email(*, ids: list[int] | None = None, limit: int = 500) -> dict[str, int]:
    """Send pending notifications (those of ``ids``, or the oldest ``limit``); count what became of them."""
    pending = Notification.objects.filter(email_status=EmailStatus.PENDING)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    # Locked while sent, skipped by a concurrent sender: each e-mail goes out once.
    batch = list(
        pending.select_for_update(skip_locked=True, of=("self",)).select_related("cycle").order_by("pk")[:limit]
    )
    recipients = defaultdict(list)
    for provider_id, email in (
        ProviderUser.objects.filter(provider_id__in={n.provider_id for n in batch}, user__is_active=True)
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("provider_id", "user__email")
    ):
        recipients[provider_id].append(email)
    now = timezone.now()
    connection = get_connection(fail_silently=False)
    for note in batch:
        to = recipients[note.provider_id]
        if not to:
            note.email_status = EmailStatus.NO_ADDRESS
            continue
        note.email_attempts += 1
        try:
            EmailMessage(
                notification_subject(note), note.text, settings.DEFAULT_FROM_EMAIL, to, connection=connection
            ).send()
        except DELIVERY_ERRORS as exc:
            note.email_error = f"{type(exc).__name__}: {exc}"[:1000]
            if note.email_attempts >= MAX_ATTEMPTS:
                note.email_status = EmailStatus.FAILED
            log.warning("notification %s: e-mail attempt %s failed: %s", note.pk, note.email_attempts, exc)
        else:
            note.email_status, note.emailed_at, note.email_error = EmailStatus.SENT, now, ""
    Notification.objects.bulk_update(batch, ["email_status", "email_attempts", "email_error", "emailed_at"])
    counts = defaultdict(int)
    for note in batch:
        counts[note.email_status] += 1
    return {status: counts[status] for status in EmailStatus.values}


def notifications_email_enqueue(ids: list[int]) -> None:
    """After the publish commits: queue the e-mail of its notifications. With the queue unreachable the
    publish still stands; the notifications stay pending and the beat sweep sends them later."""
    try:
        signature(EMAIL_TASK, args=(ids,)).apply_async()
    except Exception as exc:  # noqa: BLE001 - any broker failure: the sweep covers it
        log.error(
            "E-mail of %s notifications not queued (the sweep will send them): %s: %s",
            len(ids),
            type(exc).__name__,
            exc,
        )
