"""Load the deterministic demo platform (demo/steps.py) and print the demo logins."""

import datetime as dt
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.audit import job_context
from core.roles import sync_roles
from demo import steps
from providers import demo
from providers.models import Provider


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today {value!r}: use YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = (
        "Fill an empty database with a realistic, deterministic demo platform (same --seed, same data) "
        "and print the demo logins."
    )

    def add_arguments(self, parser):
        defaults = demo.DemoConfig.__dataclass_fields__
        parser.add_argument("--seed", type=int, default=defaults["seed"].default)
        parser.add_argument("--providers", type=int, default=defaults["providers"].default, help="number of providers")
        parser.add_argument("--days", type=int, default=defaults["days"].default, help="days of live sessions")
        parser.add_argument("--today", type=parse_date, help="anchor date YYYY-MM-DD (default: today in Shanghai)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if the database already has providers")
        parser.add_argument("--logins", action="store_true", help="only print the demo logins")

    def handle(self, *args, seed, providers, days, today, if_empty, logins, **options):
        if logins:
            self.stdout.write(demo.logins_text())
            return
        if Provider.objects.exists():
            if if_empty:
                self.stdout.write("The database already has providers; demo data not loaded again.")
                self.stdout.write(demo.logins_text())
                return
            raise CommandError("The database already has providers: seed_demo fills an empty database only.")
        if not settings.DEBUG:
            # The demo logins share a published password: never in a production database.
            raise CommandError("seed_demo runs only with DEBUG=true (it creates logins with a published password).")
        try:
            config = demo.DemoConfig(seed=seed, providers=providers, days=days, **({"today": today} if today else {}))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

        began = time.perf_counter()
        with job_context("command", "seed_demo", seed=seed):
            sync_roles()
            result = steps.generate(config)
        elapsed = time.perf_counter() - began
        counts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in result.counts.items())
        self.stdout.write(
            f"Demo data (seed {seed}, {days} days up to {config.today - dt.timedelta(days=1)}): {counts}. "
            f"Loaded in {elapsed:.1f} s."
        )
        if options["verbosity"] >= 2:
            self.stdout.write("Seconds per step: " + ", ".join(f"{k} {v:.2f}" for k, v in result.timings.items()))
        self.stdout.write(demo.logins_text())
