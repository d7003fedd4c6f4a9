"""Provider portal pages of settlement (收益线上化): the provider's statements, their lines drillable to sessions,
confirm or dispute, CSV export and a printable page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import refusal_message
from pages import statements as statements_page
from pages.access import provider_page
from settlement import selectors, services
from settlement.models import Statement, StatementLine, UnsettledSession


def _statement(request, statement_id: int) -> Statement:
    return get_object_or_404(Statement.objects.restrict(request.user), pk=statement_id)


@provider_page
def statements(request, provider_id):
    page = Paginator(Statement.objects.restrict(request.user).order_by("-month", "-version"), 24).get_page(
        request.GET.get("page")
    )
    return render(request, "settlement/portal_statements.html", {"page": page})


def _detail_context(request, statement: Statement, *, links: bool = True) -> dict:
    url = reverse("portal:statement", args=[statement.pk]) + "lines/" if links else None
    return {
        **statements_page.lines_context(statement, sessions_url=url),
        "unsettled": UnsettledSession.objects.filter(statement=statement)
        .select_related("session")
        .order_by("session_id")[:200],
        "unsettled_count": UnsettledSession.objects.filter(statement=statement).count(),
        "replaced_by": Statement.objects.filter(replaces=statement).first(),
    }


@provider_page
def statement_detail(request, provider_id, statement_id: int):
    statement = _statement(request, statement_id)
    return render(request, "settlement/portal_statement.html", _detail_context(request, statement))


@provider_page
def statement_print(request, provider_id, statement_id: int):
    statement = _statement(request, statement_id)
    return render(request, "settlement/statement_print.html", _detail_context(request, statement, links=False))


@provider_page
def statement_csv(request, provider_id, statement_id: int):
    statement = _statement(request, statement_id)
    response = HttpResponse(statements_page.statement_csv(statement), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{selectors.statement_filename(statement)}"'
    return response


@provider_page
def line_sessions(request, provider_id, statement_id: int, position: int):
    statement = _statement(request, statement_id)
    line = get_object_or_404(StatementLine, statement=statement, position=position)
    page = Paginator(selectors.line_sessions(line), 100).get_page(request.GET.get("page"))
    return render(request, "settlement/line_sessions.html", {"statement": statement, "line": line, "page": page})


@require_POST
@provider_page
def statement_act(request, provider_id, statement_id: int, action: str):
    statement = _statement(request, statement_id)
    try:
        if action == "confirm":
            services.statement_confirm(statement=statement, user=request.user)
            messages.success(request, _("Statement confirmed."))
        elif action == "dispute":
            services.statement_dispute(statement=statement, user=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("Statement disputed; finance will resolve it."))
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as exc:
        messages.error(request, refusal_message(exc))
    return redirect("portal:statement", statement_id=statement.pk)
