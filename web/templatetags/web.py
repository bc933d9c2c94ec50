"""Template helpers shared by every page: money, times in the viewer's zone, form fields, icons."""

from __future__ import annotations

from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from marketplace.common.money import Money
from web.icons import ICONS

register = template.Library()


@register.filter
def money(amount, currency: str = "") -> str:
    """`{{ booking.price|money:booking.currency }}` → "£35.00". Amounts are integer minor units."""
    if amount is None or amount == "":
        return ""
    if isinstance(amount, Money):
        return amount.format()
    return Money(int(amount), currency).format()


@register.inclusion_tag("web/_field.html")
def field(bound_field, label: str = "", hint: str = ""):
    """A labelled input with its help text and errors tied to it (aria-describedby, aria-invalid)."""
    widget = bound_field.field.widget
    described = []
    if hint or bound_field.help_text:
        described.append(f"{bound_field.auto_id}_hint")
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}_errors")
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    if (
        bound_field.field.required
        and not widget.is_hidden
        and getattr(widget, "input_type", "") not in ("checkbox", "radio")
    ):
        attrs["required"] = True
    return {
        "field": bound_field,
        "widget_html": bound_field.as_widget(attrs=attrs),
        "label": label or bound_field.label,
        "hint": hint or bound_field.help_text,
        "is_checkbox": isinstance(widget, forms.CheckboxInput),
        # radio buttons and checkbox lists: a fieldset whose legend names the group
        "is_choice_list": isinstance(widget, forms.RadioSelect),  # CheckboxSelectMultiple is one too
    }


@register.inclusion_tag("web/_form_errors.html")
def form_errors(form):
    """The form's own errors (not tied to a field), announced to screen readers."""
    return {"form": form}


@register.simple_tag
def icon(name: str, label: str = "", size: int = 20):
    """An inline SVG icon (stroke: currentColor). Decorative unless `label` is given."""
    paths = ICONS[name]
    aria = format_html('role="img" aria-label="{}"', label) if label else mark_safe('aria-hidden="true"')  # noqa: S308
    return format_html(
        '<svg class="icon" width="{}" height="{}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
        'stroke-width="2" stroke-linecap="round" stroke-linejoin="round" {} focusable="false">{}</svg>',
        size,
        size,
        aria,
        mark_safe(paths),  # noqa: S308 - constant markup from ICONS above
    )


@register.simple_tag(takes_context=True)
def query(context, **changes) -> str:
    """The current query string with some parameters changed (None/"" removes one): `?{% query page=2 %}`."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.filter
def initials(name: str) -> str:
    parts = [p for p in str(name or "").split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"
