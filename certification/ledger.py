"""The one way into the decision ledger (decision_append) and the chain's hashing and verification.

Hash of a decision = sha256(prev_hash + canonical JSON of its content), hex. Canonical JSON: keys
sorted, no whitespace (separators "," and ":"), UTF-8 (non-ASCII kept as is), datetimes as ISO 8601
in UTC with microseconds and a "Z", dates as ISO dates, Decimals as strings. Anchors are heads recorded
outside the database (a file, the logs), which ledger_verify checks the chain still passes through. See
docs/ledger.md.
"""

import datetime as dt
import hashlib
import json
import logging
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from celery import signature
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .choices import DecisionKind, DecisionStatus
from .models import Decision, LedgerVerification
from .models.ledger import GENESIS_HASH
from .reasons import code_english

logger = logging.getLogger(__name__)

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
        return format(value, "f")  # fixed notation: 0.0000000000, never 0E-10
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
        "reason_text": reason_text or code_english(reason_code),
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
            "reason_text": row.get("reason_text") or code_english(row["reason_code"]),
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
    anchors_checked: int = 0


@dataclass(frozen=True)
class Anchor:
    """A head of the chain (seq, hash) known from outside the database: the chain must still pass through it."""

    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> "Anchor":
        """``SEQ:HASH``, as `verify_ledger --expect-head` takes it and the anchor file records it."""
        seq, _, digest = text.strip().partition(":")
        if not (seq.isascii() and seq.isdigit() and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)):
            raise ValueError(f"not a ledger head SEQ:HASH (64 lowercase hex digits): {text.strip()!r}")
        return cls(int(seq), digest)

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


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


def ledger_verify(*, chunk_size: int = 5000, anchors: Iterable[Anchor] = ()) -> LedgerReport:
    """Walk the chain from seq 1 and stop at the first broken link.

    With anchors (heads recorded outside the database), the chain must also pass through each of
    them: a stored hash that differs from an anchor's means rows up to it were changed and the chain
    re-hashed after them ("anchor mismatch"); a head below an anchor's seq means decisions were removed
    from the tail, or the whole ledger emptied ("head below anchor"). Neither shows in the chain itself.
    """
    expected_at: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        expected_at.setdefault(anchor.seq, []).append(anchor)
    checked = sum(len(found) for found in expected_at.values())
    for anchor in expected_at.pop(0, []):  # the empty ledger's head
        if anchor.hash != GENESIS_HASH:
            return LedgerReport(0, GENESIS_HASH, BrokenLink(0, "anchor mismatch", anchor.hash, GENESIS_HASH), checked)
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    for row in _rows(chunk_size):
        seq = row["seq"]
        if seq != expected_seq:
            return LedgerReport(
                count, expected_prev, BrokenLink(seq, "gap in sequence", str(expected_seq), str(seq)), checked
            )
        if row["prev_hash"] != expected_prev:
            return LedgerReport(
                count, expected_prev, BrokenLink(seq, "prev_hash mismatch", expected_prev, row["prev_hash"]), checked
            )
        recomputed = chain_hash(row["prev_hash"], content_of(row))
        if recomputed != row["hash"]:
            return LedgerReport(
                count, expected_prev, BrokenLink(seq, "hash mismatch", recomputed, row["hash"]), checked
            )
        for anchor in expected_at.pop(seq, []):
            if anchor.hash != row["hash"]:
                return LedgerReport(
                    count, expected_prev, BrokenLink(seq, "anchor mismatch", anchor.hash, row["hash"]), checked
                )
        expected_prev, expected_seq, count = row["hash"], seq + 1, count + 1
    if expected_at:
        highest = max(expected_at)
        head = Anchor(count, expected_prev)
        return LedgerReport(
            count,
            expected_prev,
            BrokenLink(highest, "head below anchor", str(expected_at[highest][0]), str(head)),
            checked,
        )
    return LedgerReport(count, expected_prev, None, checked)


# --- Anchors: the head, recorded outside the database ----------------------------------------------
# One line per anchor, "SEQ:HASH recorded-at", appended to LEDGER_ANCHOR_DIR/ledger-anchors.txt (and
# logged, so the log store holds a second copy). Someone who can rewrite the ledger tables cannot
# rewrite this file or the logs; verify_ledger then checks the chain still passes through each line.
ANCHOR_FILE = "ledger-anchors.txt"


def ledger_anchors_read(directory: str | Path) -> list[Anchor]:
    """The anchors recorded in ``directory`` (none if the file does not exist yet)."""
    path = Path(directory) / ANCHOR_FILE
    if not path.exists():
        return []
    anchors = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            try:
                anchors.append(Anchor.parse(line.split()[0]))
            except ValueError as exc:
                raise ValueError(f"{path}, line {number}: {exc}") from None
    return anchors


def ledger_anchor_record(*, directory: str | Path, anchor: Anchor, recorded_at: dt.datetime) -> Path:
    """Append one anchor to the anchor file (created with its directory if need be), synced to disk."""
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    path = path / ANCHOR_FILE
    with path.open("a", encoding="utf-8") as out:
        out.write(f"{anchor} {canonical(recorded_at)}\n")
        out.flush()
        os.fsync(out.fileno())
    logger.info("ledger anchor recorded: head %s at %s in %s", anchor, canonical(recorded_at), path)
    return path


# --- Verifications on a worker (the console shows the last one; a GET never verifies) ---------------
# pg_advisory_xact_lock key for "requesting a verification": two staff clicking at once start one.
VERIFICATION_LOCK_KEY = int.from_bytes(b"SAIMALVR", "big") & 0x7FFFFFFFFFFFFFFF


def _unfinished_since() -> dt.datetime:
    """Unfinished verifications older than a task may run belong to a worker that died: they block nothing."""
    return timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def ledger_verification_pending() -> LedgerVerification | None:
    return (
        LedgerVerification.objects.filter(finished_at__isnull=True, requested_at__gte=_unfinished_since())
        .order_by("-requested_at")
        .first()
    )


def ledger_verification_last() -> LedgerVerification | None:
    return LedgerVerification.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()


@transaction.atomic
def ledger_verification_request(*, requested_by=None) -> tuple[LedgerVerification, bool]:
    """Queue a verification for a worker, unless one is already waiting or running: that one is returned
    (and False). The task is sent when the transaction commits."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [VERIFICATION_LOCK_KEY])
    pending = ledger_verification_pending()
    if pending is not None:
        return pending, False
    verification = LedgerVerification.objects.create(requested_by=requested_by, task_id=str(uuid.uuid4()))
    # By name: tasks.py imports this module (the task calls ledger_verification_run).
    task = signature("certification.tasks.verify_ledger_task", args=(verification.pk,))
    transaction.on_commit(lambda: task.apply_async(task_id=verification.task_id))
    logger.info(
        "ledger verification %s requested by user %s", verification.pk, requested_by.pk if requested_by else None
    )
    return verification, True


def ledger_verification_run(*, verification_id: int | None = None) -> LedgerVerification | None:
    """Claim the verification (only if nobody has: safe to deliver twice), walk the chain against the
    recorded anchors, store the result and, when intact, record the verified head as a new anchor.
    Without an id (the nightly job) a new verification is made and run."""
    if verification_id is None:
        verification_id = LedgerVerification.objects.create().pk
    claimed = LedgerVerification.objects.filter(pk=verification_id, started_at__isnull=True).update(
        started_at=timezone.now()
    )
    if not claimed:
        logger.info("ledger verification %s already claimed or gone; nothing to do", verification_id)
        return None
    logger.info("ledger verification %s started", verification_id)
    result: dict[str, Any]
    try:
        anchors = ledger_anchors_read(settings.LEDGER_ANCHOR_DIR)
    except ValueError as exc:
        result = {"ok": False, "problem": "anchor file unreadable", "message": str(exc)}
    else:
        report = ledger_verify(anchors=anchors)
        result = {
            "ok": report.broken is None,
            "decisions_checked": report.count,
            "anchors_checked": report.anchors_checked,
            "head_seq": report.count,
            "head_hash": report.head_hash,
        }
        if report.broken is not None:
            link = report.broken
            result |= {
                "broken_seq": link.seq,
                "problem": link.problem,
                "expected": link.expected,
                "stored": link.stored,
                "message": f"Ledger broken at seq {link.seq}: {link.problem}; expected {link.expected}, "
                f"stored {link.stored} ({report.count} decisions verified before it)",
            }
    finished_at = timezone.now()
    LedgerVerification.objects.filter(pk=verification_id).update(finished_at=finished_at, **result)
    if result["ok"] and result["head_seq"]:
        ledger_anchor_record(
            directory=settings.LEDGER_ANCHOR_DIR,
            anchor=Anchor(result["head_seq"], result["head_hash"]),
            recorded_at=finished_at,
        )
    logger.info(
        "ledger verification %s finished: ok=%s decisions=%s anchors=%s broken_seq=%s problem=%r",
        verification_id,
        result["ok"],
        result.get("decisions_checked", 0),
        result.get("anchors_checked", 0),
        result.get("broken_seq"),
        result.get("problem", ""),
    )
    return LedgerVerification.objects.get(pk=verification_id)
