"""Live updates: hints that something changed for a person, pushed to their open pages.

An event is a hint, never the truth: "a message arrived in conversation X", "3 unread
notifications", "booking Y is now confirmed". The page then reads the real state through the API it
already uses, so a lost hint costs nothing but a little delay, and when live updates are unavailable
the page polls those same endpoints.

Events travel through Redis pub/sub on one channel per marketplace and person:
`live:<schema>:user:<id>`. The schema is part of the name, so a stream opened on marketplace A can only
ever subscribe to A's channels: user ids repeat across marketplaces (each schema counts from 1), the
channel names do not. Publishing happens after the transaction commits: nobody is told about a
change that then rolled back.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction

logger = logging.getLogger(__name__)


def channel(schema: str, user_id: int) -> str:
    return f"live:{schema}:user:{user_id}"


@functools.lru_cache(maxsize=4)
def _pool(url: str):
    import redis

    return redis.ConnectionPool.from_url(url, socket_timeout=5, socket_connect_timeout=2)


def _client():
    """A client on this process's pool for REDIS_URL: publishing does not open a connection each time."""
    import redis

    return redis.Redis(connection_pool=_pool(settings.REDIS_URL))


def available() -> bool:
    return bool(settings.REDIS_URL)


def publish(user_ids: Iterable[int], kind: str, data: dict | None = None) -> None:
    """Tell these people of the current marketplace that `kind` happened, once the transaction
    commits. Best effort: without Redis, or with Redis down, nothing is sent and pages poll."""
    if not available():
        return
    schema = connection.schema_name
    message = json.dumps({"type": kind, "data": data or {}}, default=str)
    targets = sorted({int(user_id) for user_id in user_ids if user_id})

    def send() -> None:
        try:
            client = _client()
            with client.pipeline(transaction=False) as pipe:
                for user_id in targets:
                    pipe.publish(channel(schema, user_id), message)
                pipe.execute()
        except Exception:  # noqa: BLE001 - a hint that is lost only delays the page's next read
            logger.warning("live update %s for %s could not be published", kind, schema, exc_info=True)

    transaction.on_commit(send)
