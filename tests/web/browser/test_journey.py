"""The product's acceptance test: one journey across every area, in a real browser, with a separate
browser (its own cookies and session) for each person.

1. An operator signs up on the platform site for an agency marketplace, watches it being created and
   lands signed in at its admin.
2. They brand it (primary colour and heading font), save the draft, preview it on the site and
   publish it: a signed-out visitor's home page then carries the new colour.
3. A provider registers, applies, is approved by the operator (when the marketplace asks for it),
   and publishes a listing with a package in a category whose workflow is quote-based (moderated
   by the operator when the marketplace moderates listings).
4. A client registers, finds the listing through search, requests a quote; the provider quotes, the
   client accepts and pays with the test card, the provider delivers, the client accepts the
   delivery and the booking completes; both review each other and each sees the other's review.
5. A second request by the same client is quoted, paid and delivered; the client opens a dispute,
   escalates it, the operator decides a split that adds up, and the client sees the decision.

Pages met nowhere else are checked with axe-core; the key steps are photographed at desktop and
phone width (tests/screenshots/journey-*.png). The server sees committed data only: everything here
is made through the browser, under names no other test uses."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import check_accessibility, photograph

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

SLUG = "journey-studio"
MARKETPLACE = "Journey Studio Collective"
PASSWORD = "Journey-pass-2026"
OPERATOR, OPERATOR_NAME = "olive.operator@journey-studio.example.com", "Olive Operator"
PROVIDER, PROVIDER_NAME = "piet.provider@journey-studio.example.com", "Piet Provider"
CLIENT, CLIENT_NAME = "clara.client@journey-studio.example.com", "Clara Client"
TITLE = "Zephyr mascot illustration for the journey"
PRIMARY = "#9d174d"
HEADING_FONT = "lora"
CARD = ("4242 4242 4242 4242", "12/30", "123")
BOOKING_URL = re.compile(r"/bookings/(bkg_[a-z0-9]+)/$")


# --- helpers -----------------------------------------------------------------------------------------


def _person(browser):
    """A browser of their own for one person: cookies and sessions are not shared."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def _look(page, name: str, *, accessible: bool = True) -> None:
    """The `axe`/`shots` fixtures' checks, for a page of another browser context."""
    if accessible:
        check_accessibility(page)
    photograph(page, name)


def _register(page, site, *, name: str, email: str, provider: bool = False) -> None:
    page.goto(site(SLUG, "/accounts/register/"))
    page.fill("input[name=full_name]", name)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    if provider:
        page.check("input[name=roles][value=provider]")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(rf"http://{SLUG}\.localhost:\d+/$"))
    page.wait_for_load_state()


def _primary_colour(page) -> str:
    """The primary colour in the page's own style (the branding's custom properties)."""
    css = page.evaluate("() => [...document.querySelectorAll('head style')].map(s => s.textContent).join('')")
    found = re.search(r"--color-primary:\s*(#[0-9a-fA-F]{6})", css)
    assert found, "the page sets no --color-primary"
    return found.group(1).lower()


def _act(page, summary: str, fields: dict[str, str], done: str) -> None:
    """A workflow action on the booking page that opens a form under its button: fill it and send it."""
    page.click(f"summary:has-text('{summary}')")
    first = next(iter(fields))
    for name, value in fields.items():
        page.fill(f"[name='{name}']", value)
    page.click(f"form:has([name='{first}']) button[type=submit]")
    page.wait_for_selector(f"text=Done: {done}.")


def _press(page, action: str, done: str) -> None:
    """A workflow action that is a button alone."""
    page.click(f"form:has(input[name=action][value={action}]) button[type=submit]")
    page.wait_for_selector(f"text=Done: {done}.")


def _request_a_quote(page, site, message: str) -> str:
    """From the listing page to a quote request; returns the booking's public id."""
    page.click("main a.button:has-text('Request a quote') >> nth=0")
    page.wait_for_selector("h1:has-text('Request a quote')")
    page.fill("textarea[name=message]", message)
    page.click("#checkout-submit")
    page.wait_for_url(BOOKING_URL)
    assert "They will reply with a quote" in page.inner_text("main")
    return BOOKING_URL.search(page.url).group(1)


def _quote_paid_and_delivered(client, provider, site, booking: str, *, price: str, terms: str, note: str) -> None:
    """The provider quotes, the client accepts and pays with the test card, the provider delivers."""
    provider.goto(site(SLUG, f"/bookings/{booking}/"))
    _act(
        provider,
        "Send a quote",
        {"send_quote-price": price, "send_quote-terms": terms, "send_quote-valid_days": "7"},
        "Sent a quote",
    )
    client.goto(site(SLUG, f"/bookings/{booking}/"))
    assert price in client.inner_text(".status-card")
    number, expiry, cvc = CARD
    _act(
        client,
        "Accept the quote and pay",
        {"accept_quote-card_number": number, "accept_quote-card_expiry": expiry, "accept_quote-card_cvc": cvc},
        "Accepted the quote and paid",
    )
    assert "Held in escrow" in client.inner_text("#money-title ~ *")
    provider.goto(site(SLUG, f"/bookings/{booking}/"))
    _act(provider, "Deliver the work", {"deliver-note": note}, "Delivered the work")


def _review(page, *, stars: str, text: str) -> None:
    """Every star question of the review form (overall, and the category's criteria if any), and words."""
    for group in page.locator("#review .stars-field").all():
        group.locator(f"input[value='{stars}']").check()
    page.fill("textarea[name='review-text']", text)
    page.click("#review button:has-text('Submit your review')")
    page.wait_for_selector("text=Thank you: your review is")


# --- the journey -------------------------------------------------------------------------------------


def test_the_product_from_sign_up_to_a_mediated_dispute(browser, page, site, axe, shots):
    page.set_default_timeout(20_000)
    provider_context, provider = _person(browser)
    client_context, client = _person(browser)
    try:
        _operator_signs_up(page, site, shots)
        _operator_brands_the_marketplace(page, client, site, axe, shots)
        listing = _provider_joins_and_publishes(page, provider, site, axe, shots)
        first = _client_books_and_both_review(page, provider, client, site, listing)
        _second_booking_is_disputed_and_mediated(page, provider, client, site, shots, listing, first)
    finally:
        provider_context.close()
        client_context.close()


def _operator_signs_up(page, site, shots) -> None:
    # given: the platform's sign-up form, filled in for an agency
    visited: list[str] = []
    page.on("framenavigated", lambda frame: visited.append(frame.url) if frame == page.main_frame else None)
    page.goto(site(None, "/signup/"))
    page.fill("input[name=full_name]", OPERATOR_NAME)
    page.fill("input[name=email]", OPERATOR)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=name]", MARKETPLACE)
    page.fill("input[name=slug]", SLUG)
    page.wait_for_selector("#slug-check .slug-free")
    page.select_option("select[name=kind]", "agency")

    # when
    page.click("#create-marketplace", no_wait_after=True)

    # then: the progress page, then signed in at the new marketplace's admin
    page.wait_for_url(re.compile(rf"http://{SLUG}\.localhost:\d+/manage/"), timeout=90_000)
    page.wait_for_load_state()
    assert any(re.search(r"/signup/[^/]+/$", url) for url in visited), visited
    assert OPERATOR in page.text_content(".menu-who")
    assert page.inner_text("h1") == "Overview"
    shots("journey-1-admin")


def _operator_brands_the_marketplace(page, visitor, site, axe, shots) -> None:
    # given: the branding page, and the home page as a signed-out visitor sees it
    visitor.goto(site(SLUG, "/"))
    before = _primary_colour(visitor)
    assert before != PRIMARY
    page.goto(site(SLUG, "/manage/branding/"))
    axe()

    # when: a new primary colour and heading font, saved as a draft
    page.fill("input[name=primary_color]", PRIMARY)
    page.select_option("select[name=heading_font]", HEADING_FONT)
    page.click("#branding-form button[type=submit]")

    # then: the draft is saved and can be previewed
    page.wait_for_selector("text=Draft saved. Preview it on the site, then publish it.")
    assert page.is_visible(".pill-warning:has-text('Unpublished changes')")
    assert page.input_value("input[name=primary_color]").lower() == PRIMARY
    axe()
    shots("journey-2-branding-draft")

    # when: previewed on the site
    page.click("button:has-text('Preview on the site')")

    # then: only the operator sees the draft (with a banner saying so); the visitor does not
    page.wait_for_url(re.compile(rf"http://{SLUG}\.localhost:\d+/$"))
    page.wait_for_selector(".banner-preview")
    assert _primary_colour(page) == PRIMARY
    assert "Lora" in page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    axe()
    shots("journey-2-branding-preview")
    visitor.reload()
    assert _primary_colour(visitor) == before

    # when: published
    page.click(".banner-preview a:has-text('Back to branding')")
    page.wait_for_url(re.compile(r"/manage/branding/$"))
    page.click("form[action$='/publish/'] button[type=submit]")
    page.wait_for_selector("text=Published: everyone now sees the new look.")

    # then: a signed-out visitor's home page carries the new colour and font
    visitor.reload()
    assert _primary_colour(visitor) == PRIMARY
    assert visitor.locator(".banner-preview").count() == 0
    assert "Lora" in visitor.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    _look(visitor, "journey-2-home-published")


def _provider_joins_and_publishes(page, provider, site, axe, shots) -> str:
    # given: a provider registers, offering services, and applies
    _register(provider, site, name=PROVIDER_NAME, email=PROVIDER, provider=True)
    provider.goto(site(SLUG, "/provider/"))
    provider.wait_for_url(re.compile(r"/provider/apply/$"))
    provider.fill("input[name=headline]", "Mascots and characters that travel well")
    provider.fill("textarea[name=bio]", "Twelve years of characters for brands, games and picture books.")
    provider.click("main form button[type=submit]")
    provider.wait_for_load_state()

    # when: the marketplace checks providers, the operator approves the application
    if provider.locator("text=The marketplace's team is reviewing your application.").count():
        page.goto(site(SLUG, "/manage/providers/"))
        row = page.locator("table tbody tr", has_text=PROVIDER_NAME)
        assert "waiting" in row.inner_text()
        row.locator("a").first.click()
        page.check("input[name=decision][value=approve]")
        page.click("text=Save the decision")
        page.wait_for_selector(f"text={PROVIDER_NAME} is approved")
        shots("journey-3-provider-approved")

    # then: the provider's dashboard opens
    provider.goto(site(SLUG, "/provider/"))
    provider.wait_for_selector(f"h1:has-text('Hello, {PROVIDER_NAME}')")

    # when: a listing in a category whose bookings go inquiry → quote → accept, with a package
    provider.goto(site(SLUG, "/provider/listings/new/"))
    provider.fill("input[name=title]", TITLE)
    provider.fill(
        "textarea[name=description]",
        "A mascot for your brand: three sketches, two rounds of changes, and print-ready vector files.",
    )
    illustration = provider.locator("select[name=category] option", has_text="Illustration").get_attribute("value")
    provider.select_option("select[name=category]", illustration)
    provider.wait_for_selector("input[name=attr_deliverable_formats][value=SVG]")
    provider.check("input[name=attr_deliverable_formats][value=SVG]")
    provider.fill("input[name=packages-0-name]", "Mascot")
    provider.fill("input[name=packages-0-price]", "900")
    provider.fill("input[name=packages-0-delivery_days]", "14")
    provider.click("form#listing-form .sticky-actions button[type=submit]")
    provider.wait_for_selector("text=Listing saved as a draft")
    listing = re.search(r"/provider/listings/([^/]+)/$", provider.url).group(1)
    provider.click(".listing-status button:has-text('Submit')")
    provider.wait_for_selector("text=Done: the listing is now")

    # and: if the marketplace moderates listings, the operator approves it
    if provider.inner_text(".page-head .pill") != "Active":
        page.goto(site(SLUG, f"/manage/listings/{listing}/"))
        page.click("button[name=action][value=approve]")
        page.wait_for_load_state()
        provider.reload()

    # then: it is live
    assert provider.inner_text(".page-head .pill") == "Active"
    assert "Live: clients can find and book it." in provider.inner_text(".listing-status")
    _look(provider, "journey-3-provider-listing", accessible=False)
    return listing


def _client_books_and_both_review(page, provider, client, site, listing: str) -> str:
    # given: a client registers and searches
    _register(client, site, name=CLIENT_NAME, email=CLIENT)
    client.goto(site(SLUG, "/search/"))
    client.fill("#id_q", "mascot")
    client.wait_for_url(re.compile(r"/search/\?.*q=mascot"))
    client.wait_for_selector(".results-count:has-text('1 result')")
    _look(client, "journey-4-search")

    # when: they open the listing and request a quote
    client.click(f"text={TITLE}")
    client.wait_for_url(re.compile(rf"/listings/{listing}/$"))
    client.wait_for_selector(f"h1:has-text('{TITLE}')")
    _look(client, "journey-4-listing")
    client.click("main a.button:has-text('Request a quote') >> nth=0")
    client.wait_for_selector("h1:has-text('Request a quote')")
    _look(client, "journey-4-request-a-quote")
    client.go_back()
    booking = _request_a_quote(client, site, "A fox mascot for a travel app, friendly and simple.")

    # and: the provider quotes, the client accepts and pays, the provider delivers
    _quote_paid_and_delivered(
        client,
        provider,
        site,
        booking,
        price="800",
        terms="Three sketches of the fox, two rounds of changes, SVG and PNG files.",
        note="Here is the fox in SVG and PNG, with the two rounds of changes done.",
    )

    # and: the client accepts the delivery
    client.goto(site(SLUG, f"/bookings/{booking}/"))
    _press(client, "accept_delivery", "Accepted the delivery")

    # then: the booking is completed and the money released to the provider
    assert "Completed" in client.inner_text(".status-card")
    assert "Released to the provider" in client.inner_text("#money-title ~ *")

    # when: both review each other
    _review(client, stars="5", text="A wonderful fox, delivered on time and exactly as described.")
    assert "Hidden for now" in client.inner_text("#review")
    provider.goto(site(SLUG, f"/bookings/{booking}/"))
    _review(provider, stars="5", text="Clear brief and quick answers: a pleasure to work with.")

    # then: the reviews are published, and each sees the other's
    assert "Clara Client's review" in provider.inner_text("#review")
    assert "A wonderful fox" in provider.inner_text("#review")
    _look(provider, "journey-4-reviews")
    client.reload()
    assert "Published: the other side can read it." in client.inner_text("#review")
    assert "Piet Provider's review" in client.inner_text("#review")
    assert "Clear brief and quick answers" in client.inner_text("#review")
    return booking


def _second_booking_is_disputed_and_mediated(page, provider, client, site, shots, listing: str, first: str) -> None:
    # given: a second request by the same client, quoted, paid and delivered
    client.goto(site(SLUG, f"/listings/{listing}/"))
    booking = _request_a_quote(client, site, "Now a bear mascot, in the same style as the fox.")
    assert booking != first
    _quote_paid_and_delivered(
        client,
        provider,
        site,
        booking,
        price="500",
        terms="A bear in the style of the fox, one round of changes, SVG files.",
        note="The bear, as SVG.",
    )

    # when: the client opens a dispute from the booking page
    client.goto(site(SLUG, f"/bookings/{booking}/"))
    client.click("summary:has-text('Open a dispute')")
    client.select_option("select[name=reason]", "not_as_described")
    client.select_option("select[name=desired_outcome]", "partial_refund")
    client.fill("textarea[name=description]", "The bear is a recoloured fox, not a new character as agreed.")
    client.click("#dispute button[type=submit]")

    # then: the dispute page, money frozen; the client asks the mediator to decide
    client.wait_for_url(re.compile(r"/disputes/(dsp_[a-z0-9]+)/$"))
    dispute = re.search(r"/disputes/(dsp_[a-z0-9]+)/$", client.url).group(1)
    assert "recoloured fox" in client.inner_text("main")
    client.click("summary:has-text('Ask the mediator to decide')")
    client.fill("textarea[name='escalate-text']", "We could not agree on what a new character means.")
    client.click("form[action$='/escalate/'] button[type=submit]")
    client.wait_for_selector("text=With the mediator")

    # when: the operator finds it waiting and decides a split that adds up
    page.goto(site(SLUG, "/manage/disputes/"))
    row = page.locator("table tbody tr", has=page.locator(f"a[href='/manage/disputes/{dispute}/']"))
    assert "waiting for a decision" in row.inner_text()
    row.locator("a").first.click()
    page.wait_for_selector("text=Parties and money")
    page.check("input[name=decision-outcome][value=partial_refund]")
    page.fill("input[name=decision-refund_amount]", "200.00")
    page.fill("input[name=decision-release_amount]", "300.00")
    page.fill("textarea[name=decision-reason]", "The bear reuses the fox's shapes; part of the work is new.")
    page.click("form[action$='/decide/'] button[type=submit]")
    page.wait_for_selector("text=The decision is recorded and both parties are told.")
    shots("journey-5-mediated")

    # then: the client's dispute page shows the decision
    client.reload()
    decision = client.inner_text("section[aria-labelledby=decision-title]")
    assert "200.00" in decision and "back to the client" in decision
    assert "The bear reuses the fox's shapes" in decision
    _look(client, "journey-5-dispute-decided")
