"""Cache keys always carry the tenant: `<schema>:<version>:<key>`. Set as KEY_FUNCTION on every alias."""

from django.db import connection


def make_key(key: str, key_prefix: str, version: int) -> str:
    schema = getattr(connection, "schema_name", None) or "public"
    return f"{key_prefix}:{schema}:{version}:{key}"
