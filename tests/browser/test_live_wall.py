"""The live wall in real Chromium, served by two web processes on two ports: a snapshot accepted by one reaches the
browser connected to the other (the push goes through Redis), without a reload; another provider's socket is refused."""

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from playwright.sync_api import expect

from core.dates import SHANGHAI
from core.tokens import api_token_create
from live.ingest import snapshots_ingest
from tests import factories
from tests.browser.conftest import login
from tests.live.helpers import row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def two_servers():
    """Two `manage.py runserver` processes (Daphne, ASGI) on the test database and the test's Redis."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    url = f"postgres://{db['USER']}{password}@{host}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "true",
        "REDIS_URL": settings.REDIS_URL,
        "MIGRATION_DATABASE_URL": "",
    }
    ports, procs = [_free_port(), _free_port()], []
    for port in ports:
        procs.append(
            subprocess.Popen(  # noqa: S603 — our own interpreter and manage.py
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    try:
        for port, proc in zip(ports, procs, strict=True):
            for _ in range(600):  # until it listens (or dies)
                if _listening(port) or proc.poll() is not None:
                    break
                proc.wait_timeout = None
                try:
                    proc.wait(timeout=0.1)
                except subprocess.TimeoutExpired:
                    pass
            assert _listening(port), f"web process on {port} did not start"
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)


@pytest.fixture
def scene(provider, other_provider, roles):
    merchant = factories.MerchantFactory(platform_account_id="shared", name="Shared shop")
    start = dt.datetime.now(SHANGHAI).replace(second=0, microsecond=0) - dt.timedelta(minutes=3)
    for p in (provider, other_provider):
        factories.EngagementFactory(provider=p, merchant=merchant, start_date=start.date() - dt.timedelta(days=3))
    ours = factories.EmploymentFactory(provider=provider, operator__platform_user_id="op-ours").operator
    theirs = factories.EmploymentFactory(provider=other_provider, operator__platform_user_id="op-theirs").operator
    for eid, op in (("ours", ours), ("theirs", theirs)):
        snapshots_ingest(
            rows=[
                row(
                    eid,
                    "shared",
                    start,
                    k,
                    operator=op.platform_user_id,
                    entries=10 * (k + 1),
                    gmv=Decimal(100 * k),
                    online_viewers=5,
                )
                for k in range(3)
            ]
        )
    for username, p in (("wall_user", provider), ("wall_outsider", other_provider)):
        user = factories.ProviderUserFactory(provider=p, user__username=username).user
        # The web processes run with the default hashers (this process's tests use a fast MD5 one).
        user.password = PBKDF2PasswordHasher().encode("pw-for-tests-1", PBKDF2PasswordHasher().salt())
        user.save()
    pipeline = factories.UserFactory(username="pipeline")
    pipeline.groups.set([roles["data_pipeline"]])
    _token, key = api_token_create(user=pipeline, name="test")
    return {"start": start, "key": key}


def _post(base, key, rows):
    request = urllib.request.Request(  # noqa: S310 — loopback test server
        f"{base}/api/v1/live-snapshots/",
        data=json.dumps(rows).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Token {key}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def _socket_state(page, path):
    return page.evaluate(
        """(path) => new Promise((resolve) => {
            const ws = new WebSocket("ws://" + location.host + path);
            ws.onopen = () => { ws.close(); resolve("open"); };
            ws.onclose = () => resolve("refused");
        })""",
        path,
    )


def test_a_snapshot_accepted_by_one_process_reaches_a_browser_on_the_other(
    browser, two_servers, scene, screenshot_dir=None
):
    web_a, web_b = two_servers
    context = browser.new_context(base_url=web_a, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    login(page, "wall_user")
    page.goto("/live/ours/")
    assert page.inner_text("#live-minute") == "2"
    page.wait_for_selector("#wall[data-connected='1']", timeout=15_000)
    page.wait_for_selector("#curves canvas", timeout=15_000)
    report = _post(
        web_b,
        scene["key"],
        [
            row(
                "ours",
                "shared",
                scene["start"],
                3,
                operator="op-ours",
                entries=40,
                gmv=Decimal("345.60"),
                online_viewers=9,
            )
        ],
    )
    assert report["created"] == 1
    expect(page.locator("#live-minute")).to_have_text("3", timeout=10_000)
    assert "345.60" in page.inner_text("[data-tile='gmv']")
    assert page.inner_text("[data-tile='online']") == "9"
    # The socket of another provider's stream (same merchant) is refused exactly like a stream that does not exist.
    assert _socket_state(page, "/ws/live/theirs/") == "refused"
    assert _socket_state(page, "/ws/live/no-such-stream/") == "refused"
    assert _socket_state(page, "/ws/live/ours/") == "open"
    page.set_viewport_size({"width": 390, "height": 800})  # phone width: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    assert page.goto("/live/theirs/").status == 404
    context.close()
