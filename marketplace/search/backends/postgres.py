"""Search on PostgreSQL: weighted full text (title A, description B, provider C; stemmed for the
marketplace's locale). When the words find nothing, each is replaced by the closest word listings
use (pg_trgm over the search lexicon) and the corrected text is searched instead. Text, category and
attribute filters are answered together by one multi-column GIN index; facets are GROUP BYs over
the matched set, all in one statement."""

from __future__ import annotations

import json
from dataclasses import replace

from django.db import connection
from django.db.models import BooleanField, Exists, FloatField, OuterRef, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL

from marketplace.catalogue.models import Category, Listing, LocationType
from marketplace.catalogue.selectors import listings_public
from marketplace.search.backends.base import ListingQuery, ListingResults
from marketplace.search.indexing import corrected_words
from marketplace.search.language import current_text_search_config


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
    if query.levels:
        listings = listings.filter(provider__level__in=query.levels)
    return listings


def _facets(groups: list[dict], attribute_keys: tuple[str, ...]) -> tuple[int, dict[str, dict[str, int]]]:
    """The total and the facet counts from the grouping-set rows of `statement`. Multiple-choice
    values arrive as arrays (grouped as a whole) and count once per element."""
    columns = ["category_id", "location_type", *(f"f{index}" for index in range(len(attribute_keys)))]
    names = ["category", "location_type", *(f"attributes.{key}" for key in attribute_keys)]
    everything = (1 << len(columns)) - 1
    total = 0
    counts: dict[str, dict] = {name: {} for name in names}
    for group in groups:
        if group["k"] == everything:
            total = group["n"]
            continue
        index = next(i for i in range(len(columns)) if group["k"] == everything ^ (1 << (len(columns) - 1 - i)))
        value = group[columns[index]]
        if index >= 2 and value is not None:
            value = json.loads(value)
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                text = item if isinstance(item, str) else json.dumps(item)  # as jsonb prints it: true, 3.5
                bucket = counts[names[index]]
                bucket[text] = bucket.get(text, 0) + group["n"]
    public_ids = dict(
        Category.objects.filter(pk__in=[int(k) for k in counts["category"]]).values_list("pk", "public_id")
    )
    counts["category"] = {public_ids[int(k)]: n for k, n in counts["category"].items() if int(k) in public_ids}
    return total, counts


class PostgresSearchBackend:
    """One round trip per search: the filtered set is materialised once in a CTE, then the page of
    ids, the total and every facet are read from it."""

    def search_listings(self, query: ListingQuery) -> ListingResults:
        """The words as typed first; only when they find nothing, the corrected words."""
        ids, groups = self._run(query)
        total, facets = _facets(groups, query.facet_attribute_keys)
        corrected = None
        if total == 0 and query.text.strip():
            corrected = corrected_words(query.text)
            if corrected is not None:
                ids, groups = self._run(replace(query, text=corrected))
                total, facets = _facets(groups, query.facet_attribute_keys)
        return ListingResults(ids=list(ids), total=total, facets=facets, corrected_text=corrected)

    @staticmethod
    def _run(query: ListingQuery) -> tuple:
        sql, params = PostgresSearchBackend.statement(query)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()

    @staticmethod
    def statement(query: ListingQuery) -> tuple[str, list]:
        """The one SQL statement (and its parameters) that answers `query`."""
        listings = _filtered(query)
        text = query.text.strip()
        config = current_text_search_config()
        if text:
            matches = RawSQL(
                "catalogue_listing.search_vector @@ websearch_to_tsquery(%s::regconfig, %s)",
                [config, text],
                output_field=BooleanField(),
            )
            rank = RawSQL(
                "ts_rank(catalogue_listing.search_vector, websearch_to_tsquery(%s::regconfig, %s))",
                [config, text],
                output_field=FloatField(),
            )
            listings = listings.annotate(matches=matches).filter(matches=True).annotate(rank=rank)
        else:
            listings = listings.annotate(rank=Value(0.0, output_field=FloatField()))
        # Attribute values as their JSON text: hashes faster than jsonb, and reads back unambiguously.
        facet_columns = {
            f"f{index}": RawSQL("(catalogue_listing.attributes -> %s)::text", [key], output_field=TextField())
            for index, key in enumerate(query.facet_attribute_keys)
        }
        inner = listings.order_by().values(
            "id",
            "category_id",
            "location_type",
            "price_from",
            "published_at",
            "rating_score",
            "review_count",
            "rank",
            **facet_columns,
        )
        inner_sql, inner_params = inner.query.sql_with_params()
        order = {
            "price_asc": "price_from ASC NULLS LAST, id ASC",
            "price_desc": "price_from DESC NULLS LAST, id DESC",
            "newest": "published_at DESC NULLS LAST, id DESC",
            "relevance": "rank DESC, published_at DESC NULLS LAST, id DESC",
            # The Bayesian score (marketplace.reviews.ranking); listings nobody reviewed come last.
            "rating": "rating_score DESC NULLS LAST, review_count DESC, id DESC",
        }[query.sort]
        # The total and every facet in one pass over the matched set: one grouping set per facet
        # plus the empty set (the total); GROUPING() tells the rows apart.
        columns = ["category_id", "location_type", *facet_columns]
        listed = ", ".join(columns)
        sets = ", ".join(["()", *(f"({c})" for c in columns)])
        sql = (
            f"WITH m AS MATERIALIZED ({inner_sql}) SELECT "
            f"(SELECT coalesce(json_agg(id), '[]') FROM (SELECT id FROM m ORDER BY {order} LIMIT %s OFFSET %s) p), "
            f"(SELECT json_agg(g) FROM (SELECT GROUPING({listed}) AS k, {listed}, count(*) AS n FROM m "
            f"GROUP BY GROUPING SETS ({sets})) g)"
        )
        return sql, [*inner_params, query.limit, query.offset]
