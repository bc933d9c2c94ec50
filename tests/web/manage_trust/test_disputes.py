"""The mediation screen at /manage/disputes/: the queue (escalated first, with timers), the dispute
with its money, evidence, proposals, notes and conversation (reading it is audited), and the decision:
a split that does not add up moves nothing; a valid one moves the money through the ledger; an appeal
goes to a different mediator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from marketplace.audit.models import AuditEvent
from marketplace.bookings.models import Booking
from marketplace.disputes.models import Dispute, DisputeEntry
from marketplace.disputes.services import (
    dispute_appeal,
    dispute_open,
    dispute_post,
    dispute_propose,
    disputes_run_timers,
)
from marketplace.messaging.services import dispute_thread, message_post
from marketplace.payments.escrow import escrow_state
from marketplace.payments.ledger import platform_totals
from tenants.context import tenant_context
from tests.web.manage_trust.conftest import CLIENT, TUTOR, person

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REASONS = "Half the agreed topics were covered; the rest goes back."


def _money(tenant, booking_id):
    with tenant_context(tenant):
        return escrow_state(Booking.objects.get(public_id=booking_id))


def _decide(client, dispute, **body):
    return client.post(f"/manage/disputes/{dispute}/decide/", {f"decision-{k}": v for k, v in body.items()})


def test_the_queue_puts_disputes_waiting_for_a_mediator_first_with_their_timers(admin, tenant_a, escalated, api_a):
    # given a second, younger dispute still in negotiation
    from tests.bookings.test_booking_api import _act, _book, _day, _slots

    with tenant_context(tenant_a):
        listing = Booking.objects.get(public_id=Dispute.objects.get(public_id=escalated).booking.public_id).listing
    other = _book(api_a, listing.public_id, _slots(api_a, listing.public_id, _day())[3]["starts_at"]).json()["id"]
    _act(api_a, other, "pay", CLIENT)
    with tenant_context(tenant_a):
        negotiating = dispute_open(
            user=User.objects.get(email=CLIENT),
            booking_id=other,
            reason="no_show",
            desired_outcome="full_refund",
            description="The tutor never joined the meeting room at all.",
        )
        Dispute.objects.filter(pk=negotiating.pk).update(created_at=datetime.now(UTC) - timedelta(days=30))

    queue = admin.get("/manage/disputes/")
    only_negotiating = admin.get("/manage/disputes/?state=negotiating")

    body = queue.content.decode()
    assert queue.status_code == 200
    assert body.index(f"/manage/disputes/{escalated}/") < body.index(f"/manage/disputes/{negotiating.public_id}/")
    assert "waiting for a decision" in body and "to a mediator in" in body
    assert escalated not in only_negotiating.content.decode()


def test_the_dispute_shows_money_evidence_proposals_and_notes(admin, tenant_a, escalated, paid):
    with tenant_context(tenant_a):
        dispute = Dispute.objects.get(public_id=escalated)
        dispute_post(
            user=User.objects.get(email=CLIENT),
            dispute=dispute,
            text="The agreed plan.",
            upload=SimpleUploadedFile("plan.png", PNG, content_type="image/png"),
        )
        Dispute.objects.filter(pk=dispute.pk).update(state="negotiating")
        dispute_propose(
            user=User.objects.get(email=TUTOR), dispute=dispute, outcome="partial_refund", refund_amount=1500
        )
        Dispute.objects.filter(pk=dispute.pk).update(state="escalated")
        evidence = DisputeEntry.objects.get(dispute=dispute, kind="evidence")

    added = admin.post(f"/manage/disputes/{escalated}/notes/", {"note-text": "The tutor has an earlier complaint."})
    page = admin.get(f"/manage/disputes/{escalated}/")

    assert added.status_code == 302
    body = page.content.decode()
    assert page.status_code == 200
    assert "60.00 USD" in body and "Frozen" in body
    assert f"/api/v1/disputes/{escalated}/entries/{evidence.public_id}/file/" in body and "plan.png" in body
    assert "15.00 USD refunded" in body  # the tutor's proposal
    assert "The tutor has an earlier complaint." in body
    evidence_file = admin.get(f"/api/v1/disputes/{escalated}/entries/{evidence.public_id}/file/")
    assert evidence_file.status_code == 200


def test_a_split_that_does_not_add_up_is_a_400_next_to_the_fields_and_moves_nothing(admin, tenant_a, escalated, paid):
    with tenant_context(tenant_a):
        journal_before = platform_totals("USD")

    response = _decide(
        admin, escalated, outcome="partial_refund", refund_amount="20.00", release_amount="30.00", reason=REASONS
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_decision-refund_amount_errors"' in body and 'id="id_decision-release_amount_errors"' in body
    assert "Refund + release = 50.00 USD, not 60.00 USD." in body
    with tenant_context(tenant_a):
        dispute = Dispute.objects.get(public_id=escalated)
        assert (dispute.state, dispute.outcome) == ("escalated", "")
        assert not dispute.entries.filter(kind="decision").exists()
        assert not AuditEvent.objects.filter(action="dispute.decided").exists()
        assert platform_totals("USD") == journal_before
    money = _money(tenant_a, paid)
    assert (money.held, money.frozen, money.refunded, money.released) == (6000, True, 0, 0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "partial_refund", "refund_amount": "", "release_amount": "40.00"}, "refund_amount"),
        ({"outcome": "partial_refund", "refund_amount": "60.00", "release_amount": "0"}, "refund_amount"),
        ({"outcome": "release", "reason": "Too short"}, "reason"),
        ({"outcome": "everything"}, "outcome"),
    ],
)
def test_bad_decisions_name_the_field_and_change_nothing(admin, tenant_a, escalated, paid, body, field):
    response = _decide(admin, escalated, **{"reason": REASONS, **body})

    assert response.status_code == 400
    assert f'id="id_decision-{field}_errors"' in response.content.decode()
    with tenant_context(tenant_a):
        assert Dispute.objects.get(public_id=escalated).state == "escalated"
    assert _money(tenant_a, paid).held == 6000


def test_a_valid_split_is_decided_then_moves_the_money_through_the_ledger(admin, tenant_a, escalated, paid):
    # when the admin splits 20.00 back to the client and 40.00 to the tutor
    decided = _decide(
        admin, escalated, outcome="partial_refund", refund_amount="20.00", release_amount="40.00", reason=REASONS
    )

    # then it is decided, audited, and waits for the appeal window
    assert decided.status_code == 302
    with tenant_context(tenant_a):
        dispute = Dispute.objects.get(public_id=escalated)
        assert (dispute.state, dispute.refunded, dispute.released) == ("decided", 2000, 4000)
        assert AuditEvent.objects.get(action="dispute.decided", target_id=escalated).actor.email == "admin@alpha.test"
    assert _money(tenant_a, paid).held == 6000
    # when nobody appeals in time, the money moves exactly as decided
    with tenant_context(tenant_a):
        assert disputes_run_timers(now=datetime.now(UTC) + timedelta(days=4)) == 1
        totals = platform_totals("USD")
    money = _money(tenant_a, paid)
    assert (money.refunded, money.released, money.held, money.frozen) == (2000, 4000, 0, False)
    commission, fee = 4000 * 1000 // 10_000, 4000 * 200 // 10_000
    assert -totals["provider_balance"] == 4000 - commission
    assert (-totals["marketplace_commission"], -totals["platform_fee"]) == (commission - fee, fee)
    assert totals["payments_clearing"] == 6000 - 2000 and sum(totals.values()) == 0


def test_an_appeal_is_decided_by_another_mediator_and_the_same_one_is_told_why_not(
    admin, moderator, tenant_a, escalated, paid
):
    # given the admin's decision, appealed by the tutor
    _decide(admin, escalated, outcome="full_refund", reason="No evidence the session took place.")
    with tenant_context(tenant_a):
        dispute_appeal(
            user=User.objects.get(email=TUTOR),
            dispute=Dispute.objects.get(public_id=escalated),
            text="The session took place; here is why.",
        )

    # when the same admin decides again, then a moderator does
    page = admin.get(f"/manage/disputes/{escalated}/")
    same = _decide(admin, escalated, outcome="release", reason="On second thoughts, release it.")
    other = _decide(moderator, escalated, outcome="release", reason="The session log shows it took place.")

    # then
    assert "a different mediator decides the appeal" in page.content.decode()
    assert same.status_code == 403 and "An appeal is decided by a different mediator." in same.content.decode()
    assert other.status_code == 302
    with tenant_context(tenant_a):
        dispute = Dispute.objects.get(public_id=escalated)
        assert (dispute.state, dispute.resolution, dispute.released) == ("closed", "appeal_decided", 6000)
        assert dispute.appeal_mediator.email == "moderator@alpha.test"
    money = _money(tenant_a, paid)
    assert (money.released, money.refunded, money.frozen) == (6000, 0, False)


def test_reading_the_parties_conversation_writes_an_audit_row(admin, tenant_a, escalated):
    with tenant_context(tenant_a):
        conversation = dispute_thread(dispute=Dispute.objects.get(public_id=escalated))
        message_post(sender=person(tenant_a, CLIENT), conversation=conversation, body="You never showed the slides.")
        unread = AuditEvent.objects.filter(action="conversation.viewed_by_staff").count()

    page = admin.get(f"/manage/disputes/{escalated}/")
    with tenant_context(tenant_a):
        after_page = AuditEvent.objects.filter(action="conversation.viewed_by_staff").count()
    fragment = admin.get(f"/manage/disputes/{escalated}/conversation/", HTTP_HX_REQUEST="true")
    full = admin.get(f"/manage/disputes/{escalated}/conversation/")

    assert "Read the conversation" in page.content.decode()
    assert (unread, after_page) == (0, 0)  # opening the dispute does not read the thread
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert "You never showed the slides." in fragment.content.decode()
    assert full.status_code == 200 and "<h1>" in full.content.decode()
    with tenant_context(tenant_a):
        reads = AuditEvent.objects.filter(action="conversation.viewed_by_staff", target_id=conversation.public_id)
        assert reads.count() == 2 and {e.actor.email for e in reads} == {"admin@alpha.test"}


def test_a_party_who_is_staff_does_not_mediate_their_own_dispute(tenant_a, web, escalated):
    with tenant_context(tenant_a):
        User.objects.filter(email=CLIENT).update(is_moderator=True)
    party = web(tenant_a, person(tenant_a, CLIENT))

    page = party.get(f"/manage/disputes/{escalated}/")
    decided = _decide(party, escalated, outcome="full_refund", reason="I deserve my money back.")

    assert page.status_code == 403 and decided.status_code == 403
    with tenant_context(tenant_a):
        assert Dispute.objects.get(public_id=escalated).state == "escalated"


def test_the_other_marketplace_sees_nothing(tenant_a, tenant_b, web, escalated):
    beta_admin = web(tenant_b, person(tenant_b, "admin@beta.test"))

    assert beta_admin.get(f"/manage/disputes/{escalated}/").status_code == 404
    assert beta_admin.get(f"/manage/disputes/{escalated}/conversation/").status_code == 404
    assert _decide(beta_admin, escalated, outcome="release", reason=REASONS).status_code == 404
    assert escalated not in beta_admin.get("/manage/disputes/").content.decode()
    with tenant_context(tenant_a):
        assert Dispute.objects.get(public_id=escalated).state == "escalated"
