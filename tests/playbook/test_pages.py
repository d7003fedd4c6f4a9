"""Portal and console pages of plans and reviews: who sees what, ticking through a page, query budgets, Chinese."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from playbook import services
from playbook.models import ItemTick, OperationPlan, PlaybookItem
from providers.ingest import ingest_rows
from tests.conftest import make_staff, page_client

from . import world as wd
from .test_services import linked_plan, make_plan, state

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(provider, other_provider, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return wd.build(provider, other_provider)


@pytest.fixture
def reviewed(w, provider_user, provider):
    plan = linked_plan(w, provider_user)
    ingest_rows(rows=[wd.final_row(w, provider)])
    services.reviews_refresh()
    plan.refresh_from_db()
    return plan


def test_the_plan_list_page_has_a_query_budget(w, provider_user, django_assert_max_num_queries):
    for day in range(1, 21):
        make_plan(w, provider_user, planned_date=wd.PLAN_DAY.replace(day=day), title=f"plan {day}")
    client = page_client(provider_user, language="en")
    with django_assert_max_num_queries(12):
        r = client.get("/portal/plans/")
    assert r.status_code == 200 and r.content.decode().count('data-status="preparing"') == 20


def test_a_plan_is_created_and_ticked_through_the_pages(w, provider_user):
    client = page_client(provider_user, language="en")
    r = client.post(
        "/portal/plans/",
        {
            "engagement": w["engagement"].pk,
            "lead_operator": w["operator"].pk,
            "planned_date": "2025-06-18",
            "title": "Page plan",
            "target_gmv": "80000",
        },
    )
    plan = OperationPlan.objects.get(title="Page plan")
    assert r.status_code == 302 and r["Location"] == f"/portal/plans/{plan.pk}/"
    goal = PlaybookItem.objects.get(stage__playbook=plan.playbook, key="goal")
    client.post(f"/portal/plans/{plan.pk}/", {"action": "tick", "item": goal.pk, "text": "Beat last year"})
    assert ItemTick.objects.get(plan=plan, item=goal).text == "Beat last year"
    sheet = PlaybookItem.objects.get(stage__playbook=plan.playbook, key="lineup_sheet")
    before = state()
    r = client.post(
        f"/portal/plans/{plan.pk}/",
        {"action": "tick", "item": sheet.pk, "file": SimpleUploadedFile("x.pdf", b"not a pdf")},
        follow=True,
    )
    assert "must be a PDF, JPEG or PNG" in r.content.decode()
    r = client.post(f"/portal/plans/{plan.pk}/", {"action": "ready"}, follow=True)
    assert "required items are still open" in r.content.decode()
    assert state() == before
    page = client.get(f"/portal/plans/{plan.pk}/").content.decode()
    assert 'data-item="goal" data-done="yes"' in page and "ticked by provider_user" in page


def test_a_bad_plan_form_says_why_and_writes_nothing(w, provider_user):
    before = state()
    r = page_client(provider_user, language="en").post(
        "/portal/plans/",
        {"engagement": w["engagement"].pk, "lead_operator": w["other_operator"].pk, "planned_date": "2025-06-18"},
    )
    assert r.status_code == 200 and "does not employ this operator" in r.content.decode()
    assert state() == before


def test_plans_and_reviews_are_the_providers_own(w, reviewed, provider_user, outsider, roles):
    review = reviewed.review
    for url in (f"/portal/plans/{reviewed.pk}/", f"/portal/reviews/{review.pk}/"):
        assert page_client(provider_user, language="en").get(url).status_code == 200
        assert page_client(outsider, language="en").get(url).status_code == 404
    staff = make_staff(roles, "auditor", username="reader")
    assert (
        page_client(staff, language="en").get(f"/portal/plans/{reviewed.pk}/").status_code == 404
    )  # the portal is per provider
    for url in ("/console/plans/", f"/console/plans/{reviewed.pk}/", f"/console/reviews/{review.pk}/"):
        r = page_client(staff, language="en").get(url)
        assert r.status_code == 200 and "618 big session" in r.content.decode()
        assert page_client(provider_user, language="en").get(url).status_code == 404


def test_the_review_page_has_a_query_budget_and_shows_the_figures(
    reviewed, provider_user, django_assert_max_num_queries
):
    client = page_client(provider_user, language="en")
    with django_assert_max_num_queries(8):
        r = client.get(f"/portal/reviews/{reviewed.review.pk}/")
    html = r.content.decode()
    assert "¥150,000.00" in html and "150.0%" in html and "1,400.0%" in html  # GMV 1.5× the target; uplift 14×
    assert 'id="no-curves"' in html and 'data-item="setup_sheet"' in html
    r = client.post(f"/portal/reviews/{reviewed.review.pk}/", {"notes": "Coupon too late."})
    reviewed.review.refresh_from_db()
    assert reviewed.review.notes == "Coupon too late."


def test_the_pages_read_in_chinese(reviewed, provider_user):
    client = page_client(provider_user, language="zh-hans")
    html = client.get(f"/portal/plans/{reviewed.pk}/").content.decode()
    assert "诊断" in html and "近7天GMV（元）" in html and "Sessions in the last 7 days" not in html
    html = client.get(f"/portal/reviews/{reviewed.review.pk}/").content.decode()
    assert "复盘" in html and "目标" in html


def test_a_review_with_600_minutes_of_curves_draws_them_within_its_query_budget(
    reviewed, provider_user, django_assert_max_num_queries
):
    from playbook.reviews import exit_spikes

    from .curves import SERIES, curves

    review = reviewed.review
    review.curves = curves(600)
    review.exit_spikes = exit_spikes(review.curves)
    review.save(update_fields=["curves", "exit_spikes"])
    # Exits jump by 40 at every 100th minute: Δ5 is 5 × 2 + 40 at minutes 100…104, 200…, earliest first.
    assert [s["minute"] for s in review.exit_spikes] == [100, 101, 102]
    client = page_client(provider_user, language="en")
    with django_assert_max_num_queries(8):
        html = client.get(f"/portal/reviews/{review.pk}/").content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == len(SERIES)
    assert 'data-series="exits"' in html and "minute 100: 50 exits in 5 minutes" in html
    assert "SKU 90" in html  # the event 10 minutes before the spike at 100 is not "around" it, but is on the curve


def test_staff_see_which_records_are_public(w, provider_user, roles):
    from certification import services as cert_services
    from core.dates import shanghai_today

    cert = cert_services.certificate_issue_operator(operator=w["operator"], level="senior", valid_from=shanghai_today())
    services.record_consent_give(actor=provider_user, operator=w["operator"])
    staff = make_staff(roles, "auditor", username="reader")
    html = page_client(staff, language="en").get("/console/operator-records/").content.decode()
    assert f'href="/verify/operators/{cert.number}/"' in html and "Lead Operator" in html
    assert page_client(provider_user, language="en").get("/console/operator-records/").status_code == 404
