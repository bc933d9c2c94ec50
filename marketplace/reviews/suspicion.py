"""Patterns that make a review worth a moderator's look, checked when it is submitted: two members
trading many short bookings both ways (a review ring), a review of a free or refunded booking, and
a burst of reviews of one member from freshly made accounts. Each adds a flag with the reason;
nothing is hidden or deleted automatically, a moderator decides."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F, Q, Sum

from marketplace.bookings.models import Booking, MoneyIntent
from marketplace.common.money import Money
from marketplace.reviews.models import FlagKind, Review, ReviewFlag

RECIPROCAL_LOOKBACK = timedelta(days=90)
SHORT_SESSION = timedelta(minutes=30)  # a session this short is cheap to fake
RECIPROCAL_MIN_SHORT = 3  # short bookings between the two (either way) within the lookback
NEW_ACCOUNT_AGE = timedelta(days=7)  # an account this young when it reviewed is "new"
BURST_WINDOW = timedelta(hours=24)
BURST_SIZE = 3  # reviews of one member from new accounts within the window


def _reciprocal(review: Review, now: datetime) -> str | None:
    pair = Booking.objects.filter(created_at__gte=now - RECIPROCAL_LOOKBACK).filter(
        Q(client=review.author, provider__user=review.subject) | Q(client=review.subject, provider__user=review.author)
    )
    both_ways = pair.filter(client=review.author).exists() and pair.filter(client=review.subject).exists()
    if not both_ways:
        return None
    short = pair.filter(starts_at__isnull=False, ends_at__lte=F("starts_at") + SHORT_SESSION).count()
    if short < RECIPROCAL_MIN_SHORT:
        return None
    return (
        f"The two have booked each other both ways, with {short} sessions of at most "
        f"{SHORT_SESSION // timedelta(minutes=1)} minutes in the last {RECIPROCAL_LOOKBACK.days} days."
    )


def _burst(review: Review, now: datetime) -> list[Review]:
    """The reviews of the burst `review` belongs to, or none."""
    if review.author.created_at < review.created_at - NEW_ACCOUNT_AGE:
        return []
    burst = list(
        Review.objects.filter(
            subject=review.subject,
            created_at__gte=now - BURST_WINDOW,
            author__created_at__gte=F("created_at") - NEW_ACCOUNT_AGE,
        )
    )
    return burst if len(burst) >= BURST_SIZE else []


def review_flags_detect(review: Review, *, now: datetime) -> list[ReviewFlag]:
    """Flag `review` (and the rest of a burst it completes) for every pattern it fits."""
    booking = review.booking
    found: list[tuple[Review, str, str]] = []
    if booking.price == 0:
        found.append((review, FlagKind.ZERO_VALUE, "The booking was free."))
    refunded = MoneyIntent.objects.filter(booking=booking, kind="refund", amount__gt=0).aggregate(total=Sum("amount"))
    if refunded["total"]:
        amount = Money(refunded["total"], booking.currency).format()
        found.append((review, FlagKind.REFUNDED, f"{amount} of the booking was refunded."))
    if reason := _reciprocal(review, now):
        found.append((review, FlagKind.RECIPROCAL_BOOKINGS, reason))
    burst = _burst(review, now)
    for member in burst:
        reason = (
            f"One of {len(burst)} reviews of the same member within {BURST_WINDOW // timedelta(hours=1)} hours "
            f"from accounts less than {NEW_ACCOUNT_AGE.days} days old."
        )
        found.append((member, FlagKind.NEW_ACCOUNT_BURST, reason))
    return [
        ReviewFlag.objects.get_or_create(review=target, kind=kind, defaults={"reason": reason})[0]
        for target, kind, reason in found
    ]
