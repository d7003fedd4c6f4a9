"""create_staff and create_pipeline_account: who they make, which group, and a secret printed once."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation
from rest_framework.test import APIClient

from core.models import ApiToken
from tests import factories

pytestmark = pytest.mark.django_db
User = get_user_model()


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):  # refusals are in the active language; compare English here
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue()


@pytest.fixture
def no_terminal(monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)


def test_create_staff_without_a_terminal_generates_a_password_and_prints_it_once(roles, no_terminal):
    output = run("create_staff", "wang.li", "--role", "cycle_manager", "--email", "wang@example.com")

    password = re.search(r"Password \(shown only now\): (\S+)", output).group(1)
    user = User.objects.get(username="wang.li")
    assert user.check_password(password) and len(password) >= 20
    assert (user.is_staff, user.is_superuser, user.email) == (True, False, "wang@example.com")
    assert list(user.groups.values_list("name", flat=True)) == ["cycle_manager"]
    assert user.has_perm("scoring.run_cycle")
    assert password not in str(list(User.objects.filter(pk=user.pk).values_list()))


def test_create_staff_at_a_terminal_asks_twice_and_prints_no_password(roles, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["Quiet-harbour-lamp-81", "Quiet-harbour-lamp-81"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    output = run("create_staff", "auditor2", "--role", "auditor")

    assert "Quiet-harbour-lamp-81" not in output and "shown only now" not in output
    user = User.objects.get(username="auditor2")
    assert user.check_password("Quiet-harbour-lamp-81")
    assert list(user.groups.values_list("name", flat=True)) == ["auditor"]


def test_create_staff_refuses_mismatched_and_weak_passwords_an_unknown_role_and_a_taken_name(roles, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["Quiet-harbour-lamp-81", "something-else-42"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="do not match"):
        run("create_staff", "li.na", "--role", "auditor")

    answers = iter(["li.na1", "li.na1"])
    with pytest.raises(CommandError, match="too similar to the username|too short"):
        run("create_staff", "li.na", "--role", "auditor")

    with pytest.raises(CommandError, match="invalid choice"):
        run("create_staff", "li.na", "--role", "superhero", "--generate-password")

    factories.UserFactory(username="Li.Na")
    with pytest.raises(CommandError, match="already exists"):
        run("create_staff", "li.na", "--role", "auditor", "--generate-password")
    assert not User.objects.filter(username="li.na").exists()


def test_create_pipeline_account_makes_the_service_account_once_and_prints_a_working_token(roles):
    key = run("create_pipeline_account").strip()

    user = User.objects.get(username="pipeline")
    assert (user.is_staff, user.is_superuser, user.has_usable_password()) == (False, False, False)
    assert list(user.groups.values_list("name", flat=True)) == ["data_pipeline"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    # Authenticated and allowed to ingest: an empty batch reaches ingest, which refuses it (400, not 401/403).
    response = client.post("/api/v1/live-sessions/", [], format="json")
    assert response.status_code == 400 and response.json()["code"] != "permission_denied"
    assert client.get("/api/v1/providers/").status_code == 403  # and nothing else

    second = run("create_pipeline_account").strip()
    assert second != key
    assert User.objects.filter(username="pipeline").count() == 1
    assert ApiToken.objects.filter(user=user).count() == 2
    run("create_pipeline_account", "--replace")
    assert ApiToken.objects.filter(user=user).count() == 1


def test_create_pipeline_account_refuses_to_turn_a_person_into_the_service_account(roles, staff):
    with pytest.raises(CommandError, match="not a service account"):
        run("create_pipeline_account", "--username", "staff")
    assert not ApiToken.objects.exists()
    assert "data_pipeline" not in staff.groups.values_list("name", flat=True)
