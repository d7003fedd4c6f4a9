"""Stored facts worded for people: what each admission check found, from its stored evidence (the check's label
says what was required; admission.checks stores the evidence in English-free keys and codes)."""

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from admission.choices import Check
from providers.choices import ProviderStatus

from . import formats


def _ids(values) -> str:
    return ", ".join(f"#{v}" for v in values or [])


def _licence(e: dict) -> str:
    if not e.get("document_id"):
        return _("No licence document; expiry date %(expires)s.") % {"expires": formats.day(e.get("expires_on"))}
    kinds = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
    size = e.get("size") or 0
    return _("%(type)s document of %(size)s KB; expires %(expires)s (checked on %(checked)s).") % {
        "type": kinds.get(e.get("content_type"), _("unknown type")),
        "size": formats.number((size + 1023) // 1024, 0),
        "expires": formats.day(e.get("expires_on")),
        "checked": formats.day(e.get("checked_on")),
    }


def _operators(e: dict) -> str:
    line = _(
        "%(counting)s of %(proposed)s proposed operators count (%(certified)s certified; at least %(minimum)s)."
    ) % {
        "counting": e.get("counting", 0),
        "proposed": e.get("proposed", 0),
        "certified": e.get("certified", 0),
        "minimum": e.get("minimum", 0),
    }
    why = []
    for row in e.get("operators") or []:
        if row.get("counts"):
            continue
        if not row.get("certified"):
            why.append(_("%(id)s holds no valid certificate.") % {"id": row.get("platform_user_id")})
        elif row.get("employed_by_provider_id"):
            why.append(
                _("%(id)s is employed by provider #%(provider)s.")
                % {"id": row.get("platform_user_id"), "provider": row["employed_by_provider_id"]}
            )
        else:
            why.append(
                _("%(id)s is proposed by application %(apps)s.")
                % {"id": row.get("platform_user_id"), "apps": _ids(row.get("proposed_by_application_ids"))}
            )
    return " ".join([line, *why])


def _violations(e: dict) -> str:
    rows = e.get("violations") or []
    if not rows:
        return _("None since %(since)s.") % {"since": formats.day(e.get("since"))}
    return ngettext("%(n)d since %(since)s: %(list)s.", "%(n)d since %(since)s: %(list)s.", len(rows)) % {
        "n": len(rows),
        "since": formats.day(e.get("since")),
        "list": ", ".join(f"#{r['id']} ({formats.day(r.get('occurred_at'))})" for r in rows),
    }


def _delistings(e: dict) -> str:
    rows = e.get("delistings") or []
    parts = [
        _("Delisted on %(day)s (decision #%(id)s).")
        % {"day": formats.day(r.get("effective_at")), "id": r["decision_id"]}
        for r in rows
    ]
    if e.get("delisted_without_ledger_record"):
        parts.append(
            _("Provider %(ids)s is delisted without a dated ledger record.")
            % {"ids": _ids(e["delisted_without_ledger_record"])}
        )
    return " ".join(parts) or _("None since %(since)s.") % {"since": formats.day(e.get("since"))}


def _rejection(e: dict) -> str:
    if not e.get("rejected_on"):
        return _("No earlier rejection.")
    return _(
        "Rejected on %(day)s (application #%(id)s): %(days)s of %(wait)s days passed; may apply from %(from)s."
    ) % {
        "day": formats.day(e["rejected_on"]),
        "id": e.get("last_rejected_application_id"),
        "days": e.get("days_since"),
        "wait": e.get("wait_days"),
        "from": formats.day(e.get("eligible_on")),
    }


def _existing(e: dict) -> str:
    if not e.get("provider_id"):
        return _("No provider has this credit code.")
    status = e.get("provider_status")
    label = ProviderStatus(status).label if status in ProviderStatus.values else status
    return _("Provider #%(id)s has this credit code (status: %(status)s).") % {"id": e["provider_id"], "status": label}


FOUND = {
    Check.CREDIT_CODE: lambda e: _("Credit code %(code)s.") % {"code": e.get("credit_code", "")},
    Check.BUSINESS_LICENCE: _licence,
    Check.REGISTERED_CAPITAL: lambda e: (
        _("Registered capital %(found)s (at least %(minimum)s).")
        % {
            "found": formats.money(e.get("registered_capital"), exact=True),
            "minimum": formats.money(e.get("minimum"), exact=True),
        }
    ),
    Check.CERTIFIED_OPERATORS: _operators,
    Check.DEPOSIT: lambda e: (
        _("Deposit %(found)s (at least %(minimum)s).")
        % {
            "found": formats.money(e.get("deposit_amount"), exact=True),
            "minimum": formats.money(e.get("minimum"), exact=True),
        }
    ),
    Check.NOT_ALREADY_PROVIDER: _existing,
    Check.NO_OTHER_OPEN_APPLICATION: lambda e: (
        _("Earlier open applications: %(ids)s.") % {"ids": _ids(e["earlier_open_application_ids"])}
        if e.get("earlier_open_application_ids")
        else _("No earlier open application.")
    ),
    Check.NO_SERIOUS_VIOLATION: _violations,
    Check.NO_RECENT_DELISTING: _delistings,
    Check.REJECTION_WAIT: _rejection,
}


def check_found(result: dict) -> str:
    """What one stored check found, in the active language ("" for a check this page does not know)."""
    words = FOUND.get(result.get("check"))
    if words is None:
        return ""
    try:
        return str(words(result.get("evidence") or {}))
    except (KeyError, TypeError, ValueError):
        return ""


# --- the live wall (DESIGN §10) -------------------------------------------------------------------------------


def dimension_label(dimension) -> str:
    """A live-wall dimension's label in the reader's language, from the registry version its row belongs to."""
    zh = (translation.get_language() or "").startswith("zh")
    return dimension.label_zh if zh else dimension.label_en


def source_label(name: str) -> str:
    """A traffic source of the wall's split (live.models.SOURCES, plus what no source claims) in words."""
    names = {
        "feed": translation.pgettext("traffic source", "Feed"),
        "follow": translation.pgettext("traffic source", "Follows"),
        "search": translation.pgettext("traffic source", "Search"),
        "paid": translation.pgettext("traffic source", "Paid"),
        "other": translation.pgettext("traffic source", "Other"),
        "unattributed": translation.pgettext("traffic source", "Not attributed yet"),
    }
    return str(names.get(name, name))
