"""Make a staff member with one role; the password is typed (twice) or generated and printed once."""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from core.accounts import generate_password, staff_create
from core.audit import job_context
from core.errors import Refusal
from core.roles import STAFF_ROLES


class Command(BaseCommand):
    help = (
        "Create a staff member USERNAME with --role (one of: " + ", ".join(STAFF_ROLES) + "). At a terminal the "
        "password is asked for (empty: generate one); otherwise, or with --generate-password, a password is "
        "generated and printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=STAFF_ROLES)
        parser.add_argument("--email", default="")
        parser.add_argument("--generate-password", action="store_true", help="do not ask; generate and print one")

    def handle(self, *args, username, role, email, **options):
        password = None
        if not options["generate_password"] and sys.stdin.isatty():
            password = getpass.getpass("Password (empty: generate one): ")
            if password and getpass.getpass("Password again: ") != password:
                raise CommandError("The passwords do not match; nothing was created.")
        generated = not password
        if generated:
            password = generate_password()
        try:
            with job_context("command", "create_staff", role=role):
                staff_create(username=username, role=role, email=email, password=password)
        except Refusal as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Staff member {username} created with role {role}.")
        if generated:
            self.stdout.write(f"Password (shown only now): {password}")
