"""The portal and the console are independent: neither's templates reach into the other (the import contract
cannot see a template's {% load %}, {% static %} or {% url %}); what both use comes from pages."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# {% load a b %} libraries, {% static 'x/…' %} paths and {% url 'ns:name' %} namespaces of a template.
LOADS = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")
STATIC = re.compile(r"{%\s*static\s+['\"]([^/'\"]+)/")
URLS = re.compile(r"{%\s*url\s+['\"]([\w-]+):")


def references(module: str) -> dict[str, set[str]]:
    found = {"load": set(), "static": set(), "url": set()}
    for path in sorted((TEMPLATES / module).glob("*.html")):
        text = path.read_text()
        for libraries in LOADS.findall(text):
            found["load"].update(libraries.split())
        found["static"].update(STATIC.findall(text))
        found["url"].update(URLS.findall(text))
    return found


def test_console_templates_use_pages_and_the_domain_never_the_portal():
    found = references("console")
    assert found["load"] == {"i18n", "static", "pages"}
    assert found["static"] <= {"pages", "console"}  # base.html links the pages stylesheet for every page
    assert found["url"] == {"console", "certification"}  # certificates link to their public verification


def test_portal_templates_use_pages_and_the_domain_never_the_console():
    found = references("portal")
    assert found["load"] == {"i18n", "static", "pages"}
    assert found["static"] <= {"pages"}
    assert found["url"] == {"portal", "certification"}
