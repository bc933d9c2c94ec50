"""Staff intervene as `admin` only: the actions offered are the admin's, even on a booking of their own,
and acting in a role one does not hold is refused."""

from __future__ import annotations

import pytest

from accounts.models import User
from marketplace.bookings.models import Booking
from marketplace.bookings.services import allowed_actions, booking_act
from marketplace.common.errors import PermissionDenied
from tenants.context import tenant_context
from tests.bookings.test_booking_api import _act, _book, _day, _slots, tutoring  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def test_staff_see_and_take_only_the_admins_actions(api_a, tenant_a, tutoring):  # noqa: F811
    booking_id = _book(api_a, tutoring, _slots(api_a, tutoring, _day())[0]["starts_at"]).json()["id"]
    _act(api_a, booking_id, "pay", "client@example.org")
    with tenant_context(tenant_a):
        # the client is also a moderator: as a client they may cancel, as staff they may not
        client = User.objects.get(email="client@example.org")
        User.objects.filter(pk=client.pk).update(is_moderator=True)
        client.refresh_from_db()
        booking = Booking.objects.get(public_id=booking_id)
        everything = allowed_actions(booking, client)
        as_staff = allowed_actions(booking, client, role="admin")
        acted = booking_act(user=client, booking=booking, action="cancel_by_provider", reason="Ill.", as_role="admin")
        tutor = User.objects.get(email="tutor@example.org")
        with pytest.raises(PermissionDenied):
            booking_act(user=tutor, booking=booking, action="complete", as_role="admin")

    assert "cancel" in everything and "cancel" not in as_staff
    assert as_staff == ["cancel_by_provider"]  # "complete" waits for the session's end
    assert acted.state == "cancelled" and acted.events.latest("id").role == "admin"
