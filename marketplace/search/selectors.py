"""Reads for search: the configured backend, and hydrating result ids into listings (constant queries)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q

from marketplace.catalogue.models import AttributeDefinition, Category
from marketplace.search.backends.base import ListingQuery, ListingResults, SearchBackend


def search_backend() -> SearchBackend:
    # OpenSearch arrives behind the same interface; until then every setting resolves to PostgreSQL.
    from marketplace.search.backends.postgres import PostgresSearchBackend

    _ = settings.SEARCH_BACKEND
    return PostgresSearchBackend()


def search_listings(query: ListingQuery) -> tuple[ListingResults, list[dict]]:
    """The results and their cards, in result order."""
    results = search_backend().search_listings(query)
    return results, listing_card_rows(results.ids)


def listing_card_rows(ids: list[int]) -> list[dict]:
    """The cards of listings `ids` (in that order) as plain data, exactly what `ListingCardSerializer`
    gives for the same listings, built from two `values()` queries: on a results page, making model
    instances and serialising them costs more than the search itself."""
    from marketplace.catalogue.api.listings import card_summary, image_urls
    from marketplace.catalogue.models import Listing, ListingImage
    from marketplace.common.money import Money
    from marketplace.providers.models import Badge

    if not ids:
        return []
    rows = (
        Listing.objects.filter(pk__in=ids)
        .annotate(provider_verified=Exists(Badge.objects.filter(profile_id=OuterRef("provider_id"))))
        .values(
            "pk",
            "public_id",
            "title",
            "description",
            "category__public_id",
            "category__name",
            "provider__public_id",
            "provider__user__full_name",
            "provider__user__email",
            "provider_verified",
            "provider__level",
            "attributes",
            "pricing_model",
            "location_type",
            "currency",
            "price_from",
            "review_count",
            "rating_average",
            "published_at",
        )
    )
    images: dict[int, list[dict]] = {}
    for image in (
        ListingImage.objects.filter(listing_id__in=ids)
        .order_by("position", "id")
        .values("listing_id", "public_id", "image", "thumbnail", "width", "height")
    ):
        images.setdefault(image["listing_id"], []).append(image_urls(image))
    by_id = {}
    for row in rows:
        price = row["price_from"]
        by_id[row["pk"]] = {
            "id": row["public_id"],
            "title": row["title"],
            "summary": card_summary(row["description"]),
            "category": row["category__public_id"],
            "category_name": row["category__name"],
            "provider": row["provider__public_id"],
            "provider_name": row["provider__user__full_name"] or row["provider__user__email"],
            "provider_verified": row["provider_verified"],
            "provider_level": row["provider__level"],
            "attributes": row["attributes"],
            "pricing_model": row["pricing_model"],
            "location_type": row["location_type"],
            "currency": row["currency"],
            "price_from": Money(price, row["currency"]).as_dict() if price is not None else None,
            "review_count": row["review_count"],
            "rating_average": float(row["rating_average"]) if row["rating_average"] is not None else None,
            "images": images.get(row["pk"], []),
            "published_at": row["published_at"].isoformat().replace("+00:00", "Z") if row["published_at"] else None,
        }
    return [by_id[pk] for pk in ids if pk in by_id]


def filterable_attributes(category: Category | None) -> dict[str, bool]:
    """Filterable attribute keys of a category and its ancestors (or of every category when none is
    given), each with whether it is multiple choice."""
    definitions = AttributeDefinition.objects.filter(filterable=True)
    if category is not None:
        definitions = definitions.filter(category_id__in=category.path)
    return {key: kind == "multi_choice" for key, kind in definitions.order_by("key").values_list("key", "type")}


def autocomplete(text: str, *, limit: int = 8) -> dict[str, list[str]]:
    """Categories and provider skills that start with, or closely resemble, `text`."""
    from django.contrib.postgres.search import TrigramWordSimilarity

    from marketplace.providers.models import ProviderProfile, ProviderStatus

    text = text.strip()
    if len(text) < 2:
        return {"categories": [], "skills": []}
    categories = list(
        Category.objects.filter(is_active=True)
        .annotate(score=TrigramWordSimilarity(text, "name"))
        .filter(Q(name__istartswith=text) | Q(score__gte=0.4))
        .order_by("-score", "name")
        .values_list("name", flat=True)[:limit]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT skill FROM {ProviderProfile._meta.db_table}, unnest(skills) AS skill "
            "WHERE status = %s AND skill ILIKE %s ORDER BY skill LIMIT %s",
            [ProviderStatus.APPROVED, text.replace("%", r"\%").replace("_", r"\_") + "%", limit],
        )
        skills = [row[0] for row in cursor.fetchall()]
    return {"categories": categories, "skills": skills}


def featured_listing_cards(*, order: str = "top_rated", chosen: list[int] | None = None, limit: int = 6) -> list[dict]:
    """Cards of public listings to feature on a content page: the `chosen` ones (in that order,
    leaving out any that are no longer public), else the best rated or the newest. Three queries,
    whatever the size of the catalogue."""
    from django.db.models import F

    from marketplace.catalogue.selectors import listings_public

    public = listings_public()
    if chosen is not None:
        found = set(public.filter(pk__in=chosen).values_list("pk", flat=True))
        ids = [pk for pk in dict.fromkeys(chosen) if pk in found][:limit]
    else:
        ordering = {
            "top_rated": (F("rating_score").desc(nulls_last=True), "-review_count", "-published_at", "-id"),
            "newest": (F("published_at").desc(nulls_last=True), "-id"),
        }[order]
        ids = list(public.order_by(*ordering).values_list("pk", flat=True)[:limit])
    return listing_card_rows(ids)
