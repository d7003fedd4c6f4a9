"""Models of the certification app, one module per concern (new modules add their own import here)."""

from .certificates import Certificate, CertificateCounter
from .ledger import Decision, DecisionApproval
from .rules import RuleSet

__all__ = ["Certificate", "CertificateCounter", "Decision", "DecisionApproval", "RuleSet"]
