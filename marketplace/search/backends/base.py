"""The search interface every backend implements, with typed requests and responses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

SORTS = ("relevance", "price_asc", "price_desc", "newest", "rating")


@dataclass(frozen=True)
class ListingQuery:
    text: str = ""
    category_ids: tuple[int, ...] = ()  # a category and its descendants, already expanded
    price_min: int | None = None  # minor units, on the cheapest package
    price_max: int | None = None
    location_type: str | None = None  # online | on_site (hybrid listings match both)
    attributes: tuple[tuple[str, str, bool], ...] = ()  # (key, value, multi-choice?) triples, each must hold
    verified_only: bool = False  # providers with at least one verification badge
    levels: tuple[str, ...] = ()  # providers at one of these reputation levels
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20
    facet_attribute_keys: tuple[str, ...] = ()  # filterable attributes to count values of


@dataclass
class ListingResults:
    ids: list[int]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    corrected_text: str | None = None  # the words searched instead, when the typed ones found nothing


class SearchBackend(Protocol):
    def search_listings(self, query: ListingQuery) -> ListingResults: ...
