"""The live stream (server-sent events) for the signed-in person on this marketplace.

`GET /api/v1/live/` answers `text/event-stream`: each event is `event: <type>` with a JSON `data`
line; a comment every LIVE_KEEPALIVE_SECONDS keeps proxies from closing it; after
LIVE_STREAM_SECONDS the stream ends with a `retry:` hint and the browser's EventSource reconnects
(so a web thread is never held for long, and a deploy drains quickly). The channel is chosen from the
request's marketplace and user before streaming starts; the stream itself never touches the
database. Without Redis it answers 503 `live_updates_unavailable`: pages poll instead."""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.db import connection
from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.views import APIView

from marketplace.common.errors import DomainError
from marketplace.live.events import _client, available, channel


class LiveUnavailable(DomainError):
    status_code = 503
    code = "live_updates_unavailable"


def _stream(name: str, *, seconds: float, keepalive: float):
    client = _client()
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(name)
    try:
        yield "retry: 2000\n: connected\n\n"
        deadline = time.monotonic() + seconds
        last_sent = time.monotonic()
        while (left := deadline - time.monotonic()) > 0:
            message = pubsub.get_message(timeout=min(left, 1.0))
            if message is not None and message.get("type") == "message":
                event = json.loads(message["data"])
                yield f"event: {event['type']}\ndata: {json.dumps(event['data'])}\n\n"
                last_sent = time.monotonic()
            elif time.monotonic() - last_sent >= keepalive:
                yield ": keepalive\n\n"
                last_sent = time.monotonic()
    finally:
        pubsub.close()
        client.close()


class EventStreamRenderer(BaseRenderer):
    """Lets DRF accept `Accept: text/event-stream` (what EventSource sends); errors are JSON."""

    media_type = "text/event-stream"
    format = "sse"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode()


class LiveStreamView(APIView):
    renderer_classes = [JSONRenderer, EventStreamRenderer]

    @extend_schema(
        responses={(200, "text/event-stream"): OpenApiResponse(description="Server-sent events")},
        summary="Live updates for the signed-in person (server-sent events); 503 when unavailable: poll instead",
    )
    def get(self, request):
        if not available():
            raise LiveUnavailable("Live updates are not available here; the page refreshes by polling.")
        name = channel(connection.schema_name, request.user.pk)
        response = StreamingHttpResponse(
            _stream(name, seconds=settings.LIVE_STREAM_SECONDS, keepalive=settings.LIVE_KEEPALIVE_SECONDS),
            content_type="text/event-stream",
        )
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"  # nginx: pass events through at once
        return response
