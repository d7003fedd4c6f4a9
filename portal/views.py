"""Pages of the provider portal (and the home redirect). Reads via .restrict(user); writes via services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from certification import appeals as appeals_service
from certification import services as cert_services
from certification.models import Appeal, Decision
from core.access import provider_id_of
from core.caching import cached
from core.dates import shanghai_today
from core.errors import refusal_message
from pages.access import provider_page
from scoring import selectors as scoring_selectors

from . import selectors
from .charts import Series, radar_svg, trend_svg
from .definitions import FIGURE_LABELS, METRIC_DEFINITIONS


def home(request):
    """/: anonymous → login; provider user → portal; staff → console."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login("/")
    if user.is_staff:
        return redirect("console:home")
    if provider_id_of(user) is not None:
        return redirect("portal:dashboard")
    # Signed in but neither staff nor a provider user (an admission applicant, a service account).
    return render(request, "portal/no_pages.html", {})


@provider_page
def dashboard(request, provider_id):
    provider, version = selectors.dashboard_version(request.user, provider_id)
    # Everything but the operation effect is rendered once per page version (pages.models.ProviderPageVersion:
    # raised by every write to what it shows), newest published score, language and Shanghai day (appeal windows
    # and engagements end on a day), and kept like the published results. The effect moves with every ingest and
    # is kept on its own for OPERATION_EFFECT_CACHE_SECONDS.
    body = cached(
        f"portal:dashboard:{provider_id}:{version}:{get_language()}:{shanghai_today()}",
        settings.PUBLISHED_CACHE_SECONDS,
        lambda: _dashboard_body(request, provider),
    )
    context = {"provider": provider, "body": body, "effect": selectors.recent_effect(provider_id)}
    return render(request, "portal/dashboard.html", context)


def _dashboard_body(request, provider) -> dict:
    data = selectors.dashboard(request.user, provider)
    caps, t = data["capabilities"], data["trend"]
    context = {**data, "radar": ""}
    if caps:
        context["radar"] = radar_svg(
            [c["label"] for c in caps],
            [
                Series(_("Cohort median"), [c["median"] for c in caps], "median"),
                Series(data["provider"].name, [c["score"] for c in caps], "own"),
            ],
            title=_("Five capabilities against the cohort median"),
        )
    if t["labels"]:
        series = [Series(_("Overall"), t["overall"], "overall")]
        series += [Series(str(selectors.CAPABILITY_LABELS[k]), v, k) for k, v in t["capabilities"].items()]
        context["trend_chart"] = trend_svg(t["labels"], series, title=_("Scores over past cycles"))
        context["trend_legend"] = [s.label for s in series]
        context["trend_rows"] = [
            {"label": label, "values": [s.values[i] for s in series]} for i, label in enumerate(t["labels"])
        ]
    return {
        "head": render_to_string("portal/_dashboard_head.html", context, request=request),
        "tail": render_to_string("portal/_dashboard_tail.html", context, request=request),
    }


@provider_page
def metric_explain(request, provider_id, score_id: int, key: str):
    data = selectors.metric_explanation(request.user, score_id, key)
    if data is None:
        raise Http404
    data["definition"] = METRIC_DEFINITIONS.get(key, "")
    return render(request, "portal/metric.html", data)


@provider_page
def merchant_detail(request, provider_id, merchant_id: int):
    merchant = get_object_or_404(scoring_selectors.diagnosable_merchants(request.user), pk=merchant_id)
    diagnosis = scoring_selectors.merchant_diagnosis(merchant=merchant)
    figures = [{**f, "label": FIGURE_LABELS.get(f["key"], f["key"])} for f in diagnosis["figures"]]
    return render(request, "portal/merchant.html", {"merchant": merchant, "diagnosis": diagnosis, "figures": figures})


@provider_page
def appeal_file(request, provider_id, decision_id: int):
    """GET: the appeal form for one of the provider's decisions; POST: file it (H8's appeal_file)."""
    decision = get_object_or_404(Decision.objects.restrict(request.user), pk=decision_id)
    window = appeals_service.appeal_window(decision)
    errors = {}
    if request.method == "POST":
        try:
            appeals_service.appeal_file(
                decision=decision,
                filed_by=request.user,
                statement=request.POST.get("statement", ""),
                attachments=request.FILES.getlist("attachments"),
            )
        except ValidationError as exc:
            errors = {"__all__": [refusal_message(exc)]}
        except PermissionDenied:
            raise Http404 from None
        else:
            days = appeals_service.DECIDE_WITHIN.days
            messages.success(
                request,
                format_html(
                    '{} <a href="#filed">{}</a> · <a href="{}">{}</a>',
                    _("Your appeal is filed; staff decide within %(days)d days.") % {"days": days},
                    _("See what you filed"),
                    reverse("portal:dashboard"),
                    _("Back to the dashboard"),
                ),
            )
            return redirect("portal:appeal", decision_id=decision.pk)
    filed = list(
        Appeal.objects.restrict(request.user)
        .filter(decision=decision)
        .select_related("outcome")
        .prefetch_related("attachments")
        .order_by("filed_at", "id")
    )
    return render(
        request,
        "portal/appeal.html",
        {
            "decision": decision,
            "window": window,
            "errors": errors,
            "statement": request.POST.get("statement", ""),
            "filed": filed,
        },
    )


@provider_page
def inbox(request, provider_id):
    """GET (reads only): the provider's notifications (cycle results), its appeal outcomes and the decisions about
    it, newest first, unread ones marked; POST: mark one notification (``id``) or decision (``decision``: an appeal's
    outcome is its decision) read, or everything (certification.services.notifications_mark_read,
    decisions_mark_read: only the provider's own)."""
    if request.method == "POST":
        changed = 0
        if "id" in request.POST:  # one notification (a malformed id marks nothing)
            one = request.POST["id"]
            ids = [int(one)] if one.isdigit() else []
            changed = cert_services.notifications_mark_read(user=request.user, notification_ids=ids) if ids else 0
        elif "decision" in request.POST:  # one decision or appeal outcome
            one = request.POST["decision"]
            ids = [int(one)] if one.isdigit() else []
            changed = cert_services.decisions_mark_read(user=request.user, decision_ids=ids)
        else:  # everything
            changed = cert_services.notifications_mark_read(user=request.user)
            changed += cert_services.decisions_mark_read(user=request.user)
        messages.success(request, _("Marked as read: %(n)d.") % {"n": changed})
        return redirect("portal:inbox")
    return render(request, "portal/inbox.html", selectors.inbox(request.user, provider_id))
