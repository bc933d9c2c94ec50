"""Search filters as the page shows them: the category tree, location and attribute options with the
facet counts the search backend returned, and attribute values and reviews as people read them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from marketplace.catalogue.models import AttributeType, LocationType

TOP_LEVELS_SHOWN = 2  # without a chosen category: the top of the tree and one level below


def category_options(categories: list, chosen, counts: dict) -> list[dict]:
    """Radio options for the category tree: without a chosen category, the categories with results
    (two levels deep); with one, its ancestors, itself and its children with results. Counts include
    everything below a category."""
    by_public = counts.get("category", {})
    totals: dict[int, int] = {}
    for category in categories:
        found = by_public.get(category.public_id, 0)
        if found:
            for ancestor in category.path:
                totals[ancestor] = totals.get(ancestor, 0) + found
    options = []
    if chosen is None:
        for category in categories:
            if category.depth < TOP_LEVELS_SHOWN and totals.get(category.pk):
                options.append({"category": category, "count": totals[category.pk], "depth": category.depth})
        return options
    for category in categories:
        if category.pk in chosen.path[:-1]:  # ancestors: counts would repeat the chosen one's
            options.append({"category": category, "count": None, "depth": category.depth})
        elif category.pk == chosen.pk:
            options.append({"category": category, "count": totals.get(category.pk, 0), "depth": category.depth})
        elif category.parent_id == chosen.pk and totals.get(category.pk):
            options.append({"category": category, "count": totals[category.pk], "depth": category.depth})
    return options


def location_options(counts: dict, chosen: str) -> list[dict]:
    """Online / in person, each counting the listings that offer both too."""
    found = counts.get("location_type", {})
    hybrid = found.get(LocationType.HYBRID, 0)
    return [
        {"value": "", "label": _("Anywhere"), "count": None, "checked": chosen == ""},
        {
            "value": LocationType.ONLINE,
            "label": _("Online"),
            "count": found.get(LocationType.ONLINE, 0) + hybrid,
            "checked": chosen == LocationType.ONLINE,
        },
        {
            "value": LocationType.ON_SITE,
            "label": _("In person"),
            "count": found.get(LocationType.ON_SITE, 0) + hybrid,
            "checked": chosen == LocationType.ON_SITE,
        },
    ]


def _label(definition, value: str) -> str:
    if definition.type == AttributeType.BOOLEAN:
        return _("Yes") if value == "true" else _("No")
    return f"{value} {definition.unit}".strip() if definition.unit else value


def attribute_options(definitions: dict, counts: dict, chosen: dict[str, list[str]]) -> list[dict]:
    """One filter per filterable attribute of the chosen category: checkboxes for multiple choice
    (each ticked value must hold), radio buttons otherwise; options are the definition's choices (or
    the values listings have), each with its count."""
    filters = []
    for key, definition in definitions.items():
        found = counts.get(f"attributes.{key}", {})
        if definition.type in (AttributeType.CHOICE, AttributeType.MULTI_CHOICE):
            values = [str(v) for v in definition.choices]
        elif definition.type == AttributeType.BOOLEAN:
            values = ["true", "false"]
        else:
            values = sorted(found, key=_sortable)
        picked = chosen.get(key, [])
        options = [
            {"value": v, "label": _label(definition, v), "count": found.get(v, 0), "checked": v in picked}
            for v in values
            if found.get(v, 0) or v in picked or definition.type in (AttributeType.CHOICE, AttributeType.MULTI_CHOICE)
        ]
        if not options:
            continue
        filters.append(
            {
                "key": key,
                "name": f"attr.{key}",
                "label": definition.label,
                "multiple": definition.type == AttributeType.MULTI_CHOICE,
                "options": options,
                "any_checked": not picked,
            }
        )
    return filters


def _sortable(value: str):
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, value)


def attribute_value(definition, value) -> dict:
    """A listing's attribute as people read it: its label and its value(s) with the unit."""
    if isinstance(value, list):
        shown = ", ".join(str(v) for v in value)
    elif isinstance(value, bool):
        shown = _("Yes") if value else _("No")
    else:
        shown = str(value)
    if definition.unit and not isinstance(value, list | bool):
        shown = f"{shown} {definition.unit}"
    return {"label": definition.label, "value": shown}


@dataclass
class ReviewView:
    review: object
    author: str
    criteria: list[tuple[str, int]]


def review_view(review, labels: dict) -> ReviewView:
    """A public review with the author's first name only and its criteria by label."""
    name = (review.author.full_name or "").split()
    author = f"{name[0]} {name[-1][0]}." if len(name) > 1 else (name[0] if name else _("A client"))
    criteria = [(labels.get(key, key.replace("_", " ").capitalize()), stars) for key, stars in review.ratings.items()]
    return ReviewView(review=review, author=author, criteria=criteria)
