"""Pages of the staff console: queues, cycles, delistings, appeals, leaderboard, ledger. Reads via .restrict(user);
writes via services."""

import csv
import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from admission import services as admission_services
from admission.choices import AdmissionStatus
from admission.models import AdmissionApplication
from certification import appeals as appeals_service
from certification import cycles as cycles_service
from certification import services as cert_services
from certification.choices import DecisionKind, DecisionStatus, OutcomeChange
from certification.ledger import ledger_verification_last, ledger_verification_pending, ledger_verification_request
from certification.models import Appeal, AppealAttachment, AppealStatus, Certificate, CycleOutcome, Decision
from core.errors import Refusal, refusal_message
from pages import formats
from pages.access import forbidden, staff_page
from pages.lists import listing
from providers.choices import ProviderType, Tier
from providers.models import Provider
from scoring.choices import CycleKind, CycleStatus
from scoring.models import CapabilityScore, ProviderScore, QualificationCycle
from scoring.services import SHANGHAI

from .definitions import OUTCOME_LABELS, STAGE_LABELS


@staff_page()
def console(request):
    """The console's home: the pending work of each queue, counted in the database (one query per queue)."""
    user, now = request.user, timezone.now()
    counts = {}
    if user.has_perm("admission.view_admissionapplication"):
        counts["admissions"] = (
            AdmissionApplication.objects.restrict(user)
            .filter(status__in=[AdmissionStatus.SUBMITTED, AdmissionStatus.UNDER_REVIEW])
            .aggregate(
                submitted=Count("id", filter=Q(status=AdmissionStatus.SUBMITTED)),
                under_review=Count("id", filter=Q(status=AdmissionStatus.UNDER_REVIEW)),
            )
        )
    if user.has_perm("certification.view_decision"):
        counts["delistings"] = (cert_services.unresolved_delist_proposals() & Decision.objects.restrict(user)).count()
    if user.has_perm("certification.view_appeal"):
        counts["appeals"] = (
            Appeal.objects.restrict(user)
            .filter(status=AppealStatus.OPEN)
            .aggregate(open=Count("id"), overdue=Count("id", filter=appeals_service.appeal_overdue_q(now=now)))
        )
    if user.has_perm("scoring.view_qualificationcycle"):
        counts["cycles"] = QualificationCycle.objects.restrict(user).aggregate(
            to_publish=Count("id", filter=cycles_service.cycle_publishable_q()),
            running=Count("id", filter=Q(status=CycleStatus.RUNNING)),
        )
    return render(request, "console/home.html", {"counts": counts})


ADMISSION_OPEN = [AdmissionStatus.SUBMITTED, AdmissionStatus.UNDER_REVIEW]
ADMISSION_DECIDED = [AdmissionStatus.ADMITTED, AdmissionStatus.REJECTED, AdmissionStatus.WITHDRAWN]
ADMISSION_SORTS = {
    "submitted": (gettext_lazy("Submitted first"), ["submitted_at", "id"]),
    "newest": (gettext_lazy("Newest first"), ["-submitted_at", "-id"]),
    "name": (gettext_lazy("Company name"), ["company_name", "id"]),
}


@staff_page("admission.view_admissionapplication")
def admissions(request):
    """Open applications (or, with ?view=decided, the decided ones) with each stored check as a readable line."""
    decided = request.GET.get("view") == "decided"
    queryset = (
        AdmissionApplication.objects.restrict(request.user)
        .filter(status__in=ADMISSION_DECIDED if decided else ADMISSION_OPEN)
        .select_related("created_by", "reviewer", "decided_by", "provider")
    )
    sorts = dict(ADMISSION_SORTS)
    if decided:
        sorts = {"decided": (gettext_lazy("Decided last first"), ["-decided_at", "-id"]), **sorts}
    found = listing(
        request,
        queryset,
        sorts=sorts,
        default="decided" if decided else "submitted",
        search=("company_name", "credit_code"),
    )
    for app in found.rows:
        app.failed = [c for c in app.checks if not c.get("passed")]
        app.has_licence = any(
            c.get("check") == "business_licence" and (c.get("evidence") or {}).get("document_id") for c in app.checks
        )
    can_review = request.user.has_perm("admission.review_admission")
    return render(
        request,
        "console/admissions.html",
        {
            "listing": found,
            "queue": found.rows,
            "can_review": can_review,
            "decided": decided,
            "keep": [("view", "decided")] if decided else [],
        },
    )


@require_POST
@staff_page("admission.review_admission")
def admission_act(request, pk: int, action: str):
    application = get_object_or_404(AdmissionApplication.objects.restrict(request.user), pk=pk)
    company = application.company_name
    try:
        if action == "review":
            admission_services.admission_start_review(application=application, reviewer=request.user)
            message = _("Review started: %(company)s. Check each line, then admit or reject.") % {"company": company}
        elif action == "approve":
            application = admission_services.admission_approve(
                application=application, reviewer=request.user, reason=request.POST.get("reason", "")
            )
            message = format_html(
                '{} <a href="{}">{}</a>',
                _("Admitted: %(company)s is now a provider at L0.") % {"company": company},
                reverse("console:provider", args=[application.provider_id]),
                _("Open the provider"),
            )
        elif action == "reject":
            admission_services.admission_reject(
                application=application, reviewer=request.user, reason=request.POST.get("reason", "")
            )
            message = format_html(
                '{} <a href="{}?view=decided">{}</a>',
                _("Rejected: %(company)s (it may apply again after the waiting period).") % {"company": company},
                reverse("console:admissions"),
                _("Decided applications"),
            )
        else:
            raise Http404
    except ValidationError as exc:  # a Refusal is one
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, message)
    return redirect(f"{reverse('console:admissions')}#application-{pk}")


def _cycles_page(request, form=None, status=200):
    rows = list(QualificationCycle.objects.restrict(request.user).select_related("capability_model")[:100])
    if form is None:  # the default window: the previous Shanghai calendar month, last day shown inclusive
        start, end = cycles_service.previous_window(CycleKind.MONTHLY, timezone.now())
        form = {
            "kind": CycleKind.MONTHLY,
            "window_start": f"{start:%Y-%m-%d}",
            "window_last": f"{(end - dt.timedelta(days=1)):%Y-%m-%d}",
        }
    return render(
        request,
        "console/cycles.html",
        {
            "cycles": rows,
            "can_run": request.user.has_perm("scoring.run_cycle"),
            "kinds": CycleKind.choices,
            "form": form,
        },
        status=status,
    )


@staff_page("scoring.view_qualificationcycle")
def cycles(request):
    return _cycles_page(request)


def _shanghai_midnight(value: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(0), tzinfo=SHANGHAI)


@require_POST
@staff_page("scoring.run_cycle")
def cycle_start(request):
    """Create a cycle over the chosen Shanghai dates (last day inclusive, as shown everywhere) and start its run
    (the cycle service queues the task). A refusal shows the form again with what was entered."""
    form = {k: request.POST.get(k, "") for k in ("kind", "window_start", "window_last", "window_end")}
    try:
        start = _shanghai_midnight(form["window_start"])
        if form["window_last"]:
            end = _shanghai_midnight(form["window_last"]) + dt.timedelta(days=1)
        else:  # the API's and older forms' exclusive end
            end = _shanghai_midnight(form["window_end"])
    except ValueError:
        messages.error(request, _("Enter both window dates as YYYY-MM-DD."))
        return _cycles_page(request, form, status=400)
    try:
        cycle = cycles_service.cycle_create_and_start(
            kind=form["kind"], window_start=start, window_end=end, user=request.user
        )
    except (ValidationError, IntegrityError, Refusal) as exc:
        messages.error(request, refusal_message(exc))
        return _cycles_page(request, form, status=400)
    messages.success(request, _("The run has started; this page follows it."))
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
            # The stage says more than the status only while a run is under way.
            "show_stage": cycle.status == CycleStatus.RUNNING and bool(cycle.stage),
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
            counts = cycles_service.outcome_counts(
                list(
                    CycleOutcome.objects.restrict(request.user)
                    .filter(cycle=cycle)
                    .values(*cycles_service.OUTCOME_FIELDS)
                )
            )["all"]
            text = _(
                "Published: %(promote)s promoted, %(demote)s demoted, %(warn)s warned, %(probation)s on probation, "
                "%(delist)s delisting proposals. The providers are notified."
            ) % {
                "promote": counts["promote"],
                "demote": counts["demote"],
                "warn": counts["warn"],
                "probation": counts["probation"],
                "delist": counts["delist_proposal"],
            }
            if counts["delist_proposal"]:
                text = format_html(
                    '{} <a href="{}">{}</a>', text, reverse("console:delistings"), _("Delistings to approve")
                )
            messages.success(request, text)
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


def _proposals(request):
    return (
        (cert_services.unresolved_delist_proposals() & Decision.objects.restrict(request.user))
        .select_related("provider", "decided_by", "cycle")
        .prefetch_related("approvals__approver")
        .annotate(approval_count=Count("approvals"))
    )


@staff_page("certification.view_decision")
def delistings(request):
    """Open delisting proposals: the provider, the cycle or violation they came from, the approvals so far."""
    queue = list(_proposals(request).order_by("seq"))
    can_approve = request.user.has_perm(cert_services.APPROVE_DELISTING)
    history = list(
        Decision.objects.restrict(request.user)
        .filter(kind=DecisionKind.DELIST)
        .exclude(status=DecisionStatus.PENDING)
        .select_related("provider", "decided_by", "refers_to")
        .order_by("-seq")[:20]
    )
    return render(
        request,
        "console/delistings.html",
        {"queue": queue, "can_approve": can_approve, "required": cert_services.APPROVALS_REQUIRED, "history": history},
    )


@staff_page(cert_services.APPROVE_DELISTING)
def delisting_act(request, pk: int, action: str):
    """GET (approve): the confirmation step — what the approval does; POST: approve or reject (with a reason)."""
    if action not in ("approve", "reject"):
        raise Http404
    if request.method == "GET":
        if action != "approve":
            raise Http404
        decision = get_object_or_404(_proposals(request), pk=pk)
        last = decision.approval_count + 1 >= cert_services.APPROVALS_REQUIRED
        return render(
            request,
            "console/delisting_confirm.html",
            {"d": decision, "last": last, "required": cert_services.APPROVALS_REQUIRED},
        )
    if request.method != "POST":
        raise Http404
    decision = get_object_or_404(Decision.objects.restrict(request.user).select_related("provider"), pk=pk)
    provider = decision.provider
    result = None
    try:
        if action == "approve":
            result = cert_services.decision_approve(decision=decision, approver=request.user)
        else:
            cert_services.decision_reject(
                decision=decision, reviewer=request.user, reason_text=request.POST.get("reason", "")
            )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
        return redirect("console:delistings")
    link = reverse("console:provider", args=[provider.pk])
    if action == "reject":
        text = _("The delisting proposal for %(provider)s is rejected; it stays as it was.") % {
            "provider": provider.name
        }
    elif result.effect is not None:
        text = _delisting_done(provider, result.effect)
    else:
        text = _("Your approval is recorded for %(provider)s; the delisting needs one more approver.") % {
            "provider": provider.name
        }
    messages.success(request, format_html('{} <a href="{}">{}</a>', text, link, _("Open the provider")))
    return redirect("console:delistings")


def _delisting_done(provider, effect) -> str:
    """What an effective delisting did, from the counts the service returned (nothing is counted again here)."""
    provider.refresh_from_db(fields=["status"])
    done = [
        ngettext("%(n)d certificate revoked", "%(n)d certificates revoked", effect.certificates_revoked),
        ngettext(
            "%(n)d engagement with a merchant ended", "%(n)d engagements with merchants ended", effect.engagements_ended
        ),
        ngettext("%(n)d operator's employment ended", "%(n)d operators' employments ended", effect.employments_ended),
    ]
    counts = [effect.certificates_revoked, effect.engagements_ended, effect.employments_ended]
    return _(
        "The delisting of %(provider)s is now in effect (decision #%(seq)d): its status is %(status)s; %(done)s. "
        "The provider finds the decision in its portal inbox and may appeal it."
    ) % {
        "provider": provider.name,
        "seq": effect.decision.seq,
        "status": provider.get_status_display(),
        "done": _(", ").join(text % {"n": n} for text, n in zip(done, counts, strict=True)),
    }


LEADERBOARD_SORTS = {
    "rank": (gettext_lazy("Cohort and rank"), ["cohort", "rank", "provider_id"]),
    "overall": (gettext_lazy("Overall score, highest first"), ["-overall", "provider_id"]),
    "name": (gettext_lazy("Provider name"), ["provider__name", "provider_id"]),
}
LEADERBOARD_PAGE = 100


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
    # The cycle before it of the same kind (for the movement column): the next older one in the list.
    previous = None
    if cycle is not None:
        older = [c for c in cycle_list if c.kind == cycle.kind and c.window_end <= cycle.window_start]
        previous = older[0] if older else None
    cohort = request.GET.get("cohort", "")
    rows = scores.none()
    if cycle is not None:
        rows = scores.filter(cycle=cycle, ranked=True).select_related("provider")
        if cohort:
            rows = rows.filter(cohort=cohort)
    return cycle_list, cycle, previous, cohort, rows


@staff_page("scoring.view_providerscore")
def leaderboard(request):
    """Ranked providers of a cycle: tier and status today (a delisted provider is marked), the rank's movement
    since the cycle before, a link to each provider; searchable, sortable, 100 a page; CSV of the whole list."""
    cycle_list, cycle, previous, cohort, rows = _leaderboard_query(request)
    if request.GET.get("format") == "csv":
        return _leaderboard_csv(cycle, rows.order_by("cohort", "rank", "provider_id"))
    found = listing(
        request,
        rows,
        sorts=LEADERBOARD_SORTS,
        default="rank",
        search=("provider__name", "provider__credit_code"),
        per_page=LEADERBOARD_PAGE,
    )
    page_rows = list(found.rows)
    before = {}
    if previous is not None and page_rows:
        before = dict(
            ProviderScore.objects.restrict(request.user)
            .filter(cycle=previous, ranked=True, provider_id__in=[r.provider_id for r in page_rows])
            .values_list("provider_id", "rank")
        )
    for r in page_rows:
        r.rank_before = before.get(r.provider_id)
        r.movement = None if r.rank_before is None else r.rank_before - r.rank
        r.moved = None if r.movement is None else abs(r.movement)
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return render(
        request,
        "console/leaderboard.html",
        {
            "cycles": cycle_list,
            "cycle": cycle,
            "previous": previous,
            "cohort": cohort,
            "cohorts": ProviderType.choices,
            "rows": page_rows,
            "listing": found,
            "query": params.urlencode(),
            "keep": [(k, v) for k, v in (("cycle", cycle.pk if cycle else ""), ("cohort", cohort)) if v],
        },
    )


class _Echo:
    def write(self, value):
        return value


def _leaderboard_csv(cycle, rows):
    """The whole filtered list as CSV (UTF-8 with a BOM, so that Excel reads the Chinese), its figures formatted
    as on the page (pages.formats; money with every fen)."""
    writer = csv.writer(_Echo())
    cohorts, tiers = dict(ProviderType.choices), dict(Tier.choices)
    header = [
        _("Rank"),
        _("Provider"),
        _("Credit code"),
        _("Cohort"),
        _("Tier"),
        _("Status"),
        _("Overall (/100)"),
        _("Percentile"),
        _("Sessions"),
        _("Window GMV"),
    ]

    def lines():
        yield "\ufeff" + writer.writerow(header)
        for s in rows.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    s.rank,
                    s.provider.name,
                    s.provider.credit_code,
                    str(cohorts.get(s.cohort, s.cohort)),
                    str(tiers.get(s.provider.tier, s.provider.tier)),
                    s.provider.get_status_display(),
                    formats.score(s.overall, suffix=False),
                    formats.percentile(s.percentile),
                    formats.count(s.session_count),
                    formats.money(s.window_gmv, exact=True),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"leaderboard-{cycle.pk if cycle else 'none'}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


LEDGER_SORTS = {
    "newest": (gettext_lazy("Newest first"), ["-seq"]),
    "oldest": (gettext_lazy("Oldest first"), ["seq"]),
}


@staff_page("certification.view_decision")
def ledger(request):
    """The last stored verification and whether one is waiting or running (a GET only reads: walking the
    chain takes seconds per 100,000 decisions, so a worker does it), and the entries, 50 a page, searchable by
    provider. POST starts a verification (verify_ledger)."""
    can_verify = request.user.has_perm("certification.verify_ledger")
    if request.method == "POST":
        if not can_verify:
            return forbidden(request)
        created = ledger_verification_request(requested_by=request.user)[1]
        if created:
            messages.success(request, _("Verification started; the result appears here when it is done."))
        else:
            messages.info(request, _("A verification is already waiting or running."))
        return redirect("console:ledger")
    entries = listing(
        request,
        Decision.objects.restrict(request.user).select_related("provider", "decided_by"),
        sorts=LEDGER_SORTS,
        default="newest",
        search=("provider__name", "provider__credit_code"),
    )
    context = {
        "last": ledger_verification_last(),
        "pending": ledger_verification_pending(),
        "can_verify": can_verify,
        "listing": entries,
        "keep": [],
    }
    return render(request, "console/ledger.html", context)


APPEAL_SORTS = {
    "due": (gettext_lazy("Deadline, soonest first"), ["due_by", "id"]),
    "filed": (gettext_lazy("Filed last first"), ["-filed_at", "-id"]),
    "name": (gettext_lazy("Provider name"), ["provider__name", "id"]),
}


def _appeal_scores(user, appeals) -> dict:
    """The scores a cycle decision rested on: the provider's score in the decision's cycle, with its capability
    scores (two queries for the whole page)."""
    pairs = {(a.decision.cycle_id, a.provider_id) for a in appeals if a.decision.cycle_id}
    if not pairs:
        return {}
    match = Q()
    for cycle_id, provider_id in pairs:
        match |= Q(cycle_id=cycle_id, provider_id=provider_id)
    scores = list(
        ProviderScore.objects.restrict(user)
        .filter(match)
        .prefetch_related(Prefetch("capability_scores", queryset=CapabilityScore.objects.order_by("capability_id")))
    )
    return {(s.cycle_id, s.provider_id): s for s in scores}


@staff_page("certification.view_appeal")
def appeals(request):
    """Open appeals, oldest deadline first, overdue ones marked (?view=decided: the decided ones): the appealed
    decision with its reason and the scores it rested on, the statement and its attachments, the deadline."""
    now = timezone.now()
    decided = request.GET.get("view") == "decided"
    queryset = (
        Appeal.objects.restrict(request.user)
        .filter(~Q(status=AppealStatus.OPEN) if decided else Q(status=AppealStatus.OPEN))
        .select_related("decision__cycle", "provider", "filed_by", "reviewer", "outcome")
        .prefetch_related(Prefetch("attachments", queryset=AppealAttachment.objects.order_by("id")))
    )
    sorts = (
        {"decided": (gettext_lazy("Decided last first"), ["-decided_at", "-id"]), **APPEAL_SORTS}
        if decided
        else APPEAL_SORTS
    )
    found = listing(
        request,
        queryset,
        sorts=sorts,
        default="decided" if decided else "due",
        search=("provider__name", "provider__credit_code"),
    )
    queue = list(found.rows)
    scores = _appeal_scores(request.user, queue)
    for a in queue:
        a.is_overdue = appeals_service.appeal_overdue(a, now=now)
        a.score = scores.get((a.decision.cycle_id, a.provider_id))
    can_decide = request.user.has_perm(appeals_service.DECIDE_APPEAL) and not decided
    outcomes = [(o, AppealStatus(o).label) for o in appeals_service.OUTCOMES]
    return render(
        request,
        "console/appeals.html",
        {
            "queue": queue,
            "listing": found,
            "can_decide": can_decide,
            "outcomes": outcomes,
            "decided": decided,
            "keep": [("view", "decided")] if decided else [],
        },
    )


@require_POST
@staff_page(appeals_service.DECIDE_APPEAL)
def appeal_decide(request, pk: int):
    appeal = get_object_or_404(Appeal.objects.restrict(request.user).select_related("provider", "decision"), pk=pk)
    outcome = request.POST.get("outcome", "")
    if outcome not in appeals_service.OUTCOMES:
        messages.error(request, _("Choose an outcome: the decision stands, or it is overturned."))
        return redirect(f"{reverse('console:appeals')}#appeal-{pk}")
    try:
        appeals_service.appeal_decide(
            appeal=appeal, reviewer=request.user, outcome=outcome, reason=request.POST.get("reason", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
        return redirect(f"{reverse('console:appeals')}#appeal-{pk}")
    if outcome == AppealStatus.OVERTURNED:
        text = _("Appeal of %(provider)s decided: decision #%(seq)s is overturned and reversed by a new decision.")
    else:
        text = _("Appeal of %(provider)s decided: decision #%(seq)s stands.")
    text = text % {"provider": appeal.provider.name, "seq": appeal.decision.seq}
    messages.success(
        request,
        format_html('{} <a href="{}?view=decided">{}</a>', text, reverse("console:appeals"), _("Decided appeals")),
    )
    return redirect("console:appeals")


@staff_page("providers.view_provider")
def provider(request, pk: int):
    """One provider as staff see it: its record, standing, latest scores, decisions, certificates and appeals."""
    p = get_object_or_404(Provider.objects.restrict(request.user), pk=pk)
    scores = list(
        ProviderScore.objects.restrict(request.user)
        .filter(provider=p)
        .select_related("cycle")
        .order_by("-cycle__window_end", "-cycle_id")[:12]
    )
    decisions = list(Decision.objects.restrict(request.user).filter(provider=p).order_by("-seq")[:50])
    certificates = list(
        Certificate.objects.restrict(request.user).filter(provider=p).order_by("-valid_until", "-id")[:20]
    )
    appeals_list = list(
        Appeal.objects.restrict(request.user).filter(provider=p).select_related("decision").order_by("-filed_at")[:20]
    )
    return render(
        request,
        "console/provider.html",
        {"p": p, "scores": scores, "decisions": decisions, "certificates": certificates, "appeals": appeals_list},
    )
