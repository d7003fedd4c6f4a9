"""A crawl over every page each persona reaches on the demo data, in both languages: every page answers, and no
page shows a number in exponent form, a raw code, Python dict text or (in Chinese) English sentences."""

import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.conftest import page_client

pytestmark = pytest.mark.django_db

PERSONAS = ["provider1", "provider2", "reviewer", "manager", "appeals", "auditor"]
EXPONENT = re.compile(r"\d(?:\.\d+)?[Ee][+-]\d")  # 5E+1, 0E-10 (a hash's hex digits have no sign)
RAW_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # snake_case: a reason, cohort, check or outcome code
ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}\b")  # three English words in a row
SAME_KIND = 3  # pages of one URL shape visited (e.g. three provider pages, not forty)


class Page(HTMLParser):
    """The visible text of a page (no scripts, styles or SVG internals) and its same-site links."""

    def __init__(self):
        super().__init__()
        self.text, self.links, self._skip = StringIO(), [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self._skip += 1
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith("/") and not href.startswith("//"):
            self.links.append(href.split("#")[0])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.write(data + " ")


def crawl(user, language, start=("/",)):
    client = page_client(user, language)
    seen, shapes, todo, problems = set(), {}, list(start), []
    while todo:
        url = todo.pop(0)
        if url in seen or url.startswith(("/api/", "/admin/", "/accounts/logout")) or "format=csv" in url:
            continue
        shape = re.sub(r"\d+", "N", url.split("?")[0])
        if shapes.get(shape, 0) >= SAME_KIND:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        seen.add(url)
        response = client.get(url, follow=True)
        if "html" not in response.get("Content-Type", ""):
            continue
        if response.status_code != 200:
            problems.append((url, response.status_code))
            continue
        page = Page()
        page.feed(response.content.decode())
        text = page.text.getvalue()
        for name, pattern in (("exponent", EXPONENT), ("code", RAW_CODE)):
            problems += [(url, name, m) for m in pattern.findall(text)]
        if "{'" in text or "{&#x27;" in response.content.decode():
            problems.append((url, "dict"))
        if language == "zh-hans":
            problems += [(url, "english", m) for m in ENGLISH.findall(text)]
        todo += [link for link in page.links if link not in seen]
    return seen, problems


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses production settings
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_a_persona_reaches_reads_for_people(demo, language):
    users = get_user_model().objects.in_bulk(PERSONAS, field_name="username")
    visited = 0
    for name in PERSONAS:
        seen, problems = crawl(users[name], language)
        assert problems == [], (name, problems[:20])
        visited += len(seen)
    assert visited > 60  # the crawl reached the pages, not only the start page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_public_pages_an_anonymous_visitor_reaches_read_for_people(demo, language):
    """Anonymous: the login, the verification search and a certificate of every kind and status of the demo, and
    what they link (a published operator record)."""
    from certification.models import Certificate

    numbers = {}
    for kind, status, number in Certificate.objects.order_by("id").values_list("kind", "status", "number"):
        numbers.setdefault((kind, status), number)
    start = ["/", "/verify/", *(f"/verify/{n}/" for n in numbers.values())]
    start.append(f"/verify/{min(numbers.values()).lower()}/")  # any letter case
    seen, problems = crawl(None, language, start)
    assert problems == [], problems[:20]
    assert {kind for kind, _ in numbers} == {"provider", "operator"} and len(seen) >= 4
