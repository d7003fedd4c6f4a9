"""Reads of settlement that are more than a filter: balances (one query), a statement's lines with their
engagements, the sessions a line rests on, the CSV export."""

import csv
import io
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext as _

from core.dates import SHANGHAI

from . import sql
from .choices import LineKind
from .models import Statement, StatementLine, StatementSession

BOM = "\ufeff"  # Excel reads a UTF-8 CSV with Chinese correctly only after a byte-order mark


def balances(*, provider_id: int | None = None) -> list[dict]:
    """Σ legs per account and provider, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(sql.BALANCES, {"provider": provider_id})
        return [{"account": a, "provider": p, "balance": b} for a, p, b in cursor.fetchall()]


def statement_lines(statement: Statement):
    return StatementLine.objects.filter(statement=statement).select_related("engagement__merchant").order_by("position")


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


def statement_csv(statement: Statement) -> str:
    """The statement's lines as CSV (UTF-8 with a BOM), one row per line, then the total."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Position"),
            _("Kind"),
            _("For month"),
            _("Adjustment"),
            _("Engagement"),
            _("Merchant"),
            _("Sessions"),
            _("Amount (¥)"),
        ]
    )
    for line in statement_lines(statement):
        merchant = line.engagement.merchant.name if line.engagement_id else ""
        writer.writerow(
            [
                line.position,
                LineKind(line.kind).label,
                f"{line.for_month:%Y-%m}",
                _("yes") if line.kind != LineKind.CARRIED and line.for_month != statement.month else "",
                line.engagement_id or "",
                merchant,
                line.sessions,
                f"{line.amount:.2f}",
            ]
        )
    writer.writerow(["", _("Total"), f"{statement.month:%Y-%m}", "", "", "", "", f"{statement.total:.2f}"])
    return out.getvalue()


def statement_filename(statement: Statement) -> str:
    return f"statement-{statement.provider_id}-{statement.month:%Y-%m}-v{statement.version}.csv"


def local(instant):
    return instant.astimezone(SHANGHAI) if instant else None


ZERO = Decimal("0.00")


def line_rows(statement: Statement, lines, *, sessions_url: str | None = None) -> list[dict]:
    """The lines as the pages show them, formatted once here (a 1,000-line statement renders without a filter or
    tag per cell): kind, month, whether it adjusts an earlier month, the engagement, the sessions link, ¥."""
    rows = []
    for line in lines:
        carried = line.kind == LineKind.CARRIED
        rows.append(
            {
                "position": line.position,
                "kind": LineKind(line.kind).label,
                "css": "carried" if carried else "adjustment" if line.for_month != statement.month else "",
                "month": f"{line.for_month:%Y-%m}",
                "adjusts": not carried and line.for_month != statement.month,
                "carried": carried,
                "engagement": f"#{line.engagement_id} {line.engagement.merchant.name}" if line.engagement_id else "—",
                "sessions": line.sessions,
                "href": f"{sessions_url}{line.position}/" if sessions_url and line.sessions else "",
                "amount": line.amount,
            }
        )
    return rows
