"""Live updates over a real Redis: a stream gets its own person's events from its own marketplace,
never another marketplace's (user ids repeat across marketplaces), only after the change commits;
without Redis the endpoint says to poll."""

import threading
import time

import pytest
from django.db import transaction
from django.test import Client

from accounts.models import User
from marketplace.live.events import publish
from tenants.context import tenant_context

pytestmark = pytest.mark.django_db


def _signed_in(host: str, email: str) -> Client:
    client = Client(HTTP_HOST=host)
    client.force_login(User.objects.get(email=email))
    return client


def _listen(response, into: list[str], ready: threading.Event) -> None:
    """Read a stream already answered (the request, its sign-in included, ran in the test's thread;
    the stream itself never touches the database)."""
    for chunk in response.streaming_content:
        text = chunk.decode()
        if ": connected" in text:
            ready.set()
        into.append(text)


def test_a_stream_at_one_marketplace_never_hears_another(settings, redis_url, tenant_a, tenant_b, run_on_commit):
    settings.REDIS_URL = redis_url
    settings.LIVE_STREAM_SECONDS, settings.LIVE_KEEPALIVE_SECONDS = 3, 1
    with tenant_context(tenant_a):
        alpha_admin = User.objects.get(email="admin@alpha.test")
        response = _signed_in("alpha.localhost", "admin@alpha.test").get(
            "/api/v1/live/", HTTP_ACCEPT="text/event-stream"
        )
    with tenant_context(tenant_b):
        beta_admin = User.objects.get(email="admin@beta.test")
    heard: list[str] = []
    ready = threading.Event()
    listener = threading.Thread(target=_listen, args=(response, heard, ready))
    listener.start()
    assert ready.wait(5)

    # when beta's admin (user ids repeat across marketplaces) and then alpha's admin get an event,
    # and alpha gets one whose transaction rolls back
    with run_on_commit():
        with tenant_context(tenant_b):
            publish([beta_admin.pk], "message.created", {"conversation": "cnv_beta"})
        with tenant_context(tenant_a):
            with pytest.raises(RuntimeError), transaction.atomic():
                publish([alpha_admin.pk], "message.created", {"conversation": "cnv_rolled_back"})
                raise RuntimeError("rolled back")
            publish([alpha_admin.pk], "notification.count", {"unread": 3})
    listener.join(10)

    # then alpha's stream carried alpha's committed event only, and kept itself alive
    stream = "".join(heard)
    assert (response.status_code, response["Content-Type"]) == (200, "text/event-stream")
    assert 'event: notification.count\ndata: {"unread": 3}' in stream
    assert "cnv_beta" not in stream and "cnv_rolled_back" not in stream
    assert ": keepalive" in stream and "retry: 2000" in stream


def test_without_redis_the_page_is_told_to_poll(settings, tenant_a):
    settings.REDIS_URL = ""
    with tenant_context(tenant_a):
        client = _signed_in("alpha.localhost", "admin@alpha.test")

    response = client.get("/api/v1/live/", HTTP_ACCEPT="text/event-stream")
    anonymous = Client(HTTP_HOST="alpha.localhost").get("/api/v1/live/")

    assert response.status_code == 503
    assert b"live_updates_unavailable" in response.content
    assert anonymous.status_code in (401, 403)


def test_a_message_is_announced_to_the_other_side_only(
    settings,
    redis_url,
    api_a,
    tenant_a,
    tutoring,
    auth,
    run_on_commit,
):
    import redis

    from marketplace.live.events import channel
    from tests.messaging.conftest import CLIENT, TUTOR
    from tests.messaging.test_conversations_api import _ask

    settings.REDIS_URL = redis_url
    with tenant_context(tenant_a):
        tutor, client = User.objects.get(email=TUTOR), User.objects.get(email=CLIENT)
    listener = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(channel("alpha", tutor.pk), channel("alpha", client.pk), channel("beta", tutor.pk))

    with run_on_commit():
        conversation = _ask(api_a, auth, tutoring).json()

    heard = []
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        message = listener.get_message(timeout=0.5)
        if message:
            heard.append((message["channel"].decode(), message["data"].decode()))
    # then only the tutor hears: the new message and the notification about it
    assert {where for where, _ in heard} == {channel("alpha", tutor.pk)}
    assert sorted(data.split('"type": "')[1].split('"')[0] for _, data in heard) == [
        "message.created",
        "notification.created",
    ]
    assert conversation["id"] in heard[0][1] or conversation["id"] in heard[1][1]


def test_every_booking_step_is_announced_live_to_both_parties(settings, redis_url, api_a, tenant_a, run_on_commit):
    import redis

    from marketplace.live.events import channel
    from tests.bookings.test_booking_api import _act, _book, _day, _slots, tutoring_listing
    from tests.factories import UserFactory

    tutoring = tutoring_listing(api_a, tenant_a)
    settings.REDIS_URL = redis_url
    with tenant_context(tenant_a):
        client = UserFactory(email="live-client@example.org")
        tutor = User.objects.get(email="tutor@example.org")
    listener = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(channel("alpha", tutor.pk), channel("alpha", client.pk), channel("beta", client.pk))

    with run_on_commit():
        booking = _book(api_a, tutoring, _slots(api_a, tutoring, _day())[0]["starts_at"], email=client.email).json()
    with run_on_commit():
        _act(api_a, booking["id"], "pay", client.email)

    heard = []
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        message = listener.get_message(timeout=0.3)
        if message and b"booking.changed" in message["data"]:
            heard.append((message["channel"].decode(), message["data"].decode()))
    assert {where for where, _ in heard} == {channel("alpha", tutor.pk), channel("alpha", client.pk)}
    assert any('"state": "confirmed"' in data and booking["id"] in data for _, data in heard)
