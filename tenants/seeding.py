"""Per-kind seed data for new marketplaces.

Apps register a seeder (`@register_seeder(kinds=[...])`); provisioning runs every matching seeder
inside the new tenant's schema and inside the provisioning transaction, so a failing seeder leaves
no marketplace behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Seeder = Callable[..., None]
_seeders: list[tuple[frozenset[str] | None, Seeder]] = []


def register_seeder(func: Seeder | None = None, *, kinds: Iterable[str] | None = None):
    """Register `func(tenant=..., admin=...)`; `kinds=None` runs it for every kind."""

    def decorator(f: Seeder) -> Seeder:
        _seeders.append((frozenset(kinds) if kinds is not None else None, f))
        return f

    return decorator(func) if func is not None else decorator


def unregister_seeder(func: Seeder) -> None:
    _seeders[:] = [(kinds, f) for kinds, f in _seeders if f is not func]


def run_seeders(*, tenant, admin) -> None:
    for kinds, seeder in list(_seeders):
        if kinds is None or tenant.kind in kinds:
            seeder(tenant=tenant, admin=admin)
