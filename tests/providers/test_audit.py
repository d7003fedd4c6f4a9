"""Audit trail: every way of changing a row leaves a pghistory event; events cannot be changed."""

import pghistory
import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.audit import job_context
from providers import models, services
from tests import factories
from tests.conftest import raw_cursor


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def last_event(obj, label="update"):
    return models.Provider.pgh_event_model.objects.filter(pgh_obj_id=obj.pk, pgh_label=label).latest("pgh_id")


def admin_client(user):
    client = Client()
    client.force_login(user)
    return client


def provider_form(provider, **changes):
    data = {
        "name": provider.name,
        "credit_code": provider.credit_code,
        "type": provider.type,
        "province": provider.province,
        "city": provider.city,
        "status": provider.status,
        "tier": provider.tier,
        "deposit": str(provider.deposit),
        "admitted_at_0": "",
        "admitted_at_1": "",
    }
    return {**data, **changes}


@pytest.mark.django_db
def test_admin_change_is_audited_with_user_and_url(staff, provider):
    url = f"/admin/providers/provider/{provider.pk}/change/"
    response = admin_client(staff).post(url, provider_form(provider, name="Renamed in admin"))
    assert response.status_code == 302, response.content.decode()[:2000]
    provider.refresh_from_db()
    assert provider.name == "Renamed in admin"
    event = last_event(provider)
    assert event.name == "Renamed in admin"
    assert event.pgh_context.metadata == {"user": staff.pk, "url": url, "method": "POST", "via": "web"}


@pytest.mark.django_db
def test_admin_form_refuses_what_the_services_refuse(staff, provider, other_provider):
    """A second open employment through the admin is a form error, not a 500, and writes nothing."""
    employment = factories.EmploymentFactory(provider=provider)
    response = admin_client(staff).post(
        "/admin/providers/employment/add/",
        {"operator": employment.operator_id, "provider": other_provider.pk, "start_date": "2025-06-01"},
    )
    assert response.status_code == 200
    # The admin speaks the platform's default language, Simplified Chinese.
    assert "该操盘手已有未结束的任职。" in response.content.decode()
    assert models.Employment.objects.count() == 1


@pytest.mark.django_db
def test_admin_add_goes_through_the_service(staff):
    response = admin_client(staff).post(
        "/admin/providers/merchant/add/", {"platform_account_id": "m-admin", "name": "Admin Shop", "category": "food"}
    )
    assert response.status_code == 302
    merchant = models.Merchant.objects.get(platform_account_id="m-admin")
    event = models.Merchant.pgh_event_model.objects.get(pgh_obj_id=merchant.pk, pgh_label="insert")
    assert event.pgh_context.metadata["user"] == staff.pk
    assert event.pgh_context.metadata["url"] == "/admin/providers/merchant/add/"


@pytest.mark.django_db
def test_api_change_is_audited_with_user_url_and_method(client_for, staff, provider):
    response = client_for(staff).patch(f"/api/v1/providers/{provider.pk}/", {"name": "Via API"}, format="json")
    assert response.status_code == 200
    event = last_event(provider)
    assert event.name == "Via API"
    assert event.pgh_context.metadata == {
        "user": staff.pk,
        "url": f"/api/v1/providers/{provider.pk}/",
        "method": "PATCH",
        "via": "web",
    }


@pytest.mark.django_db
def test_service_call_in_a_job_is_audited_with_the_job(provider):
    with job_context("command", "fix_names", ticket="T-1"):
        services.provider_update(provider=provider, name="Via service")
    event = last_event(provider)
    assert event.name == "Via service"
    assert event.pgh_context.metadata == {"via": "command", "job": "fix_names", "ticket": "T-1"}


@pytest.mark.django_db
def test_service_call_outside_any_context_still_leaves_the_event(provider):
    services.provider_update(provider=provider, name="No context")
    event = last_event(provider)
    assert (event.name, event.pgh_context) == ("No context", None)


@pytest.mark.django_db
def test_bulk_queryset_update_leaves_one_event_per_row_in_one_context(staff, provider, other_provider):
    with pghistory.context(user=staff.pk, via="bulk"):
        changed = models.Provider.objects.filter(pk__in=[provider.pk, other_provider.pk]).update(status="probation")
    assert changed == 2
    events = [last_event(provider), last_event(other_provider)]
    assert [e.status for e in events] == ["probation", "probation"]
    assert events[0].pgh_context_id == events[1].pgh_context_id
    assert events[0].pgh_context.metadata == {"user": staff.pk, "via": "bulk"}


@pytest.mark.django_db
def test_raw_sql_update_and_delete_leave_events(provider):
    merchant = factories.MerchantFactory()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE providers_provider SET city = %s WHERE id = %s", ["宁波", provider.pk])
        cursor.execute("DELETE FROM providers_merchant WHERE id = %s", [merchant.pk])
    assert last_event(provider).city == "宁波"
    deleted = models.Merchant.pgh_event_model.objects.get(pgh_obj_id=merchant.pk, pgh_label="delete")
    assert deleted.platform_account_id == merchant.platform_account_id


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE providers_providerevent SET name = 'forged' WHERE pgh_obj_id = %s",
        "DELETE FROM providers_providerevent WHERE pgh_obj_id = %s",
    ],
)
def test_event_rows_cannot_be_updated_or_deleted(provider, sql):
    services.provider_update(provider=provider, name="Original")
    before = list(models.Provider.pgh_event_model.objects.filter(pgh_obj_id=provider.pk).values())
    with pytest.raises(DatabaseError, match="Cannot update or delete rows"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [provider.pk])
    assert list(models.Provider.pgh_event_model.objects.filter(pgh_obj_id=provider.pk).values()) == before


# Who can read the audit trail in the admin -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["staff", "auditor"])
def test_staff_and_auditors_read_events_but_nobody_edits_them(request, who, provider):
    user = request.getfixturevalue(who)
    services.provider_update(provider=provider, name="Evented")
    event = last_event(provider)
    client = admin_client(user)
    listing = client.get("/admin/providers/providerevent/")
    assert listing.status_code == 200
    assert f"/admin/providers/providerevent/{event.pk}/change/" in listing.content.decode()
    assert client.get("/admin/pghistory/events/").status_code == 200
    assert client.get("/admin/pghistory/context/").status_code == 200
    change_url = f"/admin/providers/providerevent/{event.pk}/change/"
    page = client.get(change_url)
    assert page.status_code == 200
    assert "Evented" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change_url, {"name": "forged"}).status_code == 403
    assert client.post(f"/admin/providers/providerevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/providers/providerevent/add/").status_code == 403
    event.refresh_from_db()
    assert event.name == "Evented"


@pytest.mark.django_db
def test_auditor_is_view_only_in_the_admin(auditor, provider):
    client = admin_client(auditor)
    url = f"/admin/providers/provider/{provider.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, provider_form(provider, name="Auditor edit")).status_code == 403
    assert client.get("/admin/providers/provider/add/").status_code == 403
    assert client.post(f"/admin/providers/provider/{provider.pk}/delete/", {"post": "yes"}).status_code == 403
    provider.refresh_from_db()
    assert provider.name == "Own Provider"


@pytest.mark.django_db
def test_auditor_stays_view_only_even_with_a_write_role(roles, provider):
    from tests.conftest import make_staff

    both = make_staff(roles, "auditor", "admission_reviewer")
    url = f"/admin/providers/provider/{provider.pk}/change/"
    assert admin_client(both).post(url, provider_form(provider, name="x")).status_code == 403
    provider.refresh_from_db()
    assert provider.name == "Own Provider"


@pytest.mark.django_db
def test_provider_users_cannot_open_the_admin(provider_user):
    response = admin_client(provider_user).get("/admin/providers/providerevent/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_live_session_admin_lists_without_a_full_count(staff, provider):
    factories.LiveSessionFactory.create_batch(3)
    client = admin_client(staff)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/admin/providers/livesession/")
    assert response.status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    # Only the paginator's count of the (small) table; never a second unfiltered full count.
    assert len(counts) == 1
    assert client.get("/admin/providers/livesession/add/").status_code == 403


@pytest.mark.django_db
def restore_estimate(estimate):
    with raw_cursor("superuser") as cursor:
        cursor.execute("UPDATE pg_class SET reltuples = %s WHERE oid = 'providers_livesession'::regclass", [estimate])


def test_live_session_admin_uses_the_planner_estimate_on_a_big_table(request, staff):
    factories.LiveSessionFactory.create_batch(2)
    # What ANALYZE would record for a table of two million sessions: only a superuser writes the catalogue,
    # so on a connection of its own, committed, and put back after the test.
    with raw_cursor("superuser") as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'providers_livesession'::regclass")
        (estimate,) = cursor.fetchone()
        cursor.execute("UPDATE pg_class SET reltuples = 2000000 WHERE oid = 'providers_livesession'::regclass")
    request.addfinalizer(lambda: restore_estimate(estimate))
    client = admin_client(staff)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/admin/providers/livesession/")
    assert response.status_code == 200
    assert not [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert "2000000" in response.content.decode()
    with CaptureQueriesContext(connection) as ctx:
        filtered = client.get("/admin/providers/livesession/", {"operated": "no"})
    assert filtered.status_code == 200
    assert len([q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]) == 1  # filtered: exact


# Every providers admin page opens ----------------------------------------------------------------


def providers_admins():
    from django.contrib import admin

    return sorted(
        (model._meta.model_name for model in admin.site._registry if model._meta.app_label == "providers"),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("model_name", providers_admins())
def test_every_providers_admin_page_opens_for_staff_and_auditors(staff, auditor, provider, model_name):
    from tests.providers.test_security import build_world

    build_world(provider, tag="adm")
    services.provider_update(provider=provider, name="Evented")  # at least one event row everywhere it applies
    for user in (staff, auditor):
        client = admin_client(user)
        listing = client.get(f"/admin/providers/{model_name}/", {"q": "adm"})
        assert listing.status_code == 200, (user, model_name)
        assert client.get(f"/admin/providers/{model_name}/").status_code == 200
