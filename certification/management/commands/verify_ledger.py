"""manage.py verify_ledger: walk the decision hash chain and name the first broken link.

With anchors — heads recorded outside the database, given as `--expect-head SEQ:HASH` or read from
LEDGER_ANCHOR_DIR — it also catches what the chain alone cannot: removed tail rows (or an emptied
ledger) and a suffix changed and re-hashed. See docs/ledger.md.
"""

import argparse

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from certification.ledger import Anchor, ledger_anchors_read, ledger_verify


def anchor_argument(text: str) -> Anchor:
    try:
        return Anchor.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class Command(BaseCommand):
    help = "Verify the decision ledger's hash chain and that it passes through known heads (exit 1 if not)."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=5000, help="rows read per query")
        parser.add_argument(
            "--expect-head",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            type=anchor_argument,
            help="a head published or recorded earlier: the chain must reach SEQ and have HASH there (repeatable)",
        )
        parser.add_argument(
            "--no-recorded-anchors",
            action="store_true",
            help="do not also check the anchors recorded in LEDGER_ANCHOR_DIR",
        )

    def handle(self, *args, chunk_size, expect_head, no_recorded_anchors, **options):
        anchors = list(expect_head)
        if not no_recorded_anchors:
            try:
                anchors += ledger_anchors_read(settings.LEDGER_ANCHOR_DIR)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        report = ledger_verify(chunk_size=chunk_size, anchors=anchors)
        if report.broken is not None:
            link = report.broken
            raise CommandError(
                f"Ledger broken at seq {link.seq}: {link.problem}; expected {link.expected}, stored {link.stored} "
                f"({report.count} decisions verified before it)"
            )
        passes = f"; passes through {report.anchors_checked} known heads" if report.anchors_checked else ""
        self.stdout.write(f"OK: {report.count} decisions, head hash {report.head_hash}{passes}")
