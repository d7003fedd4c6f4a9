"""Pages of the staff console: queues, cycles, delistings, appeals, leaderboard, ledger. Reads via .restrict(user);
writes via services."""

import csv
import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Count
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from admission import services as admission_services
from admission.choices import AdmissionStatus
from admission.models import AdmissionApplication
from certification import appeals as appeals_service
from certification import cycles as cycles_service
from certification import services as cert_services
from certification.choices import OutcomeChange
from certification.ledger import ledger_verification_last, ledger_verification_pending, ledger_verification_request
from certification.models import Appeal, AppealStatus, CycleOutcome, Decision
from core.errors import Refusal, refusal_message
from pages.access import staff_page
from providers.choices import ProviderType
from scoring.choices import CycleKind, CycleStatus
from scoring.models import ProviderScore, QualificationCycle
from scoring.services import SHANGHAI

from .definitions import OUTCOME_LABELS, STAGE_LABELS


@staff_page()
def console(request):
    return render(request, "console/home.html", {})


@staff_page("admission.view_admissionapplication")
def admissions(request):
    queue = list(
        AdmissionApplication.objects.restrict(request.user)
        .filter(status__in=[AdmissionStatus.SUBMITTED, AdmissionStatus.UNDER_REVIEW])
        .select_related("created_by", "reviewer")
        .order_by("submitted_at", "id")
    )
    can_review = request.user.has_perm("admission.review_admission")
    return render(request, "console/admissions.html", {"queue": queue, "can_review": can_review})


@require_POST
@staff_page("admission.review_admission")
def admission_act(request, pk: int, action: str):
    application = get_object_or_404(AdmissionApplication.objects.restrict(request.user), pk=pk)
    try:
        if action == "review":
            admission_services.admission_start_review(application=application, reviewer=request.user)
        elif action == "approve":
            admission_services.admission_approve(
                application=application, reviewer=request.user, reason=request.POST.get("reason", "")
            )
        elif action == "reject":
            admission_services.admission_reject(
                application=application, reviewer=request.user, reason=request.POST.get("reason", "")
            )
        else:
            raise Http404
    except ValidationError as exc:  # a Refusal is one
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, _("Done: %(company)s.") % {"company": application.company_name})
    return redirect("console:admissions")


@staff_page("scoring.view_qualificationcycle")
def cycles(request):
    rows = list(QualificationCycle.objects.restrict(request.user).select_related("capability_model")[:100])
    return render(
        request,
        "console/cycles.html",
        {"cycles": rows, "can_run": request.user.has_perm("scoring.run_cycle"), "kinds": CycleKind.choices},
    )


def _shanghai_midnight(value: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(0), tzinfo=SHANGHAI)


@require_POST
@staff_page("scoring.run_cycle")
def cycle_start(request):
    """Create a cycle over the chosen Shanghai dates and start its run (the cycle service queues the task)."""
    try:
        start = _shanghai_midnight(request.POST.get("window_start", ""))
        end = _shanghai_midnight(request.POST.get("window_end", ""))
    except ValueError:
        messages.error(request, _("Enter both window dates as YYYY-MM-DD."))
        return redirect("console:cycles")
    try:
        cycle = cycles_service.cycle_create_and_start(
            kind=request.POST.get("kind", ""), window_start=start, window_end=end, user=request.user
        )
    except (ValidationError, IntegrityError, Refusal) as exc:
        messages.error(request, refusal_message(exc))
        return redirect("console:cycles")
    return redirect("console:cycle", pk=cycle.pk)


@staff_page("scoring.view_qualificationcycle")
def cycle_detail(request, pk: int):
    cycle = get_object_or_404(QualificationCycle.objects.restrict(request.user), pk=pk)
    counts = dict(
        ProviderScore.objects.restrict(request.user)
        .filter(cycle=cycle)
        .values_list("ranked")
        .annotate(n=Count("id"))
        .values_list("ranked", "n")
    )
    can_run = request.user.has_perm("scoring.run_cycle")
    return render(
        request,
        "console/cycle.html",
        {
            "cycle": cycle,
            "stage_label": STAGE_LABELS.get(cycle.stage, cycle.stage),
            "ranked": counts.get(True, 0),
            "unranked": counts.get(False, 0),
            "done": cycles_service.cycle_run_over(cycle.status),
            "runnable": can_run and cycles_service.cycle_runnable(cycle),
            "publishable": can_run and cycles_service.cycle_publishable(cycle),
            "has_preview": cycles_service.cycle_has_outcomes(cycle),
        },
    )


@require_POST
@staff_page("scoring.run_cycle")
def cycle_run(request, pk: int):
    cycle = _cycle_or_404(request, pk)
    try:
        cycles_service.cycle_start(cycle=cycle, user=request.user)
    except Refusal as exc:
        messages.error(request, refusal_message(exc))
    return redirect("console:cycle", pk=cycle.pk)


def _cycle_or_404(request, pk: int) -> QualificationCycle:
    cycle = get_object_or_404(QualificationCycle.objects.restrict(request.user), pk=pk)
    return cycle


OUTCOME_FILTERS = {
    "promote": {"change": OutcomeChange.PROMOTE},
    "demote": {"change": OutcomeChange.DEMOTE},
    "unchanged": {"change": OutcomeChange.NONE},
    "warn": {"warn": True},
    "probation": {"probation": True},
    "delist_proposal": {"delist_proposal": True},
    "not_ranked": {"ranked": False},
}


@staff_page("scoring.view_qualificationcycle")
def cycle_preview(request, pk: int):
    """Who moves where and why; filter by cohort and outcome (GET), counts for the whole cycle."""
    cycle = _cycle_or_404(request, pk)
    outcomes = CycleOutcome.objects.restrict(request.user).filter(cycle=cycle)
    cohort, outcome = request.GET.get("cohort", ""), request.GET.get("outcome", "")
    filtered = outcomes
    if cohort:
        filtered = filtered.filter(cohort=cohort)
    if outcome in OUTCOME_FILTERS:
        filtered = filtered.filter(**OUTCOME_FILTERS[outcome])
    preview = cycles_service.cycle_preview(cycle=cycle, outcomes=filtered)
    all_counts = cycles_service.outcome_counts(list(outcomes.values(*cycles_service.OUTCOME_FIELDS)))
    return render(
        request,
        "console/preview.html",
        {
            "cycle": cycle,
            "rows": preview["outcomes"],
            "counts": all_counts,
            "cohort": cohort,
            "outcome": outcome,
            "cohorts": sorted(all_counts["by_cohort"]),
            "outcome_choices": [(k, OUTCOME_LABELS[k]) for k in OUTCOME_FILTERS],
            "publishable": request.user.has_perm("scoring.run_cycle") and cycles_service.cycle_publishable(cycle),
        },
    )


@staff_page("scoring.view_qualificationcycle")
def cycle_comparison(request, pk: int):
    cycle = _cycle_or_404(request, pk)
    if cycle.kind != CycleKind.SIMULATION:
        raise Http404
    return render(request, "console/comparison.html", {**cycles_service.cycle_comparison(cycle=cycle), "cycle": cycle})


@staff_page("scoring.run_cycle")
def cycle_publish(request, pk: int):
    """GET: the confirmation step (what publishing will do); POST: publish."""
    cycle = _cycle_or_404(request, pk)
    if request.method == "POST":
        try:
            cycles_service.cycle_publish(cycle=cycle, user=request.user)
        except Refusal as exc:
            messages.error(request, refusal_message(exc))
        else:
            messages.success(request, _("The cycle is published."))
        return redirect("console:cycle", pk=cycle.pk)
    counts = cycles_service.outcome_counts(
        list(CycleOutcome.objects.restrict(request.user).filter(cycle=cycle).values(*cycles_service.OUTCOME_FIELDS))
    )
    return render(request, "console/publish_confirm.html", {"cycle": cycle, "counts": counts["all"]})


@staff_page("scoring.view_qualificationcycle")
def cycle_status(request, pk: int):
    """JSON for the progress bar's poll: stage, percent, status and whether the run is over."""
    cycle = QualificationCycle.objects.restrict(request.user).filter(pk=pk).values("status", "stage", "percent").first()
    if cycle is None:
        raise Http404
    return JsonResponse(
        {
            **cycle,
            "done": cycles_service.cycle_run_over(cycle["status"]),
            "status_label": str(dict(CycleStatus.choices)[cycle["status"]]),
            "stage_label": str(STAGE_LABELS.get(cycle["stage"], cycle["stage"])),
        }
    )


@staff_page("certification.view_decision")
def delistings(request):
    queue = list(
        (cert_services.unresolved_delist_proposals() & Decision.objects.restrict(request.user))
        .select_related("provider", "decided_by")
        .annotate(approval_count=Count("approvals"))
        .order_by("seq")
    )
    can_approve = request.user.has_perm(cert_services.APPROVE_DELISTING)
    return render(
        request,
        "console/delistings.html",
        {"queue": queue, "can_approve": can_approve, "required": cert_services.APPROVALS_REQUIRED},
    )


@require_POST
@staff_page(cert_services.APPROVE_DELISTING)
def delisting_act(request, pk: int, action: str):
    decision = get_object_or_404(Decision.objects.restrict(request.user), pk=pk)
    try:
        if action == "approve":
            cert_services.decision_approve(decision=decision, approver=request.user)
        elif action == "reject":
            cert_services.decision_reject(
                decision=decision, reviewer=request.user, reason_text=request.POST.get("reason", "")
            )
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, _("Recorded for %(provider)s.") % {"provider": decision.provider.name})
    return redirect("console:delistings")


LEADERBOARD_COLUMNS = ["rank", "provider", "cohort", "overall", "percentile", "session_count", "window_gmv"]


def _leaderboard_query(request):
    scores = ProviderScore.objects.restrict(request.user)
    cycle_list = list(
        QualificationCycle.objects.restrict(request.user)
        .filter(status__in=[CycleStatus.PUBLISHED, CycleStatus.COMPUTED])
        .order_by("-window_end", "-id")[:50]
    )
    cycle = None
    wanted = request.GET.get("cycle")
    for c in cycle_list:
        if (wanted and str(c.pk) == wanted) or (not wanted and c.status == CycleStatus.PUBLISHED):
            cycle = c
            break
    if cycle is None and cycle_list and not wanted:
        cycle = cycle_list[0]
    cohort = request.GET.get("cohort", "")
    rows = scores.none()
    if cycle is not None:
        rows = (
            scores.filter(cycle=cycle, ranked=True).select_related("provider").order_by("cohort", "rank", "provider_id")
        )
        if cohort:
            rows = rows.filter(cohort=cohort)
    return cycle_list, cycle, cohort, rows


@staff_page("scoring.view_providerscore")
def leaderboard(request):
    cycle_list, cycle, cohort, rows = _leaderboard_query(request)
    if request.GET.get("format") == "csv":
        return _leaderboard_csv(cycle, rows)
    return render(
        request,
        "console/leaderboard.html",
        {
            "cycles": cycle_list,
            "cycle": cycle,
            "cohort": cohort,
            "cohorts": ProviderType.choices,
            "rows": rows[:500],
            "query": request.GET.urlencode(),
        },
    )


class _Echo:
    def write(self, value):
        return value


def _leaderboard_csv(cycle, rows):
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(LEADERBOARD_COLUMNS)
        for s in rows.iterator(chunk_size=2000):
            yield writer.writerow(
                [s.rank, s.provider.name, s.cohort, s.overall, s.percentile, s.session_count, s.window_gmv]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"leaderboard-{cycle.pk if cycle else 'none'}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_page("certification.view_decision")
def ledger(request):
    """The last stored verification and whether one is waiting or running (a GET only reads: walking the
    chain takes seconds per 100,000 decisions, so a worker does it). POST starts one (verify_ledger)."""
    can_verify = request.user.has_perm("certification.verify_ledger")
    if request.method == "POST":
        if not can_verify:
            raise PermissionDenied
        created = ledger_verification_request(requested_by=request.user)[1]
        if created:
            messages.success(request, _("Verification started; the result appears here when it is done."))
        else:
            messages.info(request, _("A verification is already waiting or running."))
        return redirect("console:ledger")
    context = {"last": ledger_verification_last(), "pending": ledger_verification_pending(), "can_verify": can_verify}
    return render(request, "console/ledger.html", context)


@staff_page("certification.view_appeal")
def appeals(request):
    """Open appeals, oldest deadline first; overdue ones are marked."""
    now = timezone.now()
    queue = list(
        Appeal.objects.restrict(request.user)
        .filter(status=AppealStatus.OPEN)
        .select_related("decision", "provider", "filed_by")
        .order_by("due_by", "id")
    )
    for a in queue:
        a.is_overdue = appeals_service.appeal_overdue(a, now=now)
    can_decide = request.user.has_perm(appeals_service.DECIDE_APPEAL)
    outcomes = [(o, AppealStatus(o).label) for o in appeals_service.OUTCOMES]
    return render(request, "console/appeals.html", {"queue": queue, "can_decide": can_decide, "outcomes": outcomes})


@require_POST
@staff_page(appeals_service.DECIDE_APPEAL)
def appeal_decide(request, pk: int):
    appeal = get_object_or_404(Appeal.objects.restrict(request.user), pk=pk)
    try:
        appeals_service.appeal_decide(
            appeal=appeal,
            reviewer=request.user,
            outcome=request.POST.get("outcome", ""),
            reason=request.POST.get("reason", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, _("The appeal is decided."))
    return redirect("console:appeals")
