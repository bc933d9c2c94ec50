"""Custom domains in a real browser: alpha's admin adds market.alpha-example.test, reads the DNS
records to create, the local DNS server starts serving the TXT record, "Check now" verifies it, the
domain becomes primary (the platform subdomain now sends pages there, where the admin signs in
again), then the subdomain is made primary again and the domain removed.

The browser resolves *.test to the test server (tests/web/conftest.py) and the server asks the
session's local DNS server. Alpha is committed and shared with other tests, so whatever happens here,
the fixture below puts its domains back as they were.
Screenshots: tests/screenshots/domains-*.png (desktop and phone).
"""

from __future__ import annotations

import http.client

import psycopg
import pytest
from django.conf import settings

from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

DOMAIN = "market.alpha-example.test"


@pytest.fixture
def alpha_restored():
    """After the test, alpha's subdomain is its primary again and the made-up domain is gone (a
    connection of its own: the server committed these rows, the test's transaction cannot see them)."""
    yield
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"] or None, dbname=db["NAME"]
    ) as conn:
        conn.execute("UPDATE tenants_domain SET is_primary = false WHERE domain = %s AND is_primary", [DOMAIN])
        conn.execute("DELETE FROM tenants_domain WHERE domain = %s", [DOMAIN])
        conn.execute("UPDATE tenants_domain SET is_primary = true WHERE domain = 'alpha.localhost'")
        conn.execute("UPDATE alpha.wagtailcore_site SET hostname = 'alpha.localhost'")


def sign_in_here(page, email: str) -> None:
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def fetch(port: int, host: str, path: str) -> tuple[int, str | None]:
    """GET from the test server as `host`, not following redirects: (status, Location)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": f"{host}:{port}"})
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location")
    finally:
        conn.close()


def row(page, domain: str):
    return page.locator(f'tr[data-domain="{domain}"]')


def test_an_admin_adds_verifies_and_switches_to_a_custom_domain(
    page, site, sign_in, shots, axe, dns, alpha_restored, web_server
):
    # given alpha's admin on the domains page
    sign_in("alpha", "admin@alpha.test")
    page.goto(site("alpha", "/manage/domains/"))
    assert page.inner_text("h1") == "Domains"

    # when they add a name that is not a domain, then the real one
    page.fill("input[name=domain]", "https://market")
    page.click("form.add-domain button[type=submit]")
    assert "Use a full domain name" in page.inner_text("#id_domain_errors")
    shots("domains-add-error")
    page.fill("input[name=domain]", DOMAIN)
    page.click("form.add-domain button[type=submit]")

    # then it is pending (its first check found nothing) with the records to create
    page.wait_for_selector(f"text={DOMAIN} was added")
    assert "Waiting for DNS" in row(page, DOMAIN).inner_text()
    assert "does not exist in DNS yet" in row(page, DOMAIN).inner_text()
    records = page.locator(f'[id="records-for-{DOMAIN}"]')
    assert records.locator('tr[data-record="CNAME"] code').nth(1).inner_text() == "alpha.localhost"
    token = records.locator('tr[data-record="TXT"] code').nth(1).inner_text()
    assert token.startswith("mkt-verify-")
    axe()
    shots("domains-pending")

    # when the TXT record appears in DNS and the admin checks now
    dns.records[f"_mkt-verify.{DOMAIN}"] = {"TXT": [token]}
    row(page, DOMAIN).get_by_role("button", name="Check now").click()

    # then it is verified and can be made primary
    page.wait_for_selector(f"text={DOMAIN} is verified and now leads to this marketplace.")
    assert "Verified" in row(page, DOMAIN).inner_text()
    assert page.locator(f'[id="records-for-{DOMAIN}"]').count() == 0
    shots("domains-verified")

    # when it is made primary (from the subdomain)
    row(page, DOMAIN).get_by_role("button", name="Make primary").click()

    # then the admin pages moved to the custom domain, where the admin signs in again
    page.wait_for_url(f"http://{DOMAIN}:{web_server}/accounts/login/**")
    sign_in_here(page, "admin@alpha.test")
    page.wait_for_url(f"http://{DOMAIN}:{web_server}/manage/domains/")
    assert "Primary" in row(page, DOMAIN).inner_text()
    assert f"Visitors find your marketplace at {DOMAIN}" in page.inner_text(".lead")
    axe()
    shots("domains-primary")
    assert fetch(web_server, "alpha.localhost", "/search/?q=maths") == (
        301,
        f"http://{DOMAIN}:{web_server}/search/?q=maths",
    )
    assert fetch(web_server, "alpha.localhost", "/api/v1/marketplace/")[0] == 200

    # when the subdomain becomes primary again (from the custom domain, which keeps working)
    row(page, "alpha.localhost").get_by_role("button", name="Make primary").click()
    page.wait_for_selector("text=alpha.localhost is now the primary domain.")

    # then the subdomain serves its pages again, where the admin is still signed in
    page.goto(site("alpha", "/manage/domains/"))
    assert "Primary" in row(page, "alpha.localhost").inner_text()

    # when the domain is removed (asked first)
    row(page, DOMAIN).get_by_role("link", name="Remove").click()
    assert page.inner_text("h1") == f"Remove {DOMAIN}?"
    shots("domains-remove")
    page.get_by_role("button", name="Remove domain").click()

    # then
    page.wait_for_selector(f"text={DOMAIN} was removed.")
    assert row(page, DOMAIN).count() == 0
    assert fetch(web_server, "alpha.localhost", "/search/?q=maths")[0] == 200
    assert fetch(web_server, DOMAIN, "/")[0] == 404
