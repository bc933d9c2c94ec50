"""Search on PostgreSQL: weighted full text (title A, description B, stemmed for the marketplace's
locale); when that finds nothing, pg_trgm word similarity on titles catches typos. Filters use
indexed columns; facets are GROUP BYs over the matched set, all in one statement."""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, Exists, FloatField, OuterRef, QuerySet, Value
from django.db.models.expressions import RawSQL

from marketplace.catalogue.models import Category, Listing, LocationType
from marketplace.catalogue.selectors import listings_public
from marketplace.search.backends.base import ListingQuery, ListingResults
from marketplace.search.language import current_text_search_config

# Typos: `text <% title` holds when the text is word-similar to part of the title above
# pg_trgm.word_similarity_threshold, set on every connection by tenants.db_backend.


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
    for key, value, multiple in query.attributes:
        # jsonb containment (GIN-indexed): membership for multiple choice, equality otherwise.
        listings = listings.filter(attributes__contains={key: [value] if multiple else value})
    if query.verified_only:
        from marketplace.providers.models import Badge

        listings = listings.filter(Exists(Badge.objects.filter(profile_id=OuterRef("provider_id"))))
    return listings


class PostgresSearchBackend:
    """One round trip per search: the filtered set is materialised once in a CTE, then the page of
    ids, the total and every facet are read from it."""

    def search_listings(self, query: ListingQuery) -> ListingResults:
        """Full text first; only when it finds nothing, the typo-tolerant match on titles."""
        row = self._run(query, fuzzy=False)
        if row[0] == 0 and query.text.strip():
            row = self._run(query, fuzzy=True)
        total, ids, by_category, by_location, *attribute_facets = row
        public_ids = dict(Category.objects.filter(pk__in=[int(k) for k in by_category]).values_list("pk", "public_id"))
        facets = {
            "category": {public_ids[int(k)]: n for k, n in by_category.items() if int(k) in public_ids},
            "location_type": dict(by_location),
        }
        for key, values in zip(query.facet_attribute_keys, attribute_facets, strict=True):
            facets[f"attributes.{key}"] = dict(values)
        return ListingResults(ids=list(ids), total=total, facets=facets)

    @staticmethod
    def _run(query: ListingQuery, *, fuzzy: bool) -> tuple:
        sql, params = PostgresSearchBackend.statement(query, fuzzy=fuzzy)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()

    @staticmethod
    def statement(query: ListingQuery, *, fuzzy: bool = False) -> tuple[str, list]:
        """The one SQL statement (and its parameters) that answers `query`: full text (GIN on
        search_vector, weighted, stemmed) or, with `fuzzy`, word similarity to titles (GIN trigram)."""
        listings = _filtered(query)
        text = query.text.strip()
        config = current_text_search_config()
        if text and not fuzzy:
            matches = RawSQL(
                "catalogue_listing.search_vector @@ websearch_to_tsquery(%s::regconfig, %s)",
                [config, text],
                output_field=BooleanField(),
            )
            rank = RawSQL(
                "ts_rank_cd(catalogue_listing.search_vector, websearch_to_tsquery(%s::regconfig, %s))",
                [config, text],
                output_field=FloatField(),
            )
            listings = listings.annotate(matches=matches).filter(matches=True).annotate(rank=rank)
        elif text:
            matches = RawSQL("%s <%% catalogue_listing.title", [text], output_field=BooleanField())
            rank = RawSQL("word_similarity(%s, catalogue_listing.title)", [text], output_field=FloatField())
            listings = listings.annotate(matches=matches).filter(matches=True).annotate(rank=rank)
        else:
            listings = listings.annotate(rank=Value(0.0, output_field=FloatField()))
        inner = listings.order_by().values(
            "id", "category_id", "location_type", "attributes", "price_from", "published_at", "rank"
        )
        inner_sql, inner_params = inner.query.sql_with_params()
        order = {
            "price_asc": "price_from ASC NULLS LAST, id ASC",
            "price_desc": "price_from DESC NULLS LAST, id DESC",
            "newest": "published_at DESC NULLS LAST, id DESC",
            "relevance": "rank DESC, published_at DESC NULLS LAST, id DESC",
        }[query.sort]
        facet_sql, facet_params = [], []
        for key in query.facet_attribute_keys:
            facet_sql.append(
                "(SELECT coalesce(json_object_agg(v, n), '{}') FROM (SELECT v, count(*) AS n FROM m, "
                "jsonb_array_elements_text(CASE jsonb_typeof(m.attributes -> %s) WHEN 'array' "
                "THEN m.attributes -> %s ELSE jsonb_build_array(m.attributes -> %s) END) AS v "
                "WHERE v IS NOT NULL GROUP BY v) f)"
            )
            facet_params += [key, key, key]
        sql = (
            f"WITH m AS MATERIALIZED ({inner_sql}) SELECT "
            "(SELECT count(*) FROM m), "
            f"(SELECT coalesce(json_agg(id), '[]') FROM (SELECT id FROM m ORDER BY {order} LIMIT %s OFFSET %s) p), "
            "(SELECT coalesce(json_object_agg(category_id, n), '{}') FROM "
            "(SELECT category_id, count(*) AS n FROM m GROUP BY category_id) c), "
            "(SELECT coalesce(json_object_agg(location_type, n), '{}') FROM "
            "(SELECT location_type, count(*) AS n FROM m GROUP BY location_type) l)"
            + "".join(", " + part for part in facet_sql)
        )
        return sql, [*inner_params, query.limit, query.offset, *facet_params]
