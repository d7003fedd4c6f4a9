"""Portal pages of operation plans (操盘标准化) and reviews (复盘): a provider's users create and run their plans.
Reads via .restrict(user); writes via playbook.services; refusals shown on the page, nothing changed."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.dates import shanghai_today
from core.errors import refusal_message
from pages.access import provider_page
from playbook import selectors, services
from playbook.choices import PlanStatus
from playbook.models import OperationPlan, OperatorRecordConsent, PlaybookItem, Review
from providers.models import Employment, Engagement, Operator

PLAN_LIST_SIZE = 100


def _decimal(value):
    if value in (None, ""):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValidationError(_("Enter a number.")) from None


def _int(value):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError(_("Enter a whole number.")) from None


@provider_page
def plans(request, provider_id):
    """The provider's plans (newest date first) and the form to create one; its operators' public records."""
    errors = []
    if request.method == "POST":
        try:
            engagement = (
                Engagement.objects.restrict(request.user).filter(pk=_int(request.POST.get("engagement"))).first()
            )
            operator = (
                Operator.objects.restrict(request.user).filter(pk=_int(request.POST.get("lead_operator"))).first()
            )
            if engagement is None:
                raise ValidationError(_("No engagement of your provider has this id."))
            if operator is None:
                raise ValidationError(_("Your provider does not employ this operator on that date."))
            plan = services.plan_create(
                actor=request.user,
                engagement=engagement,
                lead_operator=operator,
                planned_date=dt.date.fromisoformat(request.POST.get("planned_date", "")),
                title=request.POST.get("title", ""),
                target_gmv=_decimal(request.POST.get("target_gmv")),
                target_entries=_int(request.POST.get("target_entries")),
                target_new_followers=_int(request.POST.get("target_new_followers")),
                target_paid_roi=_decimal(request.POST.get("target_paid_roi")),
            )
        except ValueError:
            errors.append(_("Enter the date as YYYY-MM-DD."))
        except ValidationError as exc:
            errors.append(refusal_message(exc))
        else:
            messages.success(request, _("Plan created."))
            return redirect("portal:plan", plan_id=plan.pk)
    status = request.GET.get("status", "")
    rows = selectors.plans_with_progress(OperationPlan.objects.restrict(request.user))
    if status in PlanStatus.values:
        rows = rows.filter(status=status)
    today = shanghai_today()
    engagements = (
        Engagement.objects.restrict(request.user)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("merchant")
        .order_by("merchant__name")
    )
    employed = Employment.objects.filter(provider_id=provider_id, start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    operators = Operator.objects.filter(pk__in=employed.values("operator_id")).order_by("name")
    consents = {c.operator_id: c for c in OperatorRecordConsent.objects.restrict(request.user)}
    context = {
        "plans": rows[:PLAN_LIST_SIZE],
        "status": status,
        "statuses": PlanStatus.choices,
        "engagements": engagements,
        "operators": [{"operator": o, "consent": consents.get(o.pk)} for o in operators],
        "errors": errors,
        "form": request.POST if request.method == "POST" else {},
    }
    return render(request, "playbook/portal_plans.html", context)


@provider_page
def record_consent(request, provider_id, operator_id: int):
    """POST: publish (or stop publishing) an operator's public record."""
    if request.method != "POST":
        return redirect("portal:plans")
    operator = get_object_or_404(Operator.objects.restrict(request.user), pk=operator_id)
    try:
        consent = OperatorRecordConsent.objects.restrict(request.user).filter(operator=operator).first()
        if consent is not None:
            services.record_consent_withdraw(consent=consent, actor=request.user)
            messages.success(request, _("The operator's record is no longer public."))
        else:
            services.record_consent_give(actor=request.user, operator=operator)
            messages.success(request, _("The operator's record is public while they hold a valid certificate."))
    except ValidationError as exc:
        messages.error(request, refusal_message(exc))
    return redirect("portal:plans")


@provider_page
def plan_detail(request, provider_id, plan_id: int):
    """A plan's checklist by stage: tick items, fill the diagnosis, mark ready, link the stream, cancel."""
    plan = get_object_or_404(
        OperationPlan.objects.restrict(request.user).select_related(
            "engagement__merchant", "lead_operator", "playbook"
        ),
        pk=plan_id,
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "tick":
                item = get_object_or_404(
                    PlaybookItem.objects.filter(stage__playbook_id=plan.playbook_id), pk=_int(request.POST.get("item"))
                )
                services.plan_tick(
                    plan=plan,
                    item=item,
                    actor=request.user,
                    text=request.POST.get("text", ""),
                    number=request.POST.get("number") or None,
                    upload=request.FILES.get("file"),
                    stream=request.POST.get("stream", ""),
                )
            elif action == "untick":
                item = get_object_or_404(
                    PlaybookItem.objects.filter(stage__playbook_id=plan.playbook_id), pk=_int(request.POST.get("item"))
                )
                services.plan_untick(plan=plan, item=item, actor=request.user)
            elif action == "diagnosis":
                services.plan_fill_diagnosis(plan=plan, actor=request.user)
            elif action == "ready":
                services.plan_mark_ready(plan=plan, actor=request.user)
            elif action == "cancel":
                services.plan_cancel(plan=plan, actor=request.user)
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            messages.error(request, refusal_message(exc))
        else:
            messages.success(request, _("Saved."))
        return redirect("portal:plan", plan_id=plan.pk)
    return render(request, "playbook/plan.html", _plan_context(plan, editable=True))


def _plan_context(plan, *, editable: bool) -> dict:
    checklist = selectors.plan_checklist(plan)
    return {
        "plan": plan,
        "checklist": checklist,
        "current_stage": selectors.current_stage(checklist),
        "diagnosis": selectors.diagnosis_rows(plan),
        "editable": editable and plan.status not in (PlanStatus.REVIEWED, PlanStatus.CANCELLED),
        "review": Review.objects.filter(plan=plan).only("id").first(),
        "base": "portal",
    }


@provider_page
def review_detail(request, provider_id, review_id: int):
    review = get_object_or_404(
        Review.objects.restrict(request.user).select_related(
            "plan__engagement__merchant", "plan__lead_operator", "session"
        ),
        pk=review_id,
    )
    if request.method == "POST":
        try:
            services.review_set_notes(review=review, actor=request.user, notes=request.POST.get("notes", ""))
        except ValidationError as exc:
            messages.error(request, refusal_message(exc))
        else:
            messages.success(request, _("Notes saved."))
        return redirect("portal:review", review_id=review.pk)
    return render(
        request, "playbook/review.html", {**selectors.review_page(review), "editable": True, "base": "portal"}
    )
