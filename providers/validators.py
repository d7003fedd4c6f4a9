"""Validators for identifiers of the Chinese registry (统一社会信用代码, GB 32100-2015)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a credit code whose first 17 characters are given."""
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


CREDIT_CODE_MESSAGES = {
    "credit_code_length": _("A unified social credit code has 18 characters; this one has %(n)d."),
    "credit_code_charset": _(
        "A unified social credit code uses digits and capitals except I, O, S, V, Z; found %(bad)s."
    ),
    "credit_code_check_digit": _(
        "The check character of this credit code is wrong (GB 32100-2015): expected %(expected)s."
    ),
}


def validate_credit_code(value: str) -> None:
    if len(value) != 18:
        raise ValidationError(
            CREDIT_CODE_MESSAGES["credit_code_length"],
            code="credit_code_length",
            params={"n": len(value)},
        )
    bad = sorted({c for c in value if c not in CREDIT_CODE_CHARSET})
    if bad:
        raise ValidationError(
            CREDIT_CODE_MESSAGES["credit_code_charset"],
            code="credit_code_charset",
            params={"bad": "".join(bad)},
        )
    expected = credit_code_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            CREDIT_CODE_MESSAGES["credit_code_check_digit"],
            code="credit_code_check_digit",
            params={"expected": expected},
        )
