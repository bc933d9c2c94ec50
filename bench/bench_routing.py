"""Tenant routing cost: the same endpoint with host -> tenant routing vs without, in one run.

Both stacks run in-process through Django's WSGI handler with the full middleware stack; the only
difference is the tenant middleware (host lookup, schema switch, status check). The endpoint does
one query in the tenant's schema. Reported: median time per request of each and their ratio. A third
stack adds what a web page (not the API) adds on a marketplace: its look, read once from the cache,
for the page's language.
Environment: BENCH_REQUESTS (default 3000 per stack per round), BENCH_ROUNDS (default 5).
"""

from __future__ import annotations

import os
import sys
import time
from io import BytesIO

from _setup import emit, median, prepare_platform, use_fresh_database

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "3000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


def users_count(request):
    from django.http import JsonResponse

    from accounts.models import User

    return JsonResponse({"users": User.objects.count()})


urlpatterns: list = []  # filled in main(); this module is the urlconf of both stacks


def environ_for(host: str) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/bench/users/",
        "QUERY_STRING": "",
        "SERVER_NAME": host,
        "SERVER_PORT": "80",
        "HTTP_HOST": host,
        "wsgi.input": BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }


def run(handler, host: str, count: int) -> float:
    def start_response(status, headers):
        assert status.startswith("200"), status

    started = time.perf_counter()
    for _ in range(count):
        b"".join(handler(environ_for(host), start_response))
    return (time.perf_counter() - started) / count


def main() -> None:
    use_fresh_database("bench_routing")

    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import override_settings
    from django.urls import path

    from tenants.services import tenant_provision

    urlpatterns.append(path("bench/users/", users_count))
    prepare_platform()
    tenant = tenant_provision(name="Bench Routing", slug="routing", kind="agency", admin_email="a@routing.test")
    tenant_provision(name="Other", slug="other", kind="agency", admin_email="a@other.test")
    host = f"routing.{settings.PLATFORM_DOMAIN}"

    tenant_middleware = {"tenants.middleware.TenantRoutingMiddleware", "tenants.middleware.TenantStatusMiddleware"}
    language = "web.middleware.MarketplaceLanguageMiddleware"
    with override_settings(ROOT_URLCONF=__name__, DEBUG=False):
        full = WSGIHandler()  # routing, and the marketplace's language as on every web page
        with override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m != language]):
            with_tenancy = WSGIHandler()  # routing alone, as on the API (the language is for pages)
        with override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m not in tenant_middleware]):
            without_tenancy = WSGIHandler()  # no tenant on the request: the language step does nothing

        paged, routed, plain = [], [], []
        for _ in range(ROUNDS):
            paged.append(run(full, host, REQUESTS))
            routed.append(run(with_tenancy, host, REQUESTS))
            connection.set_tenant(tenant)  # the plain stack serves the same schema, chosen up front
            plain.append(run(without_tenancy, host, REQUESTS))
            connection.set_schema_to_public()

    emit("routing_request_with_tenancy", median(routed) * 1e6, "us", requests=REQUESTS, rounds=ROUNDS)
    emit("routing_request_without_tenancy", median(plain) * 1e6, "us", requests=REQUESTS, rounds=ROUNDS)
    emit(
        "routing_cost_ratio",
        median(routed) / median(plain),
        "ratio",
        target="<= 1.1",
        note="same endpoint, same process, one query in the tenant schema; tenant lookup cached per process",
    )
    emit(
        "routing_request_with_page_language",
        median(paged) * 1e6,
        "us",
        requests=REQUESTS,
        rounds=ROUNDS,
        note="routing plus the marketplace's look read once from the cache for its language (web pages only)",
    )
    emit("page_language_cost_ratio", median(paged) / median(plain), "ratio", note="against the plain stack")


if __name__ == "__main__":
    main()
