"""Timers the payment processor cannot honour are refused when a category's booking settings are
published, with the reason: a request's card hold lapses after about a week, and money taken for a
milestone project must be paid out within 90 days (the quote's due dates are checked against it too)."""

from datetime import UTC, datetime, timedelta

import pytest

from marketplace.audit.models import AuditEvent
from marketplace.bookings import workflows
from marketplace.bookings.models import Booking
from marketplace.catalogue.models import Category
from marketplace.catalogue.services import category_update
from marketplace.common.errors import ValidationFailed
from tenants.context import tenant_context
from tests.bookings.test_booking_api import _act, _agency_listing, _auth

pytestmark = pytest.mark.django_db


def test_a_request_expiry_within_the_card_hold_is_accepted_and_one_beyond_it_refused_with_the_reason():
    # given: the local processor keeps a card hold for 6 days (144 hours)
    inside = {"timers": {"accept_within_hours": 144}}
    beyond = {"timers": {"accept_within_hours": 145}}

    # when
    fine = workflows.booking_settings_errors(inside)
    refused = workflows.booking_settings_errors(beyond)

    # then
    assert fine == []
    assert len(refused) == 1
    assert refused[0].startswith("timers.accept_within_hours:")
    assert "card holds lapse after about 7 days" in refused[0] and "at most 144 hours" in refused[0]


def test_a_timer_outside_its_range_gets_one_message_not_two():
    # when: beyond the timer's own range (14 days) and the card hold
    problems = workflows.booking_settings_errors({"timers": {"accept_within_hours": 400}})

    # then
    assert problems == ["timers.accept_within_hours: use a whole number from 1 to 336."]


def test_a_milestone_release_window_beyond_90_days_is_refused_with_the_reason():
    # when
    fine = workflows.booking_settings_errors({"timers": {"release_within_days": 90}})
    refused = workflows.booking_settings_errors({"timers": {"release_within_days": 120}})

    # then
    assert fine == []
    assert refused == [
        "timers.release_within_days: the payment processor must pay money out within 90 days of taking it, "
        "so a milestone project must be released within 90 days. Use at most 90."
    ]


def test_publishing_a_request_expiry_beyond_the_card_hold_changes_nothing(tenant_a):
    with tenant_context(tenant_a):
        # given
        from accounts.models import User

        admin = User.objects.get(email="admin@alpha.test")
        groups = Category.objects.get(slug="study-groups")
        before = groups.booking_settings
        audited = AuditEvent.objects.count()

        # when
        with pytest.raises(ValidationFailed) as refused:
            category_update(actor=admin, category=groups, booking_settings={"timers": {"accept_within_hours": 200}})

        # then
        groups.refresh_from_db()
        assert "card holds lapse" in refused.value.fields["booking_settings"][0]
        assert groups.booking_settings == before and AuditEvent.objects.count() == audited


def test_the_preset_defaults_of_every_tunable_timer_are_listed_per_workflow():
    defaults = workflows.timer_defaults()

    assert defaults["payment_within_minutes"] == {"instant": 15}
    assert defaults["accept_within_hours"] == {"request": 24}
    assert defaults["auto_complete_after_hours"] == {"instant": 48, "request": 48}
    assert defaults["auto_accept_after_days"] == {"quote": 3, "milestone": 7}
    assert defaults["release_within_days"] == {"milestone": 90}
    assert defaults["reschedule_until_hours"] == {"instant": 24, "request": 24}
    assert set(defaults) == set(workflows.TUNABLE_TIMERS)


def test_a_milestone_quote_due_later_than_the_release_window_allows_is_refused(api_b, tenant_b):
    # given: an inquiry about a milestone project; deliveries wait up to 7 days for acceptance
    listing = _agency_listing(tenant_b)
    inquiry = api_b.post(
        "/api/v1/bookings/",
        {"listing": listing, "package": "Project", "message": "We need a booking system for our clinic."},
        format="json",
        **_auth(api_b, "startup@example.org"),
    ).json()
    today = datetime.now(UTC).date()

    def quote(last_due):
        return _act(
            api_b,
            inquiry["id"],
            "send_quote",
            "devshop@example.org",
            data={
                "terms": "Two milestones.",
                "valid_days": 5,
                "milestones": [
                    {"title": "Prototype", "amount": 200000, "due_date": str(today + timedelta(days=10))},
                    {"title": "Launch", "amount": 300000, "due_date": str(last_due)},
                ],
            },
        )

    # when: the last milestone 84 days out (84 + 7 > 90)
    late = quote(today + timedelta(days=84))

    # then: refused on that milestone's date, with the reason; the inquiry is untouched
    assert late.status_code == 400
    message = late.json()["error"]["fields"]["data.milestones[1].due_date"][0]
    assert "paid out within 90 days" in message and "wait 7 days" in message
    with tenant_context(tenant_b):
        assert Booking.objects.get(public_id=inquiry["id"]).state == "inquiry"

    # when: 83 days out, it fits
    fits = quote(today + timedelta(days=83))

    # then
    assert fits.status_code == 200, fits.content
    assert fits.json()["state"] == "quoted"
