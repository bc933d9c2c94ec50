"""When the payment processor does not answer in the middle of a booking action, the action answers
503 with nothing written — no journal, no money intent, no state change — and the same action goes
through once the processor is back. Holds are authorisations only while the authorisation outlives
the step that captures them."""

import socket

import pytest

from marketplace.bookings.models import Booking, MoneyIntent
from marketplace.catalogue.models import Category
from marketplace.payments.escrow import escrow_state
from marketplace.payments.models import JournalTransaction, LocalCharge
from tenants.context import tenant_context
from tests.bookings.test_booking_api import WEEK, _act, _auth, _book, _day, _listing, _slots
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


def test_a_processor_outage_during_payment_writes_nothing_and_the_retry_works(api_a, tenant_a, tutoring, settings):
    booking = _book(api_a, tutoring, _slots(api_a, tutoring, _day())[0]["starts_at"]).json()["id"]
    settings.PAYMENT_GATEWAY, settings.STRIPE_API_KEY = "stripe", "sk_test_outage"
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{_closed_port()}"

    # when: the processor cannot be reached
    down = _act(api_a, booking, "pay", "client@example.org")
    with tenant_context(tenant_a):
        after_outage = (
            Booking.objects.get(public_id=booking).state,
            MoneyIntent.objects.filter(booking__public_id=booking).count(),
            JournalTransaction.objects.count(),
        )
    # and: it is back
    settings.PAYMENT_GATEWAY = "local"
    retried = _act(api_a, booking, "pay", "client@example.org")

    assert down.status_code == 503 and down.json()["error"]["code"] == "payment_processor_unavailable"
    assert after_outage == ("pending_payment", 0, 0)
    assert retried.status_code == 200 and retried.json()["state"] == "confirmed"


@pytest.fixture
def requested(api_a, tenant_a):
    """Book a study group (request to book) whose host answers within `accept_within_hours`."""
    listing = _listing(tenant_a, "study-groups", attributes={}, email="tutor@example.org")
    api_a.put(
        "/api/v1/providers/me/availability/",
        {"time_zone": "Europe/Berlin", "weekly": WEEK, "min_notice_minutes": 0},
        format="json",
        **_auth(api_a, "tutor@example.org"),
    )
    with tenant_context(tenant_a):
        UserFactory(email="client@example.org")

    def book(accept_within_hours: int) -> str:
        with tenant_context(tenant_a):
            Category.objects.filter(slug="study-groups").update(
                booking_settings={"timers": {"accept_within_hours": accept_within_hours}}
            )
        made = _book(api_a, listing, _slots(api_a, listing, _day(), tz="Europe/Berlin")[0]["starts_at"])
        assert made.status_code == 201, made.content
        return made.json()["id"]

    return book


def test_a_request_is_authorised_then_captured_on_acceptance(api_a, tenant_a, requested):
    booking = requested(accept_within_hours=48)
    with tenant_context(tenant_a):
        before = escrow_state(Booking.objects.get(public_id=booking))
        card = LocalCharge.objects.get(kind="charge")
        authorised = (card.status, card.captured)

    accepted = _act(api_a, booking, "accept", "tutor@example.org")

    with tenant_context(tenant_a):
        after = escrow_state(Booking.objects.get(public_id=booking))
        card.refresh_from_db()
    assert authorised == ("authorized", 0) and before.captured == 0
    assert accepted.status_code == 200 and accepted.json()["state"] == "confirmed"
    assert (card.status, card.captured) == ("succeeded", card.amount) and after.held == card.amount
    assert [m["kind"] for m in accepted.json()["money"]] == ["hold", "capture"]


def test_a_declined_request_lets_the_authorisation_go(api_a, tenant_a, requested):
    booking = requested(accept_within_hours=48)

    declined = _act(api_a, booking, "decline", "tutor@example.org", reason="Fully booked that week.")

    with tenant_context(tenant_a):
        card = LocalCharge.objects.get(kind="charge")
        journals = JournalTransaction.objects.count()
    assert declined.status_code == 200 and declined.json()["state"] == "declined"
    assert card.status == "canceled" and journals == 0


def test_a_request_answered_later_than_an_authorisation_lasts_is_charged_at_once(api_a, tenant_a, requested):
    booking = requested(accept_within_hours=10 * 24)  # longer than the 6-day authorisation window

    with tenant_context(tenant_a):
        card = LocalCharge.objects.get(kind="charge")
        held = escrow_state(Booking.objects.get(public_id=booking)).held
    accepted = _act(api_a, booking, "accept", "tutor@example.org")

    assert card.status == "succeeded" and held == card.amount
    money = [(m["kind"], m["status"]) for m in accepted.json()["money"]]
    assert money == [("hold", "done"), ("capture", "nothing_to_do")]
