"""Reads about tenants, including the per-process cached host -> tenant lookup used on every request."""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from tenants.models import Domain, Tenant, TenantRole

PUBLIC = "public"  # marker: the host is the platform's own site


class _HostCache:
    """host -> (expires_at, Tenant | PUBLIC | None). Process-local, so a hit costs no round trip.

    Services that change routing (status, domains) call `forget()`, which clears this process at
    once; other processes see the change within TENANT_ROUTING_CACHE_SECONDS.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get(self, host: str):
        entry = self._entries.get(host)
        if entry and entry[0] > time.monotonic():
            return entry[1]
        return _MISS

    def put(self, host: str, value) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[host] = (time.monotonic() + settings.TENANT_ROUTING_CACHE_SECONDS, value)

    def forget(self) -> None:
        with self._lock:
            self._entries.clear()


_MISS = object()
MISS = _MISS
host_cache = _HostCache()


def platform_hosts() -> set[str]:
    return {settings.PLATFORM_DOMAIN, f"www.{settings.PLATFORM_DOMAIN}"}


def route_for_host(host: str):
    """What serves `host`: a marketplace `Tenant`, `PUBLIC` (the platform site) or None (unknown).

    Suspended and closed marketplaces are still returned: the status middleware shows their page.
    The template and pool schemas have no domains, so they are never routable.
    """
    cached = host_cache.get(host)
    if cached is not _MISS:
        return cached
    if host in platform_hosts():
        route = PUBLIC
    else:
        # One indexed query: the domain, its tenant and the tenant's primary host (the platform
        # subdomain redirects there when it is a custom domain; see tenants.middleware).
        primary = Domain.objects.filter(tenant=OuterRef("tenant"), is_primary=True).values("domain")[:1]
        domain = (
            Domain.objects.select_related("tenant")
            .filter(domain=host, tenant__role=TenantRole.MARKETPLACE, verification="verified")
            .annotate(primary_host=Subquery(primary))
            .first()
        )
        route = domain.tenant if domain else None
        if route is not None:
            route.primary_host = domain.primary_host
    host_cache.put(host, route)
    return route


def marketplaces() -> QuerySet[Tenant]:
    return Tenant.objects.filter(role=TenantRole.MARKETPLACE)


def tenant_by_slug(slug: str) -> Tenant | None:
    return marketplaces().filter(schema_name=slug).first()


def tenant_primary_url(tenant: Tenant) -> str:
    domain = tenant.domains.filter(is_primary=True).first()
    host = domain.domain if domain else f"{tenant.schema_name}.{settings.PLATFORM_DOMAIN}"
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    return f"{settings.PUBLIC_SCHEME}://{host}{port}/"


def platform_url() -> str:
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    return f"{settings.PUBLIC_SCHEME}://{settings.PLATFORM_DOMAIN}{port}/"
