"""Builders shared by the admission tests: documents, certified operators, complete applications."""

import datetime as dt
import itertools
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from admission.services import admission_create
from certification.models import Certificate
from tests import factories

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 24

_numbers = itertools.count(1)


def upload(content: bytes = PDF, name: str = "licence.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def sized_pdf(size: int) -> bytes:
    """A PDF-signed byte string of exactly `size` bytes."""
    return PDF[:size] if size <= len(PDF) else PDF + b"0" * (size - len(PDF))


def credit_code(n: int = 0) -> str:
    return factories.make_credit_code(900_000 + n)


def certified_operator(*, valid_from=None, valid_until=None, status="active", today=None):
    """An operator with an operator certificate (valid around today unless dates are given)."""
    today = today or timezone.localdate()
    operator = factories.OperatorFactory()
    n = next(_numbers)
    Certificate.objects.create(
        kind="operator",
        number=f"OP-2099-{n:06d}",
        operator=operator,
        level="junior",
        valid_from=valid_from or today - dt.timedelta(days=30),
        valid_until=valid_until or today + dt.timedelta(days=700),
        status=status,
    )
    return operator


def complete_application(created_by, *, code=None, operators=None, licence=..., **overrides):
    """A draft that passes every check today: valid code, PDF licence, capital, 3 certified operators, deposit."""
    fields = {
        "company_name": "杭州星火直播科技有限公司",
        "credit_code": code or credit_code(1),
        "type": "mcn",
        "province": "浙江",
        "city": "杭州",
        "registered_capital": Decimal("1000000.00"),
        "deposit_amount": Decimal("50000.00"),
        "licence_expires_on": timezone.localdate() + dt.timedelta(days=365),
    }
    fields.update(overrides)
    if operators is None:
        operators = [certified_operator() for _ in range(3)]
    return admission_create(
        created_by=created_by,
        operators=[o.platform_user_id for o in operators],
        licence_file=upload() if licence is ... else licence,
        **fields,
    )


def check(app_or_results, name):
    """The stored result of one check by name."""
    results = app_or_results if isinstance(app_or_results, list) else app_or_results.checks
    (found,) = [r for r in results if r["check"] == name]
    return found
