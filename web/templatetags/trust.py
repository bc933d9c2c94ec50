"""Small helpers of the admin console's trust and people pages (`{% load trust %}`)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

register = template.Library()

_GOOD = {"completed", "approved", "active", "visible", "closed", "accepted", "done"}
_BAD = {"cancelled", "declined", "expired", "no_show", "rejected", "suspended", "hidden", "revoked"}
_WAITING = {
    "pending",
    "pending_review",
    "pending_payment",
    "pending_approval",
    "requested",
    "escalated",
    "appealed",
    "info_requested",
    "delivered",
}


@register.filter
def words(value) -> str:
    """A machine word as a person reads it: "pending_payment" → "Pending payment"."""
    text = str(value or "").replace("_", " ").strip()
    return gettext(text[:1].upper() + text[1:]) if text else ""


@register.filter
def tone(state) -> str:
    """The pill colour for a state (always shown with its words, never by colour alone)."""
    state = str(state or "")
    if state in _GOOD:
        return "success"
    if state in _BAD:
        return "error"
    if state in _WAITING:
        return "warning"
    return ""


@register.filter
def stars(value) -> str:
    """1-5 stars as ★★★★☆ (pair it with a text alternative)."""
    n = max(0, min(5, int(value or 0)))
    return "★" * n + "☆" * (5 - n)
