"""Inbox, thread and notification pages: SQL statements and time per request as they grow.

One marketplace, one provider. The provider's inbox grows to each of BENCH_SIZES conversations (an
inquiry each from a client of its own, two messages each, unread); one of the conversations grows to
each size in messages; the provider's notifications grow to each size. At every size, each endpoint
is asked BENCH_RUNS times in-process through the whole middleware stack (tenant routing, sign-in,
rendering), as the provider:

- API: `GET /api/v1/conversations/` (the inbox), `/api/v1/conversations/<id>/` (a thread, its latest
  page of messages), `/api/v1/notifications/`;
- web pages: `/messages/`, `/messages/<id>/`, `/notifications/`.

Reported per endpoint and size: the SQL statements of one request (the same at every size is the
point: nothing is fetched per row), and p50/p95 of the request time.
Environment: BENCH_SIZES (default "10,100,1000"), BENCH_RUNS (default 30).
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

from _setup import active_listing, emit, percentile, prepare_platform, use_fresh_database

SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "10,100,1000").split(",")]
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
HOST = "msgbench.localhost"


def the_provider():
    """An approved provider with an active listing clients ask about."""
    from marketplace.catalogue.models import Category

    provider, listing, _package = active_listing(
        "provider@bench.test",
        headline="Much asked about",
        title="Sessions everyone asks about",
        category=Category.objects.order_by("id").first(),
    )
    return provider.user, listing


def grow_inbox(provider, listing, start: int, end: int) -> None:
    """Conversations start..end-1: an inquiry from a new client each, with two unread messages."""
    from accounts.models import User
    from marketplace.messaging.models import Conversation, ConversationMember, Message

    clients = User.objects.bulk_create(
        User(email=f"client{n}@bench.test", full_name=f"Client {n}", password="!") for n in range(start, end)
    )
    now = datetime.now(UTC)
    conversations = Conversation.objects.bulk_create(
        Conversation(kind="inquiry", listing=listing, client=client, last_message_at=now - timedelta(seconds=n))
        for n, client in enumerate(clients)
    )
    ConversationMember.objects.bulk_create(
        member
        for conversation, client in zip(conversations, clients, strict=True)
        for member in (
            ConversationMember(conversation=conversation, user=client, role="client"),
            ConversationMember(conversation=conversation, user=provider, role="provider"),
        )
    )
    Message.objects.bulk_create(
        Message(conversation=conversation, sender=client, body=body)
        for conversation, client in zip(conversations, clients, strict=True)
        for body in ("Hello, a question about the sessions.", "Are evenings possible?")
    )


def grow_thread(conversation, start: int, end: int) -> None:
    from marketplace.messaging.models import Message

    client = conversation.members.get(role="client").user
    Message.objects.bulk_create(
        Message(conversation=conversation, sender=client, body=f"Message {n} of a long conversation.")
        for n in range(start, end)
    )


def grow_notifications(provider, start: int, end: int) -> None:
    from marketplace.notifications.models import Notification

    Notification.objects.bulk_create(
        Notification(
            user=provider,
            kind="message.received",
            event_id=f"bench-{n}",
            title=f"New message from Client {n}",
            body="Are evenings possible?",
            url="/messages/",
            context={"sender": f"Client {n}"},
        )
        for n in range(start, end)
    )


def measure(client, path: str, **headers) -> tuple[int, list[float]]:
    """The SQL statements of one request, and the seconds of RUNS requests."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # DEBUG keeps the last 9,000 statements: a full log would count none
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **headers)
    assert response.status_code == 200, (path, response.status_code)
    if os.environ.get("BENCH_SHOW_SQL"):
        print(path, *(q["sql"][:120] for q in captured.captured_queries), sep="\n  ")
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(path, **headers)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return len(captured), times


def main() -> None:
    use_fresh_database("bench_messaging")

    from django.db import connection
    from django.test import Client
    from knox.models import AuthToken

    from marketplace.messaging.models import Conversation
    from tenants.context import tenant_context
    from tenants.services import tenant_provision

    prepare_platform()
    tenant = tenant_provision(
        name="Messaging Bench Agency", slug="msgbench", kind="agency", admin_email="admin@msgbench.test"
    )
    with tenant_context(tenant):
        provider, listing = the_provider()
        _, token = AuthToken.objects.create(provider)
        web = Client(HTTP_HOST=HOST)
        web.force_login(provider)
    api = Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Token {token}")

    conversations = messages = notifications = 0
    thread = None
    for size in SIZES:
        with tenant_context(tenant):
            grow_inbox(provider, listing, conversations, size)
            if thread is None:
                thread = Conversation.objects.order_by("id").first()
                messages = 2
            grow_thread(thread, messages, size)
            grow_notifications(provider, notifications, size)
            conversations = messages = notifications = size
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        endpoints = {
            "api_inbox": (api, "/api/v1/conversations/"),
            "api_thread": (api, f"/api/v1/conversations/{thread.public_id}/"),
            "api_notifications": (api, "/api/v1/notifications/"),
            "web_inbox": (web, "/messages/"),
            "web_thread": (web, f"/messages/{thread.public_id}/"),
            "web_notifications": (web, "/notifications/"),
        }
        for name, (client, path) in endpoints.items():
            queries, times = measure(client, path)
            emit(f"{name}_queries", queries, "statements", size=size)
            emit(f"{name}_p50", percentile(times, 0.5) * 1000, "ms", size=size, runs=RUNS)
            emit(f"{name}_p95", percentile(times, 0.95) * 1000, "ms", size=size, runs=RUNS)


if __name__ == "__main__":
    main()
