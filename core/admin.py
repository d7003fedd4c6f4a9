"""Admin plumbing shared by every app: view-only auditors, read-only audit events, cheap counts on big tables."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from pghistory.admin import EventModelAdmin
from pghistory.models import Context

from .models import ApiToken
from .roles import AUDITOR


def is_auditor(request) -> bool:
    """Members of the auditor group only ever read, whatever other permissions they hold (separation of duties)."""
    if not hasattr(request, "_saima_is_auditor"):
        user = request.user
        request._saima_is_auditor = bool(
            user.is_authenticated and not user.is_superuser and user.groups.filter(name=AUDITOR).exists()
        )
    return request._saima_is_auditor


class StaffModelAdmin(admin.ModelAdmin):
    """The base of every Saima admin: model permissions decide, and auditors are view-only everywhere."""

    def has_add_permission(self, request, *args):
        return not is_auditor(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return not is_auditor(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not is_auditor(request) and super().has_delete_permission(request, obj)


class ReadOnlyModelAdmin(StaffModelAdmin):
    """Rows written only by the application's own processes (ingest, cycles): staff look, nobody edits here."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EstimatedCountPaginator(Paginator):
    """Paginator for tables of millions of rows: an unfiltered list uses PostgreSQL's row estimate.

    ``COUNT(*)`` over the whole table is a sequential scan; the estimate (pg_class.reltuples) is
    free and good enough to page through. Filtered lists, and small tables, count exactly.
    """

    exact_below = 100_000

    @cached_property
    def count(self):
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where:
            with connection.cursor() as cursor:
                # A partitioned table (the sessions): autovacuum analyzes its partitions, never the parent, so
                # the partitions' estimates are summed (the parent's own counts where a manual ANALYZE is newer).
                cursor.execute(
                    "SELECT CASE WHEN c.relkind = 'p' THEN greatest(c.reltuples, (SELECT coalesce(sum("
                    "greatest(p.reltuples, 0)), 0) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid "
                    "WHERE i.inhparent = c.oid)) ELSE c.reltuples END::bigint "
                    "FROM pg_class c WHERE c.oid = %s::regclass",
                    [self.object_list.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] >= self.exact_below:
                return int(row[0])
        return super().count


class ReadOnlyEventAdmin(EventModelAdmin):
    """A pghistory event table: who changed what, through which URL or job; nobody edits or deletes.

    The event tables are also append-only in the database (PGHISTORY_APPEND_ONLY triggers).
    """

    list_display = ["pgh_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "context_user", "context_via"]
    list_select_related = ["pgh_context"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}

    @admin.display(description=_("user"))
    def context_user(self, obj):
        return (obj.pgh_context.metadata.get("user") if obj.pgh_context else None) or "—"

    @admin.display(description=_("through"))
    def context_via(self, obj):
        if not obj.pgh_context:
            return "—"
        meta = obj.pgh_context.metadata
        return " ".join(str(part) for part in (meta.get("method"), meta.get("url") or meta.get("job")) if part) or "—"


@admin.register(Context)
class ContextAdmin(admin.ModelAdmin):
    """The audit contexts (one per request, task or command that changed rows), read-only."""

    list_display = ["id", "created_at", "metadata"]
    search_fields = ["=id"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


@admin.register(ApiToken)
class ApiTokenAdmin(StaffModelAdmin):
    """API tokens: staff see whose they are and when they were last used, and revoke them (delete).

    Keys are made with ``manage.py create_api_token`` (shown once there); the admin never holds a key.
    """

    list_display = ["key_prefix", "user", "name", "created", "last_used"]
    list_select_related = ["user"]
    search_fields = ["user__username", "name", "=key_prefix"]
    readonly_fields = ["user", "name", "key_prefix", "created", "last_used"]
    exclude = ["key_hash"]

    def has_add_permission(self, request, *args):
        return False
