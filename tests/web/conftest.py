"""A real browser: Playwright driving Debian's Chromium against the product served by gunicorn.

The server is a separate gunicorn process on the test database (pytest-django's live_server would
flush the database after each test, taking the session's marketplaces with it).

Marketplace hosts are `<slug>.localhost:<port>`, which Chromium resolves to the loopback address.
Screenshots land in tests/screenshots/ for people to look at.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.processes import ROOT, free_port, log_file, process_env, stop

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                # Custom domains made up by tests (market.alpha-example.test) lead to the test server.
                "--host-resolver-rules=MAP *.test 127.0.0.1",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def shot(page):
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def web_server(django_db_setup, dns_server):
    """gunicorn serving the product on a free port, on the test database. Yields the port.
    Custom domains are verified against the session's local DNS server (`dns` fixture)."""
    port = free_port()
    # Every open page holds a thread for its live-updates stream: plenty of threads, and a short
    # keep-alive so streams of closed pages end quickly.
    env = process_env(
        PUBLIC_PORT=str(port),
        CELERY_TASK_ALWAYS_EAGER="true",
        LIVE_KEEPALIVE_SECONDS="2",
        DNS_RESOLVER_NAMESERVERS=dns_server.address,
        DNS_RESOLVER_TIMEOUT="1",
    )
    log = log_file("gunicorn-test")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "24",
            "--access-logfile",
            "-",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310 - loopback
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError(f"gunicorn did not start; see {log.name}") from None
            time.sleep(0.2)
    yield port
    stop(proc, log)


@pytest.fixture
def site(web_server):
    """URL builder for a host on the test server: site("alpha") -> http://alpha.localhost:<port>/"""
    port = web_server

    def url(slug: str | None = None, path: str = "/") -> str:
        host = f"{slug}.localhost" if slug else "localhost"
        return f"http://{host}:{port}{path}"

    return url


PHONE = {"width": 390, "height": 844}


def photograph(page, name: str) -> None:
    """Full-page screenshots of `page` at desktop width and at phone width (`<name>.png`,
    `<name>-phone.png`), then back to the desktop size."""
    SCREENSHOTS.mkdir(exist_ok=True)
    desktop = page.viewport_size
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(100)  # let the layout settle at the new width
    page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(desktop)


def check_accessibility(page, context=None, checker=None) -> list[dict]:
    """Run axe-core on `page`; fails listing every serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = (checker or Axe()).run(page, context=context)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:5]) for v in bad
    ]
    assert not bad, f"accessibility violations on {page.url}:\n" + "\n".join(details)
    return results.response["violations"]


@pytest.fixture
def shots(page):
    """`shots(name)`: `photograph` the test's page."""
    return lambda name: photograph(page, name)


@pytest.fixture
def axe(page):
    """`axe()`: `check_accessibility` of the test's page (one axe-core checker per test)."""
    from axe_playwright_python.sync_playwright import Axe

    checker = Axe()
    return lambda context=None: check_accessibility(page, context, checker)


@pytest.fixture(scope="session")
def demo_world(django_db_setup, django_db_blocker):
    """The three demo marketplaces of `make run` (uni, agency, lawfirm: branded, with providers,
    clients, listings and availability), committed so the browser's server sees them. They live until
    the test database is dropped; tests that use them change only what they create themselves."""
    from django.db import connection

    from tenants.demo import seed_demo

    with django_db_blocker.unblock():
        seed_demo()
        connection.set_schema_to_public()


@pytest.fixture
def sign_in(page, site):
    """`sign_in(slug, email, password=None)`: sign in through the marketplace's own form (the demo
    password at the demo marketplaces, the test password elsewhere)."""
    from tenants.demo import DEMO_MARKETPLACES, DEMO_PASSWORD
    from tests.factories import PASSWORD

    demo_slugs = {spec["slug"] for spec in DEMO_MARKETPLACES}

    def go(slug: str | None, email: str, password: str | None = None) -> None:
        password = password or (DEMO_PASSWORD if slug in demo_slugs else PASSWORD)
        page.goto(site(slug, "/accounts/login/"))
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("main button[type=submit]")
        page.wait_for_load_state()

    return go
