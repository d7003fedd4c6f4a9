"""A statement's lines for people — the portal's and the console's statement pages, the printable page and the
CSV export: settlement returns the lines with exact figures; here they get their words (the kinds' labels) and
their figures (pages.formats: ¥ with every fen, whole counts, months), once per line.

A statement can have a thousand lines, so the rows are built and formatted in one pass here and the lines table
is one string (``lines_html``) rather than a template node per cell; the lines are read as plain values."""

import csv
import io
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from pages import formats
from settlement import selectors
from settlement.choices import LineKind
from settlement.models import Statement


def _kind_labels() -> dict[str, str]:
    return {code: str(label) for code, label in LineKind.choices}


def line_rows(statement: Statement, lines, *, sessions_url: str | None = None) -> list[dict]:
    """The lines (``selectors.statement_line_values``) as the pages show them: kind, month, whether it adjusts an
    earlier month (or carries the previous statement's negative total), the engagement, the sessions (linked to
    them when ``sessions_url``), the amount."""
    labels = _kind_labels()
    rows = []
    for line in lines:
        carried = line.kind == LineKind.CARRIED
        adjusts = not carried and line.for_month != statement.month
        rows.append(
            {
                "position": line.position,
                "kind": labels.get(line.kind, line.kind),
                "css": "carried" if carried else "adjustment" if adjusts else "",
                "month": formats.month(line.for_month),
                "adjusts": adjusts,
                "carried": carried,
                "engagement": f"#{line.engagement_id} {line.merchant}" if line.engagement_id else "—",
                "sessions": formats.count(line.sessions),
                "href": f"{sessions_url}{line.position}/" if sessions_url and line.sessions else "",
                "amount": formats.money(line.amount, exact=True),
            }
        )
    return rows


def lines_html(rows: list[dict]) -> SafeString:
    """The table rows of ``line_rows``, every value escaped (what format_html does, without its per-call cost:
    a thousand lines in milliseconds)."""
    carried_from, adjusts = escape(_("from")), escape(_("adjusts"))
    out = []
    for r in rows:
        month = escape(r["month"])
        if r["carried"]:
            note = f' <span class="muted">({carried_from} {month})</span>'
        elif r["adjusts"]:
            note = f' <span class="badge">{adjusts} {month}</span>'
        else:
            note = ""
        sessions = escape(r["sessions"])
        if r["href"]:
            sessions = f'<a href="{escape(r["href"])}">{sessions}</a>'
        out.append(
            f'<tr class="{r["css"]}"><td>{r["position"]:d}</td><td>{escape(r["kind"])}{note}</td><td>{month}</td>'
            f'<td>{escape(r["engagement"])}</td><td>{sessions}</td><td class="num">{escape(r["amount"])}</td></tr>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped


def lines_context(statement: Statement, *, sessions_url: str | None = None) -> dict:
    """What ``settlement/_lines.html`` shows: the lines table's rows and the statement."""
    rows = line_rows(statement, selectors.statement_line_values(statement), sessions_url=sessions_url)
    return {"statement": statement, "line_count": len(rows), "lines_html": lines_html(rows)}


def statement_csv(statement: Statement) -> str:
    """The statement's lines as CSV (UTF-8 with a BOM), one row per line, then the total; the figures as on the
    page (every fen)."""
    labels = _kind_labels()
    out = io.StringIO()
    out.write(selectors.BOM)
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
            _("Amount"),
        ]
    )
    for line in selectors.statement_line_values(statement):
        adjusts = line.kind != LineKind.CARRIED and line.for_month != statement.month
        writer.writerow(
            [
                line.position,
                labels.get(line.kind, line.kind),
                formats.month(line.for_month),
                _("yes") if adjusts else "",
                line.engagement_id or "",
                line.merchant or "",
                formats.count(line.sessions),
                formats.money(line.amount, exact=True),
            ]
        )
    writer.writerow(
        ["", _("Total"), formats.month(statement.month), "", "", "", "", formats.money(statement.total, exact=True)]
    )
    return out.getvalue()
