"""Cache keys always carry the tenant: `<schema>:<version>:<key>`. Set as KEY_FUNCTION on every alias.
And the Redis backend the caches use in production and tests."""

from django.core.cache.backends.redis import RedisCache as _DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as _DjangoRedisCacheClient
from django.db import connection


def make_key(key: str, key_prefix: str, version: int) -> str:
    schema = getattr(connection, "schema_name", None) or "public"
    return f"{key_prefix}:{schema}:{version}:{key}"


class RedisCache(_DjangoRedisCache):
    """Django's Redis cache, reusing one client per connection pool.

    Django builds a new `redis.Redis` for every operation, and building one (its table of reply
    parsers) costs more than the GET itself; a client is thread-safe (each command borrows a
    connection from the pool), so one per pool serves every thread of the process."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient


class _ReusingClient(_DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client
