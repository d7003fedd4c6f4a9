"""Accounts made by operators of the platform: staff members with a role, the data pipeline's service account."""

import logging
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .errors import Refusal
from .roles import DATA_PIPELINE, STAFF_ROLES, sync_roles

log = logging.getLogger(__name__)

PIPELINE_USERNAME = "pipeline"


def _group(name: str) -> Group:
    group = Group.objects.filter(name=name).first()
    if group is None:
        sync_roles()
        group = Group.objects.get(name=name)
    return group


def generate_password() -> str:
    """A random password the validators accept (20 URL-safe characters)."""
    while True:
        password = secrets.token_urlsafe(15)
        try:
            validate_password(password)
        except ValidationError:
            continue
        return password


@transaction.atomic
def staff_create(*, username: str, role: str, password: str, email: str = ""):
    """A staff member (never a superuser) holding one role of core.roles; the password must pass the validators."""
    if role not in STAFF_ROLES:
        raise Refusal(
            "unknown_role",
            _("Unknown role %(role)s; the roles are %(roles)s.") % {"role": role, "roles": ", ".join(STAFF_ROLES)},
            params={"role": role},
        )
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise Refusal("username_taken", _("A user with that username already exists."), status=409)
    user = User(username=username, email=email, is_staff=True, is_superuser=False)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise Refusal("weak_password", " ".join(exc.messages), errors={"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    user.groups.add(_group(role))
    log.info("staff_create user=%s username=%s role=%s", user.pk, username, role)
    return user


@transaction.atomic
def pipeline_account_ensure(*, username: str = PIPELINE_USERNAME):
    """The data pipeline's service account: made if missing (no password, not staff), always in its group.

    Answers (user, created). An existing staff member or provider user of that name is refused: a
    service account holds only the pipeline's permissions.
    """
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(username=username, is_staff=False, is_superuser=False)
        user.set_unusable_password()  # it signs in with tokens only
        user.save()
    elif user.is_staff or user.is_superuser or hasattr(user, "provider_account"):
        raise Refusal(
            "not_a_service_account",
            _("User %(username)s is a staff member or a provider user, not a service account.")
            % {"username": username},
            status=409,
        )
    user.groups.add(_group(DATA_PIPELINE))
    log.info("pipeline_account_ensure user=%s username=%s created=%s", user.pk, username, created)
    return user, created
