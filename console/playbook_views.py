"""Console pages of operation plans and reviews: staff read every provider's plans (they do not run them)."""

from django.shortcuts import get_object_or_404, render

from core.dates import shanghai_today
from pages.access import staff_page
from playbook import selectors
from playbook.choices import PlanStatus
from playbook.models import OperationPlan, OperatorRecordConsent, Review

PLAN_LIST_SIZE = 200


@staff_page("playbook.view_operationplan")
def plans(request):
    status = request.GET.get("status", "")
    rows = selectors.plans_with_progress(OperationPlan.objects.restrict(request.user)).select_related("provider")
    if status in PlanStatus.values:
        rows = rows.filter(status=status)
    context = {"plans": rows[:PLAN_LIST_SIZE], "status": status, "statuses": PlanStatus.choices}
    return render(request, "playbook/console_plans.html", context)


@staff_page("playbook.view_operationplan")
def plan_detail(request, plan_id: int):
    plan = get_object_or_404(
        OperationPlan.objects.restrict(request.user).select_related(
            "engagement__merchant", "lead_operator", "playbook"
        ),
        pk=plan_id,
    )
    checklist = selectors.plan_checklist(plan)
    context = {
        "plan": plan,
        "checklist": checklist,
        "current_stage": selectors.current_stage(checklist),
        "diagnosis": selectors.diagnosis_rows(plan),
        "editable": False,
        "review": Review.objects.filter(plan=plan).only("id").first(),
        "base": "console",
    }
    return render(request, "playbook/plan.html", context)


@staff_page("playbook.view_review")
def review_detail(request, review_id: int):
    review = get_object_or_404(
        Review.objects.restrict(request.user).select_related(
            "plan__engagement__merchant", "plan__lead_operator", "session"
        ),
        pk=review_id,
    )
    return render(
        request, "playbook/review.html", {**selectors.review_page(review), "editable": False, "base": "console"}
    )


@staff_page("playbook.view_operatorrecordconsent")
def records(request):
    """The operators whose provider opted in to publish their record, and whether it is public today."""
    rows = selectors.published_records(OperatorRecordConsent.objects.restrict(request.user), shanghai_today())
    return render(request, "playbook/console_records.html", {"rows": rows})
