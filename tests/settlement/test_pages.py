"""Portal and console pages of settlement: own statements only, lines drillable to sessions, CSV with a BOM, the
printable page, confirm/dispute, finance actions, and query budgets that do not grow with the lines."""

import datetime as dt
from decimal import Decimal

import pytest

from settlement import services
from settlement.models import Statement
from tests import factories
from tests.conftest import page_client

from . import world as w

pytestmark = pytest.mark.django_db
MARCH = dt.date(2025, 3, 1)


@pytest.fixture
def march(roles):
    world = w.build()
    services.statements_make(month=MARCH)
    world["statement"] = Statement.objects.get(provider=world["p"], month=MARCH)
    world["user"] = factories.ProviderUserFactory(provider=world["p"]).user
    return world


def test_provider_pages(march, outsider, staff):
    st, client = march["statement"], page_client(march["user"], "en")
    listing = client.get("/portal/statements/")
    assert listing.status_code == 200 and b"2025-03" in listing.content
    page = client.get(f"/portal/statements/{st.pk}/")
    assert page.status_code == 200 and b"2,920.00" in page.content and b"Unsettled sessions" in page.content
    line = client.get(f"/portal/statements/{st.pk}/lines/2/")
    assert line.status_code == 200 and march["sessions"][0].external_id.encode() in line.content
    csv = client.get(f"/portal/statements/{st.pk}/csv/")
    assert csv["Content-Type"].startswith("text/csv") and csv.content.startswith(b"\xef\xbb\xbf")
    assert b"Commission" in csv.content
    printable = client.get(f"/portal/statements/{st.pk}/print/")
    assert printable.status_code == 200 and b"print.css" in printable.content and b"<nav" not in printable.content
    for other in (page_client(outsider), page_client(staff)):
        assert other.get(f"/portal/statements/{st.pk}/").status_code == 404
        assert other.get(f"/portal/statements/{st.pk}/csv/").status_code == 404
    # dispute without a reason: refused, nothing changed; with one: disputed
    client.post(f"/portal/statements/{st.pk}/dispute/", {"reason": " "})
    st.refresh_from_db()
    assert st.state == "draft"
    client.post(f"/portal/statements/{st.pk}/dispute/", {"reason": "fee"})
    st.refresh_from_db()
    assert st.state == "disputed"


def test_chinese_csv(march):
    client = page_client(march["user"], "zh-hans")
    csv = client.get(f"/portal/statements/{march['statement'].pk}/csv/").content.decode("utf-8-sig")
    assert "佣金" in csv


def test_finance_console_flow(march, finance, auditor):
    st = march["statement"]
    services.statement_confirm(statement=st, user=march["user"])
    client = page_client(finance, "en")
    assert client.get("/console/statements/?state=confirmed").status_code == 200
    assert page_client(auditor).post(f"/console/statements/{st.pk}/approve/").status_code == 403
    client.post(f"/console/statements/{st.pk}/approve/")
    client.post(f"/console/statements/{st.pk}/invoice/", {"invoice_number": "FP-9"})
    client.post(f"/console/statements/{st.pk}/payout/", {"idempotency_key": "page-1"})
    st.refresh_from_db()
    assert (st.state, st.invoice_number, st.payout.amount) == ("approved", "FP-9", Decimal("2920.00"))
    assert page_client(march["user"]).get(f"/console/statements/{st.pk}/").status_code == 404


def test_statement_page_query_budget_does_not_grow_with_lines(march, django_assert_max_num_queries):
    p, client = march["p"], page_client(march["user"])
    for _ in range(30):  # 30 more engagements with agreements: 120 more lines next month
        e = factories.EngagementFactory(provider=p, start_date=dt.date(2025, 3, 1))
        w.agreement(e, (dt.date(2025, 3, 1), "100.00", "0.1", "0"))
    services.statements_make(month=dt.date(2025, 4, 1))
    april = Statement.objects.get(provider=p, month=dt.date(2025, 4, 1))
    assert april.lines.count() > 120
    with django_assert_max_num_queries(12):
        assert client.get(f"/portal/statements/{april.pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/portal/statements/{march['statement'].pk}/").status_code == 200
