"""Host -> tenant routing. Replaces django-tenants' TenantMainMiddleware.

Differences that matter: the host lookup is cached per process (no query on a hit), the schema is
only switched when it changes (see tenants/db_backend), an unknown host gets the neutral 404 page
instead of an exception, and health checks answer on any host.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.http.request import split_domain_port
from django.shortcuts import render
from django.urls import set_urlconf

from tenants import tls
from tenants.selectors import MISS, PUBLIC, host_cache, route_for_host

HEALTH_PATHS = ("/healthz", "/readyz")
# Answered on every host of a marketplace even when its primary domain is another one: the API and
# webhooks, calendar feeds, files.
SERVED_ON_EVERY_HOST = ("/api/", "/calendar/", "/static/", "/media/")


def request_host(request: HttpRequest) -> str:
    """The Host header (X-Forwarded-Host only when USE_X_FORWARDED_HOST), without port, lower case."""
    domain, _port = split_domain_port(request.get_host())
    if not domain:
        raise DisallowedHost("invalid host")
    return domain


class TenantRoutingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == tls.PATH:
            return tls.tls_permission(request)  # the TLS proxy's question, answered before anything else
        if request.path in HEALTH_PATHS:
            connection.set_schema_to_public()
            request.tenant = None
            request.urlconf = "config.urls_health"
            set_urlconf(request.urlconf)
            return self.get_response(request)
        try:
            host = request_host(request)
        except DisallowedHost:
            return self.unknown_host(request)
        route = host_cache.get(host)
        if route is MISS:
            # Look the host up in the public schema. On a hit there is no query at all, and the
            # connection goes straight to the tenant's schema (no SET when it is already there).
            connection.set_schema_to_public()
            route = route_for_host(host)
        if route is None:
            return self.unknown_host(request)
        if route is PUBLIC:
            connection.set_schema_to_public()
            request.tenant = None
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
        else:
            primary = getattr(route, "primary_host", None)
            if primary and primary != host and request.method in ("GET", "HEAD"):
                if host == f"{route.schema_name}.{settings.PLATFORM_DOMAIN}" and not request.path.startswith(
                    SERVED_ON_EVERY_HOST
                ):
                    return self.to_primary(request, primary)
            request.tenant = route
            connection.set_tenant(route)
            request.urlconf = settings.ROOT_URLCONF
        set_urlconf(request.urlconf)
        return self.get_response(request)

    @staticmethod
    def to_primary(request: HttpRequest, primary: str) -> HttpResponse:
        """The platform subdomain of a marketplace whose primary domain is its own: web pages move
        there for good (301), path and query kept."""
        port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
        response = HttpResponsePermanentRedirect(f"{settings.PUBLIC_SCHEME}://{primary}{port}{request.get_full_path()}")
        # Browsers keep a 301 for as long as they are told, and a domain may stop being primary (or be
        # removed): they ask again each time, so a switch back takes effect at once for everyone.
        response["Cache-Control"] = "no-cache"
        return response

    @staticmethod
    def unknown_host(request: HttpRequest) -> HttpResponse:
        connection.set_schema_to_public()
        request.tenant = None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"error": {"code": "unknown_host", "message": "No marketplace lives at this address.", "fields": {}}},
                status=404,
            )
        return render(request, "tenants/unknown_host.html", status=404)


# What a suspended marketplace still lets people do besides reading: sign in and out, and pay (its
# admins reach the billing API and page, so paying brings it back at once).
OPEN_WHILE_SUSPENDED = (
    "/api/v1/auth/login/",
    "/api/v1/auth/logout/",
    "/accounts/login/",
    "/accounts/logout/",
    "/api/v1/billing/",
    "/manage/billing/",
    "/support/leave/",  # platform staff end a support session
)
READING = ("GET", "HEAD", "OPTIONS")


class TenantStatusMiddleware:
    """A closed marketplace answers every request with a page that says so. A suspended one stays
    readable (its pages, listings and people's own records) but takes nothing new, no bookings, no
    sign-ups, no changes, and says why; its admins can still sign in and pay."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.is_available:
            return self.get_response(request)
        if tenant.status == "suspended" and (
            request.method in READING or request.path.startswith(OPEN_WHILE_SUSPENDED)
        ):
            return self.get_response(request)
        if tenant.status == "closed":
            message = "This marketplace has been closed by its operator."
        else:
            message = (
                f"{tenant.name} is suspended and takes no new bookings, sign-ups or changes until its "
                "operator settles its account; what is here stays readable."
            )
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"error": {"code": f"marketplace_{tenant.status}", "message": message, "fields": {}}}, status=503
            )
        return render(request, "tenants/unavailable.html", {"tenant": tenant, "message": message}, status=503)
