"""Staff console pages of settlement for finance: statements by state and month, a statement's lines, and the
finance actions (resolve a dispute, approve, record the invoice, request the payout), plus a month's run."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import refusal_message
from pages import statements as statements_page
from pages.access import staff_page
from settlement import services
from settlement.choices import StatementState
from settlement.models import Payout, Statement, UnsettledSession
from settlement.tasks import make_statements_task

FINANCE = "settlement.finance_statement"


@staff_page("settlement.view_statement")
def statements(request):
    rows = Statement.objects.select_related("provider").order_by("-month", "provider_id", "-version")
    state = request.GET.get("state", "")
    if state in StatementState.values:
        rows = rows.filter(state=state)
    month = request.GET.get("month", "")
    if month:
        try:
            rows = rows.filter(month=services.parse_month(month))
        except ValidationError as exc:
            messages.error(request, refusal_message(exc))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "settlement/console_statements.html",
        {"page": page, "states": StatementState.choices, "state": state, "month": month},
    )


@staff_page("settlement.view_statement")
def statement_detail(request, pk: int):
    statement = get_object_or_404(Statement.objects.select_related("provider"), pk=pk)
    return render(
        request,
        "settlement/console_statement.html",
        {
            **statements_page.lines_context(statement),
            "approvals": list(statement.approvals.select_related("approver")),
            "unsettled_count": UnsettledSession.objects.filter(statement=statement).count(),
            "payout": Payout.objects.filter(statement=statement).first(),
            "replaced_by": Statement.objects.filter(replaces=statement).first(),
            "payout_key": uuid.uuid4().hex,
        },
    )


@require_POST
@staff_page(FINANCE)
def statement_act(request, pk: int, action: str):
    statement = get_object_or_404(Statement, pk=pk)
    target = statement
    try:
        if action == "resolve":
            target = services.statement_resolve(
                statement=statement, user=request.user, resolution=request.POST.get("resolution", "")
            )
            messages.success(
                request, _("The statement is void; its replacement is version %(v)d.") % {"v": target.version}
            )
        elif action == "approve":
            target = services.statement_approve(statement=statement, user=request.user)
            messages.success(request, _("Approval recorded."))
        elif action == "invoice":
            services.statement_invoice_record(
                statement=statement, user=request.user, invoice_number=request.POST.get("invoice_number", "")
            )
            messages.success(request, _("Invoice number recorded."))
        elif action == "payout":
            services.payout_request(
                idempotency_key=request.POST.get("idempotency_key", ""),
                body={"statement": statement.pk},
                user=request.user,
            )
            messages.success(request, _("Payout requested."))
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as exc:
        messages.error(request, refusal_message(exc))
    return redirect("console:statement", pk=target.pk)


@require_POST
@staff_page("settlement.run_settlement")
def statement_run(request):
    try:
        month = services.parse_month(request.POST.get("month", ""))
        start, end = services.month_bounds(month)
        if end > timezone.now():
            raise ValidationError(
                _("The statements of %(month)s can be made once the month is over.") % {"month": f"{month:%Y-%m}"}
            )
    except ValidationError as exc:
        messages.error(request, refusal_message(exc))
    else:
        make_statements_task.apply_async(kwargs={"month": f"{month:%Y-%m}", "started_by_id": request.user.pk})
        messages.success(
            request, _("The statements of %(month)s are being made on a worker.") % {"month": f"{month:%Y-%m}"}
        )
    return redirect("console:statements")
