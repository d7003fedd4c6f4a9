"""The decision ledger: hash chain, canonical JSON, append-only at the database, verify_ledger."""

import datetime as dt
import hashlib
import io
import threading
from decimal import Decimal

import psycopg2
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.db.utils import ProgrammingError

from certification.ledger import (
    GENESIS_HASH,
    Anchor,
    BrokenLink,
    canonical_json,
    chain_hash,
    content_of,
    decision_append,
    ledger_anchor_record,
    ledger_anchors_read,
    ledger_verify,
)
from certification.models import Decision, DecisionApproval
from certification.models.ledger import APPEND_ONLY_TRIGGERS
from tests.conftest import LEDGER_TABLES, raw_cursor

pytestmark = pytest.mark.django_db


def verify_output() -> str:
    out = io.StringIO()
    call_command("verify_ledger", stdout=out)
    return out.getvalue().strip()


def test_canonical_json_is_sorted_compact_utc_and_decimals_as_strings():
    moment = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    text = canonical_json({"b": Decimal("1.50"), "a": moment, "c": [dt.date(2026, 1, 2), None, True], "d": "服务商"})
    assert text == '{"a":"2026-03-01T00:30:00.000000Z","b":"1.50","c":["2026-01-02",null,true],"d":"服务商"}'


def test_first_decision_starts_the_chain_and_hash_is_recomputable(provider, staff):
    first = decision_append(
        kind="warn", provider=provider, reason_code="low_percentile", evidence={"percentile": Decimal("0.0500")}
    )
    second = decision_append(kind="promote", provider=provider, reason_code="bar_met", decided_by=staff)
    first.refresh_from_db()
    assert (first.seq, first.prev_hash) == (1, GENESIS_HASH)
    assert first.evidence == {"percentile": "0.0500"}  # stored exactly as hashed
    assert first.effective_at == first.created_at
    assert first.status == "effective"
    row = Decision.objects.filter(pk=first.pk).values().get()
    expected = hashlib.sha256((GENESIS_HASH + canonical_json(content_of(row))).encode()).hexdigest()
    assert first.hash == expected == chain_hash(GENESIS_HASH, content_of(row))
    assert (second.seq, second.prev_hash, second.decided_by_id) == (2, first.hash, staff.pk)
    assert content_of(row)["provider_id"] == provider.pk
    assert verify_output() == f"OK: 2 decisions, head hash {second.hash}"


def test_append_refuses_unknown_kind_and_missing_reason():
    with pytest.raises(ValueError):
        decision_append(kind="promote_twice", reason_code="x")
    with pytest.raises(ValueError):
        decision_append(kind="warn", reason_code="")
    assert not Decision.objects.exists()


def test_subject_can_be_any_record():
    decision = decision_append(kind="admit", subject_type="admission_application", subject_id=42, reason_code="ok")
    assert (decision.subject_type, decision.subject_id, decision.provider_id) == ("admission_application", "42", None)


CHANGES = [
    "UPDATE certification_decision SET reason_text = 'edited'",
    "DELETE FROM certification_decision",
    "TRUNCATE certification_decision CASCADE",
    "UPDATE certification_decisionapproval SET approved_at = now()",
    "DELETE FROM certification_decisionapproval",
    "TRUNCATE certification_decisionapproval CASCADE",
]


def ignore_every_ledger_trigger(cursor):
    """What the attacker did: name every trigger of the ledger tables (read from pg_trigger, in both of
    django-pgtrigger's forms, "name" and "table:name") in `pgtrigger.ignore`, for the whole session.
    Deferred FK checks of the test's inserts would otherwise block TRUNCATE before the trigger."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname = ANY(%s)",
        [LEDGER_TABLES],
    )
    found = cursor.fetchall()
    assert {name for _, name in found} >= {"append_only_no_update_delete", "append_only_no_truncate"}
    names = [form for table, name in found for form in (name, f"{table}:{name}")]
    cursor.execute("SELECT set_config('pgtrigger.ignore', %s, false)", ["{" + ",".join(names) + "}"])


def ledger_rows():
    return list(Decision.objects.order_by("seq").values()), list(DecisionApproval.objects.order_by("id").values())


def a_decision_with_an_approval(staff):
    decision = decision_append(kind="delist", status="pending", reason_code="x")
    DecisionApproval.objects.create(decision=decision, approver=staff, approved_at=decision.created_at)


def test_app_role_cannot_change_the_ledger_whatever_pgtrigger_ignore_says(staff):
    a_decision_with_an_approval(staff)
    before = ledger_rows()
    with connection.cursor() as cursor:
        ignore_every_ledger_trigger(cursor)
        for sql in CHANGES:
            with pytest.raises(ProgrammingError, match=r"permission denied for table certification_decision"):
                with transaction.atomic():
                    cursor.execute(sql)
    assert ledger_rows() == before


@pytest.mark.django_db(transaction=True)
def test_even_the_owner_is_refused_by_the_triggers_whatever_pgtrigger_ignore_says(staff):
    """The owner holds every privilege on the ledger tables; the triggers refuse all the same."""
    a_decision_with_an_approval(staff)
    before = ledger_rows()
    with raw_cursor("owner") as cursor:
        ignore_every_ledger_trigger(cursor)
        for sql in CHANGES:
            cursor.execute("SAVEPOINT attempt")
            with pytest.raises(psycopg2.errors.RaiseException, match="append-only ledger: (UPDATE|DELETE|TRUNCATE) on"):
                cursor.execute(sql)
            cursor.execute("ROLLBACK TO SAVEPOINT attempt")
    assert ledger_rows() == before


def test_app_role_owns_nothing_so_cannot_disable_triggers_truncate_or_drop():
    decision_append(kind="warn", reason_code="x")
    app = settings.DATABASES["default"]["USER"]
    assert app != settings.MIGRATION_DATABASE["USER"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (app, False)
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
        )
        assert cursor.fetchone() == (0,)
        refused = {
            "ALTER TABLE certification_decision DISABLE TRIGGER ALL": "must be owner of table certification_decision",
            "ALTER TABLE certification_decision DISABLE TRIGGER append_only_no_update_delete": "must be owner of table",
            "ALTER TABLE certification_decision ENABLE REPLICA TRIGGER append_only_no_truncate": "must be owner",
            "TRUNCATE certification_decision CASCADE": "permission denied for table certification_decision",
            "DROP TABLE certification_decision CASCADE": "must be owner of table certification_decision",
            "DROP FUNCTION certification_append_only() CASCADE": "must be owner of function",
            "SET session_replication_role = replica": 'permission denied to set parameter "session_replication_role"',
        }
        for sql, message in refused.items():
            with pytest.raises(ProgrammingError, match=message) as caught, transaction.atomic():
                cursor.execute(sql)
            assert caught.value.__cause__.pgcode == "42501", sql  # insufficient_privilege
        for table, privilege, held in [
            ("certification_decision", "SELECT", True),
            ("certification_decision", "INSERT", True),
            ("certification_decision", "UPDATE", False),
            ("certification_decision", "DELETE", False),
            ("certification_decisionapproval", "INSERT", True),
            ("certification_decisionapproval", "DELETE", False),
            ("providers_provider", "UPDATE", True),
            ("providers_provider", "TRUNCATE", False),
            ("django_migrations", "SELECT", True),
            ("django_migrations", "INSERT", False),
        ]:
            cursor.execute("SELECT has_table_privilege(%s, %s)", [table, privilege])
            assert cursor.fetchone() == (held,), (table, privilege)
    assert Decision.objects.count() == 1


def test_orm_update_and_delete_are_refused_too():
    decision = decision_append(kind="warn", reason_code="x")
    with pytest.raises(ProgrammingError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(reason_code="y")
    with pytest.raises(ProgrammingError), transaction.atomic():
        decision.delete()
    assert Decision.objects.get().reason_code == "x"


def tamper(sql: str, params=()):
    """Change the ledger behind the app's back, as its owner can: the row trigger off, the change, on again."""
    with raw_cursor("owner") as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred FK checks pending before ALTER TABLE
        cursor.execute("ALTER TABLE certification_decision DISABLE TRIGGER append_only_no_update_delete")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE certification_decision ENABLE ALWAYS TRIGGER append_only_no_update_delete")


@pytest.mark.django_db(transaction=True)
def test_verify_ledger_names_the_first_edited_row():
    decisions = [decision_append(kind="warn", reason_code=f"r{i}") for i in range(5)]
    tamper("UPDATE certification_decision SET reason_code = 'forged' WHERE seq IN (3, 4)")
    report = ledger_verify(chunk_size=2)
    assert report.count == 2
    assert report.broken.seq == 3
    assert report.broken.problem == "hash mismatch"
    assert report.broken.stored == decisions[2].hash
    assert report.broken.expected != decisions[2].hash
    with pytest.raises(
        CommandError, match=rf"Ledger broken at seq 3: hash mismatch; expected \w{{64}}, stored {decisions[2].hash}"
    ):
        call_command("verify_ledger", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_verify_ledger_finds_a_rehashed_row_and_a_deleted_row():
    decisions = [decision_append(kind="warn", reason_code=f"r{i}") for i in range(4)]
    # A forger who also recomputes the row's own hash still breaks the next row's prev_hash link.
    forged = content_of({**Decision.objects.filter(seq=2).values().get(), "reason_code": "forged"})
    tamper(
        "UPDATE certification_decision SET reason_code = 'forged', hash = %s WHERE seq = 2",
        [chain_hash(decisions[0].hash, forged)],
    )
    report = ledger_verify()
    assert (report.broken.seq, report.broken.problem) == (3, "prev_hash mismatch")
    assert report.broken.stored == decisions[1].hash
    tamper("DELETE FROM certification_decision WHERE seq = 2")
    report = ledger_verify()
    assert (report.broken.seq, report.broken.problem, report.broken.expected) == (3, "gap in sequence", "2")


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_from_several_connections_never_fork_the_chain():
    threads_count, per_thread = 4, 10
    barrier = threading.Barrier(threads_count)
    errors = []

    def work(n):
        try:
            barrier.wait()
            for i in range(per_thread):
                decision_append(kind="warn", reason_code=f"t{n}-{i}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = list(Decision.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, threads_count * per_thread + 1))
    assert Decision.objects.values("prev_hash").distinct().count() == threads_count * per_thread
    report = ledger_verify()
    assert (report.count, report.broken) == (threads_count * per_thread, None)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_append_leaves_no_gap():
    decision_append(kind="warn", reason_code="a")
    with pytest.raises(RuntimeError), transaction.atomic():
        decision_append(kind="warn", reason_code="b")
        raise RuntimeError("caller failed after appending")
    third = decision_append(kind="warn", reason_code="c")
    assert third.seq == 2
    assert ledger_verify().broken is None


def test_a_cycle_decision_is_hashed_with_its_cycle_and_filterable(client_for, staff, provider):
    from scoring.models import CapabilityModel, QualificationCycle

    model = CapabilityModel.objects.create(version=99, name="test model")
    cycle = QualificationCycle.objects.create(
        kind="monthly",
        window_start=dt.datetime(2026, 5, 31, 16, tzinfo=dt.UTC),
        window_end=dt.datetime(2026, 6, 30, 16, tzinfo=dt.UTC),
        capability_model=model,
    )
    in_cycle = decision_append(kind="promote", provider=provider, cycle=cycle, reason_code="bar_met")
    decision_append(kind="warn", provider=provider, reason_code="other")
    row = Decision.objects.filter(pk=in_cycle.pk).values().get()
    assert content_of(row)["cycle_id"] == cycle.pk
    assert in_cycle.hash == chain_hash(GENESIS_HASH, content_of(row))
    response = client_for(staff).get(f"/api/v1/decisions/?cycle={cycle.pk}")
    assert [d["id"] for d in response.json()["results"]] == [in_cycle.pk]
    assert ledger_verify().broken is None


# Anchors: heads recorded outside the database ----------------------------------------------------------


def rehash_from(seq: int):
    """What a forger holding the owner's role does after editing row `seq`: recompute that row's hash
    and every later row's prev_hash and hash, so that the chain alone verifies again."""
    rows = list(Decision.objects.filter(seq__gte=seq).order_by("seq").values())
    prev = Decision.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS_HASH
    with raw_cursor("owner") as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE certification_decision DISABLE TRIGGER append_only_no_update_delete")
        for row in rows:
            digest = chain_hash(prev, content_of(row))
            cursor.execute(
                "UPDATE certification_decision SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, digest, row["seq"]]
            )
            prev = digest
        cursor.execute("ALTER TABLE certification_decision ENABLE ALWAYS TRIGGER append_only_no_update_delete")


def verify_command(*args) -> str:
    out = io.StringIO()
    call_command("verify_ledger", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db(transaction=True)
def test_a_removed_tail_verifies_alone_but_not_against_the_expected_head():
    decisions = [decision_append(kind="warn", reason_code=f"r{i}") for i in range(3)]
    head = Anchor(3, decisions[2].hash)
    assert (
        verify_command("--expect-head", str(head))
        == f"OK: 3 decisions, head hash {head.hash}; passes through 1 known heads"
    )
    tamper("DELETE FROM certification_decision WHERE seq = 3")
    assert verify_command() == f"OK: 2 decisions, head hash {decisions[1].hash}"  # the chain alone cannot tell
    report = ledger_verify(anchors=[head])
    assert report.broken == BrokenLink(3, "head below anchor", str(head), f"2:{decisions[1].hash}")
    with pytest.raises(CommandError, match=rf"Ledger broken at seq 3: head below anchor; expected {head}, stored 2:"):
        verify_command("--expect-head", str(head))
    # The whole ledger emptied (as the owner, the truncate trigger off): "OK: 0 decisions" alone.
    with raw_cursor("owner") as cursor:
        for table in LEDGER_TABLES:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER append_only_no_truncate")
        cursor.execute("TRUNCATE certification_decision CASCADE")
        for table in LEDGER_TABLES:
            cursor.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER append_only_no_truncate")
    assert verify_command() == f"OK: 0 decisions, head hash {GENESIS_HASH}"
    with pytest.raises(CommandError, match=rf"seq 3: head below anchor; expected {head}, stored 0:{GENESIS_HASH}"):
        verify_command("--expect-head", str(head))


@pytest.mark.django_db(transaction=True)
def test_an_edited_and_rehashed_suffix_verifies_alone_but_not_against_an_anchor():
    decisions = [decision_append(kind="warn", reason_code=f"r{i}") for i in range(5)]
    tamper("UPDATE certification_decision SET reason_code = 'forged' WHERE seq = 2")
    rehash_from(2)
    assert ledger_verify().broken is None  # consistent again, from seq 2 on
    assert Decision.objects.get(seq=2).reason_code == "forged"
    forged_head = Decision.objects.get(seq=5).hash
    report = ledger_verify(anchors=[Anchor(5, decisions[4].hash)])
    assert report.broken == BrokenLink(5, "anchor mismatch", decisions[4].hash, forged_head)
    # An older anchor is enough too: the first one the forgery passes names the earliest place known.
    report = ledger_verify(anchors=[Anchor(1, decisions[0].hash), Anchor(3, decisions[2].hash)])
    assert (report.broken.seq, report.broken.problem, report.count) == (3, "anchor mismatch", 2)
    with pytest.raises(CommandError, match="Ledger broken at seq 3: anchor mismatch"):
        verify_command("--expect-head", f"3:{decisions[2].hash}")


@pytest.mark.django_db(transaction=True)
def test_recorded_anchors_are_checked_by_default(ledger_anchor_dir):
    decisions = [decision_append(kind="warn", reason_code=f"r{i}") for i in range(2)]
    recorded_at = dt.datetime(2026, 3, 1, 0, 30, tzinfo=dt.UTC)
    path = ledger_anchor_record(
        directory=ledger_anchor_dir, anchor=Anchor(2, decisions[1].hash), recorded_at=recorded_at
    )
    assert path.read_text() == f"2:{decisions[1].hash} 2026-03-01T00:30:00.000000Z\n"
    assert ledger_anchors_read(ledger_anchor_dir) == [Anchor(2, decisions[1].hash)]
    assert verify_command().endswith("; passes through 1 known heads")
    tamper("DELETE FROM certification_decision WHERE seq = 2")
    with pytest.raises(CommandError, match="seq 2: head below anchor"):
        verify_command()
    assert verify_command("--no-recorded-anchors") == f"OK: 1 decisions, head hash {decisions[0].hash}"


def test_expect_head_must_be_seq_colon_hash(ledger_anchor_dir):
    with pytest.raises(CommandError, match="not a ledger head SEQ:HASH"):
        verify_command("--expect-head", "12:abc")
    (ledger_anchor_dir).mkdir()
    (ledger_anchor_dir / "ledger-anchors.txt").write_text("# heads\n\n0:" + "0" * 64 + " x\nforged line\n")
    with pytest.raises(CommandError, match="ledger-anchors.txt, line 4: not a ledger head"):
        verify_command()
    (ledger_anchor_dir / "ledger-anchors.txt").write_text("0:" + "1" * 64 + "\n")
    with pytest.raises(CommandError, match="seq 0: anchor mismatch"):
        verify_command()


@pytest.mark.django_db(transaction=True)  # sorted after the other transactional tests, and their flushes
def test_protection_is_enabled_always_after_the_flushes_above():
    """The flush of the transactional tests above disables the truncate triggers for itself only."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = ANY(%s) AND t.tgname = ANY(%s) ORDER BY 1, 2",
            [LEDGER_TABLES, list(APPEND_ONLY_TRIGGERS)],
        )
        assert cursor.fetchall() == [  # (other apps' triggers, such as the pages' version, are not the ledger's)
            (table, name, "A") for table in sorted(LEDGER_TABLES) for name in sorted(APPEND_ONLY_TRIGGERS)
        ]
