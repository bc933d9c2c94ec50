"""The dispute page for its parties: timers, evidence, proposals accepted or countered, escalation,
the appeal; mediators are sent to the admin console; nobody else sees it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.bookings.models import Booking
from marketplace.disputes.models import Dispute, DisputeEntry
from marketplace.disputes.services import dispute_decide, dispute_open
from tenants.context import tenant_context
from tests.web.activity.conftest import PDF, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispute(tenant_a, paid_booking):
    with tenant_context(tenant_a):
        return dispute_open(
            user=paid_booking.client,
            booking_id=paid_booking.public_id,
            reason="quality",
            desired_outcome="full_refund",
            description="The session was cut short by half an hour.",
        )


def _state(tenant, dispute) -> str:
    with tenant_context(tenant):
        return Dispute.objects.get(pk=dispute.pk).state


def test_the_parties_see_state_timers_and_the_conversation(web, tenant_a, dispute):
    page = web(tenant_a, user(tenant_a, "tutor@example.org")).get(f"/disputes/{dispute.public_id}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Negotiating" in html and "Goes to the mediator" in html and "Answer due" in html
    assert "The session was cut short" in html
    assert 'id="messages-' in html and "Propose a settlement" in html


def test_mediators_are_sent_to_the_console_and_strangers_get_404(web, tenant_a, tenant_b, dispute, stranger, moderator):
    path = f"/disputes/{dispute.public_id}/"

    moved = web(tenant_a, moderator).get(path)

    assert moved.status_code == 302 and moved["Location"] == f"/manage/disputes/{dispute.public_id}/"
    assert web(tenant_a, stranger).get(path).status_code == 404
    assert web(tenant_b, user(tenant_b, "admin@beta.test")).get(path).status_code == 404


def test_evidence_is_uploaded_and_a_bad_file_is_refused(web, tenant_a, dispute):
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    path = f"/disputes/{dispute.public_id}/post/"

    refused = client.post(path, {"post-file": SimpleUploadedFile("x.pdf", b"#!/bin/sh\nrm -rf /", "application/pdf")})
    added = client.post(
        path, {"post-file": SimpleUploadedFile("receipt.pdf", PDF, "application/pdf"), "post-text": "Timesheet"}
    )

    assert refused.status_code == 400 and "Upload" in refused.content.decode()
    assert added.status_code == 302
    with tenant_context(tenant_a):
        assert list(
            DisputeEntry.objects.filter(dispute=dispute, kind="evidence").values_list("original_name", flat=True)
        ) == ["receipt.pdf"]
    assert "receipt.pdf" in client.get(f"/disputes/{dispute.public_id}/").content.decode()


def test_a_proposal_is_countered_and_the_counter_accepted(web, tenant_a, dispute, paid_booking):
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    tutor = web(tenant_a, user(tenant_a, "tutor@example.org"))
    base = f"/disputes/{dispute.public_id}/"

    bad = tutor.post(f"{base}propose/", {"propose-outcome": "partial_refund", "propose-refund_amount": ""})
    tutor.post(f"{base}propose/", {"propose-outcome": "partial_refund", "propose-refund_amount": "20.00"})
    client.post(f"{base}propose/", {"propose-outcome": "partial_refund", "propose-refund_amount": "30.00"})
    page = tutor.get(base).content.decode()
    with tenant_context(tenant_a):
        latest = DisputeEntry.objects.filter(dispute=dispute, kind="proposal").latest("id")
    own = client.post(f"{base}accept/", {"proposal": latest.public_id})
    accepted = tutor.post(f"{base}accept/", {"proposal": latest.public_id})

    assert bad.status_code == 400
    assert "Accept this settlement" in page and "30.00" in page
    assert own.status_code == 403
    assert accepted.status_code == 302 and _state(tenant_a, dispute) == "closed"
    with tenant_context(tenant_a):
        assert Dispute.objects.get(pk=dispute.pk).refunded == 3000
        assert Booking.objects.get(pk=paid_booking.pk).state in ("completed", "cancelled")


def test_escalate_then_appeal_the_decision_once(web, tenant_a, dispute, moderator):
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    base = f"/disputes/{dispute.public_id}/"

    escalated = client.post(f"{base}escalate/", {"escalate-text": "We cannot agree."})
    with tenant_context(tenant_a):
        dispute_decide(
            user=moderator,
            dispute=Dispute.objects.get(pk=dispute.pk),
            outcome="release",
            reason="The session was delivered.",
        )
    page = client.get(base).content.decode()
    short = client.post(f"{base}appeal/", {"appeal-text": "no"})
    appealed = client.post(f"{base}appeal/", {"appeal-text": "Half the session was missing."})
    again = client.post(f"{base}appeal/", {"appeal-text": "Half the session was missing."})

    assert escalated.status_code == 302
    assert "The mediator&#x27;s decision" in page or "The mediator's decision" in page
    assert "Appeal (once)" in page
    assert short.status_code == 400
    assert appealed.status_code == 302 and _state(tenant_a, dispute) == "appealed"
    assert again.status_code == 409 and "Appeal (once)" not in again.content.decode()


def test_withdrawing_unfreezes_the_booking(web, tenant_a, dispute):
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    tutor = web(tenant_a, user(tenant_a, "tutor@example.org"))

    refused = tutor.post(f"/disputes/{dispute.public_id}/withdraw/")
    withdrawn = client.post(f"/disputes/{dispute.public_id}/withdraw/")

    assert refused.status_code == 403
    assert withdrawn.status_code == 302 and _state(tenant_a, dispute) == "closed"
