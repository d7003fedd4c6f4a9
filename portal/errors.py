"""Refusals of the services in the visitor's language: known codes have translated texts; others show
the service's own message."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ERROR_TEXT = {
    # admission
    "admission_checks_failed": _("Cannot admit while an automatic check fails."),
    "applicant_is_provider_user": _("The applicant already belongs to a provider."),
    "invalid_transition": _("This step is not possible in the application's current status."),
    "not_application_owner": _("Only the applicant may do this."),
    "reviewer_is_creator": _("You created this application; another reviewer must review it."),
    "reason_required": _("A rejection needs a reason."),
    # delisting
    "maker_cannot_approve": _("The maker of a proposal cannot approve it."),
    "already_approved": _("You have already approved this proposal."),
    "already_resolved": _("This proposal has already been decided."),
    "not_pending": _("Only a pending delisting proposal can be approved or rejected."),
    "already_delisted": _("This provider is already delisted."),
    # cycles
    "cycle_running": _("This cycle is already running."),
    "invalid_status": _("This cycle cannot be run in its current status."),
    "not_computed": _("Only a computed cycle can be published."),
    "already_published": _("This cycle is already published."),
    "simulation_cannot_publish": _("A simulation cycle can never be published."),
    # appeals
    "not_appealable": _("Only an effective demotion, warning, probation, delisting or suspension is appealable."),
    "appeal_window_closed": _("The appeal window has closed."),
    "appeal_pending": _("An appeal of this decision is still open."),
    "already_overturned": _("This decision has already been overturned."),
    "no_more_appeals": _("This decision has been appealed twice; no further appeal is possible."),
    "already_decided": _("This appeal has already been decided."),
    "reviewer_made_decision": _("You made or approved this decision; another reviewer must decide the appeal."),
    "reviewer_filed_appeal": _("You filed this appeal; another reviewer must decide it."),
    "reviewer_decided_first_appeal": _("You decided the first appeal; the second needs another reviewer."),
    "required": _("This field is required."),
}


def _codes_and_messages(exc) -> list[tuple[str | None, str]]:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [(e.code, " ".join(e.messages)) for errors in exc.error_dict.values() for e in errors]
        return [(e.code, " ".join(e.messages)) for e in exc.error_list]
    return [(getattr(exc, "code", None), str(getattr(exc, "message", exc)))]


def error_text(exc) -> str:
    """One line saying why the service refused, translated when its code is known."""
    return " ".join(str(ERROR_TEXT.get(code, message)) for code, message in _codes_and_messages(exc))
