"""Reasons as codes with parameters, and the one table that turns them into sentences in the reader's language.

The rules engine and the cycle store a reason as ``{"code": ..., "params": {...}}`` (numbers as exact decimal
strings). Pages, the API, notifications and the ledger's stored ``reason_text`` all read their sentences from
``REASONS`` here (the ledger stores the English one, made with ``translation.override("en")``); nothing parses
stored text back. A decision's own ``reason_code`` has a sentence in ``DECISION_CODES``.
"""

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from scoring.choices import CapabilityKey, CycleKind

# Which decision kind each reason code explains (a cycle decision shows the outcome's reasons of its kind).
KIND_OF = {
    "promote_bar_met": "promote",
    "demote_below_floor": "demote",
    "warn_percentile": "warn",
    "warn_overall": "warn",
    "warn_unranked": "warn",
    "probation_consecutive_warnings": "probation",
    "delist_warned_in_probation": "delist",
    "delist_serious_violation": "delist",
}


def reason(code: str, **params) -> dict:
    """A reason as stored: its code and its parameters (Decimals become exact strings, never in exponent form)."""
    return {"code": code, "params": {k: format(v, "f") if isinstance(v, Decimal) else v for k, v in params.items()}}


def _number(value) -> str:
    """An exact score as people read it: ``72.0000`` → ``72``, ``48.1000`` → ``48.1`` (never ``5E+1``)."""
    try:
        return f"{Decimal(str(value)).normalize():f}"
    except InvalidOperation:
        return str(value)


def _percent(value) -> str:
    """A percentile stored as a fraction (``0.05``) read as a percentage (``5%``), at most one decimal, rounded
    down (``0.05625`` → ``5.6%``) so that a value under a bar never reads as reaching it."""
    try:
        exact = Decimal(str(value)) * 100
    except InvalidOperation:
        return str(value)
    return f"{exact.quantize(Decimal('0.1'), rounding=ROUND_FLOOR).normalize():f}%"


def _up(value) -> str:
    """A gap rounded up to one decimal, so that closing it is enough (``4.0``, not ``3.9``)."""
    return f"{Decimal(str(value)).quantize(Decimal('0.1'), rounding=ROUND_CEILING)}"


def _capability(value) -> str:
    return str(CapabilityKey(value).label) if value in CapabilityKey.values else str(value)


def _down(value) -> str:
    """A score now, rounded down to one decimal, so that a score under a bar never reads as reaching it (``59.9``
    for 59.95 under 60, not ``60.0``)."""
    return f"{Decimal(str(value)).quantize(Decimal('0.1'), rounding=ROUND_FLOOR)}"


def _score_or_dash(value) -> str:
    return "—" if value is None else _down(value)


def _violations(value) -> str:
    return ", ".join(f"#{v}" for v in value or [])


def _unranked(p) -> str:
    n = int(p["cycles"])
    return ngettext(
        "Warning: not ranked for %(n)d cycle in a row.", "Warning: not ranked for %(n)d cycles in a row.", n
    ) % {"n": n}


def _probation(p) -> str:
    n = int(p["cycles"])
    return ngettext(
        "Probation: warned in %(n)d consecutive cycle.", "Probation: warned in %(n)d consecutive cycles.", n
    ) % {"n": n}


# code → (sentence with named parameters, or a function of the parameters; how each parameter is shown)
REASONS = {
    "promote_bar_met": (_("Promoted: the %(tier)s bar is met."), {}),
    "demote_below_floor": (
        _("Demoted: the overall score %(overall)s is below %(floor)s (the %(tier)s bar minus the hysteresis)."),
        {"overall": _down, "floor": _number},
    ),
    "warn_percentile": (
        _("Warning: the percentile in the cohort, %(percentile)s, is below %(bar)s."),
        {"percentile": _percent, "bar": _percent},
    ),
    "warn_overall": (
        _("Warning: the overall score %(overall)s is below %(bar)s."),
        {"overall": _down, "bar": _number},
    ),
    "warn_unranked": (_unranked, {}),
    "not_ranked_keeps_level": (_("Not ranked (too little activity): the tier stays as it is."), {}),
    "probation_consecutive_warnings": (_probation, {}),
    "delist_warned_in_probation": (_("Delisting proposed: warned again while on probation."), {}),
    "delist_serious_violation": (
        _("Delisting proposed: confirmed serious violation %(violations)s."),
        {"violations": _violations},
    ),
    "delisted_no_rules": (_("Delisted: the rules no longer apply."), {}),
    # What a provider lacks for its next tier (certification.selectors.tier_gap).
    "gap_get_ranked": (_("Get ranked in a cycle to be considered for %(tier)s."), {}),
    "gap_capability_points": (
        _("+%(points)s on %(capability)s reaches %(tier)s (overall +%(overall)s)."),
        {"points": _up, "overall": _up, "capability": _capability},
    ),
    "gap_overall_points": (_("+%(overall)s overall points reach %(tier)s."), {"overall": _up}),
    "gap_capability_bar": (
        _("%(capability)s needs at least %(bar)s for %(tier)s (now %(value)s)."),
        {"capability": _capability, "bar": _number, "value": _score_or_dash},
    ),
    "gap_percentile": (_("%(tier)s needs a cohort percentile of at least %(bar)s."), {"bar": _percent}),
    "gap_all_met": (_("Every bar of %(tier)s is met; the next published cycle decides."), {}),
}

# A decision's reason_code → its sentence (for decisions whose evidence holds no reasons of their own).
DECISION_CODES = {
    "cycle_promote": _("Promoted in a qualification cycle."),
    "cycle_demote": _("Demoted in a qualification cycle."),
    "cycle_warning": _("Warned in a qualification cycle."),
    "cycle_probation": _("Put on probation in a qualification cycle."),
    "cycle_delist_proposal": _("Delisting proposed by a qualification cycle."),
    "tier_certified": _("Tier certificate issued."),
    "operator_certified": _("Operator certificate issued."),
    "serious_violation": _("Delisting proposed: a confirmed serious violation."),
    "proposal_rejected": _("The delisting proposal was rejected."),
    "admission_checks_passed": _("Admitted: every admission check passed."),
    "appeal_upheld": _("Appeal decided: the decision stands."),
    "appeal_overturned": _("Appeal decided: the decision is overturned."),
}


def _cycle(p) -> str:
    return f"{CycleKind(p['kind']).label} {p['start']} – {p['last']}"


def _fix_by(p) -> str:
    return p.get("fix_by", "")


# A cycle notification's kind → its sentence (parameters: the cycle's kind and Shanghai dates, tiers, fix-by).
NOTICES = {
    "promote": lambda p: (
        _("Qualification cycle %(cycle)s: promoted from %(current)s to %(proposed)s.")
        % {"cycle": _cycle(p), "current": p["current"], "proposed": p["proposed"]}
    ),
    "demote": lambda p: (
        _("Qualification cycle %(cycle)s: demoted from %(current)s to %(proposed)s.")
        % {"cycle": _cycle(p), "current": p["current"], "proposed": p["proposed"]}
    ),
    "warn": lambda p: (
        _("Qualification cycle %(cycle)s: warning. %(reasons)s")
        % {"cycle": _cycle(p), "reasons": " ".join(sentences(p.get("reasons")))}
    ),
    "probation": lambda p: (
        _("Qualification cycle %(cycle)s: on probation; fix by %(fix_by)s (Asia/Shanghai).")
        % {"cycle": _cycle(p), "fix_by": _fix_by(p)}
    ),
    "delist_proposal": lambda p: (
        _("Qualification cycle %(cycle)s: a delisting has been proposed and awaits two approvals.")
        % {"cycle": _cycle(p)}
    ),
}


def notice(kind: str, params: dict | None) -> str:
    """A notification's text in the active language (its stored ``text`` is the English one, for e-mail)."""
    if kind not in NOTICES or not params:
        return ""
    return str(NOTICES[kind](params))


def sentence(item) -> str:
    """One stored reason as a sentence in the active language. A reason stored before reasons had codes (a plain
    string in an old ledger entry) is shown as it was stored."""
    if not isinstance(item, dict) or item.get("code") not in REASONS:
        return str(item.get("code") if isinstance(item, dict) else item)
    text, formats = REASONS[item["code"]]
    params = item.get("params") or {}
    if callable(text):
        return text(params)
    return str(text) % {k: formats.get(k, str)(v) for k, v in params.items()}


def sentences(items) -> list[str]:
    return [sentence(r) for r in items or []]


def english(items) -> str:
    """The reasons as one English text, for what is stored (the ledger's reason_text, e-mails)."""
    with translation.override("en"):
        return " ".join(sentences(items))


def of_kind(items, kind: str) -> list:
    """The reasons that explain a decision of ``kind``."""
    return [r for r in items or [] if isinstance(r, dict) and KIND_OF.get(r.get("code")) == kind]


def code_english(reason_code: str) -> str:
    """A decision code's sentence in English (what the ledger stores as reason_text when the maker gave none)."""
    if reason_code not in DECISION_CODES:
        return ""
    with translation.override("en"):
        return str(DECISION_CODES[reason_code])


def decision_sentences(decision) -> list[str]:
    """What a decision's reason line shows, in the reader's language: the cycle's reasons of its kind from its
    evidence, else its code's sentence followed by the staff's own words (reason_text) when they differ."""
    evidence = decision.evidence if isinstance(decision.evidence, dict) else {}
    own = of_kind(evidence.get("reasons"), decision.kind)
    if own:
        return sentences(own)
    lines = [str(DECISION_CODES[decision.reason_code])] if decision.reason_code in DECISION_CODES else []
    if decision.reason_text and decision.reason_text != code_english(decision.reason_code):
        lines.append(decision.reason_text)
    return lines or [decision.reason_code]
