"""Make an API token for a login and print its key, once (only its hash is kept)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.audit import job_context
from core.tokens import api_token_create


class Command(BaseCommand):
    help = (
        "Make a new API token for USERNAME and print the key (Authorization: Token <key>). The key is shown "
        "only now: the database keeps its hash. --replace revokes the login's other tokens (rotation)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for (shown in the admin)")
        parser.add_argument("--replace", action="store_true", help="revoke the user's other tokens")

    def handle(self, *args, username, name, replace, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive: its tokens would not be accepted.")
        with job_context("command", "create_api_token", user=user.pk):
            token, key = api_token_create(user=user, name=name, replace=replace)
        # The key alone on stdout (KEY=$(manage.py create_api_token pipeline)); the rest for people on stderr.
        self.stderr.write(f"New API token {token.key_prefix}… for {username}: keep the key now, it is not shown again.")
        self.stdout.write(key)
