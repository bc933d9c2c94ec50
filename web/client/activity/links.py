"""Where a notification takes a person on the web. Notifications store a path: web pages
(`/bookings/<id>/`) pass through as they are; API paths (what notifications stored first) are mapped
to the page showing the same thing. Anything else — another host, a scheme, an unknown API path —
goes to the notifications page, so a stored URL can never send anyone off the marketplace."""

from __future__ import annotations

import re

FALLBACK = "/notifications/"

_API_TO_WEB = [
    (re.compile(r"^/api/v1/bookings/(?P<id>[\w-]+)/(?:conversation/)?$"), "/bookings/{id}/"),
    (re.compile(r"^/api/v1/disputes/(?P<id>[\w-]+)/(?:conversation/)?$"), "/disputes/{id}/"),
    (re.compile(r"^/api/v1/conversations/(?P<id>[\w-]+)/$"), "/messages/{id}/"),
    (re.compile(r"^/api/v1/me/receipts/(?P<id>[\w-]+)/(?:pdf/)?$"), "/api/v1/me/receipts/{id}/pdf/"),
    (re.compile(r"^/api/v1/providers/me/(?:payouts|earnings|statement)/"), "/provider/earnings/"),
    (re.compile(r"^/api/v1/reviews/(?P<id>[\w-]+)/$"), FALLBACK),
]


def web_url(stored: str) -> str:
    """The page for a notification's stored `url`."""
    url = (stored or "").strip()
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return FALLBACK
    path = url.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/api/"):
        return url
    for pattern, target in _API_TO_WEB:
        found = pattern.match(path)
        if found:
            return target.format(**found.groupdict())
    return FALLBACK
