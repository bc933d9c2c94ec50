"""Ratings kept on `Listing` and `ProviderProfile` for pages and search: the number of public client
reviews, the average overall rating and per criterion, and the ranking score (`ranking.py`).

They are recounted from the reviews table (never incremented), inside the transaction that shows or
hides a review, so they always match what the reviews endpoints list."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q

from marketplace.catalogue.models import Listing
from marketplace.providers.models import ProviderProfile
from marketplace.reviews.models import Review, ReviewDirection, ReviewStatus
from marketplace.reviews.ranking import bayesian_score, rounded_average
from marketplace.reviews.selectors import marketplace_rating_mean

_PUBLIC_SQL = "direction = %s AND status = %s AND revealed_at IS NOT NULL"
_PUBLIC_PARAMS = [ReviewDirection.CLIENT_TO_PROVIDER.value, ReviewStatus.VISIBLE.value]


@dataclass
class Summary:
    count: int = 0
    total: int = 0
    average: Decimal | None = None
    criteria: dict[str, float] = field(default_factory=dict)


def _summaries(column: str, ids: list[int] | None) -> dict[int, Summary]:
    """Per value of `column` (provider_id or listing_id; only `ids` when given): count, sum and
    average overall rating, and the average of each criterion, in two grouped queries."""
    assert column in ("provider_id", "listing_id")
    table = Review._meta.db_table
    where, params = _PUBLIC_SQL, list(_PUBLIC_PARAMS)
    if ids is not None:
        where += f" AND {column} = ANY(%s)"
        params.append(ids)
    found: dict[int, Summary] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column}, count(*), sum(overall), avg(overall) FROM {table} WHERE {where} GROUP BY {column}",
            params,
        )
        for key, count, total, average in cursor.fetchall():
            found[key] = Summary(count=count, total=total, average=rounded_average(average))
        cursor.execute(
            f"SELECT {column}, rating.key, avg(rating.value::numeric) FROM {table}, "
            f"jsonb_each_text(ratings) AS rating WHERE {where} GROUP BY {column}, rating.key",
            params,
        )
        for key, criterion, average in cursor.fetchall():
            found[key].criteria[criterion] = float(rounded_average(average))
    return found


FIELDS = ["review_count", "rating_average", "rating_criteria", "rating_score"]


def _values(summary: Summary, mean: Decimal) -> dict:
    return {
        "review_count": summary.count,
        "rating_average": summary.average,
        "rating_criteria": dict(sorted(summary.criteria.items())),
        "rating_score": bayesian_score(count=summary.count, total=summary.total, mean=mean),
    }


def ratings_refresh(*, provider_id: int, listing_id: int) -> None:
    """Recount one provider's and one listing's ratings. The provider's row is locked first so two
    reviews of the same provider shown at once are counted one after the other (the second sees the
    first), in the order booking → provider → listing every reviews service follows."""
    ProviderProfile.objects.select_for_update().filter(pk=provider_id).values_list("pk").get()
    Listing.objects.select_for_update().filter(pk=listing_id).values_list("pk").get()
    mean = marketplace_rating_mean()
    for model, column, pk in ((ProviderProfile, "provider_id", provider_id), (Listing, "listing_id", listing_id)):
        summary = _summaries(column, [pk]).get(pk, Summary())
        model.objects.filter(pk=pk).update(**_values(summary, mean))


@transaction.atomic
def ratings_refresh_all() -> int:
    """Recount every provider's and listing's ratings with today's marketplace mean (the score of a
    listing nobody reviewed lately drifts as the mean moves). The rows are locked first, providers
    then listings like `ratings_refresh`, so a review shown meanwhile is counted by one or the other,
    never overwritten. Only rows that changed are written; returns how many."""
    rows = {}
    for model, column in ((ProviderProfile, "provider_id"), (Listing, "listing_id")):
        reviewed = Review.objects.filter(direction=ReviewDirection.CLIENT_TO_PROVIDER).values(column)
        rows[model] = list(
            model.objects.select_for_update()
            .filter(Q(pk__in=reviewed) | Q(review_count__gt=0))
            .order_by("pk")
            .only("pk", *FIELDS)
        )
    mean = marketplace_rating_mean()
    changed = 0
    for model, column in ((ProviderProfile, "provider_id"), (Listing, "listing_id")):
        summaries = _summaries(column, [row.pk for row in rows[model]])
        stale = []
        for row in rows[model]:
            values = _values(summaries.get(row.pk, Summary()), mean)
            if any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                stale.append(row)
        model.objects.bulk_update(stale, FIELDS, batch_size=500)
        changed += len(stale)
    return changed
