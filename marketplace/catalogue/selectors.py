from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from marketplace.catalogue.models import AttributeDefinition, Category
from marketplace.configuration.models import BookingWorkflow
from marketplace.configuration.selectors import marketplace_settings


def categories_list(*, parent: str | None = None, active_only: bool = False) -> QuerySet[Category]:
    categories = Category.objects.select_related("parent")
    if parent == "root":
        categories = categories.filter(parent__isnull=True)
    elif parent:
        categories = categories.filter(parent__public_id=parent)
    if active_only:
        categories = categories.filter(is_active=True)
    return categories.order_by("path")


def category_by_public_id(public_id: str) -> Category | None:
    return Category.objects.filter(public_id=public_id).first()


def category_ancestors(category: Category) -> list[Category]:
    """From the root down to `category` itself (one query)."""
    by_id = {c.pk: c for c in Category.objects.filter(pk__in=category.path)}
    return [by_id[pk] for pk in category.path if pk in by_id]


def category_descendant_ids(category: Category) -> list[int]:
    """`category` and everything below it."""
    return list(Category.objects.filter(path__contains=[category.pk]).values_list("pk", flat=True))


def category_commission_bps(category: Category) -> int:
    """The nearest ancestor's (or its own) commission override, else the marketplace default."""
    for ancestor in reversed(category_ancestors(category)):
        if ancestor.commission_bps is not None:
            return ancestor.commission_bps
    return marketplace_settings().default_commission_bps


def category_booking_settings(category: Category) -> dict:
    """Booking settings for `category`: its ancestors' merged, nearer ones winning, timer by timer."""
    timers: dict = {}
    policy = None
    for ancestor in category_ancestors(category):
        timers.update(ancestor.booking_settings.get("timers", {}))
        policy = ancestor.booking_settings.get("cancellation_policy", policy)
    return {"timers": timers, "cancellation_policy": policy or "flexible"}


def category_workflow(category: Category) -> str | None:
    for ancestor in reversed(category_ancestors(category)):
        if ancestor.workflow:
            return ancestor.workflow
    return None


def category_attribute_definitions(category: Category) -> list[AttributeDefinition]:
    """Attributes a listing in `category` fills: its ancestors' first, then its own."""
    depth = {pk: index for index, pk in enumerate(category.path)}
    definitions = list(AttributeDefinition.objects.filter(category_id__in=category.path))
    return sorted(definitions, key=lambda d: (depth[d.category_id], d.position, d.key))


def listings_public():
    """What clients may see: active listings of approved providers (or of anyone, when the
    marketplace does not verify providers)."""
    from marketplace.catalogue.models import Listing, ListingStatus
    from marketplace.providers.models import ProviderStatus

    listings = Listing.objects.filter(status=ListingStatus.ACTIVE)
    if marketplace_settings().provider_verification_required:
        listings = listings.filter(provider__status=ProviderStatus.APPROVED)
    return listings


def listing_with_details():
    from django.db.models import Prefetch

    from marketplace.catalogue.models import Listing

    return Listing.objects.select_related("category", "provider__user").prefetch_related(
        "packages", "add_ons", "images", Prefetch("provider__badges")
    )


def listing_visible_to(viewer, public_id: str):
    """A listing if `viewer` may see it: public ones to all; others to their provider and moderators."""
    from accounts.permissions import can
    from marketplace.catalogue.models import ListingStatus
    from marketplace.providers.models import ProviderStatus

    listing = listing_with_details().filter(public_id=public_id).first()
    if listing is None:
        return None
    # The same rule as listings_public(), read off the row already loaded.
    verified = not marketplace_settings().provider_verification_required or (
        listing.provider.status == ProviderStatus.APPROVED
    )
    if listing.status == ListingStatus.ACTIVE and verified:
        return listing
    if viewer.is_authenticated and (listing.provider.user_id == viewer.pk or can(viewer, "listings.moderate")):
        return listing
    return None


def provider_listings(provider):
    """A provider's own listings (every status), for their dashboard: archived ones last, then the
    most recently changed first, with what the list shows."""
    from django.db.models import Case, IntegerField, Value, When

    from marketplace.catalogue.models import Listing, ListingStatus

    return (
        Listing.objects.filter(provider=provider)
        .select_related("category")
        .prefetch_related("packages", "images")
        .annotate(
            archived=Case(
                When(status=ListingStatus.ARCHIVED, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("archived", "-updated_at", "-id")
    )


def categories_for_choice():
    """Active categories in tree order (parents before their children, siblings by position), each
    with its `depth`, for a category picker."""
    categories = list(Category.objects.filter(is_active=True))
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    ordered: list[Category] = []

    def walk(parent_id: int | None) -> None:
        for category in sorted(children.get(parent_id, []), key=lambda c: (c.position, c.name)):
            ordered.append(category)
            walk(category.pk)

    walk(None)
    return ordered


def listings_for_moderation(*, status: str | None = None, category: Category | None = None):
    """Every listing except drafts (or those in `status`, optionally in `category` and below) for the
    moderators' screen: waiting for review first, oldest first (the longest wait on top), then the
    rest, most recently changed first; with their provider, category and packages."""
    from django.db.models import Case, IntegerField, Value, When

    from marketplace.catalogue.models import Listing, ListingStatus

    listings = Listing.objects.select_related("category", "provider__user").prefetch_related("packages")
    listings = listings.filter(status=status) if status else listings.exclude(status=ListingStatus.DRAFT)
    if category is not None:
        listings = listings.filter(category_id__in=category_descendant_ids(category))
    waiting = Case(
        When(status=ListingStatus.PENDING_REVIEW, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    first_waiting = Case(When(status=ListingStatus.PENDING_REVIEW, then="updated_at"), default=None)
    return listings.annotate(waiting=waiting, first_waiting=first_waiting).order_by(
        "waiting", "first_waiting", "-updated_at", "-id"
    )


def listings_active_count() -> int:
    """Listings live now (active), for reports."""
    from marketplace.catalogue.models import Listing, ListingStatus

    return Listing.objects.filter(status=ListingStatus.ACTIVE).count()


@dataclass(frozen=True)
class Inherited:
    """A category's effective value and where it comes from: the category that sets it (itself or
    the nearest ancestor that does), or None for the marketplace's default or the preset's."""

    value: Any
    source: Category | None


@dataclass
class CategoryNode:
    category: Category
    depth: int
    children: list[CategoryNode]
    commission_bps: Inherited
    workflow: Inherited
    timers: dict[str, Inherited]  # the timers set on the way down; the rest are the preset's defaults
    cancellation_policy: Inherited
    review_criteria: Inherited
    attributes: int  # definitions of its own


def category_tree() -> list[CategoryNode]:
    """Every category (archived ones too), in tree order — parents before their children, siblings
    by position then name — each with its effective commission, workflow, booking settings and review
    criteria and where each comes from. Three queries, whatever the size of the tree."""
    from django.db.models import Count

    categories = list(Category.objects.all())
    default_commission = marketplace_settings().default_commission_bps
    own_attributes = dict(AttributeDefinition.objects.values_list("category_id").annotate(n=Count("id")).order_by())
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    ordered: list[CategoryNode] = []

    def walk(parent: CategoryNode | None) -> list[CategoryNode]:
        nodes = []
        for category in sorted(
            children.get(parent.category.pk if parent else None, []), key=lambda c: (c.position, c.name.lower())
        ):
            node = _node(category, parent, default_commission, own_attributes.get(category.pk, 0))
            ordered.append(node)
            node.children = walk(node)
            nodes.append(node)
        return nodes

    walk(None)
    return ordered


def _node(category: Category, parent: CategoryNode | None, default_commission: int, attributes: int) -> CategoryNode:
    def own_or(value, inherited: Inherited) -> Inherited:
        return Inherited(value, category) if value is not None else inherited

    settings = category.booking_settings or {}
    timers = dict(parent.timers) if parent else {}
    timers.update({name: Inherited(value, category) for name, value in settings.get("timers", {}).items()})
    return CategoryNode(
        category=category,
        depth=parent.depth + 1 if parent else 0,
        children=[],
        commission_bps=own_or(
            category.commission_bps, parent.commission_bps if parent else Inherited(default_commission, None)
        ),
        # Bookings use instant booking where no category on the way down picks a workflow.
        workflow=own_or(
            category.workflow, parent.workflow if parent else Inherited(BookingWorkflow.INSTANT.value, None)
        ),
        timers=timers,
        cancellation_policy=own_or(
            settings.get("cancellation_policy"),
            parent.cancellation_policy if parent else Inherited("flexible", None),
        ),
        review_criteria=own_or(category.review_criteria, parent.review_criteria if parent else Inherited([], None)),
        attributes=attributes,
    )


def category_cards(*, public_ids: list[str] | None = None, limit: int = 12) -> list[dict]:
    """Categories to show as a grid on a content page: the chosen ones (in the order given) or the
    active top-level ones, each with its first sub-categories and how many public listings it holds,
    itself and below. A constant number of queries, whatever the size of the tree or the catalogue."""
    from django.db.models import Count

    categories = list(
        Category.objects.filter(is_active=True)
        .order_by("position", "name")
        .values("pk", "public_id", "name", "icon", "parent_id", "path")
    )
    if public_ids is not None:
        by_public_id = {c["public_id"]: c for c in categories}
        shown = [by_public_id[p] for p in dict.fromkeys(public_ids) if p in by_public_id]
    else:
        shown = [c for c in categories if c["parent_id"] is None]
    shown = shown[:limit]
    if not shown:
        return []
    per_category = dict(listings_public().order_by().values_list("category_id").annotate(n=Count("id")))
    cards = []
    for card in shown:
        below = [c for c in categories if card["pk"] in c["path"]]
        cards.append(
            {
                "id": card["public_id"],
                "name": card["name"],
                "icon": card["icon"],
                "children": [c["name"] for c in below if c["parent_id"] == card["pk"]][:3],
                "listing_count": sum(per_category.get(c["pk"], 0) for c in below),
            }
        )
    return cards
