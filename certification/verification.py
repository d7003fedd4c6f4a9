"""Public certificate verification: the Open Badges 3.0-shaped document and the shared rate limit."""

import datetime as dt

from django.apps import apps
from django.urls import reverse
from rest_framework.settings import api_settings

from core.dates import SHANGHAI, shanghai_today
from core.throttling import FailOpenThrottle

from .choices import CertificateStatus
from .models import Certificate

OB_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]

CRITERIA = {
    "provider": "Saima provider tier {level}: earned in a qualification cycle (强赛马) under the published rule set.",
    "operator": "Saima operator certificate {level}: assessment score ≥ 80 and the required operated sessions.",
}


class VerifyThrottle(FailOpenThrottle):
    """Scope ``verify`` (settings: 60/min), per client address, shared by the page and the JSON; fails
    open (logged) when the cache is unreachable."""

    scope = "verify"

    def get_ident(self, request):
        # DRF trusts a client-sent X-Forwarded-For unless NUM_PROXIES is set; a public, anonymous
        # endpoint must not let a client pick its own counter, so without NUM_PROXIES use REMOTE_ADDR.
        if api_settings.NUM_PROXIES is None:
            return request.META.get("REMOTE_ADDR", "")
        return super().get_ident(request)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def certificate_public(number: str) -> Certificate | None:
    """The certificate of a number as anyone may type it: any letter case, spaces around it ignored."""
    number = (number or "").strip().upper()
    return Certificate.objects.select_related("provider", "operator").filter(number=number).first()


def revoked_at(certificate: Certificate) -> dt.datetime | None:
    """When a revoked certificate was revoked: the first audit event (pghistory's trigger-written, append-only
    history) that shows it revoked, whichever path revoked it (a delisting, staff); None if no event says so."""
    if certificate.status != CertificateStatus.REVOKED:
        return None
    events = apps.get_model("certification", "CertificateEvent").objects
    return (
        events.filter(pgh_obj_id=certificate.pk, status=CertificateStatus.REVOKED)
        .order_by("pgh_created_at", "pgh_id")
        .values_list("pgh_created_at", flat=True)
        .first()
    )


def successor(certificate: Certificate) -> Certificate | None:
    """The certificate that replaced a superseded one (it names what it supersedes)."""
    if certificate.status != CertificateStatus.SUPERSEDED:
        return None
    return Certificate.objects.filter(supersedes=certificate).order_by("-id").first()


def badge_document(certificate: Certificate, request) -> dict:
    """Only public facts: number, holder name, level, validity, status (no ids, phone or credit code)."""
    url = request.build_absolute_uri(reverse("certification:verify-json", args=[certificate.number]))
    page = request.build_absolute_uri(reverse("certification:verify", args=[certificate.number]))
    valid_from = dt.datetime.combine(certificate.valid_from, dt.time.min, tzinfo=SHANGHAI)
    valid_until = dt.datetime.combine(certificate.valid_until, dt.time(23, 59, 59), tzinfo=SHANGHAI)
    level = certificate.get_level_display()
    return {
        "@context": OB_CONTEXT,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "id": url,
        "name": f"Saima {certificate.get_kind_display()} {certificate.number}",
        "issuer": {"id": request.build_absolute_uri("/"), "type": "Profile", "name": "Saima"},
        "validFrom": valid_from.isoformat(),
        "validUntil": valid_until.isoformat(),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": certificate.holder_name,
            "achievement": {
                "id": f"{request.build_absolute_uri('/')}achievements/{certificate.kind}/{certificate.level}",
                "type": ["Achievement"],
                "name": str(level),
                "criteria": {"narrative": CRITERIA[certificate.kind].format(level=level)},
            },
        },
        "credentialStatus": _status(certificate, page, request),
    }


def _status(certificate: Certificate, page: str, request) -> dict:
    status = {"id": page, "type": "SaimaCertificateStatus", "status": status_for_public(certificate)}
    newer = successor(certificate)
    if newer is not None:
        status["supersededBy"] = request.build_absolute_uri(reverse("certification:verify-json", args=[newer.number]))
    return status


def status_for_public(certificate: Certificate) -> str:
    """The status on today's Shanghai date (an active certificate past its last day reads expired)."""
    return certificate.status_on(shanghai_today())
