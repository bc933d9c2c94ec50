"""Checkout: members only; the price breakdown, the cancellation policy and the card form; paying
with the test cards (4242 pays, 0002 is declined and leaves the booking unpaid, to pay again); a
time taken meanwhile; bad input; quotes and requests; another marketplace sees nothing."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from marketplace.bookings.models import Booking
from marketplace.bookings.services import booking_create
from marketplace.catalogue.models import Listing
from marketplace.configuration.models import MarketplaceSettings
from tenants.context import tenant_context
from tests.web.discovery.conftest import day, make_listing, make_provider, user

pytestmark = pytest.mark.django_db

PAID, DECLINED = "4242 4242 4242 4242", "4000 0000 0000 0002"


def slot(days_ahead: int = 10, hour: int = 11) -> str:
    """A free start at alpha's tutor (open 09:00-17:00 London every day), as the picker writes it."""
    return datetime(*day(days_ahead).timetuple()[:3], hour, tzinfo=ZoneInfo("Europe/London")).isoformat()


def checkout_form(starts_at: str, card: str = PAID, **extra) -> dict:
    return {
        "package": "Hour",
        "starts_at": starts_at,
        "tz": "Europe/London",
        "card_number": card,
        "card_expiry": "12/30",
        "card_cvc": "123",
        **extra,
    }


def bookings(tenant):
    with tenant_context(tenant):
        return list(Booking.objects.order_by("id"))


def test_checkout_needs_signing_in_and_comes_back_after(web, tenant_a, tutoring):
    # when
    page = web(tenant_a).get(f"/listings/{tutoring.public_id}/book/?package=Hour")

    # then
    assert page.status_code == 302
    assert page["Location"] == f"/accounts/login/?next=/listings/{tutoring.public_id}/book/%3Fpackage%3DHour"


def test_checkout_shows_the_choice_price_breakdown_policy_and_card_form(web, tenant_a, tutoring):
    # given
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    starts_at = slot()

    # when
    page = client.get(
        f"/listings/{tutoring.public_id}/book/",
        {"package": "Hour", "add_ons": "Worked solutions", "starts_at": starts_at, "tz": "Europe/London"},
    )

    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Book and pay</h1>" in html
    assert 'id="price-summary"' in html and "Worked solutions" in html
    assert "68.00" in html  # 60.00 + 8.00
    assert f'value="{starts_at}" checked' in html  # the time chosen on the listing page
    assert "Cancel at least 24 hours before the start: a full refund." in html
    assert 'name="card_number"' in html and 'name="card_expiry"' in html and 'name="card_cvc"' in html
    assert "4242 4242 4242 4242 is paid, 4000 0000 0000 0002 is declined" in html
    assert "escrow" in html and "js.stripe.com" not in html


def test_paying_with_the_test_card_books_and_lands_on_the_booking(web, tenant_a, tutoring):
    # given
    client = web(tenant_a, user(tenant_a, "client@example.org"))

    # when
    paid = client.post(f"/listings/{tutoring.public_id}/book/", checkout_form(slot(), add_ons=["Worked solutions"]))

    # then
    [booking] = bookings(tenant_a)
    assert paid.status_code == 302 and paid["Location"] == f"/bookings/{booking.public_id}/"
    assert (booking.state, booking.price) == ("confirmed", 6800)
    assert [a["name"] for a in booking.add_ons] == ["Worked solutions"]
    with tenant_context(tenant_a):
        assert [(m.kind, m.status) for m in booking.money_intents.all()] == [("hold", "done")]
    landed = client.get(paid["Location"])
    assert "held in escrow" in str(list(landed.wsgi_request._messages)[0])


def test_a_declined_card_leaves_the_booking_unpaid_and_it_can_be_paid_again(web, tenant_a, tutoring):
    # given
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    starts_at = slot()

    # when
    declined = client.post(f"/listings/{tutoring.public_id}/book/", checkout_form(starts_at, card=DECLINED))

    # then: the processor's message next to the card, the booking unpaid and kept for a retry
    html = declined.content.decode()
    [booking] = bookings(tenant_a)
    assert declined.status_code == 402
    assert 'id="id_card_number_errors"' in html and "Your card was declined." in html
    assert booking.state == "pending_payment"
    with tenant_context(tenant_a):
        assert not booking.money_intents.exists()
    assert f'name="booking" value="{booking.public_id}"' in html
    assert "held for you" in html and "4000" not in html.split('name="card_number"')[1].split(">")[0]

    # when: trying again with the card that works
    retried = client.post(f"/listings/{tutoring.public_id}/book/", checkout_form(starts_at, booking=booking.public_id))

    # then: the same booking is paid
    assert retried.status_code == 302 and retried["Location"] == f"/bookings/{booking.public_id}/"
    assert [(b.public_id, b.state) for b in bookings(tenant_a)] == [(booking.public_id, "confirmed")]


def test_a_retry_with_another_time_lets_the_unpaid_booking_go(web, tenant_a, tutoring):
    # given
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    client.post(f"/listings/{tutoring.public_id}/book/", checkout_form(slot(hour=11), card=DECLINED))
    [unpaid] = bookings(tenant_a)

    # when
    paid = client.post(f"/listings/{tutoring.public_id}/book/", checkout_form(slot(hour=13), booking=unpaid.public_id))

    # then
    first, second = bookings(tenant_a)
    assert paid.status_code == 302 and paid["Location"] == f"/bookings/{second.public_id}/"
    assert (first.state, second.state) == ("cancelled", "confirmed")


def test_a_time_taken_meanwhile_asks_to_pick_another(web, tenant_a, tutoring):
    # given: the rival books 11:00 while the client is on the checkout page
    starts_at = slot()
    with tenant_context(tenant_a):
        booking_create(
            client=user(tenant_a, "rival@example.org"),
            listing_id=tutoring.public_id,
            package="Hour",
            starts_at=starts_at,
            time_zone="Europe/London",
        )
    client = web(tenant_a, user(tenant_a, "client@example.org"))

    # when
    taken = client.post(f"/listings/{tutoring.public_id}/book/", checkout_form(starts_at))

    # then
    html = taken.content.decode()
    assert taken.status_code == 409
    assert "That time was just booked — pick another." in html
    assert 'id="slot-picker"' in html and f'value="{starts_at}"' not in html
    assert [b.client.email for b in bookings(tenant_a)] == ["rival@example.org"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": ""}, "Choose a time."),
        ({"starts_at": "tomorrow at noon"}, "Choose one of the times shown."),
        ({"card_number": "1234 5678"}, "not a valid card number"),
        ({"card_expiry": "01/20"}, "This card has expired."),
        ({"card_cvc": "12"}, "3 or 4 digits"),
        ({"package": "Lifetime"}, "Select a valid choice"),
        ({"add_ons": ["Free lunch"]}, "Select a valid choice"),
    ],
)
def test_bad_input_answers_400_with_the_error_and_books_nothing(web, tenant_a, tutoring, change, field):
    # given
    client = web(tenant_a, user(tenant_a, "client@example.org"))

    # when
    page = client.post(f"/listings/{tutoring.public_id}/book/", {**checkout_form(slot()), **change})

    # then
    assert page.status_code == 400
    assert field in page.content.decode()
    assert bookings(tenant_a) == []


def test_a_time_that_is_not_free_is_refused_as_taken(web, tenant_a, tutoring):
    # when: 03:00 is outside the provider's hours
    page = web(tenant_a, user(tenant_a, "client@example.org")).post(
        f"/listings/{tutoring.public_id}/book/", checkout_form(slot(hour=3))
    )

    # then
    assert page.status_code == 409 and "pick another" in page.content.decode()
    assert bookings(tenant_a) == []


def test_changing_the_week_without_javascript_books_nothing(web, tenant_a, tutoring):
    # when
    page = web(tenant_a, user(tenant_a, "client@example.org")).post(
        f"/listings/{tutoring.public_id}/book/", {**checkout_form(""), "week": str(day(20))}
    )

    # then
    assert page.status_code == 200 and day(20).strftime("%-d %b") in page.content.decode()
    assert bookings(tenant_a) == []


def test_the_summary_follows_the_chosen_package_for_htmx(web, tenant_a, tutoring):
    # when
    page = web(tenant_a, user(tenant_a, "client@example.org")).get(
        f"/listings/{tutoring.public_id}/book/?package=Double&add_ons=Extra+half+hour", HTTP_HX_REQUEST="true"
    )

    # then: the page (htmx selects #price-summary from it) with 110.00 + 25.00
    html = page.content.decode()
    summary = html.split('id="price-summary"')[1].split("</section>")[0]
    assert "Double" in summary and "Extra half hour" in summary and "135.00" in summary


def test_tax_is_shown_as_the_marketplace_says(web, tenant_a, tutoring):
    # given
    with tenant_context(tenant_a):
        MarketplaceSettings.objects.update(tax_rate_bps=2000, tax_inclusive=True, tax_label="VAT")
    client = web(tenant_a, user(tenant_a, "client@example.org"))

    # when
    inclusive = client.get(f"/listings/{tutoring.public_id}/book/?package=Hour").content.decode()
    with tenant_context(tenant_a):
        MarketplaceSettings.objects.update(tax_inclusive=False)
    exclusive = client.get(f"/listings/{tutoring.public_id}/book/?package=Hour").content.decode()

    # then: 60.00 contains 10.00 VAT at 20%
    assert "Includes 10.00" in inclusive and "VAT (20%)" in inclusive
    assert "Price before VAT" in exclusive and "50.00" in exclusive and "10.00" in exclusive


def test_a_quote_workflow_sends_the_request_without_paying(web, tenant_b, branding_quote):
    # given
    client = web(tenant_b, user(tenant_b, "buyer@example.org"))

    # when
    form = client.get(f"/listings/{branding_quote.public_id}/book/").content.decode()
    too_short = client.post(f"/listings/{branding_quote.public_id}/book/", {"package": "Starter", "message": "Hi"})
    sent = client.post(
        f"/listings/{branding_quote.public_id}/book/",
        {"package": "Starter", "message": "A logo and colours for our bakery, by March."},
    )

    # then
    assert "<h1>Request a quote</h1>" in form and 'name="card_number"' not in form
    assert too_short.status_code == 400
    [booking] = bookings(tenant_b)
    assert sent.status_code == 302 and sent["Location"] == f"/bookings/{booking.public_id}/"
    assert (booking.workflow, booking.state) == ("quote", "inquiry")
    assert booking.message == "A logo and colours for our bakery, by March."


def test_a_quote_request_from_the_listing_page_starts_with_the_summarys_package_chosen(web, tenant_b, branding_quote):
    # given: the listing page's "Request a quote" link names no package
    client = web(tenant_b, user(tenant_b, "buyer@example.org"))

    # when
    page = client.get(f"/listings/{branding_quote.public_id}/book/").content.decode()

    # then: the package the summary prices is the one chosen, so sending the request needs no more
    assert re.search(r'<input type="radio" name="package" value="Starter"[^>]* checked', page)
    assert 'name="package" value="Starter"' in page and page.count(" checked") == 1


@pytest.fixture
def study_group(tenant_a, tutoring):
    """A request-to-book listing at alpha (study groups) by the same tutor, so the same hours."""
    with tenant_context(tenant_a):
        return make_listing(
            tutoring.provider,
            "exam-preparation",
            title="Exam study group",
            attributes={"group_size": 6},
            packages=[{"name": "Hour", "price": 1500, "duration_minutes": 60}],
        )


def test_a_request_holds_the_card_and_a_declined_card_requests_nothing(web, tenant_a, study_group):
    # given
    client = web(tenant_a, user(tenant_a, "client@example.org"))

    # when
    declined = client.post(f"/listings/{study_group.public_id}/book/", checkout_form(slot(), card=DECLINED))
    nothing = bookings(tenant_a)
    requested = client.post(f"/listings/{study_group.public_id}/book/", checkout_form(slot()))

    # then
    assert declined.status_code == 402 and "Your card was declined." in declined.content.decode()
    assert nothing == []
    [booking] = bookings(tenant_a)
    assert requested.status_code == 302 and (booking.workflow, booking.state) == ("request", "requested")


def test_a_provider_cannot_check_out_their_own_listing(web, tenant_a, tutoring):
    # when
    page = web(tenant_a, user(tenant_a, "tutor@example.org")).get(f"/listings/{tutoring.public_id}/book/")

    # then
    assert page.status_code == 409 and "This is your own listing" in page.content.decode()


def test_checkout_of_another_marketplaces_listing_is_404(web, tenant_b, tutoring, branding_quote):
    # when
    page = web(tenant_b, user(tenant_b, "buyer@example.org")).post(
        f"/listings/{tutoring.public_id}/book/", checkout_form(slot())
    )

    # then
    assert page.status_code == 404
    assert bookings(tenant_b) == []


def test_checkout_of_a_listing_that_is_not_public_is_404(web, tenant_a, tutoring):
    # given
    with tenant_context(tenant_a):
        hidden = make_provider("hidden@example.org", "Hal Hidden", status="pending", badge=False)
        listing = Listing.objects.create(
            provider=hidden, category=tutoring.category, title="Draft", description="-", currency=tutoring.currency
        )

    # when
    page = web(tenant_a, user(tenant_a, "client@example.org")).get(f"/listings/{listing.public_id}/book/")

    # then
    assert page.status_code == 404


def test_with_stripe_the_card_is_taken_by_stripe_elements(web, tenant_a, tutoring, settings):
    # given
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_discovery"
    client = web(tenant_a, user(tenant_a, "client@example.org"))

    # when
    page = client.get(f"/listings/{tutoring.public_id}/book/?package=Hour")
    without_card = client.post(
        f"/listings/{tutoring.public_id}/book/", {"package": "Hour", "starts_at": slot(), "tz": "Europe/London"}
    )

    # then: Stripe's script and card element, no card number field; no card, no booking
    html = page.content.decode()
    assert '<script src="https://js.stripe.com/v3/"></script>' in html
    assert 'data-key="pk_test_discovery"' in html and 'name="card_number"' not in html
    assert without_card.status_code == 400 and "Enter your card details." in without_card.content.decode()
    assert bookings(tenant_a) == []


def test_without_a_publishable_key_stripe_mode_keeps_the_card_form(web, tenant_a, tutoring, settings):
    # given
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_PUBLISHABLE_KEY = ""

    # when
    html = web(tenant_a, user(tenant_a, "client@example.org")).get(f"/listings/{tutoring.public_id}/book/").content

    # then
    assert b"js.stripe.com" not in html and b'name="card_number"' in html
