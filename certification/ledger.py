"""The one way into the decision ledger (decision_append) and the chain's hashing and verification.

Hash of a decision = sha256(prev_hash + canonical JSON of its content), hex. Canonical JSON: keys
sorted, no whitespace (separators "," and ":"), UTF-8 (non-ASCII kept as is), datetimes as ISO 8601
in UTC with microseconds and a "Z", dates as ISO dates, Decimals as strings. See docs/ledger.md.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .choices import DecisionKind, DecisionStatus
from .models import Decision
from .models.ledger import GENESIS_HASH

# pg_advisory_xact_lock key for "appending to the ledger" ('SAIMALDG' as a big-endian bigint).
LEDGER_LOCK_KEY = int.from_bytes(b"SAIMALDG", "big") & 0x7FFFFFFFFFFFFFFF

# The columns a decision's hash covers, in the form verify_ledger reads them (values()).
HASHED_FIELDS = [
    "seq",
    "kind",
    "provider_id",
    "operator_id",
    "subject_type",
    "subject_id",
    "cycle_id",
    "reason_code",
    "reason_text",
    "evidence",
    "decided_by_id",
    "status",
    "refers_to_id",
    "effective_at",
    "created_at",
]


def canonical(value: Any) -> Any:
    """A JSON-ready copy of ``value`` with the ledger's canonical scalars."""
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            raise ValueError("naive datetime in ledger content")
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"{type(value).__name__} cannot go into the ledger")


def canonical_json(content: dict) -> str:
    return json.dumps(canonical(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_of(row: dict) -> dict:
    """The hashed content of a decision given its column values (missing columns count as null)."""
    return {field: row.get(field) for field in HASHED_FIELDS}


def chain_hash(prev_hash: str, content: dict) -> str:
    return hashlib.sha256((prev_hash + canonical_json(content)).encode("utf-8")).hexdigest()


def ledger_lock() -> None:
    """Take the ledger's append lock now (held to commit). Writers that also lock provider or certificate
    rows take it first, so every such path locks in the same order (ledger, then rows): no deadlock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LEDGER_LOCK_KEY])


@transaction.atomic
def decision_append(
    *,
    kind: str,
    provider=None,
    operator=None,
    subject_type: str = "",
    subject_id: str = "",
    cycle=None,
    reason_code: str,
    reason_text: str = "",
    evidence: dict | None = None,
    decided_by=None,
    effective_at: dt.datetime | None = None,
    status: str = DecisionStatus.EFFECTIVE,
    refers_to: Decision | None = None,
) -> Decision:
    """Append one decision at the head of the chain.

    The transaction-level advisory lock makes appends strictly sequential (the next seq and prev_hash
    are read under it and it is held until commit), so concurrent appends never fork the chain and
    a rolled-back append leaves no gap.
    """
    if kind not in DecisionKind.values:
        raise ValueError(f"unknown decision kind {kind!r}")
    if status not in DecisionStatus.values:
        raise ValueError(f"unknown decision status {status!r}")
    if not reason_code:
        raise ValueError("a decision needs a reason_code")
    # Evidence is stored exactly as it is hashed (Decimals → strings, datetimes → UTC ISO).
    evidence = canonical(evidence or {})
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LEDGER_LOCK_KEY])
    head = Decision.objects.order_by("-seq").values("seq", "hash").first()
    seq, prev_hash = (head["seq"] + 1, head["hash"]) if head else (1, GENESIS_HASH)
    now = timezone.now()
    if effective_at is None and status == DecisionStatus.EFFECTIVE:
        effective_at = now
    fields = {
        "kind": kind,
        "provider_id": provider.pk if provider is not None else None,
        "operator_id": operator.pk if operator is not None else None,
        "cycle_id": cycle.pk if cycle is not None else None,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "reason_code": reason_code,
        "reason_text": reason_text,
        "evidence": evidence,
        "decided_by_id": decided_by.pk if decided_by is not None else None,
        "status": status,
        "refers_to_id": refers_to.pk if refers_to is not None else None,
        "effective_at": effective_at,
        "created_at": now,
    }
    content = content_of({"seq": seq, **fields})
    return Decision.objects.create(seq=seq, prev_hash=prev_hash, hash=chain_hash(prev_hash, content), **fields)


@transaction.atomic
def decisions_append_bulk(*, rows: list[dict]) -> list[Decision]:
    """Append many decisions at the head of the chain in one INSERT, under the same advisory lock.

    Each row gives the columns by id: kind, reason_code, and optionally provider_id, operator_id,
    cycle_id, subject_type, subject_id, reason_text, evidence, decided_by_id, status, refers_to_id,
    effective_at. Hashes chain row after row exactly as decision_append would have.
    """
    if not rows:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LEDGER_LOCK_KEY])
    head = Decision.objects.order_by("-seq").values("seq", "hash").first()
    seq, prev_hash = (head["seq"], head["hash"]) if head else (0, GENESIS_HASH)
    now = timezone.now()
    out = []
    for row in rows:
        kind, status = row["kind"], row.get("status", DecisionStatus.EFFECTIVE)
        if kind not in DecisionKind.values or status not in DecisionStatus.values or not row.get("reason_code"):
            raise ValueError(f"invalid ledger row {row!r}")
        effective_at = row.get("effective_at")
        if effective_at is None and status == DecisionStatus.EFFECTIVE:
            effective_at = now
        seq += 1
        fields = {
            "kind": kind,
            "provider_id": row.get("provider_id"),
            "operator_id": row.get("operator_id"),
            "cycle_id": row.get("cycle_id"),
            "subject_type": row.get("subject_type", ""),
            "subject_id": str(row.get("subject_id", "")),
            "reason_code": row["reason_code"],
            "reason_text": row.get("reason_text", ""),
            "evidence": canonical(row.get("evidence") or {}),
            "decided_by_id": row.get("decided_by_id"),
            "status": status,
            "refers_to_id": row.get("refers_to_id"),
            "effective_at": effective_at,
            "created_at": now,
        }
        digest = chain_hash(prev_hash, content_of({"seq": seq, **fields}))
        out.append(Decision(seq=seq, prev_hash=prev_hash, hash=digest, **fields))
        prev_hash = digest
    return Decision.objects.bulk_create(out, batch_size=2000)


@dataclass(frozen=True)
class BrokenLink:
    seq: int
    problem: str
    expected: str
    stored: str


@dataclass(frozen=True)
class LedgerReport:
    count: int
    head_hash: str
    broken: BrokenLink | None


def _rows(chunk_size: int) -> Iterator[dict]:
    """Every decision in seq order, read by keyset pagination in chunks (constant memory)."""
    last = 0
    while True:
        chunk = list(
            Decision.objects.filter(seq__gt=last)
            .order_by("seq")
            .values(*HASHED_FIELDS, "prev_hash", "hash")[:chunk_size]
        )
        if not chunk:
            return
        yield from chunk
        last = chunk[-1]["seq"]


def ledger_verify(*, chunk_size: int = 5000) -> LedgerReport:
    """Walk the chain from seq 1 and stop at the first broken link."""
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    for row in _rows(chunk_size):
        seq = row["seq"]
        if seq != expected_seq:
            return LedgerReport(count, expected_prev, BrokenLink(seq, "gap in sequence", str(expected_seq), str(seq)))
        if row["prev_hash"] != expected_prev:
            return LedgerReport(
                count, expected_prev, BrokenLink(seq, "prev_hash mismatch", expected_prev, row["prev_hash"])
            )
        recomputed = chain_hash(row["prev_hash"], content_of(row))
        if recomputed != row["hash"]:
            return LedgerReport(count, expected_prev, BrokenLink(seq, "hash mismatch", recomputed, row["hash"]))
        expected_prev, expected_seq, count = row["hash"], seq + 1, count + 1
    return LedgerReport(count, expected_prev, None)
