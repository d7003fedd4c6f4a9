"""The admission models moved from providers to their own app (providers 0004, admission 0001): same tables,
same rows, same audit trail, the permissions follow; the migrations run both ways without losing anything."""

import pghistory
import pgtrigger
import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from admission.models import AdmissionApplication, AdmissionDocument
from admission.services import admission_submit
from tests import factories
from tests.conftest import make_staff

from .support import complete_application

TABLES = {
    AdmissionApplication: "providers_admissionapplication",
    AdmissionApplication.pgh_event_model: "providers_admissionapplicationevent",
    AdmissionDocument: "providers_admissiondocument",
    AdmissionDocument.pgh_event_model: "providers_admissiondocumentevent",
}
MOVED = ["admissionapplication", "admissionapplicationevent", "admissiondocument", "admissiondocumentevent"]
# The trigger names providers 0002 installed (pgtrigger derives them from "providers.<Model>").
PROVIDERS_PGIDS = {
    "pgtrigger_insert_insert_06eea",
    "pgtrigger_update_update_88522",
    "pgtrigger_delete_delete_46e46",
    "pgtrigger_append_only_dfbb3",
    "pgtrigger_insert_insert_469f2",
    "pgtrigger_update_update_0a565",
    "pgtrigger_delete_delete_5f818",
    "pgtrigger_append_only_34163",
}
BEFORE_MOVE = [("providers", "0004_english_labels"), ("admission", None)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def applicant(db):
    return factories.UserFactory(username="applicant")


def rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def triggers_on_moved_tables() -> set[str]:
    found = rows(
        "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'pgtrigger_%%' AND tgrelid::regclass::text = ANY(%s)",
        [list(TABLES.values())],
    )
    return {name for (name,) in found}


def events(table, pk):
    return rows(f"SELECT pgh_label FROM {table}event WHERE pgh_obj_id = %s ORDER BY pgh_id", [pk])  # noqa: S608


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()


def test_models_live_in_admission_on_the_providers_tables():
    for model, table in TABLES.items():
        assert (model._meta.app_label, model._meta.db_table) == ("admission", table)


@pytest.mark.django_db
def test_the_orm_reads_and_writes_the_providers_tables(applicant):
    app = complete_application(applicant, company_name="表内公司")
    assert rows("SELECT company_name, status FROM providers_admissionapplication WHERE id = %s", [app.pk]) == [
        ("表内公司", "draft")
    ]
    assert rows(
        "SELECT cardinality(proposed_operators) FROM providers_admissionapplication WHERE id = %s", [app.pk]
    ) == [(3,)]
    (doc,) = rows("SELECT id, kind FROM providers_admissiondocument WHERE application_id = %s", [app.pk])
    rows("UPDATE providers_admissionapplication SET city = %s WHERE id = %s", ["宁波", app.pk])
    assert AdmissionApplication.objects.get(pk=app.pk).city == "宁波"
    assert AdmissionDocument.objects.get(pk=doc[0]).application_id == app.pk


@pytest.mark.django_db
def test_an_admission_write_leaves_exactly_one_audit_event_with_its_context(applicant):
    with pghistory.context(via="test", job="admission move"):
        app = complete_application(applicant)
        app = admission_submit(application=app, actor=applicant)
    assert [label for (label,) in events("providers_admissionapplication", app.pk)] == ["insert", "update"]
    (doc,) = app.documents.all()
    assert [label for (label,) in events("providers_admissiondocument", doc.pk)] == ["insert"]
    submitted = AdmissionApplication.pgh_event_model.objects.get(pgh_obj_id=app.pk, pgh_label="update")
    assert submitted.status == "submitted"
    assert submitted.pgh_context.metadata == {"via": "test", "job": "admission move"}
    assert app.events.count() == 2  # pgh_obj's reverse accessor on the moved model


@pytest.mark.django_db
def test_the_audit_triggers_are_the_admission_ones_and_nothing_is_left_over():
    moved = [(m, t) for m, t in pgtrigger.registered() if m._meta.app_label == "admission"]
    assert len(moved) == 8
    assert {t.get_installation_status(m)[0] for m, t in moved} == {"INSTALLED"}
    assert triggers_on_moved_tables() == {t.get_pgid(m) for m, t in moved}
    assert not set(triggers_on_moved_tables()) & PROVIDERS_PGIDS
    assert not rows("SELECT proname FROM pg_proc WHERE proname = ANY(%s)", [sorted(PROVIDERS_PGIDS)])
    assert [p for p in pgtrigger.prunable() if p[0] in TABLES.values()] == []


@pytest.mark.django_db
def test_staff_roles_hold_the_admission_permissions(roles):
    reviewer = make_staff(roles, "admission_reviewer")
    auditor = make_staff(roles, "auditor")
    manager = make_staff(roles, "cycle_manager")
    writes = {f"admission.{a}_admissionapplication" for a in ("add", "change", "delete")} | {
        "admission.review_admission"
    }
    reads = {f"admission.view_{model}" for model in MOVED}
    assert writes | reads <= reviewer.get_all_permissions()
    for user in (auditor, manager):
        perms = user.get_all_permissions()
        assert reads <= perms and not writes & perms
    assert not ContentType.objects.filter(app_label="providers", model__in=MOVED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", sorted(m._meta.model_name for m in admin.site._registry if m._meta.app_label == "admission")
)
def test_every_admission_admin_page_opens_for_staff_and_auditors(staff, auditor, applicant, model):
    complete_application(applicant)  # a row (and its events) in every admission table
    for user in (staff, auditor):
        client = Client()
        client.force_login(user)
        assert client.get(f"/admin/admission/{model}/").status_code == 200, (user, model)
        assert client.get(f"/admin/admission/{model}/", {"q": "1"}).status_code == 200, (user, model)


def test_the_move_migrations_keep_rows_history_and_permissions_both_ways(owner_db, roles, applicant):
    """Back to before the move and forward again, inside the test's transaction (PostgreSQL DDL rolls back)."""
    reviewer = make_staff(roles, "admission_reviewer")
    app = complete_application(applicant)
    app = admission_submit(application=app, actor=applicant)
    content_types = dict(ContentType.objects.filter(model__in=MOVED).values_list("model", "pk"))
    reviewer_perms = set(reviewer.groups.get().permissions.values_list("pk", flat=True))
    counts = {table: rows(f"SELECT count(*) FROM {table}")[0][0] for table in TABLES.values()}  # noqa: S608
    new_pgids = triggers_on_moved_tables()
    proposed = app.proposed_operators
    assert len(proposed) == 3
    rows("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks when the triggers are replaced

    migrate(BEFORE_MOVE)
    assert triggers_on_moved_tables() == PROVIDERS_PGIDS
    assert dict(ContentType.objects.filter(app_label="providers", model__in=MOVED).values_list("model", "pk")) == (
        content_types
    )
    # The providers-era triggers record as they did: one event per write.
    rows("UPDATE providers_admissionapplication SET city = 'before' WHERE id = %s", [app.pk])
    assert [label for (label,) in events("providers_admissionapplication", app.pk)] == ["insert", "update", "update"]

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert triggers_on_moved_tables() == new_pgids
    assert dict(ContentType.objects.filter(app_label="admission", model__in=MOVED).values_list("model", "pk")) == (
        content_types
    )
    assert set(reviewer.groups.get().permissions.values_list("pk", flat=True)) == reviewer_perms
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)  # fresh permission cache
    assert reviewer.has_perms(["admission.review_admission", "admission.change_admissionapplication"])
    counts["providers_admissionapplicationevent"] += 1
    assert {table: rows(f"SELECT count(*) FROM {table}")[0][0] for table in TABLES.values()} == counts  # noqa: S608
    rows("UPDATE providers_admissionapplication SET city = 'after' WHERE id = %s", [app.pk])
    assert [label for (label,) in events("providers_admissionapplication", app.pk)] == [
        "insert",
        "update",
        "update",
        "update",
    ]
    assert AdmissionApplication.objects.get(pk=app.pk).city == "after"
    # The proposed operators went back to the many-to-many table and returned as the same ids.
    assert AdmissionApplication.objects.get(pk=app.pk).proposed_operators == proposed
