"""My bookings and the booking page: who sees what, every kind of action through its form, refusals
shown on the page (never a 500), live refreshes, reviews and opening a dispute."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from marketplace.bookings.models import Booking, BookingEvent
from marketplace.disputes.models import Dispute, DisputeEntry
from marketplace.reviews.models import Review
from tenants.context import tenant_context
from tests.web.activity.conftest import CARD, DECLINED, PDF, act, book, user

pytestmark = pytest.mark.django_db


def _state(tenant, booking) -> str:
    with tenant_context(tenant):
        return Booking.objects.get(pk=booking.pk).state


def _post_action(browser, booking, action, **fields):
    body = {"action": action, f"{action}-action": action, **{f"{action}-{k}": v for k, v in fields.items()}}
    return browser.post(f"/bookings/{booking.public_id}/actions/", body)


# --- my bookings ------------------------------------------------------------------------------------


def test_my_bookings_sorts_bookings_into_tabs_for_each_side(web, tenant_a, tutoring, paid_booking):
    # given a second booking still waiting for its payment
    waiting = book(tenant_a, tutoring, index=4)
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    tutor = web(tenant_a, user(tenant_a, "tutor@example.org"))

    # when
    needs = client.get("/bookings/")
    upcoming = client.get("/bookings/?tab=upcoming")
    as_provider = tutor.get("/bookings/?as=provider&tab=upcoming")

    # then the unpaid one waits for the client, the paid one is upcoming; the tutor sees both as provider
    assert needs.status_code == 200
    assert waiting.public_id in needs.content.decode() and paid_booking.public_id not in needs.content.decode()
    assert paid_booking.public_id in upcoming.content.decode()
    assert "Confirmed" in upcoming.content.decode()
    assert "As provider" in as_provider.content.decode()
    assert paid_booking.public_id in as_provider.content.decode()


def test_my_bookings_needs_a_signed_in_member(web, tenant_a):
    assert web(tenant_a).get("/bookings/").status_code == 302


# --- the booking page -------------------------------------------------------------------------------


def test_the_booking_page_shows_summary_money_timeline_and_conversation(web, tenant_a, paid_booking):
    client = web(tenant_a, user(tenant_a, "client@example.org"))

    page = client.get(f"/bookings/{paid_booking.public_id}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Held in escrow" in html  # the money state
    assert "Paid" in html and "Timeline" in html
    assert "Join the online meeting" in html  # confirmed online session
    assert 'id="messages-' in html  # the booking's conversation is embedded
    assert 'hx-trigger="live:booking.changed from:body' in html and "live:poll from:body" in html
    assert "Cancel the booking" in html  # what the client may do now


def test_strangers_and_other_marketplaces_get_404_while_staff_may_look(
    web, tenant_a, tenant_b, paid_booking, stranger, moderator
):
    path = f"/bookings/{paid_booking.public_id}/"

    assert web(tenant_a, stranger).get(path).status_code == 404
    assert web(tenant_b, user(tenant_b, "admin@beta.test")).get(path).status_code == 404
    staff = web(tenant_a, moderator).get(path)
    assert staff.status_code == 200
    assert "private to the client and the provider" in staff.content.decode()


def test_a_client_pays_and_the_booking_is_confirmed(web, tenant_a, tutoring):
    # given
    booking = book(tenant_a, tutoring)
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    assert "Card number" in client.get(f"/bookings/{booking.public_id}/").content.decode()

    # when
    paid = _post_action(client, booking, "pay", card_number=CARD, card_expiry="12/30", card_cvc="123")

    # then
    assert paid.status_code == 302 and paid["Location"] == f"/bookings/{booking.public_id}/"
    assert _state(tenant_a, booking) == "confirmed"
    assert "Held in escrow" in client.get(paid["Location"]).content.decode()


def test_a_declined_card_is_shown_on_the_pay_form_and_changes_nothing(web, tenant_a, tutoring):
    booking = book(tenant_a, tutoring)
    client = web(tenant_a, user(tenant_a, "client@example.org"))

    refused = _post_action(client, booking, "pay", card_number=DECLINED, card_expiry="12/30", card_cvc="123")

    assert refused.status_code == 402
    assert "declined" in refused.content.decode().lower()
    assert _state(tenant_a, booking) == "pending_payment"


def test_a_bad_card_is_a_400_next_to_its_fields(web, tenant_a, tutoring):
    booking = book(tenant_a, tutoring)
    client = web(tenant_a, user(tenant_a, "client@example.org"))

    refused = _post_action(client, booking, "pay", card_number="1234 5678", card_expiry="13/99", card_cvc="")

    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'aria-invalid="true"' in html and "it is not a valid card number" in html
    assert "1234 5678" not in html  # a card number is never written back into the page
    assert _state(tenant_a, booking) == "pending_payment"


def test_a_provider_accepts_a_request(web, tenant_a, request_booking):
    tutor = web(tenant_a, user(tenant_a, "tutor@example.org"))
    assert "Accept the request" in tutor.get(f"/bookings/{request_booking.public_id}/").content.decode()

    accepted = _post_action(tutor, request_booking, "accept")

    assert accepted.status_code == 302
    assert _state(tenant_a, request_booking) == "confirmed"


def test_a_decline_without_a_reason_is_a_400_and_changes_nothing(web, tenant_a, request_booking):
    tutor = web(tenant_a, user(tenant_a, "tutor@example.org"))

    refused = _post_action(tutor, request_booking, "decline", reason="")

    assert refused.status_code == 400
    assert _state(tenant_a, request_booking) == "requested"


def test_a_refused_action_is_a_409_page_listing_what_is_allowed(web, tenant_a, paid_booking):
    # given a confirmed session the client tries to pay again
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    with tenant_context(tenant_a):
        events = BookingEvent.objects.filter(booking=paid_booking).count()

    # when
    refused = _post_action(client, paid_booking, "pay", card_number=CARD, card_expiry="12/30", card_cvc="123")

    # then
    html = refused.content.decode()
    assert refused.status_code == 409
    assert "That could not be done." in html
    assert "What you can do now:" in html and "Cancel the booking" in html
    with tenant_context(tenant_a):
        assert BookingEvent.objects.filter(booking=paid_booking).count() == events
    assert _state(tenant_a, paid_booking) == "confirmed"


def test_cancelling_shows_the_refund_the_policy_gives_before_confirming(web, tenant_a, paid_booking):
    client = web(tenant_a, user(tenant_a, "client@example.org"))

    page = client.get(f"/bookings/{paid_booking.public_id}/").content.decode()
    cancelled = _post_action(client, paid_booking, "cancel")

    assert "If you cancel now you get back" in page
    assert cancelled.status_code == 302 and _state(tenant_a, paid_booking) == "cancelled"


def test_a_quote_is_sent_and_accepted_with_payment(web, tenant_b, inquiry):
    studio = web(tenant_b, user(tenant_b, "studio@example.org"))
    founder = web(tenant_b, user(tenant_b, "founder@example.org"))
    assert "Send a quote" in studio.get(f"/bookings/{inquiry.public_id}/").content.decode()

    bad = _post_action(studio, inquiry, "send_quote", price="", terms="", valid_days="7")
    quoted = _post_action(studio, inquiry, "send_quote", price="1800.00", terms="Logo and guide.", valid_days="7")
    page = founder.get(f"/bookings/{inquiry.public_id}/").content.decode()
    accepted = _post_action(founder, inquiry, "accept_quote", card_number=CARD, card_expiry="12/30", card_cvc="123")

    assert bad.status_code == 400
    assert quoted.status_code == 302
    assert "Logo and guide." in page and "1,800.00" in page and "Accept the quote and pay" in page
    assert accepted.status_code == 302
    with tenant_context(tenant_b):
        booking = Booking.objects.get(pk=inquiry.pk)
    assert (booking.state, booking.price) == ("accepted", 180000)


def test_the_provider_reads_the_request_and_the_client_the_delivery_note_before_accepting(web, tenant_b, inquiry):
    # given a quote accepted and paid, then delivered with a note
    studio = web(tenant_b, user(tenant_b, "studio@example.org"))
    founder = web(tenant_b, user(tenant_b, "founder@example.org"))
    path = f"/bookings/{inquiry.public_id}/"
    asked = studio.get(path).content.decode()
    act(tenant_b, inquiry, "studio@example.org", "send_quote", data={"price": 100000, "terms": "T", "valid_days": 3})
    act(tenant_b, inquiry, "founder@example.org", "accept_quote", data={"payment_method": CARD})

    # when the provider delivers through the page
    delivered = _post_action(studio, inquiry, "deliver", note="The logo files and the brand guide, as agreed.")

    # then the provider quoted knowing what was asked, and the client reads the note before accepting
    assert "The client's request" in asked and "A new identity for our bakery chain." in asked
    assert delivered.status_code == 302 and _state(tenant_b, inquiry) == "delivered"
    page = founder.get(path).content.decode()
    assert "Your request" in page and "A new identity for our bakery chain." in page
    assert "The delivery" in page and page.count("The logo files and the brand guide, as agreed.") == 2  # + timeline
    assert "Accept the delivery" in page


def test_a_counter_offer_goes_back_to_the_provider(web, tenant_b, inquiry):
    act(tenant_b, inquiry, "studio@example.org", "send_quote", data={"price": 100000, "terms": "T", "valid_days": 3})
    founder = web(tenant_b, user(tenant_b, "founder@example.org"))

    countered = _post_action(founder, inquiry, "counter", message="Could you do it for 800?")

    assert countered.status_code == 302 and _state(tenant_b, inquiry) == "inquiry"


def test_a_milestone_is_delivered_and_accepted_through_the_page(web, tenant_b, project):
    devshop = web(tenant_b, user(tenant_b, "devshop@example.org"))
    startup = web(tenant_b, user(tenant_b, "startup@example.org"))
    soon = (timezone.localdate() + timedelta(days=14)).isoformat()
    later = (timezone.localdate() + timedelta(days=40)).isoformat()

    quoted = _post_action(
        devshop,
        project,
        "send_quote",
        terms="Two milestones.",
        valid_days="5",
        milestone_0_title="Prototype",
        milestone_0_amount="2000",
        milestone_0_due_date=soon,
        milestone_1_title="Launch",
        milestone_1_amount="3500",
        milestone_1_due_date=later,
    )
    funded = _post_action(startup, project, "accept_quote", card_number=CARD, card_expiry="12/30", card_cvc="123")
    with tenant_context(tenant_b):
        first, second = Booking.objects.get(pk=project.pk).milestones.all()
    prefix = f"deliver_milestone-{first.public_id}"
    delivered = devshop.post(
        f"/bookings/{project.public_id}/actions/",
        {
            "action": "deliver_milestone",
            "milestone_id": first.public_id,
            f"{prefix}-action": "deliver_milestone",
            f"{prefix}-milestone": first.public_id,
            f"{prefix}-note": "Clickable prototype.",
        },
    )
    page = startup.get(f"/bookings/{project.public_id}/").content.decode()
    prefix = f"accept_milestone-{first.public_id}"
    accepted = startup.post(
        f"/bookings/{project.public_id}/actions/",
        {
            "action": "accept_milestone",
            "milestone_id": first.public_id,
            f"{prefix}-action": "accept_milestone",
            f"{prefix}-milestone": first.public_id,
        },
    )

    assert quoted.status_code == 302, quoted.content.decode()[:2000]
    assert funded.status_code == 302
    assert delivered.status_code == 302
    assert "Clickable prototype." in page and "Accept and release this milestone" in page
    assert accepted.status_code == 302
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.state, second.state) == ("accepted", "pending")
    assert "Released to the provider" in startup.get(f"/bookings/{project.public_id}/").content.decode()


def test_a_milestone_quote_with_a_half_filled_row_is_a_400(web, tenant_b, project):
    devshop = web(tenant_b, user(tenant_b, "devshop@example.org"))

    refused = _post_action(devshop, project, "send_quote", terms="T", valid_days="5", milestone_0_title="Only a title")

    assert refused.status_code == 400
    assert "Fill this in, or empty the whole row." in refused.content.decode()
    assert _state(tenant_b, project) == "inquiry"


def test_the_live_part_answers_204_until_the_booking_changes(web, tenant_a, paid_booking):
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    first = client.get(f"/bookings/{paid_booking.public_id}/?part=live", HTTP_HX_REQUEST="true")
    version = first.content.decode().split("v=", 1)[1].split('"', 1)[0]

    same = client.get(f"/bookings/{paid_booking.public_id}/?part=live&v={version}", HTTP_HX_REQUEST="true")
    act(tenant_a, paid_booking, "tutor@example.org", "cancel_by_provider", reason="Ill")
    changed = client.get(f"/bookings/{paid_booking.public_id}/?part=live&v={version}", HTTP_HX_REQUEST="true")

    assert first.status_code == 200 and 'id="booking-live"' in first.content.decode()
    assert same.status_code == 204
    assert changed.status_code == 200 and "Cancelled" in changed.content.decode()


# --- reviews --------------------------------------------------------------------------------------


def test_a_review_stays_hidden_until_the_other_side_reviews(web, tenant_a, paid_booking):
    # given a completed session
    with tenant_context(tenant_a):
        Booking.objects.filter(pk=paid_booking.pk).update(
            starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=2)
        )
        booking = Booking.objects.get(pk=paid_booking.pk)
    act(tenant_a, booking, "tutor@example.org", "complete")
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    tutor = web(tenant_a, user(tenant_a, "tutor@example.org"))
    path = f"/bookings/{booking.public_id}/"

    # when the client reviews
    bad = client.post(f"{path}review/", {"review-overall": "9", "review-text": "?"})
    sent = client.post(f"{path}review/", {"review-overall": "5", "review-text": "Clear and patient."})
    first_said = client.get(path).content.decode()
    tutor_before = tutor.get(path).content.decode()
    tutor.post(f"{path}review/", {"review-overall": "4", "review-text": "Well prepared."})
    tutor_after = tutor.get(path).content.decode()

    # then it is hidden from the tutor until the tutor reviews too
    assert bad.status_code == 400
    assert sent.status_code == 302
    assert "Clear and patient." not in tutor_before and "Submit your review" in tutor_before
    assert "Hidden for now" in client.get(path).content.decode() or "Published" in client.get(path).content.decode()
    assert "Clear and patient." in tutor_after
    # and each is told what became of their review: hidden for now, then published with the other's
    assert "It stays hidden until the other side reviews too." in first_said
    assert "your review is published, and you can read theirs." in tutor_after
    with tenant_context(tenant_a):
        assert Review.objects.filter(booking=booking, revealed_at__isnull=False).count() == 2


# --- disputes -------------------------------------------------------------------------------------


def test_a_dispute_is_opened_with_evidence_and_freezes_the_money(web, tenant_a, paid_booking):
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    path = f"/bookings/{paid_booking.public_id}/"
    assert "Open a dispute" in client.get(path).content.decode()

    opened = client.post(
        f"{path}dispute/",
        {
            "reason": "not_as_described",
            "desired_outcome": "full_refund",
            "description": "The session covered a different topic than agreed.",
            "evidence": SimpleUploadedFile("notes.pdf", PDF, content_type="application/pdf"),
        },
    )

    assert opened.status_code == 302 and opened["Location"].startswith("/disputes/dsp_")
    with tenant_context(tenant_a):
        dispute = Dispute.objects.get(booking=paid_booking)
        assert DisputeEntry.objects.filter(dispute=dispute, kind="evidence", original_name="notes.pdf").exists()
    page = client.get(opened["Location"]).content.decode()
    assert "notes.pdf" in page and "Negotiating" in page
    assert "Frozen by a dispute" in client.get(path).content.decode()


def test_a_dispute_with_a_bad_evidence_file_is_a_400_and_stores_nothing(web, tenant_a, paid_booking):
    client = web(tenant_a, user(tenant_a, "client@example.org"))

    refused = client.post(
        f"/bookings/{paid_booking.public_id}/dispute/",
        {
            "reason": "quality",
            "desired_outcome": "full_refund",
            "description": "The session covered a different topic than agreed.",
            "evidence": SimpleUploadedFile("run.pdf", b"MZ\x90\x00binary", content_type="application/pdf"),
        },
    )

    assert refused.status_code == 400
    assert "Upload" in refused.content.decode()
    with tenant_context(tenant_a):
        assert not Dispute.objects.filter(booking=paid_booking).exists()
