"""After finding a lawyer, in a real browser: at the demo law firm a client (Nora) asks a lawyer
(Sarah) a question before booking; with both side by side, Sarah's open conversation shows Nora's
new message without reloading; Nora asks for a quote, Sarah sends one from the booking page, and
Nora's open booking page offers it at once; Nora accepts and pays, then opens a dispute with a piece
of evidence. Every page on the way is checked with axe and photographed at desktop and phone width
(tests/screenshots/activity-*.png).

The server sees committed data only: the demo marketplaces (`demo_world`) and one quote-workflow
listing made for this module (a name no other test uses); the rest is done through the pages, and
where another area's page is not the subject (requesting the quote), through the API."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from tenants.demo import DEMO_PASSWORD
from tests.web.conftest import check_accessibility, photograph

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

CLIENT = "nora@hartwell.example.com"
LAWYER = "sarah@hartwell.example.com"
TITLE = "Shareholder agreement review (activity journey)"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def quote_listing(demo_world, django_db_blocker) -> str:
    """A quote-workflow listing of Sarah's at the law firm, committed for the server to see."""
    from accounts.models import User
    from marketplace.catalogue.listings import listing_create, listing_transition
    from marketplace.catalogue.models import Category, Listing
    from tenants.context import tenant_context
    from tenants.models import Tenant

    with django_db_blocker.unblock():
        with tenant_context(Tenant.objects.get(schema_name="lawfirm")):
            found = Listing.objects.filter(title=TITLE).first()
            if found is None:
                sarah = User.objects.get(email=LAWYER)
                found = listing_create(
                    user=sarah,
                    category=Category.objects.get(slug="commercial-contracts").public_id,
                    title=TITLE,
                    description="A line-by-line review of your shareholder agreement with a written memo.",
                    attributes={
                        "conflict_check": "(to be filled in by the client)",
                        "jurisdiction": "England and Wales",
                    },
                    pricing_model="fixed",
                    packages=[{"name": "Review", "price": 60000}],
                )
                found = listing_transition(user=sarah, listing=found, action="submit")
            public_id = found.public_id
        connection.set_schema_to_public()
    return public_id


def _signed_in(browser, site, email: str):
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(site("lawfirm", "/accounts/login/"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return context, page


def _check(page, name: str) -> None:
    """axe finds no serious or critical violation; desktop and phone screenshots."""
    check_accessibility(page)
    photograph(page, name)


def _api_post(page, path: str, body: dict) -> tuple[int, dict]:
    """POST JSON to the marketplace's API from the page, as its signed-in person (session and CSRF
    token), so the call goes where the browser goes."""
    return page.evaluate(
        """async ([path, body]) => {
            const csrf = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";
            const r = await fetch(path, {method: "POST", credentials: "same-origin",
                headers: {"Content-Type": "application/json", "X-CSRFToken": csrf}, body: JSON.stringify(body)});
            return [r.status, await r.json()];
        }""",
        [path, body],
    )


def test_a_client_asks_a_lawyer_then_accepts_and_pays_a_quote(browser, site, quote_listing):
    client_context, nora = _signed_in(browser, site, CLIENT)
    lawyer_context, sarah = _signed_in(browser, site, LAWYER)
    try:
        # given Nora asks Sarah a question about the listing before booking
        nora.goto(site("lawfirm", f"/listings/{quote_listing}/"))
        if nora.locator("#ask form").count():
            nora.fill("#ask textarea[name=body]", "Hello, can you review a ten-page agreement this month?")
            nora.click("#ask button[type=submit]")
            nora.wait_for_url(re.compile(r"/messages/cnv_"))
        else:  # the listing page offers no question form: ask through the API
            status, asked = _api_post(
                nora,
                "/api/v1/conversations/",
                {"listing": quote_listing, "body": "Hello, can you review a ten-page agreement this month?"},
            )
            assert status == 201, asked
            nora.goto(site("lawfirm", f"/messages/{asked['id']}/"))
        conversation = re.search(r"/messages/(cnv_\w+)/", nora.url).group(1)

        # and Sarah has the conversation open, found through her inbox
        sarah.goto(site("lawfirm", "/messages/"))
        assert sarah.locator(".inbox-row.unread").count() >= 1
        _check(sarah, "activity-inbox")
        sarah.click(f"a[href='/messages/{conversation}/']")
        sarah.wait_for_selector("text=ten-page agreement")
        sarah.evaluate("window.__stillTheSamePage = true")

        # when Nora writes again
        nora.fill("textarea[name=body]", "It is for a two-founder startup.")
        nora.click(".composer button[type=submit]")
        nora.wait_for_selector(".message.mine >> text=two-founder startup")
        _check(nora, "activity-thread")

        # then Sarah's page shows it without reloading
        sarah.wait_for_selector(".message >> text=two-founder startup", timeout=35_000)
        assert sarah.evaluate("window.__stillTheSamePage") is True

        # when Nora asks for a quote (the inquiry becomes the booking's conversation)
        status, requested = _api_post(
            nora,
            "/api/v1/bookings/",
            {"listing": quote_listing, "package": "Review", "message": "Please quote for the review and a memo."},
        )
        assert status == 201, requested
        booking = requested["id"]
        nora.goto(site("lawfirm", f"/bookings/{booking}/"))
        assert "two-founder startup" in nora.inner_text("section:has(#conversation-title) .thread")
        nora.evaluate("window.__stillTheSamePage = true")

        # and Sarah sends a quote from the booking page
        sarah.goto(site("lawfirm", f"/bookings/{booking}/"))
        sarah.click("summary:has-text('Send a quote')")
        sarah.fill("input[name='send_quote-price']", "650")
        sarah.fill("textarea[name='send_quote-terms']", "Review of the agreement and a written memo within ten days.")
        sarah.fill("input[name='send_quote-valid_days']", "7")
        _check(sarah, "activity-booking-quote-form")
        sarah.click("form:has(input[name='send_quote-price']) button[type=submit]")
        sarah.wait_for_selector("text=Done: Sent a quote.")
        assert "Quote sent" in sarah.inner_text(".status-card")

        # then Nora's open booking page offers the quote without reloading, and she accepts and pays
        nora.wait_for_selector("summary:has-text('Accept the quote and pay')", timeout=35_000)
        assert nora.evaluate("window.__stillTheSamePage") is True
        assert "650.00" in nora.inner_text(".status-card")
        nora.click("summary:has-text('Accept the quote and pay')")
        nora.fill("input[name='accept_quote-card_number']", "4242 4242 4242 4242")
        nora.fill("input[name='accept_quote-card_expiry']", "12/30")
        nora.fill("input[name='accept_quote-card_cvc']", "123")
        nora.click("form:has(input[name='accept_quote-card_number']) button[type=submit]")
        nora.wait_for_selector("text=Done: Accepted the quote and paid.")
        assert "Held in escrow" in nora.inner_text("#money-title ~ *")
        assert "In progress" in nora.inner_text(".status-card")
        _check(nora, "activity-booking")

        # and the bookings list, notifications and account pages read well
        nora.goto(site("lawfirm", "/bookings/?tab=upcoming"))
        assert TITLE in nora.inner_text("table")
        _check(nora, "activity-bookings")
        sarah.goto(site("lawfirm", "/notifications/"))
        _check(sarah, "activity-notifications")
        sarah.goto(site("lawfirm", "/notifications/settings/"))
        _check(sarah, "activity-notification-settings")
        nora.goto(site("lawfirm", "/accounts/me/"))
        assert "R-" in nora.inner_text("#receipts-title ~ *")
        _check(nora, "activity-account")

        # when Nora opens a dispute with a piece of evidence
        nora.goto(site("lawfirm", f"/bookings/{booking}/"))
        nora.click("summary:has-text('Open a dispute')")
        nora.select_option("select[name=reason]", "not_delivered")
        nora.select_option("select[name=desired_outcome]", "full_refund")
        nora.fill("textarea[name=description]", "The memo has not arrived and the lawyer no longer answers.")
        nora.set_input_files(
            "input[name=evidence]", files=[{"name": "emails.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        nora.click("form:has(input[name=evidence]) button[type=submit]")

        # then the dispute page shows it, with the evidence and the frozen money
        nora.wait_for_url(re.compile(r"/disputes/dsp_"))
        assert "emails.pdf" in nora.inner_text("#evidence-title ~ *")
        assert "Negotiating" in nora.inner_text("main")
        _check(nora, "activity-dispute")
    finally:
        client_context.close()
        lawyer_context.close()
