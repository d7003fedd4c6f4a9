"""manage.py import_sessions FILE.csv [--partial]: load live sessions from a CSV file through COPY."""

import os

from django.core.management.base import BaseCommand, CommandError

from core.audit import job_context
from providers.ingest import FIELDS, ingest_csv


class Command(BaseCommand):
    help = (
        "Upsert live sessions from a UTF-8 CSV file (header: " + ",".join(FIELDS) + "). "
        "All-or-nothing unless --partial; prints the row-level error report."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the CSV file")
        parser.add_argument("--partial", action="store_true", help="write the valid rows and report the rest")

    def handle(self, *args, file, partial, **options):
        try:
            # Binary: the service checks the encoding itself and streams plain files to COPY as they are.
            handle = open(file, "rb")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"Cannot open {file}: {exc.strerror}") from None
        with handle, job_context("command", "import_sessions", file=os.path.basename(file)):
            report = ingest_csv(file=handle, filename=os.path.basename(file), partial=partial)
        # A refused file has one error, its reason, which the CommandError below states.
        for error in report.errors if report.ok or report.code == "invalid_rows" else ():
            where = f"line {error['row']}" if error["row"] is not None else "file"
            field = f", {error['field']}" if error["field"] else ""
            self.stderr.write(f"{where}{field}: {error['reason']}")
        if report.error_count > len(report.errors):
            self.stderr.write(f"... {report.error_count - len(report.errors)} more errors not shown")
        summary = (
            f"batch {report.batch}: received {report.received}, created {report.created}, "
            f"updated {report.updated}, unchanged {report.unchanged}, rejected {report.rejected}"
        )
        if options["verbosity"] >= 2 and report.timings:
            self.stdout.write(
                "timings: " + ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in report.timings.items())
            )
        if not report.ok:
            raise CommandError(f"{report.message} ({summary})")
        self.stdout.write(summary)
