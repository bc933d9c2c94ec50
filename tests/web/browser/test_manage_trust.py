"""The admin console's trust and people pages in a real browser, at the demo law firm (where joining
needs an admin's approval):

1. A newcomer registers to offer legal services and waits; the admin approves them from the member
   list; they apply as a provider with an identity document; the admin opens the application,
   downloads the document through the private view and approves it with a badge.
2. A dispute about a paid consultation (set up through the services and committed, with evidence and
   a message between the parties) is mediated end to end: the queue, the dispute, the parties'
   conversation read on demand, a private note, a split that does not add up refused next to its
   fields, then a split that does.
3. A review the lawyer reported is hidden with a reason its author sees.

Every page of the area is checked with axe and photographed at desktop and phone width
(tests/screenshots/manage-trust-*.png). The server sees committed data only: the demo marketplaces and
what these tests create under names no other test uses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

ADMIN = "admin@hartwell.example.com"
NEWCOMER, NEWCOMER_NAME = "petra.trust@example.com", "Petra Trustworthy"
CLIENT, CLIENT_NAME = "dana.mediation@example.com", "Dana Mediation"
LAWYER = "david@hartwell.example.com"
REVIEWER = "rita.review@example.com"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _lawfirm():
    from tenants.models import Tenant

    return Tenant.objects.get(schema_name="lawfirm")


@pytest.fixture(scope="module")
def dispute(demo_world, django_db_blocker) -> dict:
    """A consultation with David paid by a new client, which ended yesterday; the client disputes it,
    David answers with evidence and a message, and it is escalated to the mediators. Committed."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from marketplace.bookings.models import Booking
    from marketplace.bookings.selectors import listing_free_slots
    from marketplace.bookings.services import booking_act, booking_create
    from marketplace.catalogue.models import Listing
    from marketplace.disputes.services import dispute_escalate, dispute_open, dispute_post
    from marketplace.messaging.services import dispute_thread, message_post
    from tenants.context import tenant_context
    from tests.factories import UserFactory

    with django_db_blocker.unblock():
        with tenant_context(_lawfirm()):
            client = User.objects.filter(email=CLIENT).first() or UserFactory(email=CLIENT, full_name=CLIENT_NAME)
            lawyer = User.objects.get(email=LAWYER)
            listing = Listing.objects.get(title="Unfair dismissal claim review")
            package = listing.packages.get(name="Document review")
            day = timezone.localdate() + timedelta(days=12)
            slot = listing_free_slots(listing, package, day, day + timedelta(days=6))[0]
            booking = booking_create(
                client=client,
                listing_id=listing.public_id,
                package=package.name,
                starts_at=slot.start.isoformat(),
                time_zone="Europe/London",
                message="My employer dismissed me without a hearing.",
                payment_method="4242 4242 4242 4242",
            )
            booking = booking_act(user=lawyer, booking=booking, action="accept")
            start = timezone.now() - timedelta(days=1)
            Booking.objects.filter(pk=booking.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
            opened = dispute_open(
                user=client,
                booking_id=booking.public_id,
                reason="not_as_described",
                desired_outcome="full_refund",
                description="The review was ten minutes long and did not look at my contract at all.",
            )
            dispute_post(
                user=lawyer,
                dispute=opened,
                text="My notes on the contract, made before the call.",
                upload=SimpleUploadedFile("contract-notes.png", PNG, content_type="image/png"),
            )
            message_post(
                sender=lawyer,
                conversation=dispute_thread(dispute=opened),
                body="I read the whole contract before we spoke; happy to send my notes again.",
            )
            dispute_escalate(user=client, dispute=opened, text="We cannot agree.")
            found = {"dispute": opened.public_id, "booking": booking.public_id, "amount": opened.amount}
        connection.set_schema_to_public()
    return found


@pytest.fixture(scope="module")
def reported_review(demo_world, django_db_blocker) -> str:
    """A client's one-star review of Sarah after a completed consultation, revealed (both sides
    reviewed) and reported by Sarah. Committed."""
    from accounts.models import User
    from marketplace.bookings.models import Booking, BookingEvent
    from marketplace.catalogue.models import Listing
    from marketplace.reviews.services import review_report, review_submit
    from tenants.context import tenant_context
    from tests.factories import UserFactory

    with django_db_blocker.unblock():
        with tenant_context(_lawfirm()):
            client = User.objects.filter(email=REVIEWER).first() or UserFactory(
                email=REVIEWER, full_name="Rita Reviewer"
            )
            sarah = User.objects.get(email="sarah@hartwell.example.com")
            listing = Listing.objects.get(title="Initial divorce consultation")
            start = timezone.now() - timedelta(days=2)
            booking = Booking.objects.create(
                listing=listing,
                package_name="45-minute consultation",
                provider=listing.provider,
                client=client,
                workflow="request",
                state="completed",
                starts_at=start,
                ends_at=start + timedelta(minutes=45),
                price=12000,
                currency=listing.currency,
                commission_bps=1000,
            )
            BookingEvent.objects.create(
                booking=booking, role="system", action="auto_complete", from_state="confirmed", to_state="completed"
            )
            review = review_submit(
                author=client,
                booking_id=booking.public_id,
                overall=1,
                text="Late and rushed. Call 07700 900123 for a lawyer who listens.",
            )
            review_submit(author=sarah, booking_id=booking.public_id, overall=4, text="Punctual client.")
            review_report(actor=sarah, review_id=review.public_id, reason="It advertises someone's phone number.")
            found = review.public_id
        connection.set_schema_to_public()
    return found


def _check(page, axe, shots, name: str) -> None:
    axe()
    shots(f"manage-trust-{name}")


def _sign_out(page) -> None:
    page.wait_for_load_state()
    page.context.clear_cookies()  # a new session, as after signing out


def test_an_admin_approves_a_newcomer_and_their_provider_application(page, site, sign_in, axe, shots, demo_world):
    # given a newcomer who registers to offer services (the law firm approves every member)
    page.goto(site("lawfirm", "/accounts/register/"))
    page.fill("input[name=full_name]", NEWCOMER_NAME)
    page.fill("input[name=email]", NEWCOMER)
    page.fill("input[name=password]", "Petra-applies-2026")
    page.check("input[name=roles][value=provider]")
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    # when the admin approves them from the member list
    sign_in("lawfirm", ADMIN)
    page.goto(site("lawfirm", "/manage/members/"))
    pending = page.locator("section.pending li", has_text=NEWCOMER_NAME)
    assert pending.is_visible()
    _check(page, axe, shots, "members")
    pending.locator("button[value=active]").click()
    page.wait_for_selector(f"text={NEWCOMER_NAME} can sign in and use the marketplace.")
    page.fill("input[name=q]", "petra.trust")
    page.click("form.filter-bar button[type=submit]")
    page.click(f"table >> text={NEWCOMER_NAME}")
    page.wait_for_selector("h1", state="visible")
    assert NEWCOMER_NAME in page.inner_text("h1")
    _check(page, axe, shots, "member")
    page.goto(site("lawfirm", "/manage/members/invitations/"))
    page.fill("input[name=email]", "quentin.invited@example.com")
    page.check("input[name=roles][value=moderator]")
    page.click("main form[method=post] >> text=Send the invitation")
    page.wait_for_selector("text=Invitation sent to quentin.invited@example.com.")
    _check(page, axe, shots, "invitations")
    _sign_out(page)

    # and the newcomer applies as a provider with an identity document
    sign_in("lawfirm", NEWCOMER, "Petra-applies-2026")
    page.goto(site("lawfirm", "/provider/apply/"))
    page.fill("input[name=headline]", "Employment lawyer, ten years in tribunals")
    page.set_input_files(
        "input[name=identity]", files=[{"name": "passport.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.click("main form >> text=Send the application")
    page.wait_for_selector("text=The marketplace's team is reviewing your application.")
    _sign_out(page)

    # then the admin finds it first in the queue, reads the document and approves it with a badge
    sign_in("lawfirm", ADMIN)
    page.goto(site("lawfirm", "/manage/providers/"))
    first = page.locator("table tbody tr").first
    assert NEWCOMER_NAME in first.inner_text() and "waiting" in first.inner_text()
    _check(page, axe, shots, "providers")
    first.locator("a").click()
    page.wait_for_selector("text=passport.pdf")
    with page.expect_download() as download:
        page.click("a:has-text('Download')")
    assert download.value.suggested_filename == "passport.pdf"
    page.check("input[name=decision][value=reject]")
    page.click("text=Save the decision")
    page.wait_for_selector("#id_reason_errors")  # a rejection needs a reason, shown next to the field
    _check(page, axe, shots, "provider-refused")
    page.check("input[name=decision][value=approve]")
    page.check("input[name=badges][value=identity_verified]")
    page.click("text=Save the decision")
    page.wait_for_selector(f"text={NEWCOMER_NAME} is approved")

    from marketplace.providers.models import ProviderProfile
    from tenants.context import tenant_context

    with tenant_context(_lawfirm()):
        profile = ProviderProfile.objects.get(user__email=NEWCOMER)
        assert profile.status == "approved"
        assert list(profile.badges.values_list("kind", flat=True)) == ["identity_verified"]
    connection.set_schema_to_public()

    # the listings, as the admin sees them
    page.goto(site("lawfirm", "/manage/listings/"))
    _check(page, axe, shots, "listings")
    page.click("table tbody tr a >> nth=0")
    page.wait_for_selector("text=Packages")
    _check(page, axe, shots, "listing")


def test_a_dispute_is_mediated_end_to_end(page, site, sign_in, axe, shots, dispute):
    sign_in("lawfirm", ADMIN)

    # the queue: the escalated dispute waits for a decision
    page.goto(site("lawfirm", "/manage/disputes/?state=escalated"))
    row = page.locator("table tbody tr", has=page.locator(f"a[href='/manage/disputes/{dispute['dispute']}/']"))
    assert "waiting for a decision" in row.inner_text()
    _check(page, axe, shots, "disputes")

    # the dispute: money frozen in escrow, the lawyer's evidence
    row.locator("a").click()
    page.wait_for_selector("text=Parties and money")
    assert "Frozen" in page.inner_text("section[aria-labelledby=money-title]")
    assert "contract-notes.png" in page.inner_text("section[aria-labelledby=evidence-title]")

    # the parties' conversation, read on demand
    page.click("text=Read the conversation")
    page.wait_for_selector("text=I read the whole contract before we spoke")
    axe()
    page.goto(site("lawfirm", f"/manage/disputes/{dispute['dispute']}/conversation/"))  # without JavaScript's help
    page.wait_for_selector("text=I read the whole contract before we spoke")
    _check(page, axe, shots, "dispute-conversation")
    page.go_back()
    page.wait_for_selector("text=Parties and money")

    # a private note
    page.fill("textarea[name=note-text]", "First complaint about this lawyer; the notes look genuine.")
    page.click("text=Add the note")
    page.wait_for_selector("text=Note saved. Only mediators see it.")
    _check(page, axe, shots, "dispute")

    # a split that does not add up is refused next to its fields
    page.check("input[name=decision-outcome][value=partial_refund]")
    page.fill("input[name=decision-refund_amount]", "50.00")
    page.fill("input[name=decision-release_amount]", "50.00")
    page.fill("textarea[name=decision-reason]", "The review was short, but the notes show real work on the contract.")
    page.click("form[action$='/decide/'] button[type=submit]")
    page.wait_for_selector("#id_decision-release_amount_errors")
    assert "Refund + release" in page.inner_text("#id_decision-refund_amount_errors")
    _check(page, axe, shots, "dispute-refused")

    # then a split that does
    refund = dispute["amount"] // 2
    release = dispute["amount"] - refund
    page.fill("input[name=decision-refund_amount]", f"{refund / 100:.2f}")
    page.fill("input[name=decision-release_amount]", f"{release / 100:.2f}")
    page.click("form[action$='/decide/'] button[type=submit]")
    page.wait_for_selector("text=The decision is recorded and both parties are told.")

    from marketplace.audit.models import AuditEvent
    from marketplace.disputes.models import Dispute
    from tenants.context import tenant_context

    with tenant_context(_lawfirm()):
        decided = Dispute.objects.get(public_id=dispute["dispute"])
        assert (decided.state, decided.refunded, decided.released) == ("decided", refund, release)
        assert AuditEvent.objects.filter(
            action="conversation.viewed_by_staff", actor__email=ADMIN, target_id=decided.conversation.public_id
        ).exists()
    connection.set_schema_to_public()

    # the booking, as staff see it
    page.goto(site("lawfirm", "/manage/bookings/"))
    _check(page, axe, shots, "bookings")
    page.goto(site("lawfirm", f"/manage/bookings/{dispute['booking']}/"))
    page.wait_for_selector("text=Timeline")
    _check(page, axe, shots, "booking")


def test_a_reported_review_is_hidden_with_a_reason(page, site, sign_in, axe, shots, reported_review):
    sign_in("lawfirm", ADMIN)
    page.goto(site("lawfirm", "/manage/reviews/"))
    card = page.locator(f"#review-{reported_review}")
    assert "It advertises someone's phone number." in card.inner_text()
    _check(page, axe, shots, "reviews-flagged")

    card.locator("textarea").fill("Contains a phone number; reviews are about the service.")
    card.locator("button[value=hide]").click()
    page.wait_for_selector("text=The review is hidden; its author sees your reason.")
    page.goto(site("lawfirm", "/manage/reviews/?show=hidden"))
    assert "Contains a phone number" in page.inner_text(f"#review-{reported_review}")
    _check(page, axe, shots, "reviews-hidden")

    from marketplace.reviews.models import Review
    from tenants.context import tenant_context

    with tenant_context(_lawfirm()):
        review = Review.objects.get(public_id=reported_review)
        assert (review.status, review.moderation_reason) == (
            "hidden",
            "Contains a phone number; reviews are about the service.",
        )
    connection.set_schema_to_public()
