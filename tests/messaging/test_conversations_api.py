"""Conversations through the API at alpha (beta has members of its own, so a leak fails): inquiries,
the marketplace's inquiry and masking settings, blocks, the rate limit, attachments, read receipts,
pagination and search, reports, staff reads, and the other marketplace seeing nothing."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.audit.models import AuditEvent
from marketplace.bookings.models import Booking
from marketplace.catalogue.models import Listing
from marketplace.disputes.models import Dispute
from marketplace.messaging.models import Block, Conversation, ConversationMember, Message, MessageReport
from tenants.context import tenant_context
from tests.bookings.test_booking_api import _book, _day, _slots
from tests.factories import UserFactory
from tests.messaging.conftest import ADMIN, CLIENT, RIVAL, TUTOR

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + b"0" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BASE = "/api/v1/conversations/"


def _ask(api, auth, listing, body="Do you cover integration by parts?", who=CLIENT):
    return api.post(BASE, {"listing": listing, "body": body}, format="json", **auth(api, who))


def _say(api, auth, conversation, body, who, **extra):
    data = {"body": body, **extra}
    kind = "multipart" if "file" in extra else "json"
    return api.post(f"{BASE}{conversation}/messages/", data, format=kind, **auth(api, who))


def _thread(api, auth, conversation, who, **params):
    return api.get(f"{BASE}{conversation}/", params, **auth(api, who))


def _settings(api, auth, **changes):
    response = api.patch("/api/v1/marketplace/settings/", changes, format="json", **auth(api, ADMIN))
    assert response.status_code == 200, response.content
    return response


def _count(tenant, model):
    with tenant_context(tenant):
        return model.objects.count()


def test_client_asks_about_a_listing_and_the_provider_replies(api_a, tenant_a, tutoring, auth):
    # given
    asked = _ask(api_a, auth, tutoring)
    conversation = asked.json()["id"]

    # when
    tutor_inbox = api_a.get(BASE, **auth(api_a, TUTOR)).json()
    reply = _say(api_a, auth, conversation, "Yes <b>it</b> is on the plan.", TUTOR)
    thread = _thread(api_a, auth, conversation, CLIENT).json()

    # then
    assert asked.status_code == 201, asked.content
    assert (asked.json()["kind"], asked.json()["listing"], asked.json()["your_role"]) == ("inquiry", tutoring, "client")
    assert tutor_inbox["results"][0]["conversation"]["id"] == conversation
    assert tutor_inbox["results"][0]["unread"] == 1 and tutor_inbox["unread_total"] == 1
    assert tutor_inbox["results"][0]["last_message"]["body"] == "Do you cover integration by parts?"
    assert reply.status_code == 201, reply.content
    # newest first; the body comes back exactly as typed, as text
    assert [m["body"] for m in thread["messages"]] == [
        "Yes <b>it</b> is on the plan.",
        "Do you cover integration by parts?",
    ]
    assert {m["role"] for m in thread["members"]} == {"client", "provider"}


def test_asking_again_about_the_same_listing_reuses_the_conversation(api_a, tenant_a, tutoring, auth):
    first = _ask(api_a, auth, tutoring).json()["id"]

    again = _ask(api_a, auth, tutoring, body="And what about series?")
    other_client = _ask(api_a, auth, tutoring, who=RIVAL)

    assert again.status_code == 201 and again.json()["id"] == first
    assert other_client.json()["id"] != first
    with tenant_context(tenant_a):
        assert Conversation.objects.count() == 2
        assert Conversation.objects.get(public_id=first).messages.count() == 2


def test_no_inquiries_when_the_marketplace_turns_them_off(api_a, tenant_a, tutoring, auth):
    # given
    defaults = api_a.get("/api/v1/marketplace/settings/", **auth(api_a, ADMIN)).json()
    bad = api_a.patch("/api/v1/marketplace/settings/", {"allow_inquiries": "no"}, format="json", **auth(api_a, ADMIN))
    earlier = _ask(api_a, auth, tutoring, who=RIVAL).json()["id"]
    _settings(api_a, auth, allow_inquiries=False)

    # when
    response = _ask(api_a, auth, tutoring)
    reply = _say(api_a, auth, earlier, "Sure, ask away", TUTOR)

    # then
    assert (defaults["allow_inquiries"], defaults["mask_contact_details"]) == (True, False)
    assert bad.status_code == 400 and "allow_inquiries" in bad.json()["error"]["fields"]
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "inquiries_off"
    assert "book the listing" in response.json()["error"]["message"]
    assert reply.status_code == 403
    assert (_count(tenant_a, Conversation), _count(tenant_a, Message)) == (1, 1)  # only the earlier inquiry


def test_no_inquiry_to_yourself_or_about_an_inactive_listing(api_a, tenant_a, tutoring, auth):
    own = _ask(api_a, auth, tutoring, who=TUTOR)
    with tenant_context(tenant_a):
        Listing.objects.filter(public_id=tutoring).update(status="paused")
    paused = _ask(api_a, auth, tutoring)
    empty = _ask(api_a, auth, "lst_nothing")

    assert own.status_code == 400 and "listing" in own.json()["error"]["fields"]
    assert paused.status_code == 404 and empty.status_code == 404
    assert _count(tenant_a, Conversation) == 0


CONTACT = "Mail me at tess.tutor@example.org or call +44 7700 900123 before 2026-11-22, 60 USD."


@pytest.mark.parametrize("mask", [True, False])
def test_contact_details_in_inquiries_are_hidden_when_the_marketplace_masks_them(api_a, tenant_a, tutoring, auth, mask):
    # given
    _settings(api_a, auth, mask_contact_details=mask)

    # when
    conversation = _ask(api_a, auth, tutoring, body=CONTACT).json()["id"]

    # then
    stored = _thread(api_a, auth, conversation, TUTOR).json()["messages"][0]["body"]
    if mask:
        assert stored == ("Mail me at [hidden until booked] or call [hidden until booked] before 2026-11-22, 60 USD.")
    else:
        assert stored == CONTACT


def test_booking_threads_are_never_masked(api_a, tenant_a, tutoring, auth):
    _settings(api_a, auth, mask_contact_details=True)
    booking = _book(api_a, tutoring, _slots(api_a, tutoring, _day())[0]["starts_at"]).json()["id"]

    thread = api_a.get(f"/api/v1/bookings/{booking}/conversation/", **auth(api_a, CLIENT)).json()
    _say(api_a, auth, thread["id"], CONTACT, CLIENT)

    assert thread["kind"] == "booking" and thread["booking"] == booking
    assert _thread(api_a, auth, thread["id"], TUTOR).json()["messages"][0]["body"] == CONTACT


def test_the_booking_thread_is_made_once_for_its_client_and_provider_only(api_a, tenant_a, tutoring, auth):
    booking = _book(api_a, tutoring, _slots(api_a, tutoring, _day())[0]["starts_at"]).json()["id"]
    url = f"/api/v1/bookings/{booking}/conversation/"

    by_client = api_a.get(url, **auth(api_a, CLIENT))
    by_tutor = api_a.get(url, **auth(api_a, TUTOR))
    by_rival = api_a.get(url, **auth(api_a, RIVAL))

    assert by_client.status_code == 200 and by_client.json()["id"] == by_tutor.json()["id"]
    assert by_tutor.json()["your_role"] == "provider"
    assert by_rival.status_code == 404
    assert _count(tenant_a, Conversation) == 1


def test_an_inquiry_continues_as_the_thread_of_the_booking_that_follows(api_a, api_b, tenant_a, tutoring, auth):
    # given the client asked before booking, and the tutor answered
    inquiry = _ask(api_a, auth, tutoring, body="Can we cover series next week?").json()["id"]
    _say(api_a, auth, inquiry, "Yes, book any slot.", TUTOR)

    # when the client books the listing
    booking = _book(api_a, tutoring, _slots(api_a, tutoring, _day())[0]["starts_at"]).json()["id"]
    thread = api_a.get(f"/api/v1/bookings/{booking}/conversation/", **auth(api_a, TUTOR)).json()

    # then the booking's thread is the inquiry, with its history; no second conversation
    assert (thread["id"], thread["kind"], thread["booking"]) == (inquiry, "booking", booking)
    bodies = [m["body"] for m in _thread(api_a, auth, inquiry, CLIENT).json()["messages"]]
    assert bodies == ["Yes, book any slot.", "Can we cover series next week?"]
    assert _count(tenant_a, Conversation) == 1
    # and another booking of the same listing by the same client gets its own thread
    second = _book(api_a, tutoring, _slots(api_a, tutoring, _day())[1]["starts_at"]).json()["id"]
    other = api_a.get(f"/api/v1/bookings/{second}/conversation/", **auth(api_a, CLIENT)).json()
    assert other["id"] != inquiry and other["booking"] == second


def test_a_block_stops_messages_both_ways_until_lifted(api_a, tenant_a, tutoring, auth):
    # given
    conversation = _ask(api_a, auth, tutoring).json()["id"]
    with tenant_context(tenant_a):
        tutor_id = UserFactory._meta.model.objects.get(email=TUTOR).public_id
    blocked = api_a.post("/api/v1/blocks/", {"user": tutor_id}, format="json", **auth(api_a, CLIENT))

    # when
    from_client = _say(api_a, auth, conversation, "Hello?", CLIENT)
    from_tutor = _say(api_a, auth, conversation, "Hello?", TUTOR)
    lifted = api_a.delete("/api/v1/blocks/", {"user": tutor_id}, format="json", **auth(api_a, CLIENT))
    after = _say(api_a, auth, conversation, "Hello again", TUTOR)

    # then
    assert blocked.status_code == 201
    assert (from_client.status_code, from_tutor.status_code) == (403, 403)
    assert from_tutor.json()["error"]["code"] == "blocked"
    assert lifted.status_code == 204 and after.status_code == 201
    assert _count(tenant_a, Message) == 2  # the inquiry and the message after the block was lifted
    assert _count(tenant_a, Block) == 0


def test_blocking_yourself_or_nobody_is_refused(api_a, tenant_a, tutoring, auth):
    with tenant_context(tenant_a):
        me = UserFactory._meta.model.objects.get(email=CLIENT).public_id

    themselves = api_a.post("/api/v1/blocks/", {"user": me}, format="json", **auth(api_a, CLIENT))
    nobody = api_a.post("/api/v1/blocks/", {"user": "usr_nobody"}, format="json", **auth(api_a, CLIENT))

    assert (themselves.status_code, nobody.status_code) == (400, 400)
    assert _count(tenant_a, Block) == 0


def test_too_many_messages_a_minute_are_refused_with_429(api_a, tenant_a, tutoring, auth, settings):
    # given
    settings.MESSAGES_PER_MINUTE = 3
    conversation = _ask(api_a, auth, tutoring).json()["id"]
    _say(api_a, auth, conversation, "two", CLIENT)
    _say(api_a, auth, conversation, "three", CLIENT)

    # when
    fourth = _say(api_a, auth, conversation, "four", CLIENT)
    from_tutor = _say(api_a, auth, conversation, "the other party is counted apart", TUTOR)
    with tenant_context(tenant_a):  # a minute later the client may write again
        Message.objects.update(created_at=Message.objects.first().created_at - timedelta(minutes=2))
    later = _say(api_a, auth, conversation, "four, later", CLIENT)

    # then
    assert fourth.status_code == 429
    assert fourth.json()["error"]["code"] == "too_many_messages"
    assert "wait a minute" in fourth.json()["error"]["message"]
    assert from_tutor.status_code == 201 and later.status_code == 201
    assert _count(tenant_a, Message) == 5


@pytest.mark.parametrize(
    "name, content, limit",
    [
        ("empty.pdf", b"", None),
        ("big.pdf", PDF, 100),
        ("picture.pdf", b"GIF89a" + b"\x00" * 64, None),
        ("page.png", b"<html><script>alert(1)</script></html>", None),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_stored(
    api_a, tenant_a, tutoring, auth, settings, tmp_path, name, content, limit
):
    # given
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    if limit:
        settings.DOCUMENT_MAX_BYTES = limit
    conversation = _ask(api_a, auth, tutoring).json()["id"]

    # when
    response = _say(api_a, auth, conversation, "", CLIENT, file=SimpleUploadedFile(name, content))

    # then
    assert response.status_code == 400, response.content
    assert "file" in response.json()["error"]["fields"]
    assert _count(tenant_a, Message) == 1
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_an_empty_or_oversized_message_is_refused(api_a, tenant_a, tutoring, auth):
    conversation = _ask(api_a, auth, tutoring).json()["id"]

    empty = _say(api_a, auth, conversation, "   ", CLIENT)
    long = _say(api_a, auth, conversation, "x" * 5001, CLIENT)
    first_empty = _ask(api_a, auth, tutoring, body="", who=RIVAL)

    assert (empty.status_code, long.status_code, first_empty.status_code) == (400, 400, 400)
    assert "5,000" in long.json()["error"]["fields"]["body"][0]
    assert _count(tenant_a, Message) == 1 and _count(tenant_a, Conversation) == 1


def test_members_download_an_attachment_others_do_not(api_a, tenant_a, tutoring, auth, settings, tmp_path):
    # given
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    conversation = _ask(api_a, auth, tutoring).json()["id"]
    sent = _say(api_a, auth, conversation, "My syllabus", CLIENT, file=SimpleUploadedFile("syllabus.pdf", PDF))
    url = f"{BASE}{conversation}/messages/{sent.json()['id']}/attachment/"

    # when
    by_tutor = api_a.get(url, **auth(api_a, TUTOR))
    by_rival = api_a.get(url, **auth(api_a, RIVAL))

    # then
    assert sent.status_code == 201, sent.content
    assert sent.json()["attachment"] == {"name": "syllabus.pdf", "content_type": "application/pdf"}
    assert by_tutor.status_code == 200 and b"".join(by_tutor.streaming_content) == PDF
    assert by_rival.status_code == 404
    stored = [p.relative_to(tmp_path).parts for p in tmp_path.rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0][:2] == ("alpha", "message-attachments")  # under the tenant's prefix


def test_someone_outside_the_conversation_finds_nothing(api_a, tenant_a, tutoring, auth):
    conversation = _ask(api_a, auth, tutoring).json()["id"]
    rival = auth(api_a, RIVAL)

    read = api_a.get(f"{BASE}{conversation}/", **rival)
    write = _say(api_a, auth, conversation, "Let me in", RIVAL)
    mark = api_a.post(f"{BASE}{conversation}/read/", **rival)
    inbox = api_a.get(BASE, **rival).json()

    assert (read.status_code, write.status_code, mark.status_code) == (404, 404, 404)
    assert inbox["results"] == [] and inbox["unread_total"] == 0
    assert _count(tenant_a, Message) == 1


def test_read_receipts_and_unread_counts(api_a, tenant_a, tutoring, auth):
    # given
    conversation = _ask(api_a, auth, tutoring).json()["id"]
    _say(api_a, auth, conversation, "Also: evenings?", CLIENT)

    # when
    before = api_a.get(BASE, **auth(api_a, TUTOR)).json()
    receipt = api_a.post(f"{BASE}{conversation}/read/", **auth(api_a, TUTOR))
    after = api_a.get(BASE, **auth(api_a, TUTOR)).json()
    _say(api_a, auth, conversation, "Or weekends?", CLIENT)
    later = api_a.get(BASE, **auth(api_a, TUTOR)).json()
    client_side = api_a.get(BASE, **auth(api_a, CLIENT)).json()

    # then
    assert (before["results"][0]["unread"], before["unread_total"]) == (2, 2)
    assert receipt.status_code == 200 and receipt.json()["last_read_at"]
    assert (after["results"][0]["unread"], after["unread_total"]) == (0, 0)
    assert (later["results"][0]["unread"], later["unread_total"]) == (1, 1)
    assert client_side["unread_total"] == 0  # your own messages are never unread
    members = _thread(api_a, auth, conversation, CLIENT).json()["members"]
    assert next(m for m in members if m["role"] == "provider")["last_read_at"] == receipt.json()["last_read_at"]


def _fill(tenant, conversation_id, count, needle_every=0):
    with tenant_context(tenant):
        conversation = Conversation.objects.get(public_id=conversation_id)
        client = conversation.members.get(role="client").user
        for n in range(count):
            body = f"message {n}" + (" with a NeeDle" if needle_every and n % needle_every == 0 else "")
            Message.objects.create(conversation=conversation, sender=client, body=body)


def test_a_thread_pages_back_with_a_cursor_and_searches(api_a, tenant_a, tutoring, auth):
    # given: the inquiry and 40 more messages, every tenth mentioning a needle
    conversation = _ask(api_a, auth, tutoring, body="first").json()["id"]
    _fill(tenant_a, conversation, 40, needle_every=10)

    # when
    first = _thread(api_a, auth, conversation, TUTOR).json()
    second = _thread(api_a, auth, conversation, TUTOR, before=first["next_before"]).json()
    found = _thread(api_a, auth, conversation, TUTOR, q="needle").json()
    bad = _thread(api_a, auth, conversation, TUTOR, before="msg_unknown")

    # then
    assert len(first["messages"]) == 30 and first["messages"][0]["body"] == "message 39"
    assert len(second["messages"]) == 11 and second["next_before"] is None
    assert second["messages"][-1]["body"] == "first"
    ids = [m["id"] for m in first["messages"] + second["messages"]]
    assert len(set(ids)) == 41
    assert [m["body"] for m in found["messages"]] == [f"message {n} with a NeeDle" for n in (30, 20, 10, 0)]
    assert bad.status_code == 400 and "before" in bad.json()["error"]["fields"]


def test_a_report_is_audited_and_lets_staff_read_that_thread(api_a, tenant_a, tutoring, auth):
    # given
    conversation = _ask(api_a, auth, tutoring, body="Pay me outside the marketplace").json()["id"]
    message = _thread(api_a, auth, conversation, TUTOR).json()["messages"][0]["id"]
    refused = _thread(api_a, auth, conversation, ADMIN)

    # when
    report = f"/api/v1/messages/{message}/report/"
    reported = api_a.post(report, {"reason": "Asks to pay off-platform"}, format="json", **auth(api_a, TUTOR))
    twice = api_a.post(report, {"reason": "Asks to pay off-platform"}, format="json", **auth(api_a, TUTOR))
    by_rival = api_a.post(report, {"reason": "Spam spam"}, format="json", **auth(api_a, RIVAL))
    staff = _thread(api_a, auth, conversation, ADMIN)

    # then
    assert refused.status_code == 403
    assert reported.status_code == 201, reported.content
    assert twice.status_code == 409 and by_rival.status_code == 404
    assert staff.status_code == 200 and staff.json()["your_role"] == "admin-observer"
    with tenant_context(tenant_a):
        assert MessageReport.objects.get().reporter.email == TUTOR
        event = AuditEvent.objects.get(action="message.reported")
        assert (event.actor.email, event.target_id, event.reason) == (TUTOR, message, "Asks to pay off-platform")
        viewed = AuditEvent.objects.get(action="conversation.viewed_by_staff")
        assert (viewed.actor.email, viewed.target_id, viewed.after["why"]) == (ADMIN, conversation, "reported")


@pytest.fixture
def disputed(api_a, tenant_a, tutoring, auth):
    """A booking between client@ and tutor@ with an open dispute."""
    booking = _book(api_a, tutoring, _slots(api_a, tutoring, _day())[0]["starts_at"]).json()["id"]
    with tenant_context(tenant_a):
        stored = Booking.objects.get(public_id=booking)
        dispute = Dispute.objects.create(
            booking=stored,
            opened_by=stored.client,
            opened_by_role="client",
            reason="quality",
            desired_outcome="full_refund",
            description="The tutor did not cover the topics we agreed on.",
            amount=6000,
            currency="USD",
        )
    return booking, dispute.public_id


def test_staff_read_a_dispute_thread_audited_but_not_other_threads(api_a, tenant_a, disputed, auth):
    # given
    booking, dispute = disputed
    thread = api_a.get(f"/api/v1/disputes/{dispute}/conversation/", **auth(api_a, CLIENT)).json()
    _say(api_a, auth, thread["id"], "Please refund me.", CLIENT)
    booking_thread = api_a.get(f"/api/v1/bookings/{booking}/conversation/", **auth(api_a, CLIENT)).json()["id"]

    # when
    by_admin = _thread(api_a, auth, thread["id"], ADMIN)
    by_moderator = api_a.get(f"/api/v1/disputes/{dispute}/conversation/", **auth(api_a, "moderator@example.org"))
    admin_writes = _say(api_a, auth, thread["id"], "I decide here", ADMIN)
    other = _thread(api_a, auth, booking_thread, ADMIN)
    by_rival = _thread(api_a, auth, thread["id"], RIVAL)

    # then
    assert thread["kind"] == "dispute" and thread["dispute"] == dispute
    assert by_admin.status_code == 200 and by_admin.json()["messages"][0]["body"] == "Please refund me."
    assert by_moderator.status_code == 200 and by_moderator.json()["your_role"] == "admin-observer"
    assert admin_writes.status_code == 403
    assert other.status_code == 403 and "private" in other.json()["error"]["message"]
    assert by_rival.status_code == 404
    with tenant_context(tenant_a):
        viewed = AuditEvent.objects.filter(action="conversation.viewed_by_staff")
        assert sorted(viewed.values_list("actor__email", flat=True)) == [ADMIN, "moderator@example.org"]
        assert set(viewed.values_list("target_id", flat=True)) == {thread["id"]}
        assert Message.objects.filter(conversation__public_id=thread["id"]).count() == 1
        assert ConversationMember.objects.filter(conversation__public_id=booking_thread).count() == 2


def _conversations(tenant, tutoring, count):
    """`count` inquiries about the listing from as many clients, each with two messages."""
    with tenant_context(tenant):
        listing = Listing.objects.select_related("provider__user").get(public_id=tutoring)
        for n in range(count):
            client = UserFactory()
            conversation = Conversation.objects.create(kind="inquiry", listing=listing, client=client)
            ConversationMember.objects.create(conversation=conversation, user=client, role="client")
            ConversationMember.objects.create(conversation=conversation, user=listing.provider.user, role="provider")
            for body in ("hello", f"question {n}"):
                Message.objects.create(conversation=conversation, sender=client, body=body)


def _queries(api, url, headers):
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url, **headers)
    assert response.status_code == 200, response.content
    return len(captured), response.json()


def test_the_inbox_takes_the_same_queries_for_3_or_30_conversations(api_a, tenant_a, tutoring, auth):
    tutor = auth(api_a, TUTOR)
    _conversations(tenant_a, tutoring, 3)
    few, few_body = _queries(api_a, f"{BASE}?page_size=50", tutor)
    _conversations(tenant_a, tutoring, 27)
    many, many_body = _queries(api_a, f"{BASE}?page_size=50", tutor)

    assert len(few_body["results"]) == 3 and len(many_body["results"]) == 30
    assert many_body["unread_total"] == 60
    assert few == many


def test_a_thread_takes_the_same_queries_for_3_or_30_messages(api_a, tenant_a, tutoring, auth):
    conversation = _ask(api_a, auth, tutoring, body="first").json()["id"]
    tutor = auth(api_a, TUTOR)
    _fill(tenant_a, conversation, 2)
    few, few_body = _queries(api_a, f"{BASE}{conversation}/", tutor)
    _fill(tenant_a, conversation, 27)
    many, many_body = _queries(api_a, f"{BASE}{conversation}/", tutor)

    assert (len(few_body["messages"]), len(many_body["messages"])) == (3, 30)
    assert few == many


def test_a_conversation_at_alpha_is_not_visible_at_beta(api_a, api_b, tenant_b, tutoring, auth):
    conversation = _ask(api_a, auth, tutoring).json()["id"]

    at_beta = api_b.get(f"{BASE}{conversation}/", **auth(api_b, CLIENT))
    inbox_b = api_b.get(BASE, **auth(api_b, CLIENT)).json()
    write_b = api_b.post(f"{BASE}{conversation}/messages/", {"body": "hi"}, format="json", **auth(api_b, CLIENT))

    assert at_beta.status_code == 404 and write_b.status_code == 404
    assert inbox_b["results"] == [] and inbox_b["unread_total"] == 0
    assert (_count(tenant_b, Conversation), _count(tenant_b, Message)) == (0, 0)
