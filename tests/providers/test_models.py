"""Model-level rules of the providers app: the credit-code validator, the employment constraints, the
live-session table's indexes."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from providers import models, services
from providers.validators import credit_code_check_char, validate_credit_code
from tests import factories


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000802100433B", factories.make_credit_code(7)])
def test_valid_credit_codes_pass(code):
    validate_credit_code(code)


@pytest.mark.parametrize(
    ("code", "error_code", "message"),
    [
        ("91350100M000100Y4", "credit_code_length", "A unified social credit code has 18 characters; this one has 17."),
        (
            "91350100M000100Y433",
            "credit_code_length",
            "A unified social credit code has 18 characters; this one has 19.",
        ),
        (
            "91350100M000100YI3",
            "credit_code_charset",
            "A unified social credit code uses digits and capitals except I, O, S, V, Z; found I.",
        ),
        (
            "9135o100M000100Y43",
            "credit_code_charset",
            "A unified social credit code uses digits and capitals except I, O, S, V, Z; found o.",
        ),
        (
            "91350100M000100Y44",
            "credit_code_check_digit",
            "The check character of this credit code is wrong (GB 32100-2015): expected 3.",
        ),
        (
            "91110000802100433C",
            "credit_code_check_digit",
            "The check character of this credit code is wrong (GB 32100-2015): expected B.",
        ),
    ],
)
def test_invalid_credit_codes_say_what_is_wrong(code, error_code, message):
    with translation.override("en"):
        with pytest.raises(ValidationError) as info:
            validate_credit_code(code)
        # The messages are lazy: they are read in English inside the block.
        assert info.value.code == error_code
        assert info.value.messages == [message]


def test_check_char_of_known_codes():
    assert credit_code_check_char("91350100M000100Y4") == "3"
    assert credit_code_check_char("91110000802100433") == "B"


@pytest.mark.django_db
def test_provider_full_clean_runs_the_credit_code_validator():
    provider = factories.ProviderFactory.build(credit_code="91350100M000100Y44")
    with translation.override("en"):
        with pytest.raises(ValidationError) as info:
            provider.full_clean()
        assert info.value.message_dict == {
            "credit_code": ["The check character of this credit code is wrong (GB 32100-2015): expected 3."]
        }
    with translation.override("zh-hans"):
        assert info.value.message_dict == {"credit_code": ["该信用代码的校验位错误（GB 32100-2015）：应为 3。"]}


@pytest.mark.django_db
def test_database_allows_one_open_employment_per_operator(provider, other_provider):
    employment = factories.EmploymentFactory(provider=provider, start_date=dt.date(2025, 1, 1))
    with pytest.raises(IntegrityError, match="one_open_employment_per_operator"), transaction.atomic():
        models.Employment.objects.create(
            operator=employment.operator, provider=other_provider, start_date=dt.date(2023, 1, 1)
        )
    assert models.Employment.objects.count() == 1


@pytest.mark.django_db
def test_database_refuses_overlapping_employments(provider, other_provider):
    employment = factories.EmploymentFactory(
        provider=provider, start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 6, 30)
    )
    operator = employment.operator
    with pytest.raises(IntegrityError, match="employments_do_not_overlap"), transaction.atomic():
        models.Employment.objects.create(
            operator=operator, provider=other_provider, start_date=dt.date(2025, 6, 30), end_date=dt.date(2025, 8, 1)
        )
    # Both ends are inclusive: the next day is free, and so is an earlier closed period.
    models.Employment.objects.create(operator=operator, provider=other_provider, start_date=dt.date(2025, 7, 1))
    models.Employment.objects.create(
        operator=operator, provider=other_provider, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31)
    )
    assert models.Employment.objects.filter(operator=operator).count() == 3


@pytest.mark.django_db
def test_database_refuses_an_employment_ending_before_it_starts(provider):
    operator = factories.OperatorFactory()
    with pytest.raises(IntegrityError, match="employment_dates_ordered"), transaction.atomic():
        models.Employment.objects.create(
            operator=operator, provider=provider, start_date=dt.date(2025, 2, 1), end_date=dt.date(2025, 1, 31)
        )
    assert not models.Employment.objects.exists()


@pytest.mark.django_db
def test_employment_services_start_end_and_restart(provider, other_provider):
    operator = factories.OperatorFactory()
    first = services.employment_start(operator=operator, provider=provider, start_date=dt.date(2025, 1, 1))
    with translation.override("en"):
        with pytest.raises(ValidationError) as info:
            services.employment_start(operator=operator, provider=other_provider, start_date=dt.date(2025, 3, 1))
        assert info.value.message_dict == {"operator": ["This operator already has an open employment."]}
    services.employment_end(employment=first, end_date=dt.date(2025, 2, 28))
    second = services.employment_start(operator=operator, provider=other_provider, start_date=dt.date(2025, 3, 1))
    assert list(operator.employments.order_by("start_date").values_list("provider_id", "end_date")) == [
        (provider.pk, dt.date(2025, 2, 28)),
        (other_provider.pk, None),
    ]
    with translation.override("en"):
        with pytest.raises(ValidationError) as info:
            services.employment_update(employment=second, start_date=dt.date(2025, 2, 1))
        assert info.value.message_dict == {"start_date": ["This operator is employed elsewhere during these dates."]}
    second.refresh_from_db()
    assert second.start_date == dt.date(2025, 3, 1)


@pytest.mark.django_db
def test_operator_scope_follows_employments(provider, other_provider, provider_user, outsider):
    operator = factories.OperatorFactory()
    factories.EmploymentFactory(
        operator=operator, provider=provider, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31)
    )
    assert list(models.Operator.objects.restrict(provider_user)) == [operator]
    assert list(models.Operator.objects.restrict(outsider)) == []


def test_live_sessions_have_only_the_indexes_their_queries_use(db):
    """Every index is maintained for each ingested row: no single-column merchant/provider index (the
    composite indexes lead with them) and no varchar_pattern_ops index on external_id (no LIKE). The table
    is partitioned by month: its primary key includes started_at, and external_id is unique through the key
    table (providers/partitions.py)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes "
            "WHERE tablename IN ('providers_livesession', 'providers_livesessionkey')"
        )
        found = {
            (t, re.sub(r"^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?\S+ USING ", r"\1", d)) for (t, d) in cursor.fetchall()
        }
    assert ("providers_livesessionkey", "UNIQUE btree (external_id)") in found
    assert {d for t, d in found if t == "providers_livesession"} == {
        "UNIQUE btree (id, started_at)",
        "btree (merchant_id, started_at)",
        "btree (provider_id, started_at)",
        "btree (started_at)",
        "btree (operator_id)",
        "btree (batch_id)",
    }


def test_the_database_refuses_a_second_live_session_with_the_same_external_id(db):
    first = factories.LiveSessionFactory(external_id="S-1")
    with pytest.raises(IntegrityError, match="providers_livesessionkey_pkey"), transaction.atomic():
        factories.LiveSessionFactory(external_id="S-1", merchant=first.merchant)
    assert list(models.LiveSession.objects.values_list("external_id", flat=True)) == ["S-1"]
