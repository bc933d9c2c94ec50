"""Per-request settings for web pages: the marketplace's language and the viewer's time zone."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone, translation

TZ_COOKIE = "tz"  # set by static/js/app.js from the browser's Intl time zone


def viewer_time_zone(request) -> str | None:
    name = request.COOKIES.get(TZ_COOKIE, "")
    if not name or len(name) > 64:
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return name


class ViewerTimeZoneMiddleware:
    """Times on pages read in the viewer's own zone (from the browser), else the marketplace's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = viewer_time_zone(request)
        if name:
            timezone.activate(zoneinfo.ZoneInfo(name))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class MarketplaceLanguageMiddleware:
    """A marketplace's pages (form errors included) speak its language: the `locale` of its
    settings, read through the cached look (no query on a cache hit). The API stays in English."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if getattr(request, "tenant", None) is None or request.path.startswith("/api/"):
            return self.get_response(request)
        from branding.selectors import once_per_request, site_look

        with once_per_request():  # the layout's look is this same one: one cache read a page
            with translation.override(site_look().locale):
                request.LANGUAGE_CODE = translation.get_language()
                return self.get_response(request)
