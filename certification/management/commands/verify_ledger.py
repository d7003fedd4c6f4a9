"""manage.py verify_ledger: walk the decision hash chain and name the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from certification.ledger import ledger_verify


class Command(BaseCommand):
    help = "Verify the decision ledger's hash chain (exit 1 at the first broken link)."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=5000, help="rows read per query")

    def handle(self, *args, chunk_size, **options):
        report = ledger_verify(chunk_size=chunk_size)
        if report.broken is not None:
            link = report.broken
            raise CommandError(
                f"Ledger broken at seq {link.seq}: {link.problem}; expected {link.expected}, stored {link.stored} "
                f"({report.count} decisions verified before it)"
            )
        self.stdout.write(f"OK: {report.count} decisions, head hash {report.head_hash}")
