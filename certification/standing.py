"""The one writer of a provider's standing: its tier, its status and its tier certificates.

Publish, appeals, delisting and admission call these functions; nothing else writes ``Provider.tier``,
``Provider.status`` or a tier certificate's status. A tier and the provider's current tier certificate always
agree: moving a tier issues a certificate of the new level that supersedes the current one (and names it), and a
move to L0 revokes it. Each certificate issued here has its ``certify`` decision, appended in the same
transaction. Callers hold the ledger lock first (certification.ledger.ledger_lock): ledger, then rows.
"""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext as _

from core.dates import add_years, shanghai_today
from core.errors import Refusal
from providers.choices import ProviderStatus, Tier
from providers.models import Provider

from .choices import PROVIDER_LEVELS, CertificateKind, CertificateStatus, DecisionKind
from .ledger import decisions_append_bulk, ledger_lock
from .models import Certificate, Decision
from .numbering import certificate_numbers_allocate

# A tier certificate that still stands for its holder (suspended ones too: a suspension is not an ending).
CURRENT = [CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED]


def tier_validity(day: dt.date) -> tuple[dt.date, dt.date]:
    """A tier certificate issued on ``day`` is valid one year, both ends inclusive."""
    return day, add_years(day, 1) - dt.timedelta(days=1)


@transaction.atomic
def tiers_move(
    *,
    moves: dict[int, str],
    cycle=None,
    decided_by=None,
    reason_code: str = "tier_certified",
    day: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> list[Certificate]:
    """Set each provider's tier (``{provider_id: tier}``, one UPDATE per tier) and make its tier certificate agree.

    For a tier above L0 a new certificate of that level supersedes the current one, with a ``certify`` decision
    (evidence: level and validity); for L0 the current certificate is revoked. A provider already at the tier with
    a current certificate of that level is left as it is. Set-based: a fixed number of statements for any number
    of providers."""
    if not moves:
        return []
    ledger_lock()
    day = day or shanghai_today()
    valid_from, default_until = tier_validity(day)
    valid_until = valid_until or default_until
    ids = sorted(moves)
    current = {}  # provider id → (certificate id, level) of its latest current tier certificate
    for cid, pid, level in (
        Certificate.objects.select_for_update()
        .filter(kind=CertificateKind.PROVIDER, provider_id__in=ids, status__in=CURRENT)
        .order_by("provider_id", "valid_from", "id")
        .values_list("id", "provider_id", "level")
    ):
        current[pid] = (cid, level)
    unchanged = {pid for pid, tier in moves.items() if pid in current and current[pid][1] == tier}
    by_tier = defaultdict(list)
    for pid, tier in moves.items():
        by_tier[tier].append(pid)
    for tier, pids in by_tier.items():
        Provider.objects.filter(pk__in=pids).exclude(tier=tier).update(tier=tier)

    changed = [pid for pid in ids if pid not in unchanged]
    certify = [pid for pid in changed if moves[pid] != Tier.L0]
    ended = [pid for pid in changed if moves[pid] == Tier.L0]
    decisions = decisions_append_bulk(
        rows=[
            {
                "provider_id": pid,
                "cycle_id": getattr(cycle, "pk", None),
                "decided_by_id": getattr(decided_by, "pk", None),
                "kind": DecisionKind.CERTIFY,
                "reason_code": reason_code,
                "evidence": {"level": moves[pid], "valid_from": valid_from, "valid_until": valid_until},
            }
            for pid in certify
        ]
    )
    decision_of = {d.provider_id: d for d in decisions}
    # Every other current certificate of a moved holder ends: superseded by the new one, or revoked at L0.
    older = list(
        Certificate.objects.filter(
            kind=CertificateKind.PROVIDER, provider_id__in=changed, status__in=CURRENT
        ).values_list("id", "provider_id")
    )
    numbers = certificate_numbers_allocate(kind=CertificateKind.PROVIDER, year=day.year, count=len(certify))
    issued = Certificate.objects.bulk_create(
        [
            Certificate(
                kind=CertificateKind.PROVIDER,
                number=number,
                provider_id=pid,
                level=moves[pid],
                valid_from=valid_from,
                valid_until=valid_until,
                supersedes_id=current[pid][0] if pid in current else None,
                decision=decision_of[pid],
            )
            for pid, number in zip(certify, numbers, strict=True)
        ]
    )
    ended_set = set(ended)
    Certificate.objects.filter(pk__in=[c for c, p in older if p not in ended_set]).update(
        status=CertificateStatus.SUPERSEDED
    )
    Certificate.objects.filter(pk__in=[c for c, p in older if p in ended_set]).update(status=CertificateStatus.REVOKED)
    return issued


@transaction.atomic
def provider_certify(
    *,
    provider: Provider,
    level: str,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    decided_by=None,
) -> Certificate:
    """Set one provider's tier to ``level`` (L1–L5) with its certificate (default validity one year)."""
    if level not in PROVIDER_LEVELS:
        raise Refusal(
            "invalid_level",
            _("Provider certificate levels are %(levels)s.") % {"levels": ", ".join(PROVIDER_LEVELS)},
            params={"levels": PROVIDER_LEVELS},
        )
    ledger_lock()
    provider.refresh_from_db(fields=["status"])
    if provider.status == ProviderStatus.DELISTED:
        raise Refusal("delisted", _("A delisted provider cannot be certified."), status=409)
    issued = tiers_move(moves={provider.pk: level}, decided_by=decided_by, day=valid_from, valid_until=valid_until)
    provider.refresh_from_db(fields=["tier"])
    if issued:
        return issued[0]
    return Certificate.objects.filter(kind=CertificateKind.PROVIDER, provider=provider, status__in=CURRENT).latest(
        "valid_from", "id"
    )


def providers_status_set(*, provider_ids, status: str, only_from: list[str] | None = None) -> list[int]:
    """Set the status of many providers (optionally only those in ``only_from``); returns the ids changed."""
    rows = Provider.objects.filter(pk__in=list(provider_ids)).exclude(status=status)
    if only_from is not None:
        rows = rows.filter(status__in=only_from)
    changed = list(rows.values_list("id", flat=True))
    Provider.objects.filter(pk__in=changed).update(status=status)
    return changed


def provider_status_set(*, provider: Provider, status: str) -> None:
    providers_status_set(provider_ids=[provider.pk], status=status)
    provider.status = status


def provider_certificates_revoke(*, provider: Provider) -> int:
    """A delisted provider's certificates are revoked (its tier is kept as history of what it reached)."""
    return Certificate.objects.filter(provider=provider, status__in=CURRENT).update(status=CertificateStatus.REVOKED)


def provider_admitted(*, provider: Provider) -> None:
    """A provider admitted (or re-admitted after a delisting) starts active at L0 with no current certificate."""
    Certificate.objects.filter(kind=CertificateKind.PROVIDER, provider=provider, status__in=CURRENT).update(
        status=CertificateStatus.REVOKED
    )
    Provider.objects.filter(pk=provider.pk).update(status=ProviderStatus.ACTIVE, tier=Tier.L0)
    provider.status, provider.tier = ProviderStatus.ACTIVE, Tier.L0


def tier_before(decision: Decision) -> str | None:
    """The tier a promote/demote decision moved from (its evidence ``from``)."""
    value = (decision.evidence or {}).get("from")
    return value if value in Tier.values else None
