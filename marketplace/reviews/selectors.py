"""Reads for reviews: who may see which review (double-blind until revealed), a category's criteria
(inherited down the tree), when a booking was completed, flagged reviews, reputation thresholds."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Avg, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.permissions import can
from marketplace.bookings.models import Booking, BookingEvent
from marketplace.catalogue.models import Category
from marketplace.catalogue.selectors import category_ancestors
from marketplace.reviews.models import (
    ReputationSettings,
    Review,
    ReviewDirection,
    ReviewFlag,
    ReviewStatus,
)
from marketplace.reviews.ranking import NEUTRAL_MEAN

# Client reviews everyone may read: revealed and not hidden. Ratings are computed from these only.
PUBLIC_CLIENT_REVIEWS = Q(direction=ReviewDirection.CLIENT_TO_PROVIDER, status=ReviewStatus.VISIBLE) & Q(
    revealed_at__isnull=False
)


def _reviews() -> QuerySet[Review]:
    return Review.objects.select_related("author", "subject", "provider", "listing", "booking")


def reviews_visible_to(viewer) -> QuerySet[Review]:
    """Reviews `viewer` may read. Moderators: all of them, at any time. Authors: their own, hidden
    ones included (with the reason). Anyone else: revealed, visible client reviews, and a provider's
    review of a client only to that client."""
    reviews = _reviews()
    if viewer.is_authenticated and can(viewer, "reviews.moderate"):
        return reviews
    shown = PUBLIC_CLIENT_REVIEWS
    if viewer.is_authenticated:
        shown |= Q(author=viewer) | Q(subject=viewer, status=ReviewStatus.VISIBLE, revealed_at__isnull=False)
    return reviews.filter(shown)


def provider_reviews(provider) -> QuerySet[Review]:
    """A provider's public reviews, newest first."""
    return _reviews().filter(PUBLIC_CLIENT_REVIEWS, provider=provider).order_by("-revealed_at", "-id")


def listing_reviews(listing) -> QuerySet[Review]:
    return _reviews().filter(PUBLIC_CLIENT_REVIEWS, listing=listing).order_by("-revealed_at", "-id")


def booking_reviews_visible_to(viewer, booking: Booking) -> list[Review]:
    return list(reviews_visible_to(viewer).filter(booking=booking).order_by("direction"))


def category_review_criteria(category: Category) -> tuple[list[dict], Category | None]:
    """The criteria clients rate in `category` (besides the overall stars) and the category they
    come from: its own, else the nearest ancestor's that sets them. None anywhere: overall only."""
    for ancestor in reversed(category_ancestors(category)):
        if ancestor.review_criteria is not None:
            return ancestor.review_criteria, ancestor
    return [], None


def criteria_rated(listing, direction: str) -> list[dict]:
    """What a review in `direction` of a booking of `listing` rates besides the overall stars:
    the category's criteria for clients; nothing for providers, who rate clients overall only."""
    if direction == ReviewDirection.PROVIDER_TO_CLIENT:
        return []
    return category_review_criteria(listing.category)[0]


def booking_completed_at(booking: Booking) -> datetime:
    """When the booking was completed: the timeline's (last) move to `completed`, which is what the
    booking engine writes for every completion, manual or by a timer. A booking without one (put
    there outside the engine) counts from its last update."""
    event = (
        BookingEvent.objects.filter(booking=booking, to_state="completed").order_by("-at").values_list("at", flat=True)
    )
    return event.first() or booking.updated_at


def review_window_closes_at(booking: Booking, reviews: list[Review]) -> datetime:
    """When the booking's review window closes: as stamped on a review already written (so both
    sides share one deadline), else its completion plus the marketplace's `review_window_days`."""
    from marketplace.configuration.selectors import marketplace_settings

    if reviews:
        return reviews[0].window_closes_at
    return booking_completed_at(booking) + timedelta(days=marketplace_settings().review_window_days)


def review_form_for(viewer, booking: Booking, *, now: datetime | None = None) -> dict:
    """What a party of `booking` may still do: whether they can review it, until when, and the
    criteria they rate (clients rate the category's criteria; providers only the overall stars)."""
    written = list(Review.objects.filter(booking=booking))
    mine = ReviewDirection.CLIENT_TO_PROVIDER if booking.client_id == viewer.pk else ReviewDirection.PROVIDER_TO_CLIENT
    if booking.state != "completed":
        return {"can_review": False, "window_closes_at": None, "criteria": []}
    closes_at = review_window_closes_at(booking, written)
    blind = not any(r.revealed_at for r in written)
    can_review = blind and (now or timezone.now()) < closes_at and all(r.direction != mine for r in written)
    return {"can_review": can_review, "window_closes_at": closes_at, "criteria": criteria_rated(booking.listing, mine)}


def marketplace_rating_mean() -> Decimal:
    """The mean overall rating of every public client review (the `m` of the ranking score)."""
    mean = Review.objects.filter(PUBLIC_CLIENT_REVIEWS).aggregate(mean=Avg("overall"))["mean"]
    return NEUTRAL_MEAN if mean is None else Decimal(mean)


def flagged_reviews(*, resolved: bool = False) -> QuerySet[Review]:
    """Reviews with flags waiting for a moderator (or, `resolved`, whose flags were all dealt with),
    newest first, each with its flags."""
    open_flags = ReviewFlag.objects.filter(review=OuterRef("pk"), resolved_at__isnull=True)
    reviews = _reviews().annotate(open=Exists(open_flags))
    reviews = reviews.filter(flags__isnull=False, open=False) if resolved else reviews.filter(open=True)
    return (
        reviews.distinct()
        .prefetch_related(Prefetch("flags", queryset=ReviewFlag.objects.select_related("reporter")))
        .order_by("-created_at", "-id")
    )


def reputation_settings() -> ReputationSettings:
    """The marketplace's level thresholds (created with the defaults the first time they are read)."""
    found = ReputationSettings.objects.first()
    if found is not None:
        return found
    found, _ = ReputationSettings.objects.get_or_create(singleton=True)
    return found


def hidden_reviews() -> QuerySet[Review]:
    """Reviews moderators hid, most recently hidden first, each with its flags (to restore one)."""
    return (
        _reviews()
        .filter(status=ReviewStatus.HIDDEN)
        .prefetch_related(Prefetch("flags", queryset=ReviewFlag.objects.select_related("reporter")))
        .order_by("-moderated_at", "-id")
    )


def public_client_reviews() -> QuerySet[Review]:
    """Client reviews anyone may read (revealed, not hidden)."""
    return Review.objects.filter(PUBLIC_CLIENT_REVIEWS)


def testimonials(*, chosen: list[int] | None = None, limit: int = 3) -> list[dict]:
    """Public client reviews with words, to quote on a content page: the `chosen` ones (in that
    order, leaving out any no longer public) or the best rated, newest first among equals. Only
    reviews of approved providers; the author is shown by first name and initial. One query."""
    from marketplace.providers.models import ProviderStatus

    reviews = public_client_reviews().exclude(text="").filter(provider__status=ProviderStatus.APPROVED)
    if chosen is not None:
        reviews = reviews.filter(pk__in=chosen)
    else:
        reviews = reviews.order_by("-overall", "-revealed_at", "-id")[:limit]
    rows = {
        row["pk"]: row
        for row in reviews.values(
            "pk",
            "public_id",
            "overall",
            "text",
            "revealed_at",
            "author__full_name",
            "provider__public_id",
            "provider__user__full_name",
            "listing__title",
        )
    }
    order_of = list(dict.fromkeys(chosen))[:limit] if chosen is not None else list(rows)
    quotes = []
    for pk in order_of:
        if pk not in rows:
            continue
        row = rows[pk]
        names = (row["author__full_name"] or "").split()
        author = f"{names[0]} {names[-1][0]}." if len(names) > 1 else (names[0] if names else "")
        quotes.append(
            {
                "id": row["public_id"],
                "overall": row["overall"],
                "text": row["text"],
                "revealed_at": row["revealed_at"],
                "author": author,
                "provider": row["provider__public_id"],
                "provider_name": row["provider__user__full_name"],
                "listing_title": row["listing__title"],
            }
        )
    return quotes
