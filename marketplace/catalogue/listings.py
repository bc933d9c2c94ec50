"""Listings: writes (create, edit, lifecycle, moderation, duplicate) and the attribute re-check.

Lifecycle (one service applies every transition and audits it):

    draft ──submit──► pending_review ──approve──► active ⇄ paused
      │                      └──reject──► rejected ──(edit + submit)──► …
      └──submit (moderation off)────────► active
    any but archived ──archive──► archived
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from accounts.permissions import can
from billing import entitlements
from marketplace.audit.services import audit_record
from marketplace.catalogue.attributes import attribute_values_clean, attribute_values_errors
from marketplace.catalogue.models import (
    AddOn,
    Category,
    Listing,
    ListingStatus,
    LocationType,
    Package,
    PricingModel,
)
from marketplace.catalogue.selectors import category_attribute_definitions
from marketplace.common.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from marketplace.configuration.selectors import marketplace_settings
from marketplace.providers.models import ProviderProfile, ProviderStatus
from marketplace.search.indexing import listings_index

LISTING_FIELDS = {
    "category",
    "title",
    "description",
    "attributes",
    "pricing_model",
    "location_type",
    "address",
    "packages",
    "add_ons",
}
MAX_PACKAGES, MAX_ADD_ONS = 5, 10

# action -> (states it may start from, state it leads to, who may do it)
TRANSITIONS: dict[str, tuple[set[str], str | None, str]] = {
    "submit": ({ListingStatus.DRAFT, ListingStatus.REJECTED}, None, "owner"),  # target depends on moderation
    "approve": ({ListingStatus.PENDING_REVIEW}, ListingStatus.ACTIVE, "moderator"),
    "reject": ({ListingStatus.PENDING_REVIEW, ListingStatus.ACTIVE}, ListingStatus.REJECTED, "moderator"),
    # Moderators may pause a live listing too, with a reason its provider sees; the provider resumes
    # it once it is fixed (to keep it off until reviewed again, moderators reject it instead).
    "pause": ({ListingStatus.ACTIVE}, ListingStatus.PAUSED, "owner_or_moderator"),
    "resume": ({ListingStatus.PAUSED}, ListingStatus.ACTIVE, "owner"),
    "archive": (
        {
            ListingStatus.DRAFT,
            ListingStatus.PENDING_REVIEW,
            ListingStatus.ACTIVE,
            ListingStatus.PAUSED,
            ListingStatus.REJECTED,
        },
        ListingStatus.ARCHIVED,
        "owner",
    ),
}


def allowed_actions(listing: Listing, user) -> list[str]:
    return [
        action
        for action, (sources, _target, who) in TRANSITIONS.items()
        if listing.status in sources and _may(user, listing, who)
    ]


def _owner(user, listing: Listing) -> bool:
    return user.is_authenticated and listing.provider.user_id == user.pk


def _may(user, listing: Listing, who: str) -> bool:
    if who == "owner":
        return _owner(user, listing)
    if who == "owner_or_moderator":
        return _owner(user, listing) or can(user, "listings.moderate")
    return can(user, "listings.moderate")


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _package_errors(packages: Any, *, low: int, high: int | None, prefix: str = "packages") -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not isinstance(packages, list) or not 1 <= len(packages) <= MAX_PACKAGES:
        return {prefix: [f"Offer 1 to {MAX_PACKAGES} packages (e.g. Basic, Standard, Premium)."]}
    names = set()
    for index, package in enumerate(packages):
        at = f"{prefix}.{index}"
        if not isinstance(package, dict):
            errors[at] = ["Each package is an object with a name and a price."]
            continue
        unknown = set(package) - {
            "name",
            "description",
            "price",
            "duration_minutes",
            "delivery_days",
            "includes",
            "revisions",
        }
        if unknown:
            errors[f"{at}.{sorted(unknown)[0]}"] = ["This field does not exist."]
        name = package.get("name")
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 60:
            errors[f"{at}.name"] = ["Name the package (1 to 60 characters)."]
        elif name.strip().lower() in names:
            errors[f"{at}.name"] = ["Two packages cannot share a name."]
        else:
            names.add(name.strip().lower())
        price = package.get("price")
        if not _int(price) or price <= 0:
            errors[f"{at}.price"] = ["Use a whole, positive amount in minor units (cents), e.g. 4500 for 45.00."]
        elif price < low:
            errors[f"{at}.price"] = [f"The marketplace's minimum price is {low} (minor units)."]
        elif high is not None and price > high:
            errors[f"{at}.price"] = [f"The marketplace's maximum price is {high} (minor units)."]
        for field in ("duration_minutes", "delivery_days", "revisions"):
            value = package.get(field)
            if value is not None and (not _int(value) or value < 0 or value > 100_000):
                errors[f"{at}.{field}"] = ["Use a whole number from 0."]
        includes = package.get("includes", [])
        if (
            not isinstance(includes, list)
            or len(includes) > 20
            or not all(isinstance(i, str) and 1 <= len(i) <= 120 for i in includes)
        ):
            errors[f"{at}.includes"] = ["List up to 20 items of at most 120 characters."]
        if "description" in package and (
            not isinstance(package["description"], str) or len(package["description"]) > 500
        ):
            errors[f"{at}.description"] = ["Use at most 500 characters."]
    return errors


def _add_on_errors(add_ons: Any) -> dict[str, list[str]]:
    if not isinstance(add_ons, list) or len(add_ons) > MAX_ADD_ONS:
        return {"add_ons": [f"List up to {MAX_ADD_ONS} add-ons."]}
    errors: dict[str, list[str]] = {}
    names = set()
    for index, add_on in enumerate(add_ons):
        at = f"add_ons.{index}"
        if not isinstance(add_on, dict):
            errors[at] = ["Each add-on is an object with a name and a price."]
            continue
        name = add_on.get("name")
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 80 or name.strip().lower() in names:
            errors[f"{at}.name"] = ["Give each add-on its own name (1 to 80 characters)."]
        else:
            names.add(name.strip().lower())
        if not _int(add_on.get("price")) or add_on["price"] <= 0:
            errors[f"{at}.price"] = ["Use a whole, positive amount in minor units."]
        for field in ("extra_minutes", "extra_days"):
            if field in add_on and (not _int(add_on[field]) or add_on[field] < 0):
                errors[f"{at}.{field}"] = ["Use a whole number from 0."]
    return errors


def _resolve_category(value: Any) -> Category | None:
    if not isinstance(value, str):
        return None
    return Category.objects.filter(public_id=value, is_active=True).first()


def _validate(values: dict[str, Any], *, listing: Listing | None) -> tuple[dict[str, list[str]], Category | None]:
    errors: dict[str, list[str]] = {}
    for unknown in sorted(set(values) - LISTING_FIELDS - {"currency"}):
        errors[unknown] = ["This field does not exist or cannot be changed."]
    settings = marketplace_settings()
    if "currency" in values and values["currency"] != settings.currency:
        errors["currency"] = [f"This marketplace trades in {settings.currency}."]
    category = listing.category if listing else None
    if listing is None or "category" in values:
        category = _resolve_category(values.get("category"))
        if category is None:
            errors["category"] = ["Choose an active category of this marketplace."]
    title = values.get("title", listing.title if listing else None)
    if not isinstance(title, str) or not 5 <= len(title.strip()) <= 120:
        errors["title"] = ["Write a title of 5 to 120 characters."]
    description = values.get("description", listing.description if listing else None)
    if not isinstance(description, str) or not 20 <= len(description.strip()) <= 10_000:
        errors["description"] = ["Describe the service in 20 to 10,000 characters."]
    if "pricing_model" in values and values["pricing_model"] not in PricingModel.values:
        errors["pricing_model"] = [f"Choose one of: {', '.join(PricingModel.values)}."]
    location_type = values.get("location_type", listing.location_type if listing else LocationType.ONLINE)
    if location_type not in LocationType.values:
        errors["location_type"] = [f"Choose one of: {', '.join(LocationType.values)}."]
    address = values.get("address", listing.address if listing else "")
    if not isinstance(address, str) or len(address) > 255:
        errors["address"] = ["Use at most 255 characters."]
    elif location_type in (LocationType.ON_SITE, LocationType.HYBRID) and not address.strip():
        errors["address"] = ["Give the address where on-site sessions happen."]
    if category is not None and (listing is None or "attributes" in values or "category" in values):
        attributes = values.get("attributes", listing.attributes if listing else {})
        if not isinstance(attributes, dict):
            errors["attributes"] = ["Send the attributes as an object of key: value."]
        else:
            errors.update(attribute_values_errors(category_attribute_definitions(category), attributes))
    if listing is None or "packages" in values:
        errors.update(_package_errors(values.get("packages"), low=settings.min_price, high=settings.max_price))
    if "add_ons" in values:
        errors.update(_add_on_errors(values["add_ons"]))
    return errors, category


def _write_children(listing: Listing, values: dict[str, Any]) -> None:
    if "packages" in values:
        listing.packages.all().delete()
        Package.objects.bulk_create(
            [
                Package(
                    listing=listing,
                    position=index,
                    name=p["name"].strip(),
                    description=p.get("description", ""),
                    price=p["price"],
                    duration_minutes=p.get("duration_minutes"),
                    delivery_days=p.get("delivery_days"),
                    includes=p.get("includes", []),
                    revisions=p.get("revisions"),
                )
                for index, p in enumerate(values["packages"])
            ]
        )
    if "add_ons" in values:
        listing.add_ons.all().delete()
        AddOn.objects.bulk_create(
            [
                AddOn(
                    listing=listing,
                    name=a["name"].strip(),
                    price=a["price"],
                    extra_minutes=a.get("extra_minutes", 0),
                    extra_days=a.get("extra_days", 0),
                )
                for a in values["add_ons"]
            ]
        )
    price_from = listing.packages.aggregate(low=Min("price"))["low"]
    Listing.objects.filter(pk=listing.pk).update(price_from=price_from)
    listings_index([listing.pk])
    listing.price_from = price_from


def _provider_of(user) -> ProviderProfile:
    profile = ProviderProfile.objects.filter(user=user).first() if user.is_authenticated else None
    if profile is None:
        raise PermissionDenied("Apply as a provider before creating listings.", code="not_a_provider")
    return profile


@transaction.atomic
def listing_create(*, user, **values: Any) -> Listing:
    """A new listing, saved as a draft. Everything is checked first; nothing is half-saved."""
    provider = _provider_of(user)
    errors, category = _validate(values, listing=None)
    if errors:
        raise ValidationFailed("The listing could not be saved: fix the fields listed.", fields=errors)
    definitions = category_attribute_definitions(category)
    listing = Listing.objects.create(
        provider=provider,
        category=category,
        title=values["title"].strip(),
        description=values["description"].strip(),
        attributes=attribute_values_clean(definitions, values.get("attributes", {})),
        pricing_model=values.get("pricing_model", PricingModel.FIXED),
        location_type=values.get("location_type", LocationType.ONLINE),
        address=values.get("address", "").strip(),
        currency=marketplace_settings().currency,
    )
    _write_children(listing, values)
    audit_record(actor=user, action="listing.created", target=listing, after={"title": listing.title})
    return listing


def _owned(user, listing: Listing) -> Listing:
    listing = Listing.objects.select_for_update().select_related("provider", "category").get(pk=listing.pk)
    if not user.is_authenticated or listing.provider.user_id != user.pk:
        raise PermissionDenied("Only the listing's provider can change it.")
    return listing


@transaction.atomic
def listing_update(*, user, listing: Listing, **changes: Any) -> Listing:
    listing = _owned(user, listing)
    if listing.status == ListingStatus.ARCHIVED:
        raise InvalidTransition("An archived listing cannot be edited; duplicate it instead.")
    errors, category = _validate(changes, listing=listing)
    if errors:
        raise ValidationFailed("The listing could not be saved: fix the fields listed.", fields=errors)
    listing.category = category
    for field in ("title", "description", "address"):
        if field in changes:
            setattr(listing, field, changes[field].strip())
    for field in ("pricing_model", "location_type"):
        if field in changes:
            setattr(listing, field, changes[field])
    if "attributes" in changes or "category" in changes:
        definitions = category_attribute_definitions(category)
        listing.attributes = attribute_values_clean(definitions, changes.get("attributes", listing.attributes))
        listing.attribute_problems = {}
    if "packages" in changes:
        listing.currency = marketplace_settings().currency  # prices entered anew, in today's currency
    listing.save()
    _write_children(listing, changes)
    return listing


def listings_pause_for_currency(*, actor, settings, old: str, new: str) -> int:
    """After the marketplace's currency changed: listings priced in the old one stop taking clients
    (paused, with the reason shown to their providers) until their packages are priced again."""
    listings = Listing.objects.filter(
        currency=old, status__in=[ListingStatus.ACTIVE, ListingStatus.PENDING_REVIEW]
    ).select_for_update()
    ids = list(listings.values_list("pk", flat=True))
    Listing.objects.filter(pk__in=ids).update(
        status=ListingStatus.PAUSED,
        status_reason=f"Prices were in {old}; the marketplace now trades in {new}. Price the packages again, "
        "then resume.",
        updated_at=timezone.now(),
    )
    if ids:
        audit_record(
            actor=actor,
            action="listings.paused_for_currency",
            target=settings,
            before={"currency": old},
            after={"currency": new, "paused": len(ids)},
        )
    return len(ids)


@transaction.atomic
def listing_transition(*, user, listing: Listing, action: str, reason: str = "") -> Listing:
    """Apply one lifecycle action; 409 with the actions allowed now when it does not fit."""
    listing = Listing.objects.select_for_update().select_related("provider", "category").get(pk=listing.pk)
    if action not in TRANSITIONS:
        raise ValidationFailed("Unknown action.", fields={"action": [f"Choose one of: {', '.join(TRANSITIONS)}."]})
    sources, target, who = TRANSITIONS[action]
    if listing.status not in sources or not _may(user, listing, who):
        allowed = allowed_actions(listing, user)
        raise InvalidTransition(
            f"A listing that is {listing.status} cannot be {action}d by you now; allowed: "
            f"{', '.join(allowed) if allowed else 'nothing'}.",
            fields={"allowed_actions": allowed},
        )
    if action == "reject" and not reason.strip():
        raise ValidationFailed("Say why the listing is rejected.", fields={"reason": ["Give a reason."]})
    by_moderator = action == "pause" and not _owner(user, listing)
    if by_moderator and not reason.strip():
        raise ValidationFailed(
            "Say why the listing is paused; its provider will see it.", fields={"reason": ["Give a reason."]}
        )
    settings = marketplace_settings()
    if action in ("submit", "resume"):
        _check_publishable(listing, settings)
    if action == "submit":
        target = ListingStatus.PENDING_REVIEW if settings.listing_moderation else ListingStatus.ACTIVE
    if target == ListingStatus.ACTIVE:
        entitlements.check_limit(connection.tenant, "active_listings")
    before = listing.status
    listing.status = target
    listing.status_reason = reason.strip()[:500] if action == "reject" or by_moderator else ""
    if target == ListingStatus.ACTIVE and listing.published_at is None:
        listing.published_at = timezone.now()
    listing.save(update_fields=["status", "status_reason", "published_at", "updated_at"])
    audit_record(
        actor=user,
        action=f"listing.{action}",
        target=listing,
        before={"status": before},
        after={"status": listing.status},
        reason=listing.status_reason,
    )
    return listing


def _check_publishable(listing: Listing, settings) -> None:
    if settings.provider_verification_required and listing.provider.status != ProviderStatus.APPROVED:
        raise Conflict("Your provider application must be approved before you publish.", code="provider_not_approved")
    if listing.attribute_problems:
        raise ValidationFailed(
            "Some attributes no longer fit the category; fix them first.", fields=listing.attribute_problems
        )
    if not listing.packages.exists():
        raise ValidationFailed("Add at least one package first.", fields={"packages": ["Add a package."]})
    if listing.currency != settings.currency:
        raise Conflict(
            f"This listing is priced in {listing.currency} but the marketplace now trades in "
            f"{settings.currency}; update its packages.",
            code="currency_mismatch",
        )


@transaction.atomic
def listing_duplicate(*, user, listing: Listing) -> Listing:
    """A draft copy of a listing (packages and add-ons included)."""
    source = _owned(user, listing)
    copy = Listing.objects.create(
        provider=source.provider,
        category=source.category,
        title=f"{source.title[:113]} (copy)",
        description=source.description,
        attributes=source.attributes,
        pricing_model=source.pricing_model,
        location_type=source.location_type,
        address=source.address,
        currency=source.currency,
    )
    _write_children(
        copy,
        {
            "packages": [
                {
                    "name": p.name,
                    "description": p.description,
                    "price": p.price,
                    "duration_minutes": p.duration_minutes,
                    "delivery_days": p.delivery_days,
                    "includes": p.includes,
                    "revisions": p.revisions,
                }
                for p in source.packages.all()
            ],
            "add_ons": [
                {"name": a.name, "price": a.price, "extra_minutes": a.extra_minutes, "extra_days": a.extra_days}
                for a in source.add_ons.all()
            ],
        },
    )
    audit_record(actor=user, action="listing.duplicated", target=copy, before={"from": source.public_id})
    return copy


def listings_recheck_attributes(*, category: Category) -> int:
    """Re-validate listings in `category` and below after a definition changed. Listings that no
    longer fit are flagged for their owner (values are never rewritten); fixed ones are unflagged.
    Returns how many are flagged."""
    from marketplace.catalogue.selectors import category_descendant_ids

    flagged = 0
    cache: dict[int, list] = {}
    for listing in Listing.objects.filter(category_id__in=category_descendant_ids(category)).exclude(
        status=ListingStatus.ARCHIVED
    ):
        definitions = cache.setdefault(listing.category_id, category_attribute_definitions(listing.category))
        problems = attribute_values_errors(definitions, listing.attributes)
        if problems != listing.attribute_problems:
            listing.attribute_problems = problems
            listing.save(update_fields=["attribute_problems", "updated_at"])
        flagged += bool(problems)
    return flagged


def listing_for_owner(user, public_id: str) -> Listing:
    listing = Listing.objects.filter(public_id=public_id).select_related("provider").first()
    if listing is None or not user.is_authenticated or listing.provider.user_id != user.pk:
        raise NotFound("No such listing of yours.")
    return listing
