"""The thresholds of strict admission (严准入), in one settings-free place (docs/admission.md explains each one).

The limits of an uploaded document (MAX_DOCUMENT_BYTES, DOCUMENT_SIGNATURES) are in providers/files.py: appeal
attachments are held to the same ones.
"""

from decimal import Decimal

# Thresholds of the automatic checks (DESIGN §5).
MIN_REGISTERED_CAPITAL = Decimal("1000000.00")  # yuan, inclusive
MIN_DEPOSIT = Decimal("50000.00")  # yuan, inclusive
MIN_CERTIFIED_OPERATORS = 3  # proposed operators holding an operator certificate valid on the check date
LOOKBACK_MONTHS = 12  # serious violations and delistings under the same credit code
REJECTION_WAIT_DAYS = 90  # calendar days (Asia/Shanghai) after a rejection before the next submission passes
