"""A statement's figures for people go through pages.formats (the portal's CSV export and the lines table); the
API's CSV keeps the API's own values (codes, ISO dates, plain decimals)."""

import csv
import datetime as dt
import io

import pytest

from settlement import services
from settlement.models import Statement
from tests import factories
from tests.conftest import page_client

from . import world as w

pytestmark = pytest.mark.django_db
MARCH, APRIL, MAY = dt.date(2025, 3, 1), dt.date(2025, 4, 1), dt.date(2025, 5, 1)


def rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def march(roles):
    world = w.build()
    services.statements_make(month=MARCH)
    world["statement"] = Statement.objects.get(provider=world["p"], month=MARCH)
    world["user"] = factories.ProviderUserFactory(provider=world["p"]).user
    return world


@pytest.mark.parametrize(("language", "kind"), [("en", "Commission"), ("zh-hans", "佣金")])
def test_the_portal_csv_formats_its_figures_as_the_page_does(march, language, kind):
    st = march["statement"]
    got = rows(page_client(march["user"], language).get(f"/portal/statements/{st.pk}/csv/").content)
    e1 = str(march["e1"].pk)
    assert got[2] == ["2", kind, "2025-03", "", e1, march["m1"].name, "2", "¥340.00"]
    assert got[1][-1] == "¥2,200.00" and got[1][-2] == "0"  # a fixed fee rests on no session
    assert got[-1][1:3] == ["Total" if language == "en" else "合计", "2025-03"]
    assert got[-1][-1] == "¥2,920.00"  # every fen, with separators, never in 万


def test_the_api_csv_keeps_the_apis_values(march, client_for):
    st = march["statement"]
    got = rows(client_for(march["user"]).get(f"/api/v1/statements/{st.pk}/csv/").content)
    assert got[0][:4] == ["id", "position", "kind", "for_month"]
    header = got[0]
    commission = dict(zip(header, got[2], strict=True))
    assert (commission["kind"], commission["for_month"], commission["amount"]) == ("commission", "2025-03-01", "340.00")
    total = dict(zip(header, got[-1], strict=True))
    assert (total["kind"], total["amount"]) == ("total", "2920.00")


def test_the_lines_table_marks_adjustments_and_the_carried_total_and_links_sessions(roles):
    world = w.build()
    p = world["p"]
    world["m1"].name = "<b>M&1</b>"
    world["m1"].save()
    services.statements_make(month=MARCH)
    s = world["sessions"][0]
    s.provider = world["q"]  # re-attributed: March is adjusted in April
    s.save()
    from providers.models import Engagement

    Engagement.objects.filter(pk=world["e1"].pk).update(end_date=dt.date(2025, 3, 31))
    services.statements_make(month=APRIL)
    services.statements_make(month=MAY)
    april = Statement.objects.get(provider=p, month=APRIL)
    may = Statement.objects.get(provider=p, month=MAY)
    client = page_client(factories.ProviderUserFactory(provider=p).user, "en")
    page = client.get(f"/portal/statements/{april.pk}/").content.decode()
    e1 = world["e1"].pk
    adjustment = april.lines.get(for_month=MARCH, kind="commission")
    assert (
        f'<tr class="adjustment"><td>{adjustment.position}</td><td>Commission <span class="badge">adjusts 2025-03'
        f"</span></td><td>2025-03</td><td>#{e1} &lt;b&gt;M&amp;1&lt;/b&gt;</td>"
        f'<td><a href="/portal/statements/{april.pk}/lines/{adjustment.position}/">1</a></td>'
        '<td class="num">-¥290.00</td></tr>'
    ) in page
    assert "<b>M&1</b>" not in page
    carried = client.get(f"/portal/statements/{may.pk}/").content.decode()
    assert (
        '<tr class="carried"><td>1</td><td>Carried negative total <span class="muted">(from 2025-04)</span></td>'
        '<td>2025-04</td><td>—</td><td>0</td><td class="num">-¥670.00</td></tr>'
    ) in carried
    printable = client.get(f"/portal/statements/{april.pk}/print/").content.decode()
    assert "adjusts 2025-03" in printable and "/lines/" not in printable  # no drill-down links on paper
