"""May a certificate be issued for this host? Asked by the TLS proxy before it requests a certificate
on demand (Caddy's `on_demand_tls { permission http { endpoint … } }`), so certificates exist only for
names the platform serves: the platform domain, the subdomain of a marketplace that is not suspended
or closed, and a verified custom domain of such a marketplace.

`GET /_tls/permission?domain=<host>` on any host: 200 allowed, 404 not allowed, 400 no or bad name.
It is answered by the routing middleware itself, before sessions, authentication or CSRF, from the
per-process host cache: no query on a hit, one indexed query on a miss (the same lookup requests use).
"""

from __future__ import annotations

import re

from django.db import connection
from django.http import HttpRequest, JsonResponse

from tenants.selectors import MISS, PUBLIC, host_cache, route_for_host

PATH = "/_tls/permission"
# A host name as a TLS client sends it (SNI): dot-separated labels of letters, digits, hyphens.
HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$")


def tls_permission(request: HttpRequest) -> JsonResponse:
    if request.method not in ("GET", "HEAD"):
        return JsonResponse({"error": "method not allowed"}, status=405, headers={"Allow": "GET, HEAD"})
    host = request.GET.get("domain", "").strip().lower().rstrip(".")
    if not HOST.match(host):
        return JsonResponse({"error": "give the host name as ?domain=<host>"}, status=400)
    route = host_cache.get(host)
    if route is MISS:
        connection.set_schema_to_public()
        route = route_for_host(host)
    allowed = route is PUBLIC or (route is not None and route.is_available)
    return JsonResponse({"domain": host, "allowed": allowed}, status=200 if allowed else 404)
