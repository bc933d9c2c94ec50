"""Writes to the category tree and its attribute definitions (marketplace admins only)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts.permissions import require
from marketplace.audit.services import audit_record
from marketplace.catalogue.models import AttributeDefinition, AttributeType, Category
from marketplace.common.errors import Conflict, ValidationFailed
from marketplace.configuration.selectors import marketplace_settings

CATEGORY_FIELDS = {
    *("name", "slug", "icon", "position", "is_active", "commission_bps", "workflow", "parent", "booking_settings"),
}
ATTRIBUTE_FIELDS = {
    "key",
    "label",
    "type",
    "required",
    "filterable",
    "unit",
    "min_value",
    "max_value",
    "choices",
    "position",
}
CHOICE_TYPES = {AttributeType.CHOICE, AttributeType.MULTI_CHOICE}


def _snapshot(category: Category) -> dict[str, Any]:
    return {
        "name": category.name,
        "slug": category.slug,
        "icon": category.icon,
        "position": category.position,
        "is_active": category.is_active,
        "commission_bps": category.commission_bps,
        "workflow": category.workflow,
        "booking_settings": category.booking_settings,
        "parent": category.parent.public_id if category.parent_id else None,
    }


def _category_errors(values: dict[str, Any], *, instance: Category | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for unknown in sorted(set(values) - CATEGORY_FIELDS):
        errors[unknown] = ["This field does not exist or cannot be changed."]
    name = values.get("name", instance.name if instance else None)
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 120:
        errors["name"] = ["Use 1 to 120 characters."]
    slug = values.get("slug")
    if slug is not None and (not isinstance(slug, str) or slugify(slug) != slug or not 1 <= len(slug) <= 80):
        errors["slug"] = ["Use lower-case letters, digits and hyphens (at most 80)."]
    position = values.get("position", 0)
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        errors["position"] = ["Use a whole number from 0."]
    commission = values.get("commission_bps")
    if commission is not None and (
        not isinstance(commission, int) or isinstance(commission, bool) or not 0 <= commission <= 10_000
    ):
        errors["commission_bps"] = ["Use 0 to 10000 basis points (1000 = 10%), or null to inherit."]
    workflow = values.get("workflow")
    allowed = marketplace_settings().allowed_workflows
    if workflow is not None and workflow not in allowed:
        errors["workflow"] = [f"Choose a workflow this marketplace allows: {', '.join(allowed)}; or null to inherit."]
    if "booking_settings" in values:
        from marketplace.bookings.workflows import booking_settings_errors

        if problems := booking_settings_errors(values["booking_settings"]):
            errors["booking_settings"] = problems
    if "is_active" in values and not isinstance(values["is_active"], bool):
        errors["is_active"] = ["Use true or false."]
    if "icon" in values and (not isinstance(values["icon"], str) or len(values["icon"]) > 64):
        errors["icon"] = ["Use an icon name of at most 64 characters."]
    return errors


def _resolve_parent(parent: Any) -> Category | None:
    if parent in (None, ""):
        return None
    found = Category.objects.filter(public_id=parent).first() if isinstance(parent, str) else None
    if found is None:
        raise ValidationFailed("The parent category does not exist.", fields={"parent": ["No such category."]})
    return found


def _unique_slug(base: str) -> str:
    base = slugify(base)[:70] or "category"
    slug, counter = base, 2
    while Category.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def _save(category: Category, **kwargs) -> None:
    try:
        with transaction.atomic():
            category.save(**kwargs)
    except IntegrityError as exc:
        raise ValidationFailed(
            "Another category already uses this address.", fields={"slug": ["Already used by another category."]}
        ) from exc


@transaction.atomic
def category_create(*, actor, **values: Any) -> Category:
    require(actor, "marketplace.configure")
    if errors := _category_errors(values, instance=None):
        raise ValidationFailed("The category could not be saved: fix the fields listed.", fields=errors)
    parent = _resolve_parent(values.pop("parent", None))
    category = Category(parent=parent, **{k: v for k, v in values.items() if k != "slug"})
    category.name = category.name.strip()
    category.slug = values.get("slug") or _unique_slug(category.name)
    _save(category)
    category.path = [*(parent.path if parent else []), category.pk]
    category.save(update_fields=["path"])
    audit_record(actor=actor, action="category.created", target=category, after=_snapshot(category))
    return category


@transaction.atomic
def category_update(*, actor, category: Category, **changes: Any) -> Category:
    """Change a category; moving it (new `parent`) moves its whole subtree and refuses cycles."""
    require(actor, "marketplace.configure")
    category = Category.objects.select_for_update().get(pk=category.pk)
    if errors := _category_errors(changes, instance=category):
        raise ValidationFailed("The category could not be saved: fix the fields listed.", fields=errors)
    before = _snapshot(category)
    moved = "parent" in changes
    if moved:
        parent = _resolve_parent(changes.pop("parent"))
        if parent is not None and category.pk in parent.path:
            raise Conflict("A category cannot move under itself or one of its descendants.", code="category_cycle")
        category.parent = parent
    for field, value in changes.items():
        setattr(category, field, value.strip() if field == "name" else value)
    _save(category)
    if moved:
        old_path = list(category.path)
        new_path = [*(category.parent.path if category.parent else []), category.pk]
        for node in Category.objects.select_for_update().filter(path__contains=[category.pk]):
            node.path = new_path + node.path[len(old_path) :]
            node.save(update_fields=["path"])
        category.path = new_path
    after = _snapshot(category)
    changed = {k: after[k] for k in after if after[k] != before[k]}
    if changed:
        audit_record(
            actor=actor,
            action="category.changed",
            target=category,
            before={k: before[k] for k in changed},
            after=changed,
        )
    return category


def _decimal(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        errors[field] = ["Enter a number."]
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors[field] = ["Enter a number."]
        return None
    if not number.is_finite():
        errors[field] = ["Enter a number."]
        return None
    return number


def _attribute_errors(values: dict[str, Any], *, instance: AttributeDefinition | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for unknown in sorted(set(values) - ATTRIBUTE_FIELDS):
        errors[unknown] = ["This field does not exist or cannot be changed."]
    merged = {field: getattr(instance, field) for field in ATTRIBUTE_FIELDS} if instance else {}
    merged.update(values)
    key = merged.get("key")
    if not isinstance(key, str) or slugify(key).replace("-", "_") != key or not 1 <= len(key) <= 60:
        errors["key"] = ["Use lower-case letters, digits and underscores (at most 60)."]
    if not isinstance(merged.get("label"), str) or not 1 <= len(merged["label"].strip()) <= 120:
        errors["label"] = ["Use 1 to 120 characters."]
    kind = merged.get("type")
    if kind not in AttributeType.values:
        errors["type"] = [f"Choose one of: {', '.join(AttributeType.values)}."]
    low = _decimal(merged.get("min_value"), "min_value", errors)
    high = _decimal(merged.get("max_value"), "max_value", errors)
    if low is not None and high is not None and high < low:
        errors["max_value"] = ["The maximum must not be below the minimum."]
    if (low is not None or high is not None) and kind != AttributeType.NUMBER:
        errors.setdefault("min_value", []).append("Only number attributes have a range.")
    choices = merged.get("choices") or []
    if kind in CHOICE_TYPES:
        if (
            not isinstance(choices, list)
            or not choices
            or not all(isinstance(c, str) and c.strip() for c in choices)
            or len(set(choices)) != len(choices)
        ):
            errors["choices"] = ["List at least one option, each a distinct non-empty text."]
    elif choices:
        errors["choices"] = ["Only choice attributes have options."]
    for flag in ("required", "filterable"):
        if flag in values and not isinstance(values[flag], bool):
            errors[flag] = ["Use true or false."]
    return errors


@transaction.atomic
def attribute_define(*, actor, category: Category, **values: Any) -> AttributeDefinition:
    require(actor, "marketplace.configure")
    if errors := _attribute_errors(values, instance=None):
        raise ValidationFailed("The attribute could not be saved: fix the fields listed.", fields=errors)
    if AttributeDefinition.objects.filter(category_id__in=category.path, key=values["key"]).exists():
        raise ValidationFailed(
            "This category or one above it already has an attribute with this key.",
            fields={"key": ["Already used in this category or a parent category."]},
        )
    definition = AttributeDefinition.objects.create(category=category, **values)
    _recheck(category)
    audit_record(
        actor=actor,
        action="attribute.defined",
        target=category,
        after={"key": definition.key, "type": definition.type, "required": definition.required},
    )
    return definition


@transaction.atomic
def attribute_update(*, actor, definition: AttributeDefinition, **changes: Any) -> AttributeDefinition:
    """Change a definition. Listings that no longer validate are flagged for their owners (never
    rewritten silently)."""
    require(actor, "marketplace.configure")
    definition = AttributeDefinition.objects.select_for_update().get(pk=definition.pk)
    if "key" in changes and changes["key"] != definition.key:
        raise ValidationFailed(
            "An attribute's key cannot change; define a new attribute instead.", fields={"key": ["Cannot be changed."]}
        )
    if "type" in changes and changes["type"] != definition.type:
        raise ValidationFailed(
            "An attribute's type cannot change; define a new attribute instead.",
            fields={"type": ["Cannot be changed."]},
        )
    if errors := _attribute_errors(changes, instance=definition):
        raise ValidationFailed("The attribute could not be saved: fix the fields listed.", fields=errors)
    before = {field: getattr(definition, field) for field in changes}
    for field, value in changes.items():
        setattr(definition, field, value)
    definition.save()
    definition.refresh_from_db()
    _recheck(definition.category)
    audit_record(
        actor=actor,
        action="attribute.changed",
        target=definition.category,
        before={"key": definition.key, **{k: str(v) for k, v in before.items()}},
        after={"key": definition.key, **{k: str(changes[k]) for k in changes}},
    )
    return definition


@transaction.atomic
def attribute_remove(*, actor, definition: AttributeDefinition) -> None:
    require(actor, "marketplace.configure")
    audit_record(actor=actor, action="attribute.removed", target=definition.category, before={"key": definition.key})
    category = definition.category
    definition.delete()
    _recheck(category)


def _recheck(category: Category) -> None:
    """Flag (never rewrite) listings whose values no longer fit after a definition changed."""
    from marketplace.catalogue.listings import listings_recheck_attributes

    listings_recheck_attributes(category=category)
