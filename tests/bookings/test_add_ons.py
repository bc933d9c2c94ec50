"""Add-ons chosen when booking: their prices join the package's, their minutes lengthen the session
(and so the free slots), and a name the listing does not offer is refused with nothing booked."""

from datetime import datetime

import pytest

from marketplace.bookings.models import Booking
from marketplace.catalogue.listings import listing_update
from marketplace.catalogue.models import Listing
from tenants.context import tenant_context
from tests.bookings.test_booking_api import _act, _auth, _book, _day, _slots, tutoring_listing

pytestmark = pytest.mark.django_db

ADD_ONS = [
    {"name": "Worked solutions", "price": 800},
    {"name": "Extra half hour", "price": 2500, "extra_minutes": 30},
]


@pytest.fixture
def tutoring(api_a, tenant_a):
    listing = tutoring_listing(api_a, tenant_a)
    with tenant_context(tenant_a):
        found = Listing.objects.get(public_id=listing)
        listing_update(user=found.provider.user, listing=found, add_ons=ADD_ONS)
    return listing


def test_add_ons_are_priced_into_the_booking_and_lengthen_the_session(api_a, tenant_a, tutoring):
    # given
    slot = _slots(api_a, tutoring, _day())[0]

    # when
    booked = _book(api_a, tutoring, slot["starts_at"], add_ons=["Worked solutions", "Extra half hour"])
    paid = _act(api_a, booked.json()["id"], "pay", "client@example.org").json()

    # then
    assert booked.status_code == 201, booked.content
    assert paid["price"]["amount"] == 6000 + 800 + 2500
    assert [a["name"] for a in paid["add_ons"]] == ["Worked solutions", "Extra half hour"]
    minutes = (datetime.fromisoformat(paid["ends_at"]) - datetime.fromisoformat(paid["starts_at"])).seconds // 60
    assert minutes == 90
    assert [m["amount"]["amount"] for m in paid["money"]] == [9300]


def test_slots_with_a_longer_add_on_leave_room_before_closing(api_a, tutoring):
    # given: open 09:00-17:00 London, hourly sessions, 15 minutes' buffer after
    day = _day()

    # when
    plain = _slots(api_a, tutoring, day)
    longer = api_a.get(
        f"/api/v1/listings/{tutoring}/slots/?package=Hour&from={day}&to={day}&tz=Europe/London&add_ons=Extra+half+hour"
    ).json()["slots"]

    # then: a 90-minute session must end by 17:00, so the last start is 15:00 instead of 16:00
    assert plain[-1]["starts_at"][11:16] == "16:00"
    assert longer[-1]["starts_at"][11:16] == "15:00"


def test_an_add_on_the_listing_does_not_offer_is_refused_and_nothing_is_booked(api_a, tenant_a, tutoring):
    # given
    slot = _slots(api_a, tutoring, _day())[0]

    # when
    refused = _book(api_a, tutoring, slot["starts_at"], add_ons=["Free lunch"])
    slots = api_a.get(
        f"/api/v1/listings/{tutoring}/slots/?package=Hour&from={_day()}&to={_day()}&add_ons=Free+lunch",
        **_auth(api_a, "client@example.org"),
    )

    # then
    assert refused.status_code == 400
    assert "add_ons" in refused.json()["error"]["fields"]
    assert slots.status_code == 400
    with tenant_context(tenant_a):
        assert not Booking.objects.exists()
