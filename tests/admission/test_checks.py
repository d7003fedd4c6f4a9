"""The automatic admission checks, each at its boundary, run through the submit/approve services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from admission.checks import check_label, evidence_error_text, lookback_start, run_checks
from admission.choices import Check
from admission.models import AdmissionApplication, AdmissionDocument
from admission.services import admission_submit
from certification.ledger import decision_append
from providers.files import MAX_DOCUMENT_BYTES
from providers.validators import credit_code_check_char
from tests import factories

from .support import (
    JPEG,
    PNG,
    certified_operator,
    check,
    complete_application,
    credit_code,
    sized_pdf,
    upload,
)

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
ON = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def applicant(db):
    return factories.UserFactory(username="applicant")


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def wrong_check_char(code: str) -> str:
    return code[:17] + ("0" if code[17] != "0" else "1")


def results_on(app, on=ON):
    return run_checks(AdmissionApplication.objects.get(pk=app.pk), on=on)


def ops_certified_on(on, n):
    return [certified_operator(today=on) for _ in range(n)]


@pytest.mark.django_db
def test_complete_application_passes_every_check_and_submit_stores_them(applicant):
    app = complete_application(applicant)
    admission_submit(application=app, actor=applicant)
    app.refresh_from_db()
    assert app.status == "submitted"
    assert [r["check"] for r in app.checks] == list(Check.values)
    assert all(r["passed"] for r in app.checks), [r for r in app.checks if not r["passed"]]
    assert app.checks_run_at is not None and app.submitted_at is not None
    licence = check(app, "business_licence")["evidence"]
    assert licence["content_type"] == "application/pdf"
    assert licence["size"] == AdmissionDocument.objects.get(application=app).size


@pytest.mark.django_db
def test_submission_with_failing_checks_is_stored_with_evidence(applicant):
    app = complete_application(
        applicant, credit_code=wrong_check_char(credit_code(4)), registered_capital=Decimal("10.00"), operators=[]
    )
    # Submitted in Chinese (the default), stored in English with the error's code and parameters.
    with translation.override("zh-hans"):
        admission_submit(application=app, actor=applicant)
    app.refresh_from_db()
    failed = {r["check"] for r in app.checks if not r["passed"]}
    assert failed == {"credit_code", "registered_capital", "certified_operators"}
    expected = credit_code_check_char(app.credit_code[:17])
    assert check(app, "credit_code")["evidence"] == {
        "credit_code": app.credit_code,
        "error": f"The check character of this credit code is wrong (GB 32100-2015): expected {expected}.",
        "errors": [{"code": "credit_code_check_digit", "params": {"expected": expected}}],
    }
    assert check(app, "credit_code")["label"] == "Valid unified social credit code"
    assert check(app, "certified_operators")["evidence"] == {
        "checked_on": timezone.localdate().isoformat(),
        "proposed": 0,
        "certified": 0,
        "counting": 0,
        "minimum": 3,
        "operators": [],
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("capital", "passed"), [("999999.99", False), ("1000000.00", True)])
def test_registered_capital_boundary(applicant, capital, passed):
    app = complete_application(applicant, registered_capital=Decimal(capital))
    result = check(results_on(app, timezone.localdate()), "registered_capital")
    assert result["passed"] is passed
    assert result["evidence"] == {"registered_capital": capital, "minimum": "1000000.00"}


@pytest.mark.django_db
@pytest.mark.parametrize(("deposit", "passed"), [("49999.99", False), ("50000.00", True)])
def test_deposit_boundary(applicant, deposit, passed):
    app = complete_application(applicant, deposit_amount=Decimal(deposit))
    assert check(results_on(app, timezone.localdate()), "deposit")["passed"] is passed


@pytest.mark.django_db
@pytest.mark.parametrize(("n", "passed"), [(2, False), (3, True)])
def test_certified_operators_boundary(applicant, n, passed):
    # Uncertified, expired, suspended and not-yet-valid certificates never count.
    others = [
        factories.OperatorFactory(),
        certified_operator(valid_from=ON - dt.timedelta(days=800), valid_until=ON - dt.timedelta(days=1)),
        certified_operator(today=ON, status="suspended"),
        certified_operator(today=ON, status="revoked"),
        certified_operator(valid_from=ON + dt.timedelta(days=1), valid_until=ON + dt.timedelta(days=700)),
    ]
    app = complete_application(applicant, operators=ops_certified_on(ON, n) + others)
    result = check(results_on(app), "certified_operators")
    assert result["passed"] is passed
    assert (result["evidence"]["proposed"], result["evidence"]["certified"]) == (n + 5, n)


@pytest.mark.django_db
def test_certificate_valid_on_its_first_and_last_day(applicant):
    ops = [
        certified_operator(valid_from=ON, valid_until=ON + dt.timedelta(days=10)),
        certified_operator(valid_from=ON - dt.timedelta(days=10), valid_until=ON),
        certified_operator(today=ON),
    ]
    app = complete_application(applicant, operators=ops)
    assert check(results_on(app), "certified_operators")["passed"] is True
    assert check(results_on(app, ON + dt.timedelta(days=1)), "certified_operators")["passed"] is False


@pytest.mark.django_db
def test_credit_code_check(applicant):
    good = complete_application(applicant, credit_code=credit_code(5))
    bad = complete_application(applicant, credit_code=wrong_check_char(credit_code(6)))
    assert check(results_on(good), "credit_code")["passed"] is True
    result = check(results_on(bad), "credit_code")
    assert result["passed"] is False and "GB 32100" in result["evidence"]["error"]


@pytest.mark.django_db
def test_licence_must_expire_after_the_check_date(applicant):
    app = complete_application(applicant, licence_expires_on=ON)
    assert check(results_on(app, ON), "business_licence")["passed"] is False
    assert check(results_on(app, ON - dt.timedelta(days=1)), "business_licence")["passed"] is True


@pytest.mark.django_db
def test_licence_document_missing_fails(applicant):
    app = complete_application(applicant, licence=None)
    assert not AdmissionDocument.objects.filter(application=app).exists()
    result = check(results_on(app, timezone.localdate()), "business_licence")
    assert result["passed"] is False and result["evidence"]["error"] == "No business licence document uploaded."
    assert result["evidence"]["errors"] == [{"code": "document_missing", "params": {}}]


@pytest.mark.django_db
def test_stored_errors_are_read_in_the_readers_language(applicant):
    """Whatever language ran the checks, the stored result is the same; the reader's language says it."""
    app = complete_application(applicant, credit_code="91350100M000100Y4", licence=None, licence_expires_on=None)
    with translation.override("zh-hans"):
        chinese_run = run_checks(app, on=ON)
    with translation.override("en"):
        english_run = run_checks(app, on=ON)
    assert chinese_run == english_run
    code_check, licence = check(chinese_run, "credit_code"), check(chinese_run, "business_licence")
    assert code_check["evidence"]["errors"] == [{"code": "credit_code_length", "params": {"n": 17}}]
    with translation.override("zh-hans"):
        assert evidence_error_text(code_check["evidence"]) == "统一社会信用代码为 18 位，此代码为 17 位。"
        assert evidence_error_text(licence["evidence"]) == "未上传营业执照文件。"
        assert check_label(code_check) == "统一社会信用代码有效"
    with translation.override("en"):
        assert evidence_error_text(code_check["evidence"]) == (
            "A unified social credit code has 18 characters; this one has 17."
        )
        assert evidence_error_text(licence["evidence"]) == "No business licence document uploaded."
        assert check_label(code_check) == "Valid unified social credit code"
    # Evidence stored before codes were recorded is shown as stored.
    assert evidence_error_text({"error": "legacy text"}) == "legacy text"


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "name", "sniffed"), [(PNG, "scan.pdf", "image/png"), (JPEG, "scan", "image/jpeg")])
def test_images_are_recognised_by_content(applicant, content, name, sniffed):
    app = complete_application(applicant, licence=upload(content, name, "application/pdf"))
    doc = AdmissionDocument.objects.get(application=app)
    assert doc.content_type == sniffed
    assert check(results_on(app, timezone.localdate()), "business_licence")["passed"] is True


@pytest.mark.django_db
def test_a_stored_file_that_is_not_a_document_fails_the_check(applicant):
    """The check re-reads the stored bytes: a file replaced behind the upload rule still fails."""
    app = complete_application(applicant)
    doc = AdmissionDocument.objects.get(application=app)
    with open(doc.file.path, "wb") as fh:
        fh.write(b"MZ\x90\x00 not a pdf")
    result = check(results_on(app, timezone.localdate()), "business_licence")
    assert result["passed"] is False and "not a PDF, JPEG or PNG" in result["evidence"]["error"]


@pytest.mark.django_db
def test_ten_megabytes_exactly_is_accepted(applicant):
    app = complete_application(applicant, licence=upload(sized_pdf(MAX_DOCUMENT_BYTES)))
    assert AdmissionDocument.objects.get(application=app).size == 10 * 1024 * 1024
    assert check(results_on(app, timezone.localdate()), "business_licence")["passed"] is True


@pytest.mark.django_db
@pytest.mark.parametrize(("days", "passed"), [(89, False), (90, True)])
def test_rejected_applicant_waits_ninety_days(applicant, days, passed):
    code = credit_code(7)
    old = complete_application(applicant, code=code)
    AdmissionApplication.objects.filter(pk=old.pk).update(
        status="rejected", decided_at=at(ON - dt.timedelta(days=days))
    )
    app = complete_application(applicant, code=code)
    result = check(results_on(app), "rejection_wait")
    assert result["passed"] is passed
    assert result["evidence"]["days_since"] == days
    assert result["evidence"]["eligible_on"] == (ON - dt.timedelta(days=days) + dt.timedelta(days=90)).isoformat()


@pytest.mark.django_db
def test_rejection_wait_counts_shanghai_calendar_days(applicant):
    """Rejected at 23:30 Shanghai (15:30 UTC): day 0 is that Shanghai date, not the UTC one."""
    code = credit_code(8)
    old = complete_application(applicant, code=code)
    rejected = dt.datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI)
    AdmissionApplication.objects.filter(pk=old.pk).update(status="rejected", decided_at=rejected)
    app = complete_application(applicant, code=code)
    assert check(results_on(app, dt.date(2026, 5, 29)), "rejection_wait")["passed"] is False  # day 89
    assert check(results_on(app, dt.date(2026, 5, 30)), "rejection_wait")["passed"] is True  # day 90


@pytest.mark.django_db
def test_rejection_of_another_company_does_not_count(applicant):
    old = complete_application(applicant, code=credit_code(9))
    AdmissionApplication.objects.filter(pk=old.pk).update(status="rejected", decided_at=at(ON))
    app = complete_application(applicant, code=credit_code(10))
    assert check(results_on(app), "rejection_wait")["passed"] is True


@pytest.mark.django_db
def test_serious_violation_within_twelve_months(applicant):
    code = credit_code(11)
    provider = factories.ProviderFactory(credit_code=code, status="delisted")
    start = lookback_start(ON)
    assert start == dt.date(2025, 6, 15)
    app = complete_application(applicant, code=code)
    factories.ViolationFactory(provider=provider, severity="serious", occurred_at=at(start - dt.timedelta(days=1), 23))
    factories.ViolationFactory(provider=provider, severity="major", occurred_at=at(ON))
    factories.ViolationFactory(provider=provider, severity="serious", status="overturned", occurred_at=at(ON))
    assert check(results_on(app), "no_serious_violation")["passed"] is True
    inside = factories.ViolationFactory(provider=provider, severity="serious", occurred_at=at(start, 0))
    result = check(results_on(app), "no_serious_violation")
    assert result["passed"] is False
    assert [v["id"] for v in result["evidence"]["violations"]] == [inside.pk]


@pytest.mark.django_db
def test_delisting_within_twelve_months_blocks_and_older_does_not(applicant, staff):
    code = credit_code(12)
    provider = factories.ProviderFactory(credit_code=code, status="delisted")
    app = complete_application(applicant, code=code)
    # Delisted without any ledger record: its date is unknown, so it blocks.
    assert check(results_on(app), "no_recent_delisting")["passed"] is False
    # A proposal awaiting approval is not a delisting.
    proposal = decision_append(kind="delist", provider=provider, reason_code="serious_violation", status="pending")
    assert check(results_on(app), "no_recent_delisting")["passed"] is False
    old = decision_append(
        kind="delist",
        provider=provider,
        reason_code="serious_violation",
        refers_to=proposal,
        effective_at=at(lookback_start(ON) - dt.timedelta(days=1)),
        decided_by=staff,
    )
    results = results_on(app)
    assert check(results, "no_recent_delisting")["passed"] is True
    assert check(results, "not_already_provider")["passed"] is True  # a delisted company may apply again
    recent = decision_append(
        kind="delist", provider=provider, reason_code="serious_violation", effective_at=at(lookback_start(ON), 0)
    )
    result = check(results_on(app), "no_recent_delisting")
    assert result["passed"] is False
    assert [d["decision_id"] for d in result["evidence"]["delistings"]] == [recent.pk]
    assert old.pk != recent.pk


@pytest.mark.django_db
def test_an_existing_provider_cannot_apply_again(applicant):
    code = credit_code(13)
    provider = factories.ProviderFactory(credit_code=code, status="probation")
    app = complete_application(applicant, code=code)
    result = check(results_on(app), "not_already_provider")
    assert result == {
        "check": "not_already_provider",
        "label": "The credit code is not already a provider",  # stored in English, whoever submitted
        "passed": False,
        "evidence": {"provider_id": provider.pk, "provider_status": "probation"},
    }


@pytest.mark.django_db
def test_applications_for_one_company_are_decided_in_submission_order(applicant):
    code = credit_code(14)
    first = complete_application(applicant, code=code)
    second = complete_application(applicant, code=code)
    assert check(results_on(second), "no_other_open_application")["passed"] is True  # drafts do not count
    admission_submit(application=first, actor=applicant)
    admission_submit(application=second, actor=applicant)
    assert check(results_on(first), "no_other_open_application")["passed"] is True
    result = check(results_on(second), "no_other_open_application")
    assert result["passed"] is False and result["evidence"] == {"earlier_open_application_ids": [first.pk]}
    AdmissionApplication.objects.filter(pk=first.pk).update(status="withdrawn")
    assert check(results_on(second), "no_other_open_application")["passed"] is True


@pytest.mark.django_db
def test_operators_employed_by_another_provider_do_not_count(applicant):
    provider = factories.ProviderFactory()
    ops = ops_certified_on(ON, 3)
    factories.EmploymentFactory(operator=ops[0], provider=provider, start_date=ON - dt.timedelta(days=90))
    # Employment that ended the day before the check date, or starts the day after, does not hold it.
    ended = factories.EmploymentFactory(operator=ops[1], provider=provider, end_date=ON - dt.timedelta(days=1))
    factories.EmploymentFactory(operator=ops[2], provider=provider, start_date=ON + dt.timedelta(days=1))
    app = complete_application(applicant, operators=ops)
    result = check(results_on(app), "certified_operators")
    assert result["passed"] is False
    assert (result["evidence"]["certified"], result["evidence"]["counting"]) == (3, 2)
    by_id = {row["platform_user_id"]: row for row in result["evidence"]["operators"]}
    assert by_id[ops[0].platform_user_id]["employed_by_provider_id"] == provider.pk
    assert [by_id[o.platform_user_id]["counts"] for o in ops] == [False, True, True]
    ended.end_date = ON
    ended.save(update_fields=["end_date"])  # employed on the check date itself: held
    assert check(results_on(app), "certified_operators")["evidence"]["counting"] == 1


@pytest.mark.django_db
def test_two_open_applications_proposing_the_same_operators_both_fail(applicant):
    """Today's bug: two applicants both passed with provider #1's three operators."""
    first_provider = factories.ProviderFactory()
    ops = ops_certified_on(ON, 3)
    for op in ops:
        factories.EmploymentFactory(operator=op, provider=first_provider)
    other_applicant = factories.UserFactory(username="other_applicant")
    mine = complete_application(applicant, code=credit_code(11), operators=ops)
    theirs = complete_application(other_applicant, code=credit_code(12), operators=ops)
    for app in (mine, theirs):
        assert check(results_on(app), "certified_operators")["passed"] is False  # employed by provider #1

    free = ops_certified_on(ON, 3)
    ids = sorted(o.platform_user_id for o in free)
    AdmissionApplication.objects.filter(pk__in=[mine.pk, theirs.pk]).update(proposed_operators=ids)
    # Drafts do not hold operators: each passes alone ...
    assert check(results_on(mine), "certified_operators")["passed"] is True
    admission_submit(application=mine, actor=applicant)
    # ... but once one is open (submitted), the other cannot count them, and neither can the first.
    result = check(results_on(theirs), "certified_operators")
    assert result["passed"] is False and result["evidence"]["counting"] == 0
    assert {tuple(row["proposed_by_application_ids"]) for row in result["evidence"]["operators"]} == {(mine.pk,)}
    admission_submit(application=theirs, actor=other_applicant)
    assert check(results_on(mine), "certified_operators")["passed"] is False
    # Withdrawn, the other application no longer holds them.
    AdmissionApplication.objects.filter(pk=theirs.pk).update(status="withdrawn")
    assert check(results_on(mine), "certified_operators")["passed"] is True
