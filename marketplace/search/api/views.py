from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.catalogue.api.listings import ListingCardSerializer
from marketplace.catalogue.models import LocationType
from marketplace.catalogue.selectors import category_by_public_id, category_descendant_ids
from marketplace.common.errors import ValidationFailed
from marketplace.providers.models import ReputationLevel
from marketplace.search import selectors
from marketplace.search.backends.base import SORTS, ListingQuery

MAX_PAGE_SIZE = 50
# `level=` keeps providers at that reputation level or above.
LEVELS_AT_LEAST = {
    ReputationLevel.NEW: (),
    ReputationLevel.RISING: (ReputationLevel.RISING, ReputationLevel.TOP_RATED),
    ReputationLevel.TOP_RATED: (ReputationLevel.TOP_RATED,),
}


class SearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = ListingCardSerializer(many=True)
    facets = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    corrected_query = serializers.CharField(
        allow_null=True, help_text="the words searched instead when the typed ones found nothing (a typo)"
    )


class AutocompleteSerializer(serializers.Serializer):
    categories = serializers.ListField(child=serializers.CharField())
    skills = serializers.ListField(child=serializers.CharField())


def _parse(params) -> tuple[ListingQuery, int, int]:
    errors: dict[str, list[str]] = {}

    def number(name: str, *, minimum: int = 0, default: int | None = None) -> int | None:
        raw = params.get(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except ValueError:
            errors[name] = ["Use a whole number (prices are in minor units, e.g. 4500 for 45.00)."]
            return default
        if value < minimum:
            errors[name] = [f"Use a number from {minimum}."]
        return value

    category_ids: tuple[int, ...] = ()
    category = None
    if params.get("category"):
        category = category_by_public_id(params["category"])
        if category is None:
            errors["category"] = ["No such category."]
        else:
            category_ids = tuple(category_descendant_ids(category))
    sort = params.get("sort") or "relevance"
    if sort not in SORTS:
        errors["sort"] = [f"Choose one of: {', '.join(SORTS)}."]
    location = params.get("location_type") or None
    if location is not None and location not in (LocationType.ONLINE, LocationType.ON_SITE):
        errors["location_type"] = ["Choose online or on_site."]
    price_min, price_max = number("price_min"), number("price_max")
    if price_min is not None and price_max is not None and price_max < price_min:
        errors["price_max"] = ["Must not be below price_min."]
    page = number("page", minimum=1, default=1) or 1
    page_size = min(number("page_size", minimum=1, default=20) or 20, MAX_PAGE_SIZE)
    filterable = selectors.filterable_attributes(category)
    attributes = []
    for name, value in params.items():
        if name.startswith("attr."):
            key = name[5:]
            if key not in filterable:
                errors[name] = [f"Not a filterable attribute here; use one of: {', '.join(filterable) or 'none'}."]
            else:
                attributes.append((key, value, filterable[key]))
    level = params.get("level") or None
    if level is not None and level not in LEVELS_AT_LEAST:
        errors["level"] = [f"Choose one of: {', '.join(LEVELS_AT_LEAST)}."]
    text = (params.get("q") or "").strip()
    if len(text) > 200:
        errors["q"] = ["Use at most 200 characters."]
    if errors:
        raise ValidationFailed("Some search parameters are invalid: " + ", ".join(sorted(errors)) + ".", fields=errors)
    query = ListingQuery(
        text=text,
        category_ids=category_ids,
        price_min=price_min,
        price_max=price_max,
        location_type=location,
        attributes=tuple(attributes),
        verified_only=params.get("verified") in ("1", "true"),
        levels=LEVELS_AT_LEAST.get(level, ()),
        sort=sort,
        offset=(page - 1) * page_size,
        limit=page_size,
        facet_attribute_keys=tuple(filterable if category else ()),
    )
    return query, page, page_size


class ListingSearchView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Search active listings: full text with typo tolerance, filters, facets, sorting",
        parameters=[
            OpenApiParameter(
                "q", str, description="words to find (typos corrected when the words as typed find nothing)"
            ),
            OpenApiParameter("category", str, description="category id; its descendants are included"),
            OpenApiParameter("price_min", int, description="minor units, on the cheapest package"),
            OpenApiParameter("price_max", int),
            OpenApiParameter("location_type", str, enum=["online", "on_site"]),
            OpenApiParameter("verified", bool, description="only providers with a verification badge"),
            OpenApiParameter(
                "level",
                str,
                enum=[level.value for level in LEVELS_AT_LEAST],
                description="providers at this reputation level or above (rising includes top_rated)",
            ),
            OpenApiParameter(
                "sort", str, enum=list(SORTS), description="rating: by the Bayesian rating score, unreviewed last"
            ),
            OpenApiParameter("attr.<key>", str, description="filterable attribute value, e.g. attr.level=Advanced"),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: SearchResponseSerializer},
    )
    def get(self, request):
        query, page, page_size = _parse(request.query_params)
        results, listings = selectors.search_listings(query)
        return Response(
            {
                "count": results.total,
                "page": page,
                "page_size": page_size,
                "results": listings,  # cards as ListingCardSerializer describes them
                "facets": results.facets,
                "corrected_query": results.corrected_text,
            }
        )


class AutocompleteView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("q", str)],
        responses={200: AutocompleteSerializer},
        summary="Categories and skills for a search box",
    )
    def get(self, request):
        return Response(selectors.autocomplete(request.query_params.get("q", "")))
