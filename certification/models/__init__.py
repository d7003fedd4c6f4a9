"""Models of the certification app, one module per concern (new modules add their own import here)."""

from .certificates import Certificate, CertificateCounter
from .cycles import CycleOutcome, CycleRules, Notification
from .inbox import DecisionRead
from .ledger import Decision, DecisionApproval, LedgerVerification
from .rules import RuleSet

__all__ = [
    "Certificate",
    "CertificateCounter",
    "CycleOutcome",
    "CycleRules",
    "Notification",
    "Decision",
    "DecisionApproval",
    "DecisionRead",
    "LedgerVerification",
    "RuleSet",
]
from .assessments import OperatorAssessment  # noqa: E402, F401, I001
from .appeals import Appeal, AppealAttachment, AppealStatus  # noqa: E402, F401, I001
