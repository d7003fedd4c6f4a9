"""Where tick files are stored: a random name under private/playbook/ (storage and sniffing: providers.files)."""

import uuid


def random_tick_file_name(extension: str) -> str:
    """A random stored name: the uploader's file name never reaches the file system."""
    return f"playbook/{uuid.uuid4().hex}{extension}"
