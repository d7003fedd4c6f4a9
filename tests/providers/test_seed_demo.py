"""seed_demo: same seed → same data, the data obeys the platform's rules, logins exist, --if-empty is a no-op."""

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.test import RequestFactory
from django.utils import timezone
from pghistory.models import Context

from core.models import ApiToken
from core.tokens import api_token_for_key
from live.demo import demo_tick
from live.models import LiveIngestBatch, LiveSnapshot
from providers import demo, ingest
from providers.models import (
    Complaint,
    Employment,
    Engagement,
    LiveSession,
    Merchant,
    Operator,
    Provider,
    ProviderUser,
    Violation,
)
from providers.validators import validate_credit_code

TODAY = dt.date(2026, 6, 15)
ARGS = ["--seed", "7", "--providers", "8", "--days", "75", "--today", TODAY.isoformat()]
MODELS = [Provider, Operator, Employment, Merchant, Engagement, LiveSession, Violation, Complaint, ProviderUser]


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *(args or ARGS), stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def debug(settings):
    settings.DEBUG = True  # seed_demo refuses production settings


def fetch(sql):
    with connection.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def fingerprint():
    """Aggregates per provider type plus a digest of every row, by natural keys (ids may differ)."""
    per_type = list(
        Provider.objects.values("type")
        .annotate(n=Count("id", distinct=True), n_sessions=Count("sessions"), gmv=Sum("sessions__gmv"))
        .order_by("type")
    )
    sessions = LiveSession.objects.order_by("external_id").values_list(
        "external_id",
        "merchant__platform_account_id",
        "operator__platform_user_id",
        "provider__credit_code",
        "started_at",
        "duration_minutes",
        "gmv",
        "orders",
        "viewers",
        "new_followers",
        "refund_amount",
        "paid_spend",
        "paid_gmv",
        "skus_listed",
        "skus_sold",
    )
    others = [
        Provider.objects.order_by("credit_code").values_list(
            "credit_code", "name", "type", "province", "city", "deposit"
        ),
        Employment.objects.order_by("operator__platform_user_id", "start_date").values_list(
            "operator__platform_user_id", "operator__name", "provider__credit_code", "start_date", "end_date"
        ),
        Engagement.objects.order_by("merchant__platform_account_id", "start_date").values_list(
            "merchant__platform_account_id", "merchant__category", "provider__credit_code", "start_date", "end_date"
        ),
        Violation.objects.order_by("occurred_at", "provider__credit_code").values_list(
            "provider__credit_code", "severity", "points", "status", "occurred_at"
        ),
        Complaint.objects.order_by("received_at", "provider__credit_code").values_list(
            "provider__credit_code", "merchant__platform_account_id", "upheld", "received_at"
        ),
    ]
    digest = hashlib.sha256(repr([list(sessions), *[list(q) for q in others]]).encode()).hexdigest()
    return per_type, {m.__name__: m.objects.count() for m in MODELS}, digest


def seeded_in_fresh_state(*args):
    """Seed inside a transaction that is rolled back, so each call starts from an empty database."""

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            seed(*args)
            result = fingerprint()
            raise Rollback
    except Rollback:
        pass
    assert not Provider.objects.exists()
    return result


@pytest.mark.django_db
def test_same_seed_gives_same_data_and_another_seed_differs():
    first = seeded_in_fresh_state()
    second = seeded_in_fresh_state()
    assert first == second
    per_type, counts, _ = first
    assert [(row["type"], row["n"]) for row in per_type] == [
        ("brand", 2),
        ("general", 3),  # + the admitted demo admission application (admission.demo)
        ("industrial_belt", 2),
        ("mcn", 2),
    ]
    assert all(row["gmv"] > 0 for row in per_type)
    assert counts["Provider"] == 9 and counts["ProviderUser"] == 3 and counts["LiveSession"] > 1000

    other = seeded_in_fresh_state("--seed", "8", *ARGS[2:])
    assert other[2] != first[2]


@pytest.fixture
def seeded(db):
    return seed()


def test_operated_sessions_belong_to_the_operators_employer_which_serves_the_merchant(seeded):
    assert LiveSession.objects.filter(operator__isnull=False).count() > 300
    assert LiveSession.objects.filter(operator__isnull=True).count() > 300
    # DESIGN §2: the provider of an operated session is its operator's employer on the session's
    # Shanghai date, and that provider holds an engagement with the merchant on that date.
    broken = fetch(
        """
        SELECT s.external_id FROM providers_livesession s
        CROSS JOIN LATERAL (SELECT (s.started_at AT TIME ZONE 'Asia/Shanghai')::date AS day) d
        WHERE s.operator_id IS NOT NULL AND (
            s.provider_id IS NULL
            OR NOT EXISTS (SELECT 1 FROM providers_employment e
                WHERE e.operator_id = s.operator_id AND e.provider_id = s.provider_id
                  AND e.start_date <= d.day AND (e.end_date IS NULL OR d.day <= e.end_date))
            OR NOT EXISTS (SELECT 1 FROM providers_engagement g
                WHERE g.merchant_id = s.merchant_id AND g.provider_id = s.provider_id
                  AND g.start_date <= d.day AND (g.end_date IS NULL OR d.day <= g.end_date)))
        """
    )
    assert broken == []
    assert not LiveSession.objects.filter(operator__isnull=True, provider__isnull=False).exists()


def test_the_real_ingest_accepts_every_demo_session_as_already_there(seeded):
    # Re-sending the demo sessions through the pipeline's ingest (which resolves providers itself)
    # must reject nothing and change nothing: the generator follows the same rules.
    fields = [f for f in ingest.FIELDS if f not in ("merchant", "operator")]
    rows = [
        {
            **{f: str(v) if not isinstance(v, int) else v for f, v in zip(fields, values, strict=True)},
            "merchant": merchant,
            "operator": operator,
        }
        for *values, merchant, operator in LiveSession.objects.order_by("external_id").values_list(
            *fields, "merchant__platform_account_id", "operator__platform_user_id"
        )
    ]
    before = fingerprint()
    # in batches of the API's size (the ecosystem step's two years of history make more rows than one holds)
    reports = [
        ingest.ingest_rows(rows=rows[k : k + ingest.MAX_API_ROWS]) for k in range(0, len(rows), ingest.MAX_API_ROWS)
    ]
    totals = [sum(getattr(r, name) for r in reports) for name in ("received", "rejected", "created", "updated")]
    assert totals == [len(rows), 0, 0, 0] and all(r.errors == [] for r in reports)
    assert sum(r.unchanged for r in reports) == len(rows)
    assert fingerprint() == before


def test_employments_never_overlap_and_some_operators_changed_employer(seeded):
    overlapping = fetch(
        """
        SELECT a.id, b.id FROM providers_employment a JOIN providers_employment b
          ON a.operator_id = b.operator_id AND a.id < b.id
         AND daterange(a.start_date, a.end_date, '[]') && daterange(b.start_date, b.end_date, '[]')
        """
    )
    assert overlapping == []
    open_per_operator = Employment.objects.filter(end_date__isnull=True).values("operator").annotate(n=Count("id"))
    assert max(row["n"] for row in open_per_operator) == 1
    changed = Operator.objects.annotate(n=Count("employments", distinct=True)).filter(n__gt=1)
    assert changed.exists()
    for op in changed:
        providers = list(op.employments.order_by("start_date").values_list("provider_id", flat=True))
        assert len(set(providers)) == len(providers)  # moved to a different provider
    # Someone left and is employed nowhere now.
    assert Operator.objects.exclude(employments__end_date__isnull=True).exists()


def test_session_facts_are_possible_and_inside_the_window(seeded):
    assert not LiveSession.objects.filter(skus_sold__gt=F("skus_listed")).exists()
    assert not LiveSession.objects.filter(orders__gt=F("viewers")).exists()
    assert not LiveSession.objects.filter(refund_amount__gte=F("gmv")).exists()
    assert not LiveSession.objects.filter(paid_gmv__gt=F("gmv")).exists()
    paid = LiveSession.objects.filter(paid_spend__gt=0)
    assert paid.filter(paid_gmv__lt=F("paid_spend")).exists()  # some sessions lose money on ads
    assert paid.filter(paid_gmv__gt=F("paid_spend")).exists()
    day = "SELECT DISTINCT (started_at AT TIME ZONE 'Asia/Shanghai')::date FROM providers_livesession"
    # the session window; the ecosystem step's history (demo-h-*, demo-eco-*) reaches back to its data start
    days = {d for (d,) in fetch(day + " WHERE external_id NOT LIKE 'demo-h-%' AND external_id NOT LIKE 'demo-eco-%'")}
    assert min(days) >= TODAY - dt.timedelta(days=75) and max(days) == TODAY - dt.timedelta(days=1)
    assert min(d for (d,) in fetch(day)) >= dt.date(2024, 5, 1)


def test_every_engagement_has_a_baseline_and_operation_lifts_gmv(seeded):
    without_baseline = fetch(
        """
        SELECT g.id FROM providers_engagement g WHERE NOT EXISTS (
            SELECT 1 FROM providers_livesession u WHERE u.merchant_id = g.merchant_id AND u.operator_id IS NULL
               AND (u.started_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN g.start_date - 30 AND g.start_date - 1)
        """
    )
    assert without_baseline == []
    assert Engagement.objects.filter(end_date__isnull=False).exists()
    assert Engagement.objects.filter(end_date__isnull=True).exists()
    (uplift,) = fetch(
        """
        SELECT avg(s.gmv / b.base - 1) FROM providers_livesession s
        JOIN providers_engagement g ON g.merchant_id = s.merchant_id AND g.provider_id = s.provider_id
         AND (s.started_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN g.start_date AND coalesce(g.end_date, 'infinity')
        CROSS JOIN LATERAL (SELECT avg(u.gmv) AS base FROM providers_livesession u
            WHERE u.merchant_id = g.merchant_id AND u.operator_id IS NULL
              AND (u.started_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN g.start_date - 30 AND g.start_date - 1) b
        """
    )[0]
    assert uplift > 0.3


def test_providers_are_varied_valid_and_some_have_too_little_activity(seeded):
    for code in Provider.objects.values_list("credit_code", flat=True):
        validate_credit_code(code)
    assert set(Provider.objects.values_list("type", flat=True)) == {"mcn", "industrial_belt", "brand", "general"}
    assert Provider.objects.values("province").distinct().count() >= 3
    assert not Provider.objects.filter(deposit__lt=50_000).exists()
    operated = dict(
        Provider.objects.annotate(n=Count("sessions")).values_list("id", "n")
    )  # sessions with a provider are operated ones
    assert any(n < 10 for n in operated.values()) and any(n >= 10 for n in operated.values())
    assert set(Merchant.objects.values_list("category", flat=True)) <= set(demo.CATEGORIES)
    assert Merchant.objects.filter(engagements__isnull=True).exists()  # not every merchant is served
    serious = Violation.objects.filter(severity="serious", status="confirmed")
    assert serious.count() == 1 and serious.get().provider == Provider.objects.order_by("id")[2]
    assert Violation.objects.filter(status="overturned").exists()
    assert Complaint.objects.filter(upheld=True).exists() and Complaint.objects.filter(upheld=False).exists()


def test_logins_have_their_roles_and_the_pipeline_token_is_printed(seeded):
    User = get_user_model()
    groups = {u.username: sorted(u.groups.values_list("name", flat=True)) for u in User.objects.all()}
    assert groups == {
        "admin": [],
        "reviewer": ["admission_reviewer"],
        "manager": ["cycle_manager"],
        "manager2": ["cycle_manager"],
        "appeals": ["appeal_reviewer"],
        "auditor": ["auditor"],
        "finance": ["finance"],
        "finance2": ["finance"],
        "provider1": [],
        "provider2": [],
        "pipeline": ["data_pipeline"],
        **{f"applicant{i}": [] for i in range(1, 7)},  # admission applicants (admission.demo)
    }
    staff = set(User.objects.filter(is_staff=True).values_list("username", flat=True))
    assert staff == {"admin", "reviewer", "manager", "manager2", "appeals", "auditor", "finance", "finance2"}
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == ["admin"]
    first, second = Provider.objects.order_by("id")[:2]
    assert ProviderUser.objects.get(user__username="provider1").provider == first
    assert ProviderUser.objects.get(user__username="provider2").provider == second
    login = RequestFactory().post("/accounts/login/")
    assert authenticate(login, username="manager2", password=demo.DEMO_PASSWORD).username == "manager2"
    # Only the key's hash is stored; the printed key is the one that authenticates the pipeline.
    key = demo.demo_pipeline_key()
    assert f"Authorization: Token {key}" in seeded
    assert ApiToken.objects.get().user.username == "pipeline"
    assert api_token_for_key(key).user.username == "pipeline"
    assert key not in str(list(ApiToken.objects.values_list()))
    assert demo.DEMO_PASSWORD in seeded and first.name in seeded
    assert seed("--logins") == demo.logins_text()
    assert Context.objects.filter(metadata__job="seed_demo", metadata__via="command").exists()


def test_if_empty_does_nothing_on_a_second_run_and_a_plain_second_run_is_refused(seeded):
    before = fingerprint()
    output = seed("--if-empty", *ARGS)
    assert "already has providers" in output and "Token " in output
    assert fingerprint() == before
    with pytest.raises(CommandError, match="already has providers"):
        seed()
    assert fingerprint() == before


@pytest.mark.django_db
def test_refused_with_production_settings(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=true"):
        seed()
    assert not Provider.objects.exists() and not get_user_model().objects.exists()


@pytest.mark.django_db
def test_if_empty_on_an_empty_database_loads_and_logins_without_data_says_so():
    assert "No demo logins" in seed("--logins")
    seed("--if-empty", *ARGS)
    assert Provider.objects.count() == 9  # 8 + the admitted demo application


def test_the_demo_streams_ticks_are_accepted_after_every_later_step_of_the_seed(seeded):
    """The beat task grows the demo stream with its own merchant and operator: the ecosystem's later step employs
    more operators at the demo providers, which had made every tick a refusal (stream_differs)."""
    stream_id = demo_tick(timezone.now() + dt.timedelta(minutes=1))
    batch = LiveIngestBatch.objects.order_by("-id").first()
    assert (batch.received, batch.rejected, batch.errors) == (1, 0, [])
    assert stream_id and LiveSnapshot.objects.filter(stream__external_id=stream_id).count() == 21
