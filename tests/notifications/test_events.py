"""Real events notify the right people: a request to book (the provider), its acceptance (the client),
a cancellation (the other party); a dispute opened and decided (both parties)."""

from __future__ import annotations

import pytest

from marketplace.notifications.models import EmailDelivery, Notification
from tenants.context import tenant_context
from tests.bookings.test_booking_api import WEEK, _act, _auth, _book, _day, _listing, _slots
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _kinds(tenant, email):
    with tenant_context(tenant):
        return sorted(Notification.objects.filter(user__email=email).values_list("kind", flat=True))


def test_request_accept_and_cancel_notify_the_right_people(api_a, tenant_a, tenant_b):
    listing = _listing(tenant_a, "study-groups", attributes={}, email="host@example.org")
    api_a.put(
        "/api/v1/providers/me/availability/",
        {"time_zone": "Europe/Berlin", "weekly": WEEK, "capacity": 2, "min_notice_minutes": 0},
        format="json",
        **_auth(api_a, "host@example.org"),
    )
    with tenant_context(tenant_a):
        UserFactory(email="ann@example.org")
    slot = _slots(api_a, listing, _day(), tz="Europe/Berlin")[0]

    booking = _book(api_a, listing, slot["starts_at"], email="ann@example.org").json()
    requested = (_kinds(tenant_a, "host@example.org"), _kinds(tenant_a, "ann@example.org"))
    _act(api_a, booking["id"], "accept", "host@example.org")
    accepted = _kinds(tenant_a, "ann@example.org")
    cancelled = _act(api_a, booking["id"], "cancel", "ann@example.org")

    assert requested == (["booking.requested"], [])
    assert accepted == ["booking.confirmed", "payment.received"]  # accepting captured her card
    assert cancelled.status_code == 200, cancelled.content
    assert _kinds(tenant_a, "host@example.org") == ["booking.cancelled", "booking.requested"]
    assert "booking.cancelled" not in _kinds(tenant_a, "ann@example.org")  # she cancelled: not told
    with tenant_context(tenant_a):
        told = Notification.objects.get(user__email="host@example.org", kind="booking.requested")
        assert told.url == f"/bookings/{booking['id']}/"  # the booking's page
        assert told.event_id == f"booking:{booking['id']}:requested"
    with tenant_context(tenant_b):
        assert Notification.objects.count() == 0


@pytest.fixture
def tutoring(api_a, tenant_a):
    from tests.bookings.test_booking_api import tutoring_listing

    return tutoring_listing(api_a, tenant_a)


@pytest.fixture
def paid(api_a, tenant_a, tutoring):
    """A paid session that took place an hour ago (as in the dispute tests)."""
    from datetime import UTC, datetime, timedelta

    from marketplace.bookings.models import Booking

    booking = _book(api_a, tutoring, _slots(api_a, tutoring, _day())[0]["starts_at"]).json()["id"]
    _act(api_a, booking, "pay", "client@example.org")
    with tenant_context(tenant_a):
        start = datetime.now(UTC) - timedelta(hours=2)
        Booking.objects.filter(public_id=booking).update(starts_at=start, ends_at=start + timedelta(hours=1))
        UserFactory(email="moderator@example.org", is_moderator=True)
    return booking


def test_a_dispute_opened_and_decided_notifies_both_parties(api_a, tenant_a, paid):
    from tests.disputes.test_disputes import ADMIN, CLIENT, TUTOR, _do, _open

    dispute = _open(api_a, paid).json()["id"]
    opened = (_kinds(tenant_a, CLIENT), _kinds(tenant_a, TUTOR))
    _do(api_a, dispute, TUTOR, "escalate", text="We cannot agree.")
    decided = _do(api_a, dispute, ADMIN, "decide", outcome="release", reason="The session happened as booked.")

    assert decided.status_code == 200, decided.content
    assert opened == (["booking.confirmed", "dispute.opened", "payment.received"], ["dispute.opened"])
    assert _kinds(tenant_a, TUTOR) == ["dispute.decided", "dispute.opened", "dispute.updated"]  # + escalated
    assert _kinds(tenant_a, "moderator@example.org") == ["dispute.needs_mediator"]
    with tenant_context(tenant_a):
        told = Notification.objects.get(user__email=CLIENT, kind="dispute.decided")
        assert "Released to the provider" in told.body
        assert told.event_id == f"dispute:{dispute}:decided" and told.url == f"/disputes/{dispute}/"
        # one mechanism: the parties' dispute emails are their notifications' deliveries
        emailed = set(EmailDelivery.objects.values_list("notification__user__email", "notification__kind"))
        assert {(CLIENT, "dispute.opened"), (TUTOR, "dispute.decided")} <= emailed


def test_a_payout_the_bank_paid_tells_the_provider_once(tenant_a, tenant_b):
    from marketplace.notifications.events import payout_paid
    from marketplace.payments.models import Payout
    from tests.payments.conftest import make_booking

    booking = make_booking(tenant_a)
    with tenant_context(tenant_a):
        payout = Payout(provider=booking.provider, amount=12_345, currency="USD", public_id="pyt_test")
        payout_paid(payout)
        payout_paid(payout)  # a repeated "paid" event
        told = list(Notification.objects.filter(kind="payout.sent").values_list("user__email", "title"))
    with tenant_context(tenant_b):
        elsewhere = Notification.objects.count()

    assert told == [("pro-a@example.org", "Payout sent: 123.45 USD")]
    assert elsewhere == 0


def test_reviews_tell_the_other_side_that_one_exists_then_that_it_can_be_read(api_a, tenant_a, tenant_b):
    from tests.reviews.conftest import CLIENT as REVIEW_CLIENT
    from tests.reviews.conftest import PROVIDER as REVIEW_PROVIDER
    from tests.reviews.conftest import auth, completed_booking, make_listing

    with tenant_context(tenant_a):
        listing = make_listing()
        booking = completed_booking(listing, UserFactory(email=REVIEW_CLIENT)).public_id

    # when the client reviews first
    api_a.post(f"/api/v1/bookings/{booking}/review/", {"overall": 5}, format="json", **auth(api_a, REVIEW_CLIENT))
    after_first = (_kinds(tenant_a, REVIEW_PROVIDER), _kinds(tenant_a, REVIEW_CLIENT))
    # and the provider reviews back, which reveals both
    api_a.post(f"/api/v1/bookings/{booking}/review/", {"overall": 4}, format="json", **auth(api_a, REVIEW_PROVIDER))

    # then the provider heard of a hidden review, and each side may now read theirs
    assert "review.received" in after_first[0] and "review.received" not in after_first[1]
    assert "review.revealed" in _kinds(tenant_a, REVIEW_PROVIDER)
    assert "review.revealed" in _kinds(tenant_a, REVIEW_CLIENT)
    with tenant_context(tenant_a):
        told = Notification.objects.get(user__email=REVIEW_PROVIDER, kind="review.received")
        assert told.url == f"/bookings/{booking}/" and "stay hidden" in told.body
    with tenant_context(tenant_b):
        assert not Notification.objects.filter(kind__startswith="review.").exists()


def test_a_verification_decision_is_a_notification_with_the_reason(tenant_a, run_on_commit, mailoutbox):
    from marketplace.providers.models import ProviderProfile
    from marketplace.providers.services import provider_review

    with tenant_context(tenant_a):
        applicant = UserFactory(email="applicant@example.org")
        reviewer = UserFactory(email="reviewer@example.org", is_moderator=True)
        profile = ProviderProfile.objects.create(user=applicant, headline="Tutor", status="pending")
        with run_on_commit():
            provider_review(actor=reviewer, profile=profile, decision="request_info", reason="Add your degree.")
        told = Notification.objects.get(user=applicant, kind="verification.decided")

    assert told.body == "Your provider application was put on hold: the team needs more information. Add your degree."
    assert told.url == "/provider/apply/"
    assert [m.to for m in mailoutbox] == [["applicant@example.org"]]  # essential: always e-mailed
    assert "List-Unsubscribe" not in mailoutbox[0].extra_headers


def test_billing_steps_show_in_the_admins_notifications(tenant_a, tenant_b):
    from marketplace.notifications.events import billing_step

    context = {
        "event": "subscription-event:1",
        "marketplace": "Alpha University",
        "invoice": "PLT-2026-000001",
        "amount": "49.00 EUR",
        "grace_days": 7,
    }
    billing_step(tenant_a, "billing.past_due", context)
    billing_step(tenant_a, "billing.past_due", context)  # the same step again

    with tenant_context(tenant_a):
        told = list(Notification.objects.filter(kind="billing.past_due").values_list("user__email", "title", "url"))
        emailed = EmailDelivery.objects.filter(notification__kind="billing.past_due").exists()
    with tenant_context(tenant_b):
        elsewhere = Notification.objects.count()

    assert told == [("admin@alpha.test", "Payment due for Alpha University", "/manage/billing/")]
    assert not emailed  # the platform e-mails its customer itself
    assert elsewhere == 0
