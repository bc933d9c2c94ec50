"""Disputes through the API on a paid tutoring session at alpha: opening freezes the escrow; the
parties negotiate; escalation, decision, appeal; every outcome moves exactly the money decided; bad
input changes nothing; who sees what; the other marketplace sees nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.audit.models import AuditEvent
from marketplace.bookings.models import Booking
from marketplace.bookings.services import timers_run
from marketplace.disputes.models import Dispute
from marketplace.disputes.services import disputes_run_timers
from marketplace.payments.escrow import escrow_state
from marketplace.payments.ledger import platform_totals
from tenants.context import tenant_context
from tests.bookings.test_booking_api import _act, _auth, _book, _day, _slots
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CLIENT, TUTOR, ADMIN = "client@example.org", "tutor@example.org", "admin@alpha.test"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REASON = "The tutor did not cover the topics we agreed on."


@pytest.fixture
def paid(api_a, tenant_a, tutoring):
    """A paid session (6,000 in escrow) that took place an hour ago."""
    booking = _book(api_a, tutoring, _slots(api_a, tutoring, _day())[0]["starts_at"]).json()["id"]
    _act(api_a, booking, "pay", CLIENT)
    with tenant_context(tenant_a):
        start = datetime.now(UTC) - timedelta(hours=2)
        Booking.objects.filter(public_id=booking).update(starts_at=start, ends_at=start + timedelta(hours=1))
        UserFactory(email="moderator@example.org", is_moderator=True)
    return booking


def _open(api, booking, who=CLIENT, **body):
    payload = {"reason": "quality", "desired_outcome": "full_refund", "description": REASON, **body}
    return api.post(f"/api/v1/bookings/{booking}/disputes/", payload, format="json", **_auth(api, who))


def _do(api, dispute, who, action, **body):
    return api.post(
        f"/api/v1/disputes/{dispute}/actions/", {"action": action, **body}, format="json", **_auth(api, who)
    )


def _state(tenant, booking):
    with tenant_context(tenant):
        stored = Booking.objects.get(public_id=booking)
        return stored.state, escrow_state(stored)


def test_opening_freezes_the_escrow_and_the_booking_waits(api_a, tenant_a, paid):
    opened = _open(api_a, paid)
    complete = _act(api_a, paid, "complete", TUTOR)
    with tenant_context(tenant_a):
        fired = timers_run(now=datetime.now(UTC) + timedelta(days=5))

    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert (body["state"], body["amount"]["amount"], body["your_role"]) == ("negotiating", 6000, "client")
    assert complete.status_code == 409 and complete.json()["error"]["code"] == "escrow_frozen"
    assert fired == 0
    state, money = _state(tenant_a, paid)
    assert (state, money.frozen, money.held, money.released) == ("confirmed", True, 6000, 0)


def test_the_parties_agree_on_a_partial_refund_and_the_money_moves_exactly(api_a, tenant_a, paid):
    dispute = _open(api_a, paid).json()["id"]
    # given: the client asks for 4,000 back; the tutor counters with 2,500
    _do(api_a, dispute, CLIENT, "propose", outcome="partial_refund", refund_amount=4000)
    own = _do(api_a, dispute, CLIENT, "accept", proposal=_latest(api_a, dispute, CLIENT))
    countered = _do(api_a, dispute, TUTOR, "propose", outcome="partial_refund", refund_amount=2500)
    stale = _do(api_a, dispute, TUTOR, "accept", proposal=_proposals(api_a, dispute, TUTOR)[0])
    # when: the client accepts the counter-proposal
    accepted = _do(api_a, dispute, CLIENT, "accept", proposal=_latest(api_a, dispute, CLIENT))

    assert own.status_code == 403  # nobody accepts their own proposal
    assert countered.status_code == 200 and stale.status_code == 409
    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert (body["state"], body["resolution"], body["refunded"], body["released"]) == ("closed", "agreed", 2500, 3500)
    state, money = _state(tenant_a, paid)
    assert (state, money.frozen, money.refunded, money.released, money.held) == ("completed", False, 2500, 3500, 0)
    with tenant_context(tenant_a):
        totals = platform_totals("USD")
    commission, fee = 3500 * 1000 // 10_000, 3500 * 200 // 10_000
    assert -totals["provider_balance"] == 3500 - commission
    assert (-totals["marketplace_commission"], -totals["platform_fee"]) == (commission - fee, fee)
    assert totals["payments_clearing"] == 6000 - 2500 and sum(totals.values()) == 0


def _proposals(api, dispute, who) -> list[str]:
    timeline = api.get(f"/api/v1/disputes/{dispute}/", **_auth(api, who)).json()["timeline"]
    return [e["id"] for e in timeline if e["kind"] == "proposal"]


def _latest(api, dispute, who) -> str:
    return _proposals(api, dispute, who)[-1]


def test_escalation_decision_and_one_appeal_to_another_mediator(api_a, tenant_a, paid):
    dispute = _open(api_a, paid).json()["id"]
    early = _do(api_a, dispute, ADMIN, "decide", outcome="release", reason="The session happened as booked.")
    _do(api_a, dispute, TUTOR, "escalate", text="We cannot agree.")
    by_party = _do(api_a, dispute, TUTOR, "decide", outcome="release", reason="I did my job properly here.")
    decided = _do(
        api_a,
        dispute,
        ADMIN,
        "decide",
        outcome="partial_refund",
        refund_amount=1500,
        reason="Half the topics were covered.",
    )
    # the decision waits for the appeal window: no money moved yet
    _, waiting = _state(tenant_a, paid)
    appealed = _do(api_a, dispute, TUTOR, "appeal", text="The plan changed at the client's request.")
    again = _do(api_a, dispute, CLIENT, "appeal", text="I want to appeal as well, please.")
    same_mediator = _do(api_a, dispute, ADMIN, "decide", outcome="release", reason="Sticking to my decision.")
    final = _do(
        api_a,
        dispute,
        "moderator@example.org",
        "decide",
        outcome="partial_refund",
        refund_amount=1000,
        reason="The change was agreed in writing.",
    )

    assert early.status_code == 409  # mediators decide once it is escalated
    assert by_party.status_code == 403
    assert decided.status_code == 200 and decided.json()["state"] == "decided"
    assert (waiting.frozen, waiting.held) == (True, 6000)
    assert appealed.status_code == 200 and appealed.json()["state"] == "appealed"
    assert again.status_code == 409
    assert same_mediator.status_code == 403
    assert final.status_code == 200, final.content
    assert (final.json()["resolution"], final.json()["refunded"], final.json()["released"]) == (
        "appeal_decided",
        1000,
        5000,
    )
    _, money = _state(tenant_a, paid)
    assert (money.refunded, money.released, money.held, money.frozen) == (1000, 5000, 0, False)
    with tenant_context(tenant_a):
        audited = list(AuditEvent.objects.filter(target_id=dispute).values_list("action", flat=True))
    assert sorted(audited) == ["dispute.appeal_decided", "dispute.decided", "dispute.opened"]


def test_timers_escalate_an_unanswered_dispute_and_carry_out_an_unappealed_decision(api_a, tenant_a, paid):
    dispute = _open(api_a, paid).json()["id"]
    with tenant_context(tenant_a):
        not_yet = disputes_run_timers(now=datetime.now(UTC) + timedelta(days=1))
        escalated = disputes_run_timers(now=datetime.now(UTC) + timedelta(days=3))
        again = disputes_run_timers(now=datetime.now(UTC) + timedelta(days=3))
    _do(api_a, dispute, ADMIN, "decide", outcome="full_refund", reason="No evidence the session took place.")
    with tenant_context(tenant_a):
        within_appeal = disputes_run_timers(now=datetime.now(UTC) + timedelta(days=1))
        carried_out = disputes_run_timers(now=datetime.now(UTC) + timedelta(days=4))
        stored = Dispute.objects.get(public_id=dispute)

    assert (not_yet, escalated, again, within_appeal, carried_out) == (0, 1, 0, 0, 1)
    assert (stored.state, stored.resolution, stored.refunded) == ("closed", "decided", 6000)
    state, money = _state(tenant_a, paid)
    assert (state, money.refunded, money.held) == ("cancelled", 6000, 0)


@pytest.mark.parametrize(
    ("body", "status", "field_or_code"),
    [
        ({"reason": "bored"}, 400, "reason"),
        ({"desired_outcome": "everything"}, 400, "desired_outcome"),
        ({"description": "Bad."}, 400, "description"),
        ({"milestone": "mst_nope"}, 400, "milestone"),
    ],
)
def test_bad_disputes_are_refused_and_nothing_changes(api_a, tenant_a, paid, body, status, field_or_code):
    refused = _open(api_a, paid, **body)

    assert refused.status_code == status
    assert field_or_code in refused.json()["error"]["fields"]
    _, money = _state(tenant_a, paid)
    with tenant_context(tenant_a):
        assert Dispute.objects.count() == 0
    assert money.frozen is False


def test_no_dispute_after_release_after_the_window_twice_or_about_someone_elses_booking(
    api_a, tenant_a, paid, tutoring
):
    stranger = _open(api_a, paid, who=ADMIN)  # an admin is not a party: it is not theirs to open
    first = _open(api_a, paid)
    second = _open(api_a, paid, who=TUTOR)
    _do(api_a, first.json()["id"], CLIENT, "withdraw")
    _act(api_a, paid, "complete", TUTOR)  # released
    after_release = _open(api_a, paid)
    other = _book(api_a, tutoring, _slots(api_a, tutoring, _day())[1]["starts_at"]).json()["id"]
    _act(api_a, other, "pay", CLIENT)
    with tenant_context(tenant_a):
        Booking.objects.filter(public_id=other).update(
            starts_at=datetime.now(UTC) - timedelta(days=9), ends_at=datetime.now(UTC) - timedelta(days=8)
        )
    too_late = _open(api_a, other)

    assert stranger.status_code == 404
    assert first.status_code == 201 and second.status_code == 409
    assert after_release.status_code == 409 and after_release.json()["error"]["code"] == "nothing_in_escrow"
    assert too_late.status_code == 409 and too_late.json()["error"]["code"] == "dispute_window_closed"


@pytest.mark.parametrize(
    ("outcome", "amount"), [("partial_refund", 6000), ("partial_refund", 0), ("partial_refund", 7000), ("cash", 10)]
)
def test_a_settlement_outside_the_amount_in_dispute_is_refused(api_a, tenant_a, paid, outcome, amount):
    dispute = _open(api_a, paid).json()["id"]

    refused = _do(api_a, dispute, CLIENT, "propose", outcome=outcome, refund_amount=amount)

    assert refused.status_code == 400
    assert _proposals(api_a, dispute, CLIENT) == []


def test_who_sees_evidence_and_private_notes(api_a, tenant_a, paid):
    dispute = _open(api_a, paid).json()["id"]
    evidence = api_a.post(
        f"/api/v1/disputes/{dispute}/entries/",
        {"text": "The chat log.", "file": SimpleUploadedFile("log.png", PNG, content_type="image/png")},
        format="multipart",
        **_auth(api_a, CLIENT),
    )
    note = api_a.post(
        f"/api/v1/disputes/{dispute}/entries/",
        {"text": "Tutor has two earlier complaints.", "private": True},
        format="json",
        **_auth(api_a, ADMIN),
    )
    party_note = api_a.post(
        f"/api/v1/disputes/{dispute}/entries/",
        {"text": "Secret.", "private": True},
        format="json",
        **_auth(api_a, CLIENT),
    )
    script = api_a.post(
        f"/api/v1/disputes/{dispute}/entries/",
        {"file": SimpleUploadedFile("x.png", b"MZ\x90\x00" + b"\x00" * 64)},
        format="multipart",
        **_auth(api_a, TUTOR),
    )
    with tenant_context(tenant_a):
        UserFactory(email="nosy@example.org")
    seen = {
        who: api_a.get(f"/api/v1/disputes/{dispute}/", **_auth(api_a, who))
        for who in (CLIENT, TUTOR, ADMIN, "nosy@example.org")
    }
    file_id = evidence.json()["id"]
    downloads = {
        who: api_a.get(f"/api/v1/disputes/{dispute}/entries/{file_id}/file/", **_auth(api_a, who)).status_code
        for who in (TUTOR, "nosy@example.org")
    }

    assert evidence.status_code == 201 and note.status_code == 201
    assert party_note.status_code == 403 and script.status_code == 400
    kinds = {who: [e["kind"] for e in r.json()["timeline"]] for who, r in seen.items() if r.status_code == 200}
    assert kinds[CLIENT] == kinds[TUTOR] == ["opened", "evidence"]
    assert kinds[ADMIN] == ["opened", "evidence", "note"]
    assert seen["nosy@example.org"].status_code == 404
    assert downloads == {TUTOR: 200, "nosy@example.org": 404}


def test_metrics_for_the_marketplaces_admins(api_a, tenant_a, paid):
    dispute = _open(api_a, paid).json()["id"]
    _do(api_a, dispute, CLIENT, "propose", outcome="full_refund")
    _do(api_a, dispute, TUTOR, "accept", proposal=_latest(api_a, dispute, TUTOR))

    metrics = api_a.get("/api/v1/disputes/metrics/", **_auth(api_a, ADMIN))
    refused = api_a.get("/api/v1/disputes/metrics/", **_auth(api_a, CLIENT))

    assert refused.status_code == 403
    body = metrics.json()
    assert body["closed"] == 1 and body["open"]["negotiating"] == 0
    assert body["outcomes"] == {"full_refund": 1} and body["resolutions"] == {"agreed": 1}
    assert [(p["bookings"], p["disputes"], p["rate"]) for p in body["providers"]] == [(1, 1, 1.0)]


def test_the_other_marketplace_sees_no_disputes(api_a, api_b, tenant_b, paid):
    dispute = _open(api_a, paid).json()["id"]

    with tenant_context(tenant_b):
        assert Dispute.objects.count() == 0
    admin_b = api_b.post(
        "/api/v1/auth/login/", {"email": "admin@beta.test", "password": "Correct-Horse-77"}, format="json"
    ).json()["token"]
    listed = api_b.get("/api/v1/disputes/", HTTP_AUTHORIZATION=f"Token {admin_b}")
    detail = api_b.get(f"/api/v1/disputes/{dispute}/", HTTP_AUTHORIZATION=f"Token {admin_b}")

    assert listed.json()["results"] == [] and detail.status_code == 404


def test_everyone_involved_is_told(api_a, tenant_a, paid, run_on_commit, mailoutbox):
    with run_on_commit():
        dispute = _open(api_a, paid).json()["id"]
    opened = [sorted(m.to) for m in mailoutbox]
    mailoutbox.clear()
    with run_on_commit():
        _do(api_a, dispute, TUTOR, "escalate", text="We cannot agree.")
    with run_on_commit():
        api_a.post(
            f"/api/v1/disputes/{dispute}/entries/",
            {"text": "Only for us mediators.", "private": True},
            format="json",
            **_auth(api_a, ADMIN),
        )

    assert sorted(opened) == [[CLIENT], [TUTOR]]  # one email each, through their notifications
    told = {m.to[0]: m.subject for m in mailoutbox}  # the private note tells nobody: only the escalation
    assert len(mailoutbox) == len(told) == 4
    assert "Dispute update" in told[CLIENT] and "Dispute update" in told[TUTOR]
    assert "needs a mediator" in told[ADMIN] and "needs a mediator" in told["moderator@example.org"]
    assert "mediator" in mailoutbox[0].body
