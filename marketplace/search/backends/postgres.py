"""Search on PostgreSQL: weighted full text (title A, description B, English stemming) plus pg_trgm
word similarity on titles for typos; filters on indexed columns; facets by GROUP BY on the filtered set."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Count, F, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest

from marketplace.catalogue.models import Listing, LocationType
from marketplace.catalogue.selectors import listings_public
from marketplace.search.backends.base import ListingQuery, ListingResults

TYPO_SIMILARITY = 0.45  # word similarity of the query to a title word above which a title matches


def _filtered(query: ListingQuery) -> QuerySet[Listing]:
    listings = listings_public()
    if query.category_ids:
        listings = listings.filter(category_id__in=query.category_ids)
    if query.price_min is not None:
        listings = listings.filter(price_from__gte=query.price_min)
    if query.price_max is not None:
        listings = listings.filter(price_from__lte=query.price_max)
    if query.location_type in (LocationType.ONLINE, LocationType.ON_SITE):
        listings = listings.filter(location_type__in=[query.location_type, LocationType.HYBRID])
    for key, value in query.attributes:
        # Matches a single value or membership in a multi-choice list (jsonb containment, GIN-indexed).
        listings = listings.filter(Q(attributes__contains={key: value}) | Q(attributes__contains={key: [value]}))
    if query.verified_only:
        listings = listings.filter(provider__badges__isnull=False).distinct()
    return listings


class PostgresSearchBackend:
    def search_listings(self, query: ListingQuery) -> ListingResults:
        listings = _filtered(query)
        text = query.text.strip()
        if text:
            ts_query = SearchQuery(text, search_type="websearch", config="english")
            similarity = RawSQL("word_similarity(%s, catalogue_listing.title)", [text], output_field=FloatField())
            listings = listings.annotate(
                rank=Greatest(SearchRank(F("search_vector"), ts_query), Value(0.0)) + Coalesce(similarity, Value(0.0))
            ).filter(
                Q(search_vector=ts_query)
                | Q(
                    pk__in=RawSQL(
                        "SELECT id FROM catalogue_listing WHERE %s <%% title AND word_similarity(%s, title) >= %s",
                        [text, text, TYPO_SIMILARITY],
                    )
                )
            )
        order = {
            "price_asc": ["price_from", "id"],
            "price_desc": ["-price_from", "-id"],
            "newest": ["-published_at", "-id"],
            "relevance": ["-rank", "-published_at", "-id"] if text else ["-published_at", "-id"],
        }[query.sort]
        total = listings.count()
        ids = list(listings.order_by(*order).values_list("id", flat=True)[query.offset : query.offset + query.limit])
        return ListingResults(ids=ids, total=total, facets=self._facets(listings, query))

    @staticmethod
    def _facets(listings: QuerySet[Listing], query: ListingQuery) -> dict[str, dict[str, int]]:
        base = listings.order_by()
        facets: dict[str, dict[str, int]] = {
            "category": {
                str(row["category__public_id"]): row["n"]
                for row in base.values("category__public_id").annotate(n=Count("id", distinct=True))
            },
            "location_type": {
                row["location_type"]: row["n"]
                for row in base.values("location_type").annotate(n=Count("id", distinct=True))
            },
        }
        for key in query.facet_attribute_keys:
            values = (
                base.annotate(
                    value=RawSQL(
                        "jsonb_array_elements_text(CASE jsonb_typeof(catalogue_listing.attributes -> %s) "
                        "WHEN 'array' THEN catalogue_listing.attributes -> %s "
                        "ELSE jsonb_build_array(catalogue_listing.attributes -> %s) END)",
                        [key, key, key],
                    )
                )
                .values("value")
                .annotate(n=Count("id", distinct=True))
            )
            facets[f"attributes.{key}"] = {row["value"]: row["n"] for row in values if row["value"] is not None}
        return facets
