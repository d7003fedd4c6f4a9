"""The public operator record (操盘履历) as an Open Badges 3.0-shaped document, beside certificate verification."""

import datetime as dt

from django.urls import reverse

from certification.verification import OB_CONTEXT

from .selectors import record_window

NARRATIVE = (
    "Facts the Saima platform itself recorded over the last 12 months (Asia/Shanghai): operated sessions, merchants "
    "served, the highest monthly GMV band a merchant reached in a month this operator operated it, and the average "
    "single-session uplift against the merchant's baseline. Merchants are named only with their consent."
)


def _s(value):
    return None if value is None else str(value)


def record_document(certificate, record: dict, request, today: dt.date) -> dict:
    """Only public facts: the operator's name, the certificate number, the record's figures, consenting merchants."""
    url = request.build_absolute_uri(reverse("playbook:record-json", args=[certificate.number]))
    page = request.build_absolute_uri(reverse("playbook:record", args=[certificate.number]))
    start, end = record_window(today)
    band = record["highest_band"]
    results = [
        ("operated_sessions", record["operated_sessions"]),
        ("merchants_served", record["merchants_served"]),
        ("highest_band", band["label"] if band else None),
        ("average_uplift", _s(record["average_uplift"])),
        ("uplift_sessions", record["uplift_sessions"]),
    ]
    return {
        "@context": OB_CONTEXT,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "id": url,
        "name": f"Saima operator record {certificate.number}",
        "issuer": {"id": request.build_absolute_uri("/"), "type": "Profile", "name": "Saima"},
        "validFrom": start.isoformat(),
        "validUntil": (end - dt.timedelta(seconds=1)).isoformat(),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": certificate.holder_name,
            "achievement": {
                "id": f"{request.build_absolute_uri('/')}achievements/operator-record",
                "type": ["Achievement"],
                "name": "Operator record (操盘履历)",
                "criteria": {"narrative": NARRATIVE},
            },
            "result": [
                {"type": ["Result"], "resultDescription": key, "value": None if value is None else str(value)}
                for key, value in results
            ],
        },
        "evidence": [
            {
                "type": ["Evidence"],
                "name": m["name"],
                "description": f"sessions={m['sessions']}; highest_band={m['highest_band']['label']}",
            }
            for m in record["merchants_named"]
        ],
        "credentialStatus": {
            "id": page,
            "type": "SaimaOperatorRecord",
            "certificate": request.build_absolute_uri(reverse("certification:verify-json", args=[certificate.number])),
            "merchantsUnnamed": record["merchants_unnamed"],
        },
    }
