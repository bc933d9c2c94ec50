"""Template helpers of the admin console's operations pages (`{% load operations %}`)."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def percent(basis_points) -> str:
    """Basis points as a percentage without needless zeros: 1250 -> "12.5", 1000 -> "10"."""
    if basis_points in (None, ""):
        return ""
    text = f"{Decimal(int(basis_points)) / 100:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
