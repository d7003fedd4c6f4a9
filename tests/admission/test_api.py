"""admission-applications API: personas, the state machine, documents and the decision ledger."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from admission.models import AdmissionApplication, AdmissionDocument
from admission.services import admission_start_review, admission_submit
from certification.ledger import ledger_verify
from certification.models import Certificate, Decision
from providers.files import MAX_DOCUMENT_BYTES, private_storage
from providers.models import Provider, ProviderUser
from tests import factories
from tests.conftest import make_staff

from .support import PDF, certified_operator, check, complete_application, credit_code, sized_pdf, upload

URL = "/api/v1/admission-applications/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def applicant(db):
    return factories.UserFactory(username="applicant")


@pytest.fixture
def other_applicant(db):
    return factories.UserFactory(username="other_applicant")


@pytest.fixture
def reviewer(roles):
    return make_staff(roles, "admission_reviewer", username="reviewer")


def snapshot(app):
    """Everything a refused request must leave as it was."""
    app = AdmissionApplication.objects.get(pk=app.pk)
    return (
        {f.name: getattr(app, f.attname) for f in app._meta.concrete_fields},
        AdmissionDocument.objects.filter(application=app).count(),
        Provider.objects.count(),
        ProviderUser.objects.count(),
        Decision.objects.count(),
    )


def form(**overrides):
    data = {
        "company_name": "杭州星火直播科技有限公司",
        "credit_code": credit_code(1),
        "type": "mcn",
        "province": "浙江",
        "city": "杭州",
        "registered_capital": "1000000.00",
        "deposit_amount": "50000.00",
        "licence_expires_on": (timezone.localdate() + dt.timedelta(days=365)).isoformat(),
    }
    data.update(overrides)
    return data


def under_review(applicant, reviewer, **kwargs):
    app = complete_application(applicant, **kwargs)
    admission_submit(application=app, actor=applicant)
    admission_start_review(application=app, reviewer=reviewer)
    return AdmissionApplication.objects.get(pk=app.pk)


def private_files(media_root):
    folder = media_root / "private" / "admission"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- creating and uploading ---------------------------------------------------------------------


@pytest.mark.django_db
def test_applicant_creates_with_multipart_licence_and_operators(client_for, applicant, media_root):
    ops = [certified_operator() for _ in range(3)]
    data = form(operators=[o.platform_user_id for o in ops], business_licence=upload(PDF, "营业执照.pdf"))
    response = client_for(applicant).post(URL, data, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    app = AdmissionApplication.objects.get(pk=body["id"])
    assert (app.status, app.created_by, app.applicant) == ("draft", applicant, applicant)
    assert app.registered_capital == Decimal("1000000.00") and app.deposit_amount == Decimal("50000.00")
    assert body["operators"] == sorted(o.platform_user_id for o in ops)
    assert body["business_licence"]["content_type"] == "application/pdf"
    assert body["business_licence"]["original_name"] == "营业执照.pdf"
    assert body["checks"] == []
    # Stored privately, under a random name that keeps nothing of the uploaded one, with no URL.
    doc = AdmissionDocument.objects.get(application=app)
    assert doc.file.name.startswith("admission/") and doc.file.name.endswith(".pdf")
    assert "营业执照" not in doc.file.name and len(doc.file.name) == len("admission/") + 32 + 4
    assert private_files(media_root) == [doc.file.name.split("/")[1]]
    assert (media_root / "private" / doc.file.name).read_bytes() == PDF
    with pytest.raises(ValueError, match="no public URL"):
        private_storage.url(doc.file.name)


@pytest.mark.django_db
def test_naming_an_operator_does_not_tell_whether_it_exists(client_for, applicant, staff):
    """A registered and an unknown platform user id are answered alike: stored as supplied, judged by the check."""
    known = certified_operator()
    bodies = []
    for name in (known.platform_user_id, "nobody-registered-this"):
        response = client_for(applicant).post(URL, form(operators=[name]), format="json")
        assert response.status_code == 201, response.json()
        bodies.append(response.json())
        assert bodies[-1]["operators"] == [name]
    assert bodies[0].keys() == bodies[1].keys()
    # Submitted, both fail the operator check the same way for the applicant; only staff see which id is unknown.
    for body in bodies:
        submitted = client_for(applicant).post(f"{URL}{body['id']}/submit/")
        shown = check(submitted.json()["checks"], "certified_operators")
        assert shown["passed"] is False
        assert shown["evidence"]["operators"] == [{"platform_user_id": body["operators"][0]}]
    unknown = client_for(staff).get(f"{URL}{bodies[1]['id']}/").json()
    row = check(unknown["checks"], "certified_operators")["evidence"]["operators"][0]
    assert (row["platform_user_id"], row["registered"], row["counts"]) == ("nobody-registered-this", False, False)
    registered = client_for(staff).get(f"{URL}{bodies[0]['id']}/").json()
    assert check(registered["checks"], "certified_operators")["evidence"]["operators"][0]["registered"] is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (sized_pdf(MAX_DOCUMENT_BYTES + 1), "big.pdf", "document_too_large"),
        (b"GIF89a this is not a pdf", "licence.pdf", "document_type"),
        (b"", "empty.pdf", "document_empty"),
    ],
)
def test_bad_documents_are_refused_and_nothing_is_stored(client_for, applicant, media_root, content, name, code):
    response = client_for(applicant).post(URL, form(business_licence=upload(content, name)), format="multipart")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert "business_licence" in response.json()["errors"]
    assert not AdmissionApplication.objects.exists()
    assert not AdmissionDocument.objects.exists()
    assert private_files(media_root) == []


@pytest.mark.django_db
def test_an_update_with_a_refused_document_changes_nothing(client_for, applicant, media_root):
    app = complete_application(applicant, licence=None)
    before = snapshot(app)
    response = client_for(applicant).patch(
        f"{URL}{app.pk}/",
        {"city": "Elsewhere", "business_licence": upload(b"GIF89a this is not a pdf", "licence.pdf")},
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["code"] == "document_type"
    assert snapshot(app) == before
    app.refresh_from_db()
    assert app.city != "Elsewhere"
    assert not AdmissionDocument.objects.filter(application=app).exists()
    assert private_files(media_root) == []


@pytest.mark.django_db
def test_exactly_ten_megabytes_upload_is_accepted(client_for, applicant):
    app = complete_application(applicant, licence=None)
    url = f"{URL}{app.pk}/document/"
    response = client_for(applicant).post(
        url, {"business_licence": upload(sized_pdf(MAX_DOCUMENT_BYTES))}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["size"] == 10 * 1024 * 1024
    over = client_for(applicant).post(
        url, {"business_licence": upload(sized_pdf(MAX_DOCUMENT_BYTES + 1))}, format="multipart"
    )
    assert over.status_code == 400 and over.json()["code"] == "document_too_large"
    assert AdmissionDocument.objects.filter(application=app).count() == 1


@pytest.mark.django_db
def test_staff_create_on_behalf_of_an_applicant(client_for, reviewer, applicant):
    response = client_for(reviewer).post(URL, form(applicant=applicant.pk), format="json")
    assert response.status_code == 201, response.json()
    app = AdmissionApplication.objects.get()
    assert (app.created_by, app.applicant) == (reviewer, applicant)
    # The applicant sees it; the staff creator may never review it.
    assert client_for(applicant).get(f"{URL}{app.pk}/").status_code == 200


@pytest.mark.django_db
def test_applicant_cannot_apply_on_someone_elses_behalf(client_for, applicant, other_applicant):
    response = client_for(applicant).post(URL, form(applicant=other_applicant.pk), format="json")
    assert response.status_code == 400
    assert not AdmissionApplication.objects.exists()


# --- the flow -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_full_flow_admits_at_l0_and_writes_the_ledger(client_for, applicant, reviewer):
    app = complete_application(applicant)
    response = client_for(applicant).post(f"{URL}{app.pk}/submit/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "submitted"
    assert all(c["passed"] for c in response.json()["checks"])

    response = client_for(reviewer).post(f"{URL}{app.pk}/review/")
    assert response.status_code == 200 and response.json()["status"] == "under_review"

    response = client_for(reviewer).post(f"{URL}{app.pk}/approve/", {"reason": "材料齐全"}, format="json")
    assert response.status_code == 200, response.json()
    app.refresh_from_db()
    provider = Provider.objects.get(credit_code=app.credit_code)
    assert (app.status, app.provider, app.decided_by, app.decision_reason) == (
        "admitted",
        provider,
        reviewer,
        "材料齐全",
    )
    assert (provider.name, provider.type, provider.province, provider.city) == (
        "杭州星火直播科技有限公司",
        "mcn",
        "浙江",
        "杭州",
    )
    assert (provider.status, provider.tier, provider.deposit) == ("active", "L0", Decimal("50000.00"))
    assert provider.admitted_at == app.decided_at
    assert ProviderUser.objects.get(user=applicant).provider == provider
    decision = Decision.objects.get(subject_type="admission_application", subject_id=str(app.pk))
    assert (decision.kind, decision.provider, decision.decided_by, decision.status) == (
        "admit",
        provider,
        reviewer,
        "effective",
    )
    assert decision.reason_code == "admission_checks_passed" and decision.reason_text == "材料齐全"
    assert decision.evidence["application_id"] == app.pk and len(decision.evidence["checks"]) == 10
    assert ledger_verify().broken is None

    # The applicant is now that provider's user and still sees the application and its licence.
    assert client_for(applicant).get(f"{URL}{app.pk}/").json()["provider"] == provider.pk
    assert client_for(applicant).get(f"{URL}{app.pk}/document/").status_code == 200


@pytest.mark.django_db
def test_reject_needs_a_reason_and_writes_the_ledger(client_for, applicant, reviewer):
    app = under_review(applicant, reviewer)
    before = snapshot(app)
    response = client_for(reviewer).post(f"{URL}{app.pk}/reject/", {"reason": "  "}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "reason_required"
    assert snapshot(app) == before

    response = client_for(reviewer).post(f"{URL}{app.pk}/reject/", {"reason": "操盘手资质不足"}, format="json")
    assert response.status_code == 200
    app.refresh_from_db()
    assert (app.status, app.decided_by, app.decision_reason) == ("rejected", reviewer, "操盘手资质不足")
    assert app.provider is None and not Provider.objects.exists() and not ProviderUser.objects.exists()
    decision = Decision.objects.get(subject_type="admission_application", subject_id=str(app.pk))
    assert (decision.kind, decision.provider, decision.reason_code) == ("reject", None, "admission_rejected")
    assert decision.reason_text == "操盘手资质不足" and decision.effective_at == app.decided_at


@pytest.mark.django_db
def test_reviewer_who_created_the_application_is_refused(client_for, reviewer, roles, applicant):
    app = complete_application(reviewer, applicant=applicant)
    admission_submit(application=app, actor=reviewer)
    before = snapshot(app)
    response = client_for(reviewer).post(f"{URL}{app.pk}/review/")
    assert response.status_code == 403
    assert response.json() == {"code": "reviewer_is_creator", "message": "您不能审核自己创建或作为申请人的申请。"}
    response = client_for(reviewer).post(f"{URL}{app.pk}/review/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert response.json() == {
        "code": "reviewer_is_creator",
        "message": "You cannot review an application you created or applied with.",
    }
    assert snapshot(app) == before
    # Another reviewer starts the review; the creator still cannot decide.
    admission_start_review(application=app, reviewer=make_staff(roles, "admission_reviewer", username="second"))
    before = snapshot(app)
    for step in ("approve", "reject"):
        response = client_for(reviewer).post(f"{URL}{app.pk}/{step}/", {"reason": "x"}, format="json")
        assert response.status_code == 403 and response.json()["code"] == "reviewer_is_creator"
    assert snapshot(app) == before


@pytest.mark.django_db
def test_cannot_admit_while_a_check_fails_rerun_at_approval(client_for, applicant, reviewer):
    app = under_review(applicant, reviewer)
    assert all(c["passed"] for c in app.checks)
    # Since submission one operator's certificate was revoked: 2 certified operators remain.
    Certificate.objects.filter(operator__platform_user_id=app.proposed_operators[0]).update(status="revoked")
    before = snapshot(app)
    response = client_for(reviewer).post(f"{URL}{app.pk}/approve/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "admission_checks_failed"
    assert [c["check"] for c in body["errors"]["failed_checks"]] == ["certified_operators"]
    assert body["errors"]["failed_checks"][0]["evidence"]["certified"] == 2
    assert snapshot(app) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "step", "actor"),
    [
        ("draft", "review", "reviewer"),
        ("draft", "approve", "reviewer"),
        ("draft", "reject", "reviewer"),
        ("submitted", "submit", "applicant"),
        ("submitted", "approve", "reviewer"),
        ("submitted", "reject", "reviewer"),
        ("under_review", "review", "reviewer"),
        ("under_review", "submit", "applicant"),
        ("admitted", "withdraw", "applicant"),
        ("admitted", "approve", "reviewer"),
        ("rejected", "withdraw", "applicant"),
        ("rejected", "review", "reviewer"),
        ("withdrawn", "submit", "applicant"),
        ("withdrawn", "withdraw", "applicant"),
    ],
)
def test_illegal_transitions_are_refused_with_409(client_for, applicant, reviewer, status, step, actor):
    app = complete_application(applicant)
    AdmissionApplication.objects.filter(pk=app.pk).update(status=status)
    before = snapshot(app)
    user = {"applicant": applicant, "reviewer": reviewer}[actor]
    response = client_for(user).post(f"{URL}{app.pk}/{step}/", {"reason": "r"}, format="json")
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["errors"]["status"] == status
    assert snapshot(app) == before


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["draft", "submitted", "under_review"])
def test_applicant_withdraws_an_open_application(client_for, applicant, status):
    app = complete_application(applicant)
    AdmissionApplication.objects.filter(pk=app.pk).update(status=status)
    response = client_for(applicant).post(f"{URL}{app.pk}/withdraw/")
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.status == "withdrawn" and app.withdrawn_at is not None


@pytest.mark.django_db
def test_only_drafts_can_be_edited(client_for, applicant):
    app = complete_application(applicant)
    response = client_for(applicant).patch(f"{URL}{app.pk}/", {"registered_capital": "2000000.00"}, format="json")
    assert response.status_code == 200 and response.json()["registered_capital"] == "2000000.00"
    admission_submit(application=app, actor=applicant)
    before = snapshot(app)
    response = client_for(applicant).patch(f"{URL}{app.pk}/", {"registered_capital": "1.00"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    response = client_for(applicant).post(
        f"{URL}{app.pk}/document/", {"business_licence": upload()}, format="multipart"
    )
    assert response.status_code == 409
    assert snapshot(app) == before


@pytest.mark.django_db
def test_readmission_of_a_company_delisted_over_a_year_ago_reinstates_its_record(
    client_for, applicant, reviewer, staff
):
    from certification.ledger import decision_append

    code = credit_code(20)
    old = factories.ProviderFactory(credit_code=code, status="delisted", tier="L3", name="旧名")
    decision_append(
        kind="delist",
        provider=old,
        reason_code="serious_violation",
        decided_by=staff,
        effective_at=timezone.now() - dt.timedelta(days=400),
    )
    app = under_review(applicant, reviewer, code=code)
    response = client_for(reviewer).post(f"{URL}{app.pk}/approve/")
    assert response.status_code == 200, response.json()
    old.refresh_from_db()
    assert (old.status, old.tier, old.name, Provider.objects.count()) == ("active", "L0", "杭州星火直播科技有限公司", 1)
    assert Decision.objects.get(kind="admit").provider == old


# --- who sees what ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_other_applicant_gets_404_for_everything(client_for, applicant, other_applicant):
    app = complete_application(applicant)
    before = snapshot(app)
    client = client_for(other_applicant)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{app.pk}/").status_code == 404
    assert client.get(f"{URL}{app.pk}/document/").status_code == 404
    assert client.patch(f"{URL}{app.pk}/", {"city": "x"}, format="json").status_code == 404
    for step in ("submit", "withdraw"):
        assert client.post(f"{URL}{app.pk}/{step}/").status_code == 404
    assert (
        client.post(f"{URL}{app.pk}/document/", {"business_licence": upload()}, format="multipart").status_code == 404
    )
    assert snapshot(app) == before


@pytest.mark.django_db
def test_applicant_sees_own_and_cannot_review(client_for, applicant, other_applicant):
    mine = complete_application(applicant)
    complete_application(other_applicant, code=credit_code(2))
    client = client_for(applicant)
    assert [a["id"] for a in client.get(URL).json()["results"]] == [mine.pk]
    admission_submit(application=mine, actor=applicant)
    before = snapshot(mine)
    for step in ("review", "approve", "reject"):
        assert client.post(f"{URL}{mine.pk}/{step}/", {"reason": "r"}, format="json").status_code == 403
    assert client.delete(f"{URL}{mine.pk}/").status_code in (403, 405)
    assert snapshot(mine) == before


@pytest.mark.django_db
def test_anonymous_is_refused(client_for, applicant):
    app = complete_application(applicant)
    client = client_for(None)
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}{app.pk}/document/").status_code == 401
    assert client.post(URL, form(), format="json").status_code == 401


@pytest.mark.django_db
def test_document_download_for_staff_and_applicant_only(client_for, applicant, auditor, reviewer, provider_user):
    app = complete_application(applicant)
    url = f"{URL}{app.pk}/document/"
    for user in (applicant, auditor, reviewer):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="business-licence-{app.pk}.pdf"'
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == PDF
    assert client_for(provider_user).get(url).status_code == 404
    # No media URL serves the private folder.
    doc = AdmissionDocument.objects.get(application=app)
    assert client_for(reviewer).get(f"/media/private/{doc.file.name}").status_code == 404


@pytest.mark.django_db
def test_colleagues_of_the_admitted_provider_see_the_application_but_not_the_licence(client_for, applicant, reviewer):
    app = under_review(applicant, reviewer)
    assert client_for(reviewer).post(f"{URL}{app.pk}/approve/").status_code == 200
    colleague = factories.ProviderUserFactory(provider=Provider.objects.get()).user
    assert client_for(colleague).get(f"{URL}{app.pk}/").status_code == 200
    assert client_for(colleague).get(f"{URL}{app.pk}/document/").status_code == 404


@pytest.mark.django_db
def test_auditor_reads_but_cannot_act(client_for, auditor, applicant, reviewer):
    app = complete_application(applicant)
    admission_submit(application=app, actor=applicant)
    client = client_for(auditor)
    assert client.get(URL).json()["count"] == 1
    assert client.get(f"{URL}{app.pk}/").json()["status"] == "submitted"
    before = snapshot(app)
    for step in ("review", "approve", "reject", "withdraw", "submit"):
        assert client.post(f"{URL}{app.pk}/{step}/", {"reason": "r"}, format="json").status_code == 403
    assert client.post(URL, form(credit_code=credit_code(3)), format="json").status_code == 403
    assert client.patch(f"{URL}{app.pk}/", {"city": "x"}, format="json").status_code == 403
    assert snapshot(app) == before
    assert AdmissionApplication.objects.count() == 1


@pytest.mark.django_db
def test_provider_user_cannot_apply_and_sees_nothing_of_others(client_for, provider_user, applicant):
    app = complete_application(applicant)
    client = client_for(provider_user)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{app.pk}/").status_code == 404
    response = client.post(URL, form(credit_code=credit_code(4)), format="json")
    assert response.status_code == 403
    assert response.json()["message"] == "您已属于某个服务商；准入申请仅供新公司使用。"
    response = client.post(URL, form(credit_code=credit_code(4)), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "already belong to a provider" in response.json()["message"]
    assert AdmissionApplication.objects.count() == 1


@pytest.mark.django_db
def test_staff_without_view_permission_is_refused(client_for, applicant, roles):
    app = complete_application(applicant)
    bare_staff = factories.UserFactory(is_staff=True)
    assert client_for(bare_staff).get(URL).status_code == 403
    assert client_for(bare_staff).get(f"{URL}{app.pk}/document/").status_code == 403


@pytest.mark.django_db
def test_list_query_budget(client_for, reviewer, applicant, django_assert_max_num_queries):
    for n in range(5):
        complete_application(applicant, code=credit_code(30 + n))
    with django_assert_max_num_queries(8):
        response = client_for(reviewer).get(URL)
    assert response.json()["count"] == 5
    assert all(len(a["operators"]) == 3 and a["business_licence"] for a in response.json()["results"])


# --- edges --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_cannot_name_staff_or_a_provider_user_as_applicant(client_for, reviewer, auditor, provider_user):
    for user, code in ((auditor, "applicant_is_staff"), (provider_user, "applicant_is_provider_user")):
        response = client_for(reviewer).post(URL, form(applicant=user.pk), format="json")
        assert response.status_code == 400 and response.json()["code"] == code
    assert not AdmissionApplication.objects.exists()


@pytest.mark.django_db
def test_staff_who_did_not_create_it_cannot_submit_or_withdraw(client_for, reviewer, applicant):
    app = complete_application(applicant)
    before = snapshot(app)
    for step in ("submit", "withdraw"):
        response = client_for(reviewer).post(f"{URL}{app.pk}/{step}/")
        assert response.status_code == 403 and response.json()["code"] == "not_application_owner"
    assert snapshot(app) == before


@pytest.mark.django_db
def test_second_application_of_an_admitted_company_cannot_be_admitted(client_for, applicant, other_applicant, roles):
    first_reviewer = make_staff(roles, "admission_reviewer", username="r1")
    code = credit_code(40)
    first = under_review(applicant, first_reviewer, code=code)
    second = under_review(other_applicant, first_reviewer, code=code)
    assert client_for(first_reviewer).post(f"{URL}{first.pk}/approve/").status_code == 200
    before = snapshot(second)
    response = client_for(first_reviewer).post(f"{URL}{second.pk}/approve/")
    assert response.status_code == 409
    failed = {c["check"] for c in response.json()["errors"]["failed_checks"]}
    assert failed == {"not_already_provider"}
    assert snapshot(second) == before


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_admit_exactly_once(roles, applicant):
    """The row lock serialises concurrent approvals: one admits, the other finds it admitted."""
    import threading

    from django.db import connection

    from admission.services import admission_approve
    from core.errors import Refusal

    reviewers = [make_staff(roles, "admission_reviewer", username=f"r{i}") for i in range(2)]
    app = under_review(applicant, reviewers[0])
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(reviewer):
        try:
            barrier.wait()
            admission_approve(application=app, reviewer=reviewer)
            outcomes.append("admitted")
        except Refusal as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(r,)) for r in reviewers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["admitted", "invalid_transition"]
    assert Provider.objects.count() == 1 and ProviderUser.objects.count() == 1
    assert Decision.objects.filter(kind="admit").count() == 1
    assert ledger_verify().broken is None
