"""The rules engine's reasons as sentences in the visitor's language.

``certification.rules.evaluate`` and ``scoring.cycles`` store short English reasons such as
``promote: bar of L2 met`` (in ``CycleOutcome.reasons``, the ledger's evidence and a delisting
proposal's ``reason_text``); they stay as stored, and only the pages turn the known shapes into
translated sentences. A string of no known shape is shown as it is.
"""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

NUMBER = r"-?\d+(?:\.\d+)?"
TIER = r"L\d"


def _number(text: str) -> str:
    """``72.0000`` → ``72``, ``48.1000`` → ``48.1``: the stored decimals without trailing zeros."""
    try:
        return f"{Decimal(text).normalize():f}"
    except InvalidOperation:
        return text


def _percent(text: str) -> str:
    """A percentile stored as a fraction (``0.05``) read as a percentage (``5%``)."""
    try:
        return f"{(Decimal(text) * 100).normalize():f}%"
    except InvalidOperation:
        return text


def _unranked(m) -> str:
    n = int(m["n"])
    return ngettext(
        "Warning: not ranked for %(n)d cycle in a row.", "Warning: not ranked for %(n)d cycles in a row.", n
    ) % {"n": n}


def _probation(m) -> str:
    n = int(m["n"])
    return ngettext(
        "Probation: warned in %(n)d consecutive cycle.", "Probation: warned in %(n)d consecutive cycles.", n
    ) % {"n": n}


# (pattern of the whole stored reason, sentence with the pattern's named groups, or a function of the match)
SHAPES = [
    (rf"promote: bar of (?P<tier>{TIER}) met", _("Promoted: the %(tier)s bar is met.")),
    (
        rf"demote: overall (?P<overall>{NUMBER}) < (?P<floor>{NUMBER}) \((?P<tier>{TIER}) bar − hysteresis\)",
        _("Demoted: the overall score %(overall)s is below %(floor)s (the %(tier)s bar minus the hysteresis)."),
    ),
    (
        rf"warn: percentile (?P<percentile>{NUMBER}) < (?P<bar>{NUMBER})",
        _("Warning: the percentile in the cohort, %(percentile)s, is below %(bar)s."),
    ),
    (
        rf"warn: overall (?P<overall>{NUMBER}) < (?P<bar>{NUMBER})",
        _("Warning: the overall score %(overall)s is below %(bar)s."),
    ),
    (r"warn: not ranked (?P<n>\d+) cycles running", _unranked),
    (r"not_ranked: keeps level", _("Not ranked (too little activity): the tier stays as it is.")),
    (r"probation: warned (?P<n>\d+) consecutive cycles", _probation),
    (
        r"delist_proposal: warned again while on probation",
        _("Delisting proposed: warned again while on probation."),
    ),
    (
        r"delist_proposal: confirmed serious violation (?P<violations>#\d+(?:, #\d+)*)",
        _("Delisting proposed: confirmed serious violation %(violations)s."),
    ),
    (r"delisted: no rules apply", _("Delisted: the rules no longer apply.")),
]
PATTERNS = [(re.compile(pattern), sentence) for pattern, sentence in SHAPES]
# How each named figure is shown; in "warn: percentile 0.05 < 0.10" both figures are percentiles.
FORMAT = {"overall": _number, "floor": _number, "bar": _number, "percentile": _percent}
PERCENTILE_FORMAT = {**FORMAT, "bar": _percent}


def reason_text(reason: str) -> str:
    """One stored reason as a translated sentence; an unknown one unchanged."""
    reason = str(reason).strip()
    for pattern, sentence in PATTERNS:
        m = pattern.fullmatch(reason)
        if m is None:
            continue
        if callable(sentence):
            return sentence(m)
        formats = PERCENTILE_FORMAT if "percentile" in m.groupdict() else FORMAT
        values = {k: formats.get(k, str)(v) for k, v in m.groupdict().items()}
        return str(sentence) % values
    return reason


def reasons_text(reasons) -> list[str]:
    """A list of reasons, or several joined with "; " in one text (a delisting proposal's reason_text)."""
    if isinstance(reasons, str):
        parts = reasons.split("; ")
        sentences = [reason_text(r) for r in parts]
        # Free text (a violation's description) that merely contains "; " stays exactly as written.
        return sentences if sentences != [p.strip() for p in parts] else ([reasons] if reasons else [])
    return [reason_text(r) for r in reasons or []]


# The reasons that explain a decision of each kind (a cycle's evidence holds all of the outcome's reasons).
KIND_PREFIX = {
    "promote": "promote:",
    "demote": "demote:",
    "warn": "warn:",
    "probation": "probation:",
    "delist": "delist_proposal:",
}


def decision_reasons(decision) -> list[str]:
    """What a decision's reason line shows: its own text, else the cycle's reasons of its kind from the
    evidence, else nothing (the page then shows the reason code)."""
    if decision.reason_text:
        return reasons_text(decision.reason_text)
    prefix = KIND_PREFIX.get(decision.kind)
    evidence = decision.evidence if isinstance(decision.evidence, dict) else {}
    stored = evidence.get("reasons") or []
    if prefix is None or not isinstance(stored, list):
        return []
    return reasons_text([r for r in stored if isinstance(r, str) and r.startswith(prefix)])
