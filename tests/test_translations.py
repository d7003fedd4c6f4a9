"""The zh_Hans catalogue: English msgids only, each translated and not fuzzy, and the committed .mo built from it."""

import re
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
# CJK ideographs (with extension A and compatibility forms), CJK punctuation and full-width forms.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
PROJECT_APPS = {"core", "providers", "scoring", "certification", "portal"}


@pytest.fixture(scope="module")
def entries():
    return [e for e in polib.pofile(str(CATALOGUE / "django.po")) if not e.obsolete]


def translations(catalogue):
    """{(msgctxt, msgid, msgid_plural): msgstr or the tuple of plural msgstrs} of a .po or .mo."""
    return {
        (e.msgctxt, e.msgid, e.msgid_plural): (
            tuple(e.msgstr_plural[n] for n in sorted(e.msgstr_plural)) if e.msgid_plural else e.msgstr
        )
        for e in catalogue
        if not e.obsolete
    }


def test_every_msgid_has_a_chinese_msgstr_and_none_is_fuzzy(entries):
    assert len(entries) > 500  # the real catalogue, not an empty file
    assert not polib.pofile(str(CATALOGUE / "django.po")).metadata_is_fuzzy
    fuzzy = [e.msgid for e in entries if e.fuzzy]
    missing = [
        e.msgid
        for e in entries
        if not (all(e.msgstr_plural.values()) if e.msgid_plural else e.msgstr)
        or (e.msgid_plural and len(e.msgstr_plural) != 1)  # Chinese has one plural form
    ]
    assert (fuzzy, missing) == ([], [])


def test_no_msgid_contains_chinese(entries):
    """English is the msgid language; the Chinese lives only in the msgstr."""
    chinese = [(e.msgctxt, e.msgid) for e in entries if CJK.search(f"{e.msgctxt or ''}{e.msgid}{e.msgid_plural}")]
    assert chinese == []


def test_committed_mo_is_compiled_from_the_po():
    """A .po edited without `manage.py compilemessages` would leave the pages on the old translations."""
    po = polib.pofile(str(CATALOGUE / "django.po"))
    mo = polib.mofile(str(CATALOGUE / "django.mo"))
    assert translations(mo) == translations(po.translated_entries())
    assert mo.metadata["Plural-Forms"] == po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"


def lazy_texts():
    """Every lazily translated label of the project's models: app and model names, field names, choices."""
    for app in apps.get_app_configs():
        if app.name not in PROJECT_APPS:
            continue
        yield app.verbose_name
        for model in app.get_models():
            yield model._meta.verbose_name  # (a plural nobody set is "{verbose_name}s", not a msgid)
            for field in model._meta.get_fields():
                yield getattr(field, "verbose_name", None)
                yield from (label for _, label in getattr(field, "flatchoices", None) or [])


def test_every_model_label_is_in_the_catalogue(entries):
    msgids = {e.msgid for e in entries}
    labels = [text for text in lazy_texts() if isinstance(text, Promise)]
    with translation.override("en"):  # no English catalogue: a lazy text reads as its msgid
        absent = sorted({str(text) for text in labels} - msgids)
    assert len(labels) > 100 and absent == []


def test_chinese_is_the_default_and_english_shows_the_msgids():
    from certification.choices import CertificateStatus, DecisionKind
    from providers.choices import ProviderStatus

    assert settings.LANGUAGE_CODE == "zh-hans"
    translation.deactivate()  # the default, whatever language the last request of another test activated
    labels = [DecisionKind.WARN.label, CertificateStatus.ACTIVE.label, ProviderStatus.ACTIVE.label]
    assert [str(label) for label in labels] == ["预警", "有效", "正常"]
    with translation.override("en"):
        assert [str(label) for label in labels] == ["Warning", "Active", "Active"]
