"""Explicit tenant context for code that runs outside a request (tasks, commands, tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def tenant_context(tenant) -> Iterator[None]:
    """Run the block in `tenant`'s schema, then return to whatever was active before."""
    previous = connection.tenant
    connection.set_tenant(tenant)
    try:
        yield
    finally:
        connection.set_tenant(previous)
