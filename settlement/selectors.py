"""Reads of settlement that are more than a filter: balances (one query), a statement's lines with their
engagements, the sessions a line rests on, the API's CSV of the lines. (The figures for people — the pages and
the portal's CSV export — are formatted above, in pages.statements.)"""

import csv
import io

from django.db import connection
from django.db.models import OuterRef, Subquery

from providers.models import Engagement

from . import sql
from .choices import LineKind
from .models import Statement, StatementLine, StatementSession

BOM = "\ufeff"  # Excel reads a UTF-8 CSV with Chinese correctly only after a byte-order mark


def balances(*, provider_id: int | None = None) -> list[dict]:
    """Σ legs per account and provider, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(sql.BALANCES, {"provider": provider_id})
        return [{"account": a, "provider": p, "balance": b} for a, p, b in cursor.fetchall()]


def statement_line_values(statement: Statement):
    """The lines as plain values, in order, with the engagement's merchant's name (``merchant``): a statement may
    have a thousand lines, which the pages read without a model instance each."""
    return (
        StatementLine.objects.filter(statement=statement)
        .order_by("position")
        # a lookup per line (by primary key), not a hash join of every engagement
        .annotate(merchant=Subquery(Engagement.objects.filter(pk=OuterRef("engagement_id")).values("merchant__name")))
        .values_list("position", "kind", "for_month", "engagement_id", "merchant", "sessions", "amount", named=True)
    )


def line_sessions(line: StatementLine):
    """The sessions a line rests on (none for a fixed fee or a carried total; the uplift bonus: those with a
    baseline)."""
    if line.kind in (LineKind.FIXED_FEE, LineKind.CARRIED):
        return StatementSession.objects.none()
    rows = StatementSession.objects.filter(
        statement_id=line.statement_id, engagement_id=line.engagement_id, for_month=line.for_month
    )
    if line.kind == LineKind.UPLIFT_BONUS:
        rows = rows.filter(baseline__isnull=False)
    return rows.select_related("session").order_by("session__started_at", "session_id")


def lines_csv(header: list[str], rows, total_row: list) -> str:
    """Rows as CSV (UTF-8 with a BOM), as given: the API writes its own representation of each value."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    writer.writerow(total_row)
    return out.getvalue()


def statement_filename(statement: Statement) -> str:
    return f"statement-{statement.provider_id}-{statement.month:%Y-%m}-v{statement.version}.csv"
