"""Production settings: check --deploy is clean, HTTPS and cookies are on, and the pages fit the CSP."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "saima.example.com",
    "DJANGO_SETTINGS_MODULE": "saima.settings",
}


# Variables of the test run that a deployment would not have (the browser tests relax async safety).
NOT_IN_PRODUCTION = [
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "TRUST_X_FORWARDED_PROTO",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
]


def run_production(*args: str, **overrides: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name not in NOT_IN_PRODUCTION}
    env.update(PRODUCTION_ENV, **overrides)
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_settings_turn_on_https_hsts_and_secure_cookies():
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "LANGUAGE_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
    ]
    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    result = run_production("-c", script)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
    }


def test_each_protection_can_be_turned_off_for_a_plain_http_test_installation():
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS, hasattr(settings, 'SECURE_PROXY_SSL_HEADER')"
        " and settings.SECURE_PROXY_SSL_HEADER is not None)"
    )
    result = run_production(
        "-c", script, SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0", TRUST_X_FORWARDED_PROTO="false"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False 0 False"


@pytest.mark.django_db
def test_pages_send_a_content_security_policy_without_inline_scripts():
    response = Client().get("/accounts/login/")
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip())
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["style-src"] == "'self' 'unsafe-inline'"


def template_files():
    for folder in (ROOT / "templates", *ROOT.glob("*/templates")):
        yield from folder.rglob("*.html")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)


def test_no_template_has_an_inline_script_a_handler_attribute_or_a_javascript_url():
    offenders = []
    for path in template_files():
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, HANDLER, re.compile(r"javascript:", re.IGNORECASE)):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert offenders == []


@pytest.mark.django_db
def test_the_api_docs_page_loads_its_start_up_script_as_a_file(staff):
    client = Client()
    client.force_login(staff)
    page = client.get("/api/docs/").content.decode()
    assert not INLINE_SCRIPT.search(page)
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
