"""Make the data pipeline's service account if missing and print a new API token for it, once."""

from django.core.management.base import BaseCommand, CommandError

from core.accounts import PIPELINE_USERNAME, pipeline_account_ensure
from core.audit import job_context
from core.errors import Refusal
from core.roles import DATA_PIPELINE
from core.tokens import api_token_create


class Command(BaseCommand):
    help = (
        f"Create the service account '{PIPELINE_USERNAME}' in the group {DATA_PIPELINE} if it is missing, and print "
        "a new API token for it (shown only now). --replace revokes its other tokens."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default=PIPELINE_USERNAME)
        parser.add_argument("--replace", action="store_true", help="revoke the account's other tokens")

    def handle(self, *args, username, replace, **options):
        try:
            with job_context("command", "create_pipeline_account"):
                user, created = pipeline_account_ensure(username=username)
                _token, key = api_token_create(user=user, name="pipeline", replace=replace)
        except Refusal as exc:
            raise CommandError(exc.message) from exc
        what = "created" if created else "already exists"
        self.stderr.write(f"Service account {username} ({DATA_PIPELINE}) {what}. Its new API token, shown only now:")
        self.stdout.write(key)
