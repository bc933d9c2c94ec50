"""Explicit tenant context for code that runs outside a request (tasks, commands, tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django_tenants.utils import get_public_schema_name


def current_schema() -> str:
    return connection.schema_name


@contextmanager
def tenant_context(tenant) -> Iterator[None]:
    """Run the block in `tenant`'s schema, then return to whatever was active before."""
    previous = connection.tenant
    connection.set_tenant(tenant)
    try:
        yield
    finally:
        connection.set_tenant(previous)


@contextmanager
def public_context() -> Iterator[None]:
    previous = connection.tenant
    connection.set_schema(get_public_schema_name())
    try:
        yield
    finally:
        connection.set_tenant(previous)
