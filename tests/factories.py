"""factory-boy factories for the models every test builds on."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from providers import models
from providers.validators import credit_code_check_char

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def make_credit_code(n: int) -> str:
    """A valid 18-character credit code, distinct for each n."""
    body = f"91310000{n:09d}"
    return body + credit_code_check_char(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Provider

    name = factory.Sequence(lambda n: f"Provider {n}")
    credit_code = factory.Sequence(make_credit_code)
    type = "mcn"
    province = "浙江"
    city = "杭州"
    status = "active"
    deposit = Decimal("50000.00")


class ProviderUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProviderUser

    user = factory.SubFactory(UserFactory)
    provider = factory.SubFactory(ProviderFactory)


class OperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Operator

    platform_user_id = factory.Sequence(lambda n: f"op-{n}")
    name = factory.Sequence(lambda n: f"Operator {n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")


class EmploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Employment

    operator = factory.SubFactory(OperatorFactory)
    provider = factory.SubFactory(ProviderFactory)
    start_date = dt.date(2025, 1, 1)
    end_date = None


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Merchant

    platform_account_id = factory.Sequence(lambda n: f"m-{n}")
    name = factory.Sequence(lambda n: f"Merchant {n}")
    category = "apparel"


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Engagement

    provider = factory.SubFactory(ProviderFactory)
    merchant = factory.SubFactory(MerchantFactory)
    start_date = dt.date(2025, 1, 1)
    end_date = None


class LiveSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.LiveSession

    external_id = factory.Sequence(lambda n: f"ls-{n}")
    merchant = factory.SubFactory(MerchantFactory)
    started_at = dt.datetime(2025, 6, 1, 20, 0, tzinfo=SHANGHAI)
    duration_minutes = 120
    gmv = Decimal("10000.00")
    orders = 100
    viewers = 5000
    new_followers = 50
    refund_amount = Decimal("500.00")
    paid_spend = Decimal("1000.00")
    paid_gmv = Decimal("3000.00")
    skus_listed = 20
    skus_sold = 10


class ViolationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Violation

    provider = factory.SubFactory(ProviderFactory)
    severity = "minor"
    points = 2
    occurred_at = dt.datetime(2025, 6, 2, 10, 0, tzinfo=SHANGHAI)


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Complaint

    provider = factory.SubFactory(ProviderFactory)
    merchant = factory.SubFactory(MerchantFactory)
    received_at = dt.datetime(2025, 6, 3, 10, 0, tzinfo=SHANGHAI)
    upheld = True
