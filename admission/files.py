"""Where admission documents are stored: a random name under private/admission/ (storage: providers.files)."""

import uuid


def random_document_name(extension: str) -> str:
    """A random stored name: the uploader's file name never reaches the file system."""
    return f"admission/{uuid.uuid4().hex}{extension}"


def document_upload_to(instance, filename):
    # Names are chosen by the service (random_document_name); this only keeps the folder.
    return filename
