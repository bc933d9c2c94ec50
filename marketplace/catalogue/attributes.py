"""Checking listing attribute values against their definitions."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from marketplace.catalogue.models import AttributeDefinition, AttributeType


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def value_errors(definition: AttributeDefinition, value: Any) -> list[str]:
    """Why `value` does not fit `definition` (empty when it does). None/absent is handled by the caller."""
    kind = definition.type
    if kind == AttributeType.TEXT:
        if not isinstance(value, str) or not value.strip():
            return ["Enter some text."]
        if len(value) > 500:
            return ["Use at most 500 characters."]
        return []
    if kind == AttributeType.NUMBER:
        number = _number(value)
        if number is None:
            return ["Enter a number."]
        unit = f" {definition.unit}" if definition.unit else ""
        if definition.min_value is not None and number < definition.min_value:
            return [f"Use at least {_plain(definition.min_value)}{unit}."]
        if definition.max_value is not None and number > definition.max_value:
            return [f"Use at most {_plain(definition.max_value)}{unit}."]
        return []
    if kind == AttributeType.CHOICE:
        if value not in definition.choices:
            return [f"Choose one of: {', '.join(map(str, definition.choices))}."]
        return []
    if kind == AttributeType.MULTI_CHOICE:
        if not isinstance(value, list) or not value:
            return ["Choose at least one option."]
        unknown = [v for v in value if v not in definition.choices]
        if unknown:
            options = ", ".join(map(str, definition.choices))
            return [f"Unknown option(s) {', '.join(map(str, unknown))}; choose from: {options}."]
        return []
    if kind == AttributeType.BOOLEAN:
        return [] if isinstance(value, bool) else ["Use true or false."]
    if kind == AttributeType.DATE:
        try:
            datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            return ["Use a date like 2026-12-31."]
        return []
    return ["Unknown attribute type."]


def normalise(definition: AttributeDefinition, value: Any) -> Any:
    if definition.type == AttributeType.NUMBER:
        number = _number(value)
        return int(number) if number == number.to_integral_value() else float(number)
    if definition.type == AttributeType.MULTI_CHOICE:
        return list(dict.fromkeys(value))
    if definition.type == AttributeType.TEXT:
        return value.strip()
    return value


def attribute_values_errors(definitions: list[AttributeDefinition], values: dict[str, Any]) -> dict[str, list[str]]:
    """Field errors (`attributes.<key>`) for a listing's values; unknown keys are errors too."""
    errors: dict[str, list[str]] = {}
    known = {d.key: d for d in definitions}
    for key in values:
        if key not in known:
            errors[f"attributes.{key}"] = ["This category has no such attribute."]
    for definition in definitions:
        value = values.get(definition.key)
        if value is None or value == "" or value == []:
            if definition.required:
                errors[f"attributes.{definition.key}"] = [f"{definition.label} is required."]
            continue
        if problems := value_errors(definition, value):
            errors[f"attributes.{definition.key}"] = problems
    return errors


def attribute_values_clean(definitions: list[AttributeDefinition], values: dict[str, Any]) -> dict[str, Any]:
    """Normalised values for storage (call after `attribute_values_errors` found nothing)."""
    known = {d.key: d for d in definitions}
    return {
        key: normalise(known[key], value)
        for key, value in values.items()
        if key in known and value not in (None, "", [])
    }
