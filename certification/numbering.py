"""Certificate numbers (SP-YYYY-NNNNNN, OP-YYYY-NNNNNN): the one place they are made."""

from django.db import connection
from django.utils.translation import gettext as _

from core.errors import Refusal

from .choices import NUMBER_PREFIX


def certificate_numbers_allocate(*, kind: str, year: int, count: int) -> list[str]:
    """``count`` consecutive numbers of a kind and year, e.g. SP-2026-000001, in one statement (race-free;
    gapless within committed work). The one place certificate numbers are made."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO certification_certificatecounter (kind, year, last) VALUES (%s, %s, %s)
            ON CONFLICT (kind, year) DO UPDATE SET last = certification_certificatecounter.last + EXCLUDED.last
            RETURNING last
            """,
            [kind, year, count],
        )
        (last,) = cursor.fetchone()
    if last > 999_999:
        raise Refusal("numbers_exhausted", _("Certificate numbers of this year are exhausted."), status=409)
    return [f"{NUMBER_PREFIX[kind]}-{year:04d}-{n:06d}" for n in range(last - count + 1, last + 1)]


def certificate_number_allocate(*, kind: str, year: int) -> str:
    """The next number of a kind and year."""
    return certificate_numbers_allocate(kind=kind, year=year, count=1)[0]
