"""Private storage and content sniffing of uploads (admission documents, appeal attachments), never served by URL."""

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

PRIVATE_SUBDIR = "private"
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # 10 MB, inclusive; an empty file is refused

# Accepted document types, recognised by their first bytes (never by name or declared type).
DOCUMENT_SIGNATURES = (
    ("application/pdf", ".pdf", b"%PDF-"),
    ("image/png", ".png", b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", ".jpg", b"\xff\xd8\xff"),
)


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Files under MEDIA_ROOT/private/, read back only through an authenticated download view.

    The location follows settings.MEDIA_ROOT at call time (tests point it at a temporary folder), and
    there is deliberately no URL: asking for one is a programming error.
    """

    def __init__(self):
        super().__init__()

    @property
    def base_location(self):
        return Path(settings.MEDIA_ROOT) / PRIVATE_SUBDIR

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private documents have no public URL; use the authenticated download endpoint.")


private_storage = PrivateStorage()


def sniff_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) recognised from a file's first bytes, or None."""
    for content_type, extension, magic in DOCUMENT_SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def inspect_upload(upload) -> dict:
    """Validate an uploaded document by size and content; return its facts (type, size, sha256).

    Raises ValidationError with a code naming the rule that failed.
    """
    size = upload.size
    if size == 0:
        raise ValidationError(_("The document is empty."), code="document_empty")
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("The document is %(size)d bytes; the limit is %(limit)d bytes (10 MB)."),
            code="document_too_large",
            params={"size": size, "limit": MAX_DOCUMENT_BYTES},
        )
    upload.seek(0)
    kind = sniff_type(upload.read(16))
    if kind is None:
        raise ValidationError(
            _("The document must be a PDF, JPEG or PNG file (checked by its content, not its name)."),
            code="document_type",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return {"content_type": kind[0], "extension": kind[1], "size": size, "sha256": digest.hexdigest()}
