"""Staff roles (groups) and the model permissions each one holds.

Roles are enforced server-side through Django model permissions (see core.permissions).
Every staff role can read everything; the auditor can only read.
"""

from django.contrib.auth.models import Group, Permission

ADMISSION_REVIEWER = "admission_reviewer"
CYCLE_MANAGER = "cycle_manager"
APPEAL_REVIEWER = "appeal_reviewer"
AUDITOR = "auditor"
DATA_PIPELINE = "data_pipeline"
FINANCE = "finance"
PAYMENT_SYSTEM = "payment_system"

STAFF_ROLES = [ADMISSION_REVIEWER, CYCLE_MANAGER, APPEAL_REVIEWER, AUDITOR, FINANCE]
# Roles of service accounts (not staff, not provider users): they may only do what their permissions name.
SERVICE_ROLES = [DATA_PIPELINE, PAYMENT_SYSTEM]

# Apps whose data every staff role may read.
READABLE_APPS = [
    "providers",
    "live",
    "scoring",
    "certification",
    "admission",
    "settlement",
    "ecosystem",
    "playbook",
    "pghistory",
    "django_celery_beat",
]

# (app_label, model) pairs each role may add/change/delete, plus extra codenames.
ROLE_WRITES = {
    ADMISSION_REVIEWER: {
        "models": [
            ("providers", "provider"),
            ("providers", "provideruser"),
            ("providers", "operator"),
            ("providers", "employment"),
            ("providers", "merchant"),
            ("providers", "engagement"),
            ("admission", "admissionapplication"),
            ("settlement", "serviceagreement"),
            ("settlement", "agreementversion"),
        ],
        "extra": ["admission.review_admission"],
    },
    CYCLE_MANAGER: {
        "models": [
            ("providers", "violation"),
            ("providers", "complaint"),
            ("scoring", "capabilitymodel"),
            ("scoring", "qualificationcycle"),
            ("certification", "ruleset"),
            ("certification", "operatorassessment"),
            ("playbook", "playbook"),
            ("playbook", "playbookstage"),
            ("playbook", "playbookitem"),
            ("django_celery_beat", "periodictask"),
            ("django_celery_beat", "crontabschedule"),
            ("ecosystem", "programme"),
            ("ecosystem", "reportsettings"),
        ],
        "extra": ["scoring.run_cycle", "certification.approve_delisting", "certification.verify_ledger"],
    },
    APPEAL_REVIEWER: {"models": [("certification", "appeal")], "extra": ["certification.decide_appeal"]},
    AUDITOR: {"models": [], "extra": []},
    # 收益线上化: statements, disputes, approvals, invoices, payouts and the tier incentive shares.
    FINANCE: {
        "models": [("settlement", "tierincentiveschedule")],
        "extra": ["settlement.run_settlement", "settlement.finance_statement"],
    },
}

DATA_PIPELINE_PERMS = [
    "providers.ingest_livesession",
    "providers.view_merchant",
    "providers.view_operator",
    "live.ingest_live",
]
# The payment system reports payouts paid (and reads the payouts it is sent).
PAYMENT_SYSTEM_PERMS = ["settlement.report_payment", "settlement.view_payout"]


def _perms(codes):
    """Permissions named 'app_label.codename' that exist (apps not yet migrated are skipped)."""
    out = []
    for code in codes:
        app_label, codename = code.split(".")
        out.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
    return out


def sync_roles() -> None:
    """Create the role groups and set their permissions; safe to run any number of times."""
    readable = list(Permission.objects.filter(content_type__app_label__in=READABLE_APPS, codename__startswith="view_"))
    for role, spec in ROLE_WRITES.items():
        group, _ = Group.objects.get_or_create(name=role)
        codes = [f"{app}.{action}_{model}" for app, model in spec["models"] for action in ("add", "change", "delete")]
        group.permissions.set(readable + _perms(codes + spec["extra"]))
    pipeline, _ = Group.objects.get_or_create(name=DATA_PIPELINE)
    pipeline.permissions.set(_perms(DATA_PIPELINE_PERMS))
    payments, _ = Group.objects.get_or_create(name=PAYMENT_SYSTEM)
    payments.permissions.set(_perms(PAYMENT_SYSTEM_PERMS))
