"""Inbox and threads: sending (htmx appends, attachments checked by content), new messages fetched
live, older pages, search, reports, blocks, and nobody outside a conversation reading it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.messaging.models import Block, Message, MessageReport
from marketplace.messaging.services import booking_thread, message_post
from tenants.context import tenant_context
from tests.web.activity.conftest import PDF, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(tenant_a, paid_booking):
    """The paid booking's conversation with one message from the tutor."""
    with tenant_context(tenant_a):
        conversation = booking_thread(booking=paid_booking)
        message_post(sender=paid_booking.provider.user, conversation=conversation, body="See you <b>Tuesday</b>!")
        return conversation


def _count(tenant, conversation) -> int:
    with tenant_context(tenant):
        return Message.objects.filter(conversation=conversation).count()


def test_the_inbox_lists_conversations_with_unread_counts_and_search(web, tenant_a, thread):
    client = web(tenant_a, user(tenant_a, "client@example.org"))

    inbox = client.get("/messages/").content.decode()
    found = client.get("/messages/?q=tuesday").content.decode()
    missing = client.get("/messages/?q=nothing-like-this").content.decode()

    assert thread.public_id in inbox and '1<span class="visually-hidden"> unread' in inbox
    assert "See you &lt;b&gt;Tuesday&lt;/b&gt;!" in inbox  # plain text, never HTML
    assert thread.public_id in found
    assert thread.public_id not in missing and "No conversation matches" in missing


def test_reading_a_thread_marks_it_read_and_shows_text_as_text(web, tenant_a, thread):
    client = web(tenant_a, user(tenant_a, "client@example.org"))

    page = client.get(f"/messages/{thread.public_id}/").content.decode()

    assert "See you &lt;b&gt;Tuesday&lt;/b&gt;!" in page and "<b>Tuesday</b>" not in page
    assert 'hx-trigger="live:message.created from:body, live:poll from:body"' in page
    assert "1<span" not in client.get("/messages/").content.decode()  # nothing unread any more


def test_sending_with_htmx_appends_the_message_and_clears_the_form(web, tenant_a, thread):
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    with tenant_context(tenant_a):
        last = Message.objects.filter(conversation=thread).latest("created_at").public_id

    sent = client.post(
        f"/messages/{thread.public_id}/send/",
        {"body": "Thanks, see you then.", "after": last},
        HTTP_HX_REQUEST="true",
    )

    html = sent.content.decode()
    assert sent.status_code == 200
    assert f'hx-swap-oob="beforeend:#messages-{thread.public_id}"' in html
    assert "Thanks, see you then." in html and "See you" not in html  # only what the page lacked
    assert _count(tenant_a, thread) == 2


def test_sending_without_javascript_redirects_back(web, tenant_a, thread):
    client = web(tenant_a, user(tenant_a, "client@example.org"))

    sent = client.post(f"/messages/{thread.public_id}/send/", {"body": "Plain form", "next": "/bookings/"})

    assert sent.status_code == 302 and sent["Location"] == "/bookings/"
    assert _count(tenant_a, thread) == 2


def test_a_bad_attachment_is_a_400_next_to_the_field_and_nothing_is_stored(web, tenant_a, thread):
    client = web(tenant_a, user(tenant_a, "client@example.org"))

    refused = client.post(
        f"/messages/{thread.public_id}/send/",
        {"body": "My file", "file": SimpleUploadedFile("notes.pdf", b"<html><script>x</script>", "application/pdf")},
        HTTP_HX_REQUEST="true",
    )

    assert refused.status_code == 400
    assert 'id="id_file_errors"' in refused.content.decode()
    assert _count(tenant_a, thread) == 1


def test_a_good_attachment_is_sent(web, tenant_a, thread):
    client = web(tenant_a, user(tenant_a, "client@example.org"))

    sent = client.post(
        f"/messages/{thread.public_id}/send/",
        {"body": "", "file": SimpleUploadedFile("plan.pdf", PDF, "application/pdf")},
        HTTP_HX_REQUEST="true",
    )

    assert sent.status_code == 200 and "plan.pdf" in sent.content.decode()
    assert _count(tenant_a, thread) == 2


def test_a_blocked_person_cannot_be_messaged(web, tenant_a, thread):
    # given the tutor blocks the client through the thread page
    tutor = web(tenant_a, user(tenant_a, "tutor@example.org"))
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    blocked = tutor.post(f"/messages/{thread.public_id}/block/")

    # when the client writes
    refused = client.post(f"/messages/{thread.public_id}/send/", {"body": "Hello?"}, HTTP_HX_REQUEST="true")

    # then
    assert blocked.status_code == 302
    assert refused.status_code == 403 and "blocked" in refused.content.decode()
    assert _count(tenant_a, thread) == 1
    assert "Unblock" in tutor.get(f"/messages/{thread.public_id}/").content.decode()
    tutor.post(f"/messages/{thread.public_id}/block/", {"unblock": "1"})
    with tenant_context(tenant_a):
        assert not Block.objects.exists()


def test_new_messages_are_fetched_after_the_newest_shown(web, tenant_a, thread):
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    with tenant_context(tenant_a):
        first = Message.objects.get(conversation=thread).public_id
        message_post(sender=thread.booking.provider.user, conversation=thread, body="One more thing")

    fetched = client.get(f"/messages/{thread.public_id}/new/?after={first}", HTTP_HX_REQUEST="true")

    html = fetched.content.decode()
    assert fetched.status_code == 200
    assert "One more thing" in html and "Tuesday" not in html
    assert f'id="poller-{thread.public_id}"' in html


def test_older_messages_come_a_page_at_a_time(web, tenant_a, thread, settings):
    settings.MESSAGES_PER_MINUTE = 100
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    with tenant_context(tenant_a):
        for n in range(35):
            message_post(sender=thread.booking.client, conversation=thread, body=f"note {n}")
    page = client.get(f"/messages/{thread.public_id}/").content.decode()
    cursor = page.split("older/?before=", 1)[1].split('"', 1)[0]

    older = client.get(f"/messages/{thread.public_id}/older/?before={cursor}", HTTP_HX_REQUEST="true").content.decode()

    assert "note 34" in page and "note 0" not in page
    assert "note 0" in older and "Tuesday" in older and "note 34" not in older


def test_searching_a_thread_shows_only_matching_messages(web, tenant_a, thread):
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    with tenant_context(tenant_a):
        message_post(sender=thread.booking.client, conversation=thread, body="Which room?")

    found = client.get(f"/messages/{thread.public_id}/?q=room").content.decode()

    assert "Which room?" in found and "Tuesday" not in found


def test_reporting_a_message(web, tenant_a, thread):
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    with tenant_context(tenant_a):
        message = Message.objects.get(conversation=thread)

    reported = client.post(f"/messages/{thread.public_id}/report/{message.public_id}/", {"reason": "Rude and pushy"})

    assert reported.status_code == 302
    with tenant_context(tenant_a):
        assert MessageReport.objects.filter(message=message).count() == 1


def test_strangers_and_other_marketplaces_see_no_thread(web, tenant_a, tenant_b, thread, stranger):
    path = f"/messages/{thread.public_id}/"

    assert web(tenant_a, stranger).get(path).status_code == 404
    assert web(tenant_a, stranger).post(f"{path}send/", {"body": "hi"}).status_code == 404
    assert web(tenant_b, user(tenant_b, "admin@beta.test")).get(path).status_code == 404
    assert _count(tenant_a, thread) == 1
