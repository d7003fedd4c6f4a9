"""Appeals: who may file and when (boundaries), who may decide, overturning, the overdue job."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from certification import appeals as svc
from certification import services, standing
from certification.ledger import decision_append, ledger_verify
from certification.models import Appeal, AppealAttachment, Certificate, Decision
from certification.tasks import flag_overdue_appeals_task
from core.dates import SHANGHAI
from tests import factories
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
DAY = dt.timedelta(days=1)


@pytest.fixture
def appeals_reviewer(roles):
    return make_staff(roles, "appeal_reviewer", username="appeals")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def decision(provider, kind="warn", days_ago=0, decided_by=None, **extra):
    return decision_append(
        kind=kind,
        provider=provider,
        reason_code=f"test_{kind}",
        decided_by=decided_by,
        effective_at=timezone.now() - days_ago * DAY,
        **extra,
    )


def state():
    """Everything an appeal request could change."""
    return (Appeal.objects.count(), AppealAttachment.objects.count(), Decision.objects.count())


def file_api(client, decision, statement="请复核", **extra):
    return client.post("/api/v1/appeals/", {"decision": decision.pk, "statement": statement, **extra})


def test_day_15_allowed_day_16_refused(client_for, provider, provider_user):
    on_time, late = decision(provider, days_ago=15), decision(provider, days_ago=16)
    window = svc.appeal_window(late)
    assert (window["open"], window["code"], window["last_day"]) == (
        False,
        "appeal_window_closed",
        late.effective_at.astimezone(SHANGHAI).date() + 15 * DAY,
    )
    before = state()
    response = file_api(client_for(provider_user), late)
    assert response.status_code == 400
    assert response.json()["code"] == "appeal_window_closed"
    last_day = window["last_day"].isoformat()
    assert response.json()["message"] == f"申诉期限已于 {last_day} 结束。"
    english = client_for(provider_user).post(
        "/api/v1/appeals/", {"decision": late.pk, "statement": "请复核"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.status_code == 400 and english.json()["code"] == "appeal_window_closed"
    assert english.json()["message"] == f"The appeal window closed on {last_day}."
    assert state() == before
    response = file_api(client_for(provider_user), on_time)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["decision"], body["provider"], body["status"], body["filed_by"], body["overdue"]) == (
        on_time.pk,
        provider.pk,
        "open",
        "provider_user",
        False,
    )
    appeal = Appeal.objects.get()
    assert appeal.due_by - appeal.filed_at == dt.timedelta(days=10)
    assert appeal.parent is None


def test_window_is_counted_in_shanghai_days(provider):
    # Effective at 23:30 Shanghai on 1 March: day 15 is 16 March (to its last Shanghai minute).
    made = decision_append(
        kind="warn",
        provider=provider,
        reason_code="t",
        effective_at=dt.datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI),
    )
    assert svc.appeal_window(made, dt.date(2026, 3, 16))["open"] is True
    assert svc.appeal_window(made, dt.date(2026, 3, 17))["code"] == "appeal_window_closed"


def test_another_providers_decision_is_404_and_outsiders_see_nothing(client_for, provider, provider_user, outsider):
    mine = decision(provider)
    before = state()
    assert file_api(client_for(outsider), mine).status_code == 404
    assert state() == before
    file_api(client_for(provider_user), mine)
    pk = Appeal.objects.get().pk
    assert client_for(outsider).get(f"/api/v1/appeals/{pk}/").status_code == 404
    assert client_for(outsider).get("/api/v1/appeals/").json()["results"] == []
    assert client_for(provider_user).get(f"/api/v1/appeals/{pk}/").status_code == 200


def test_staff_files_on_a_providers_behalf_auditor_cannot(client_for, staff, auditor, provider):
    made = decision(provider, kind="probation")
    assert file_api(client_for(auditor), made).status_code == 403
    assert Appeal.objects.count() == 0
    response = file_api(client_for(staff), made, statement="代服务商申诉")
    assert response.status_code == 201
    appeal = Appeal.objects.get()
    assert (appeal.provider, appeal.filed_by, appeal.statement) == (provider, staff, "代服务商申诉")


def test_only_appealable_effective_decisions(provider, provider_user, staff):
    for made in (
        decision(provider, kind="promote"),
        decision(provider, kind="certify"),
        services.delist_propose(provider=provider, reason_code="t", proposed_by=staff),  # pending
    ):
        with pytest.raises(ValidationError) as info:
            svc.appeal_file(decision=made, filed_by=provider_user, statement="x")
        assert info.value.code == "not_appealable"
    assert Appeal.objects.count() == 0


def test_attachments_are_sniffed_and_stored_privately(client_for, provider, provider_user, media):
    made = decision(provider)
    text = SimpleUploadedFile("evil.pdf", b"<script>alert(1)</script>", content_type="application/pdf")
    before = state()
    response = file_api(client_for(provider_user), made, attachments=[text])
    assert response.status_code == 400 and response.json()["code"] == "document_type"
    assert state() == before
    png = SimpleUploadedFile("截图.png", PNG, content_type="image/png")
    response = file_api(client_for(provider_user), made, attachments=[png])
    assert response.status_code == 201
    [attachment] = response.json()["attachments"]
    assert (attachment["original_name"], attachment["content_type"], attachment["size"]) == (
        "截图.png",
        "image/png",
        32,
    )
    stored = AppealAttachment.objects.get()
    assert stored.file.name.startswith("appeals/") and stored.file.name.endswith(".png")
    assert "截图" not in stored.file.name
    url = f"/api/v1/appeals/{stored.appeal_id}/attachments/{stored.pk}/"
    download = client_for(provider_user).get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG


def test_reviewer_must_not_be_maker_or_approver(roles, provider, appeals_reviewer, provider_user):
    maker = make_staff(roles, "cycle_manager", "appeal_reviewer", username="maker")
    checker1 = make_staff(roles, "cycle_manager", "appeal_reviewer", username="checker1")
    checker2 = make_staff(roles, "cycle_manager", username="checker2")
    proposal = services.delist_propose(provider=provider, reason_code="serious_violation", proposed_by=maker)
    services.decision_approve(decision=proposal, approver=checker1)
    services.decision_approve(decision=proposal, approver=checker2)
    effective = Decision.objects.get(kind="delist", status="effective")
    appeal = svc.appeal_file(decision=effective, filed_by=provider_user, statement="我们已整改")
    for person, code in ((maker, "reviewer_made_decision"), (checker1, "reviewer_made_decision")):
        before = state()
        with pytest.raises(ValidationError) as info:
            svc.appeal_decide(appeal=appeal, reviewer=person, outcome="overturned", reason="x")
        assert info.value.code == code
        assert state() == before
    with pytest.raises(PermissionDenied):
        svc.appeal_decide(appeal=appeal, reviewer=checker2, outcome="overturned", reason="x")  # no appeal role
    assert Appeal.objects.get().status == "open"
    svc.appeal_decide(appeal=appeal, reviewer=appeals_reviewer, outcome="upheld", reason="证据充分")
    assert Appeal.objects.get().status == "upheld"


def test_reviewer_of_a_warning_they_made_is_refused_over_the_api(client_for, roles, provider, provider_user):
    maker = make_staff(roles, "appeal_reviewer", username="warner")
    made = decision(provider, decided_by=maker)
    appeal = svc.appeal_file(decision=made, filed_by=provider_user, statement="x")
    url = f"/api/v1/appeals/{appeal.pk}/decide/"
    body = {"outcome": "overturned", "reason": "x"}
    before = state()
    response = client_for(maker).post(url, body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "reviewer_made_decision"
    assert client_for(provider_user).post(url, body, format="json").status_code == 403
    assert state() == before


def test_second_appeal_within_7_days_of_rejection_then_no_third(provider, provider_user, appeals_reviewer, roles):
    other_reviewer = make_staff(roles, "appeal_reviewer", username="appeals2")
    now = timezone.now()
    made = decision(provider, days_ago=30)
    first = svc.appeal_file(decision=made, filed_by=provider_user, statement="一审", now=now - 29 * DAY)
    with pytest.raises(ValidationError) as info:  # while the first is open
        svc.appeal_file(decision=made, filed_by=provider_user, statement="x", now=now - 28 * DAY)
    assert info.value.code == "appeal_pending"
    svc.appeal_decide(appeal=first, reviewer=appeals_reviewer, outcome="upheld", reason="维持", now=now - 7 * DAY)
    assert svc.appeal_window(made)["stage"] == "second"
    # The pages pass the prefetched appeals: the same answer on every day, without a query of its own.
    prefetched = list(Appeal.objects.filter(decision=made).order_by("filed_at", "id"))
    for day in range(-1, 3):
        on = (now + day * DAY).astimezone(SHANGHAI).date()
        assert svc.appeal_window(made, on, appeals=prefetched) == svc.appeal_window(made, on)
    # Day 8 after the rejection is refused, day 7 allowed.
    before = state()
    with pytest.raises(ValidationError) as info:
        svc.appeal_file(decision=made, filed_by=provider_user, statement="x", now=now + DAY)
    assert info.value.code == "appeal_window_closed"
    assert state() == before
    second = svc.appeal_file(decision=made, filed_by=provider_user, statement="二审", now=now)
    assert second.parent == first
    with pytest.raises(ValidationError) as info:  # the first appeal's reviewer does not decide the second
        svc.appeal_decide(appeal=second, reviewer=appeals_reviewer, outcome="upheld", reason="x")
    assert info.value.code == "reviewer_decided_first_appeal"
    svc.appeal_decide(appeal=second, reviewer=other_reviewer, outcome="upheld", reason="仍维持")
    with pytest.raises(ValidationError) as info:
        svc.appeal_file(decision=made, filed_by=provider_user, statement="三审")
    assert info.value.code == "no_more_appeals"
    assert Appeal.objects.count() == 2
    outcomes = list(Decision.objects.filter(kind="appeal_upheld").order_by("seq").values_list("refers_to", flat=True))
    assert outcomes == [made.pk, made.pk]


def test_overturning_a_delisting_reinstates_without_editing_it(
    client_for, roles, provider, provider_user, appeals_reviewer
):
    m1 = make_staff(roles, "cycle_manager", username="m1")
    m2 = make_staff(roles, "cycle_manager", username="m2")
    revoked = standing.provider_certify(provider=provider, level="L2")
    proposal = services.delist_propose(provider=provider, reason_code="serious_violation", proposed_by=m1)
    services.decision_approve(decision=proposal, approver=m2)
    services.decision_approve(decision=proposal, approver=make_staff(roles, "cycle_manager", username="m3"))
    provider.refresh_from_db()
    assert provider.status == "delisted"
    delisting = Decision.objects.get(kind="delist", status="effective")
    original = Decision.objects.values().get(pk=delisting.pk)
    appeal = svc.appeal_file(decision=delisting, filed_by=provider_user, statement="违规认定有误")
    response = client_for(appeals_reviewer).post(
        f"/api/v1/appeals/{appeal.pk}/decide/", {"outcome": "overturned", "reason": "证据不足"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "overturned" and response.json()["reviewer"] == "appeals"
    provider.refresh_from_db()
    assert provider.status == "active"
    # Reinstated at the tier it kept, with a tier certificate of it again (the delisting revoked the old one).
    revoked.refresh_from_db()
    current = Certificate.objects.get(provider=provider, status="active")
    assert (revoked.status, provider.tier, current.level) == ("revoked", "L2", "L2")
    reinstate = Decision.objects.get(kind="reinstate")
    outcome = Decision.objects.get(kind="appeal_overturned")
    assert (reinstate.refers_to, reinstate.provider, reinstate.decided_by) == (delisting, provider, appeals_reviewer)
    assert reinstate.evidence == {
        "appeal_id": appeal.pk,
        "overturns_seq": delisting.seq,
        "status_before": "delisted",
        "status_after": "active",
    }
    assert outcome.refers_to == delisting and outcome.seq == reinstate.seq + 1
    assert outcome.evidence["reinstate_seq"] == reinstate.seq and outcome.reason_text == "证据不足"
    assert Appeal.objects.get().outcome == outcome
    assert Decision.objects.values().get(pk=delisting.pk) == original
    assert ledger_verify().broken is None
    again = client_for(appeals_reviewer).post(
        f"/api/v1/appeals/{appeal.pk}/decide/", {"outcome": "upheld", "reason": "x"}, format="json"
    )
    assert again.status_code == 400 and again.json()["code"] == "already_decided"


def test_overturning_probation_and_suspension(provider, provider_user, appeals_reviewer, operator):
    provider.status = "probation"
    provider.save()
    probation = decision(provider, kind="probation")
    appeal = svc.appeal_file(decision=probation, filed_by=provider_user, statement="x")
    svc.appeal_decide(appeal=appeal, reviewer=appeals_reviewer, outcome="overturned", reason="y")
    provider.refresh_from_db()
    assert provider.status == "active"
    # An operator's certificates suspended for a violation come back on overturn.
    certificate = services.certificate_issue_operator(operator=operator, level="junior")
    violation = factories.ViolationFactory(provider=provider, operator=operator, severity="serious", points=12)
    from certification.operators import operator_certificates_suspend_for_violation

    assert operator_certificates_suspend_for_violation(violation=violation) == 1
    suspension = Decision.objects.get(kind="suspend")
    appeal = svc.appeal_file(decision=suspension, filed_by=provider_user, statement="x")
    svc.appeal_decide(appeal=appeal, reviewer=appeals_reviewer, outcome="overturned", reason="y")
    certificate.refresh_from_db()
    assert certificate.status == "active"
    assert Decision.objects.get(kind="reinstate").evidence["certificates_reactivated"] == 1


def test_upheld_changes_nothing_but_records_it(provider, provider_user, appeals_reviewer):
    provider.tier = "L1"
    provider.save()
    demotion = decision(provider, kind="demote", evidence={"from_tier": "L2"})
    appeal = svc.appeal_file(decision=demotion, filed_by=provider_user, statement="x")
    svc.appeal_decide(appeal=appeal, reviewer=appeals_reviewer, outcome="upheld", reason="维持原决定")
    provider.refresh_from_db()
    assert provider.tier == "L1"
    outcome = Decision.objects.get(kind="appeal_upheld")
    assert (outcome.refers_to, outcome.decided_by, outcome.subject_type, outcome.subject_id) == (
        demotion,
        appeals_reviewer,
        "appeal",
        str(appeal.pk),
    )


def test_flag_overdue_is_one_update(provider, provider_user, django_assert_num_queries):
    now = timezone.now()
    late = svc.appeal_file(
        decision=decision(provider, days_ago=12), filed_by=provider_user, statement="x", now=now - 11 * DAY
    )
    edge = svc.appeal_file(
        decision=decision(provider, days_ago=11), filed_by=provider_user, statement="x", now=now - 10 * DAY
    )
    with django_assert_num_queries(3):  # savepoint, UPDATE, release
        assert svc.appeals_flag_overdue(now=now) == 1
    assert dict(Appeal.objects.values_list("pk", "overdue")) == {late.pk: True, edge.pk: False}
    assert svc.appeals_flag_overdue(now=now) == 0


@pytest.mark.django_db(transaction=True)
def test_overdue_job_on_a_real_worker(celery_worker_thread):
    provider = factories.ProviderFactory()
    user = factories.ProviderUserFactory(provider=provider).user
    now = timezone.now()
    late = svc.appeal_file(decision=decision(provider, days_ago=12), filed_by=user, statement="x", now=now - 11 * DAY)
    fresh = svc.appeal_file(decision=decision(provider, days_ago=2), filed_by=user, statement="x", now=now - DAY)
    assert flag_overdue_appeals_task.delay().get(timeout=30) == 1
    assert dict(Appeal.objects.values_list("pk", "overdue")) == {late.pk: True, fresh.pk: False}
    assert flag_overdue_appeals_task.delay().get(timeout=30) == 0


def test_hourly_schedule_is_registered():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="certification: flag overdue appeals (hourly)")
    assert task.task == "certification.tasks.flag_overdue_appeals_task" and task.enabled
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == ("5", "*", "Asia/Shanghai")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_filings_give_one_first_appeal(provider, provider_user, staff):
    import threading

    from django.db import connections

    made = decision(provider)
    barrier = threading.Barrier(2)
    outcomes = []

    def file(user):
        try:
            barrier.wait()
            svc.appeal_file(decision=Decision.objects.get(pk=made.pk), filed_by=user, statement="并发")
            outcomes.append("filed")
        except ValidationError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=file, args=(u,)) for u in (provider_user, staff)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["appeal_pending", "filed"]
    assert Appeal.objects.filter(decision=made).count() == 1


def test_appeal_window_over_prefetched_appeals_asks_nothing_and_keeps_the_boundaries(
    provider, provider_user, appeals_reviewer, roles, django_assert_num_queries
):
    """The dashboard's path: appeals prefetched, no query per decision; day 15 open, day 16 closed; after a
    rejection 7 more days; nothing after an overturn or a second appeal."""
    effective = dt.datetime(2026, 3, 1, 10, 0, tzinfo=SHANGHAI)
    made = decision_append(kind="warn", provider=provider, reason_code="t", effective_at=effective)
    other = decision_append(kind="demote", provider=provider, reason_code="t", effective_at=effective)

    def window(d, day, appeals):
        with django_assert_num_queries(0):
            w = svc.appeal_window(d, day, appeals=appeals)
        return w["open"], w["stage"], w["code"], w["last_day"]

    last = dt.date(2026, 3, 16)  # effective on 1 March: day 15
    assert window(made, last, []) == (True, "first", "open", last)
    assert window(made, last + DAY, []) == (False, "first", "appeal_window_closed", last)

    first = svc.appeal_file(decision=made, filed_by=provider_user, statement="一审", now=effective + 3 * DAY)
    assert window(made, last, [first]) == (False, "first", "appeal_pending", None)
    rejected_at = dt.datetime(2026, 3, 20, 22, 0, tzinfo=SHANGHAI)
    first = svc.appeal_decide(appeal=first, reviewer=appeals_reviewer, outcome="upheld", reason="维持", now=rejected_at)
    second_last = dt.date(2026, 3, 27)  # rejected on 20 March (Shanghai): 7 more days
    assert window(made, second_last, [first]) == (True, "second", "open", second_last)
    assert svc.appeal_window(made, second_last, appeals=[first])["parent"] == first
    assert window(made, second_last + DAY, [first]) == (False, "second", "appeal_window_closed", second_last)
    second = svc.appeal_file(decision=made, filed_by=provider_user, statement="二审", now=rejected_at + DAY)
    assert window(made, second_last, [first, second]) == (False, "second", "appeal_pending", None)

    granted = svc.appeal_file(decision=other, filed_by=provider_user, statement="x", now=effective + DAY)
    reviewer = make_staff(roles, "appeal_reviewer", username="appeals2")
    granted = svc.appeal_decide(appeal=granted, reviewer=reviewer, outcome="overturned", reason="改", now=rejected_at)
    assert window(other, last, [granted]) == (False, None, "already_overturned", None)
    # The same answers as the queries the service makes when an appeal is filed.
    for d, day in [(made, second_last), (other, last)]:
        fetched = list(Appeal.objects.filter(decision=d).order_by("filed_at", "id"))
        assert svc.appeal_window(d, day, appeals=fetched) == svc.appeal_window(d, day)


def test_an_appeal_is_overdue_when_flagged_or_open_past_its_deadline(provider, provider_user, appeals_reviewer):
    now = timezone.now()
    appeal = svc.appeal_file(decision=decision(provider), filed_by=provider_user, statement="x", now=now)
    assert appeal.due_by == now + 10 * DAY
    assert svc.appeal_overdue(appeal, now=appeal.due_by) is False  # on the deadline: not yet
    assert svc.appeal_overdue(appeal, now=appeal.due_by + dt.timedelta(microseconds=1)) is True
    assert svc.appeals_flag_overdue(now=appeal.due_by) == 0  # the job agrees on both sides
    assert svc.appeals_flag_overdue(now=appeal.due_by + dt.timedelta(microseconds=1)) == 1
    # Decided in time: never overdue afterwards; flagged, then decided: stays marked late.
    in_time = svc.appeal_file(decision=decision(provider, kind="demote"), filed_by=provider_user, statement="x")
    in_time = svc.appeal_decide(appeal=in_time, reviewer=appeals_reviewer, outcome="upheld", reason="ok")
    assert svc.appeal_overdue(in_time, now=in_time.due_by + 30 * DAY) is False
    appeal.refresh_from_db()
    appeal = svc.appeal_decide(appeal=appeal, reviewer=appeals_reviewer, outcome="upheld", reason="late", now=now)
    assert svc.appeal_overdue(appeal, now=now) is True


@pytest.mark.django_db
def test_overdue_filter_counts_what_appeal_overdue_says(provider_user, provider):
    """appeal_overdue_q (the console's count) and appeal_overdue agree on both sides of due_by and on the flag."""
    now = timezone.now()
    made = [decision_append(kind="warn", provider=provider, reason_code="x", effective_at=now) for _ in range(3)]
    appeals = [svc.appeal_file(decision=d, filed_by=provider_user, statement="s") for d in made]
    Appeal.objects.filter(pk=appeals[0].pk).update(due_by=now - dt.timedelta(seconds=1))
    Appeal.objects.filter(pk=appeals[1].pk).update(due_by=now + dt.timedelta(seconds=1))
    Appeal.objects.filter(pk=appeals[2].pk).update(overdue=True, due_by=now + dt.timedelta(days=1))
    counted = set(Appeal.objects.filter(svc.appeal_overdue_q(now=now)).values_list("pk", flat=True))
    said = {a.pk for a in Appeal.objects.all() if svc.appeal_overdue(a, now=now)}
    assert counted == said == {appeals[0].pk, appeals[2].pk}
