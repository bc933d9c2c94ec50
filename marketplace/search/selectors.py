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


# Only what `ListingCardSerializer` reads: loading whole rows of four tables costs more than the search.
CARD_FIELDS = (
    *("public_id", "title", "description", "attributes", "pricing_model", "location_type", "currency"),
    *("price_from", "published_at", "created_at", "category__public_id", "category__name"),
    *("provider__public_id", "provider__user__full_name", "provider__user__email"),
)


def listing_cards():
    """What a result card shows: the listing with its category, provider name, whether the provider
    is verified and its images — two queries for any number of results."""
    from marketplace.catalogue.models import Listing
    from marketplace.providers.models import Badge

    return (
        Listing.objects.select_related("category", "provider__user")
        .only(*CARD_FIELDS)
        .annotate(provider_verified=Exists(Badge.objects.filter(profile_id=OuterRef("provider_id"))))
        .prefetch_related("images")
    )


def search_listings(query: ListingQuery) -> tuple[ListingResults, list]:
    results = search_backend().search_listings(query)
    by_id = {listing.pk: listing for listing in listing_cards().filter(pk__in=results.ids)}
    return results, [by_id[pk] for pk in results.ids if pk in by_id]


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
