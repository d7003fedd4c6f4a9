"""Demo step of the admission app for `manage.py seed_demo` (run by demo/steps.py).

- ``make_admission_applications``: one application in each state (draft, submitted, under_review,
  admitted, rejected, withdrawn), each made by its own applicant login (applicant1 … applicant6)
  through admission.services.

Every date is relative to ``demo.today``; the step draws from its own random stream.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

from certification.models import Certificate
from providers import services as provider_services
from providers.demo import CITIES, credit_code
from providers.models import Employment, Operator

from . import services

if TYPE_CHECKING:
    from providers.demo import Demo

APPLICANTS = [f"applicant{i}" for i in range(1, 7)]


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def make_admission_applications(demo: Demo) -> None:
    """One admission application in every state, through the admission services."""

    rng = demo.rng("admission_applications")
    today = demo.today
    reviewer = _user("reviewer")
    if reviewer is None:
        demo.counts["admission_applications"] = 0
        return
    User = get_user_model()
    password = make_password("saima-demo-2026")  # the demo password (providers.demo.DEMO_PASSWORD)
    applicants = User.objects.bulk_create([User(username=name, password=password) for name in APPLICANTS])
    certified = list(
        Certificate.objects.filter(kind="operator", status="active", valid_from__lte=today, valid_until__gte=today)
        .order_by("operator_id")
        .values_list("operator_id", flat=True)
    )
    # An operator counts for one provider only (DESIGN §5): the admitted and the rejected application
    # (decided one after the other) propose certified operators nobody employs today; the others,
    # certified operators that may be employed elsewhere (their operator check may fail: still open).
    employed = Employment.objects.filter(start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    free = list(
        Operator.objects.filter(pk__in=certified).exclude(pk__in=employed.values("operator_id")).order_by("pk")[:3]
    )
    if len(free) < 3:  # every certified operator is employed: three leave their provider yesterday to found it
        leaving = (
            employed.filter(operator_id__in=certified, start_date__lt=today, end_date__isnull=True)
            .exclude(operator_id__in=[o.pk for o in free])
            .select_related("operator")
            .order_by("operator_id")[: 3 - len(free)]
        )
        for employment in list(leaving):
            provider_services.employment_end(employment=employment, end_date=today - dt.timedelta(days=1))
            free.append(employment.operator)
    operators = list(Operator.objects.filter(pk__in=certified).exclude(pk__in=[o.pk for o in free]).order_by("pk")[:3])
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 56
    made = {}
    plan = [
        ("draft", "杭州", "星火", Decimal("2000000")),
        ("submitted", "广州", "清风", Decimal("3000000")),
        ("under_review", "成都", "蜀光", Decimal("1500000")),
        ("admitted", "上海", "申城", Decimal("5000000")),
        ("rejected", "武汉", "江城", Decimal("600000")),  # below ¥1,000,000: its check fails
        ("withdrawn", "南京", "金陵", Decimal("1200000")),
    ]
    for applicant, (state, city, word, capital) in zip(applicants, plan, strict=True):
        province, _, division = next(c for c in CITIES if c[1] == city)
        app = services.admission_create(
            created_by=applicant,
            company_name=f"{city}{word}电子商务有限公司",
            credit_code=credit_code(rng, division),
            type="general",
            province=province,
            city=city,
            registered_capital=capital,
            deposit_amount=Decimal("50000"),
            operators=[o.platform_user_id for o in (free if state in ("admitted", "rejected") else operators)],
            licence_expires_on=today + dt.timedelta(days=rng.randint(400, 1500)),
            licence_file=SimpleUploadedFile("营业执照.png", png, content_type="image/png"),
        )
        if state != "draft":
            app = services.admission_submit(application=app, actor=applicant, on=today)
        if state in ("under_review", "admitted", "rejected"):
            app = services.admission_start_review(application=app, reviewer=reviewer)
        if state == "admitted" and len(free) < 3:
            made[state] = app.status  # too few certified operators in a tiny demo: stays under review
            continue
        if state == "admitted":
            app = services.admission_approve(application=app, reviewer=reviewer, reason="资料齐全，准入。", on=today)
        elif state == "rejected":
            app = services.admission_reject(application=app, reviewer=reviewer, reason="注册资本不足 100 万元。")
        elif state == "withdrawn":
            app = services.admission_withdraw(application=app, actor=applicant)
        made[state] = app.status
    demo.counts["admission_applications"] = len(made)
