"""Writing reviews: submit (one per side of a completed booking, inside the review window), edit,
the provider's response, reports, moderation, the reveal, and each category's rating criteria.

Double-blind: a review is revealed to the other side (and, for client reviews, to everyone) when
the other side's review arrives, or by the `reviews.reveal_due` job once the window has closed —
never earlier, so neither side can answer the other's stars. Ratings on listings and providers are
recounted in the same transaction as a review becomes visible or hidden.

Every service that changes reviews locks the booking's row first, then the review, then the provider
and the listing (`aggregates.ratings_refresh`): one order, so two of them never wait on each other."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.permissions import require
from marketplace.audit.services import audit_record
from marketplace.bookings.models import Booking
from marketplace.bookings.selectors import bookings_visible_to
from marketplace.catalogue.models import Category
from marketplace.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from marketplace.notifications.events import review_received, reviews_revealed
from marketplace.reviews.aggregates import ratings_refresh
from marketplace.reviews.models import FlagKind, Review, ReviewDirection, ReviewFlag, ReviewStatus
from marketplace.reviews.selectors import criteria_rated, review_window_closes_at, reviews_visible_to
from marketplace.reviews.suspicion import review_flags_detect

EDIT_HOURS = 48  # an author may correct a review this long after submitting it, while it is still blind
TEXT_MAX = 5_000
RESPONSE_MAX = 2_000
REASON_MAX = 500
CRITERIA_MAX = 8
CRITERION_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
REVIEW_FIELDS = {"overall", "ratings", "text"}


def _stars(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


def _checked(*, overall: Any, ratings: Any, text: Any, criteria: list[dict], direction: str) -> dict:
    """The review's values, or every problem at once as field errors (`ratings.<key>` per criterion)."""
    errors: dict[str, list[str]] = {}
    if not _stars(overall):
        errors["overall"] = ["Give 1 to 5 stars (a whole number)."]
    ratings = {} if ratings is None else ratings
    if not isinstance(ratings, dict):
        errors["ratings"] = ["Send an object of criterion: stars."]
        ratings = {}
    elif direction == ReviewDirection.PROVIDER_TO_CLIENT and ratings:
        errors["ratings"] = ["Providers rate clients with the overall stars only."]
    else:
        keys = [c["key"] for c in criteria]
        for key in keys:
            if key not in ratings:
                errors[f"ratings.{key}"] = ["Rate this too (1 to 5 stars)."]
            elif not _stars(ratings[key]):
                errors[f"ratings.{key}"] = ["Give 1 to 5 stars (a whole number)."]
        for key in sorted(set(ratings) - set(keys)):
            errors[f"ratings.{key}"] = [f"Not rated here; rate: {', '.join(keys) or 'only the overall stars'}."]
    if not isinstance(text, str) or len(text) > TEXT_MAX:
        errors["text"] = [f"Use at most {TEXT_MAX:,} characters."]
    if errors:
        raise ValidationFailed("The review could not be saved: " + ", ".join(sorted(errors)) + ".", fields=errors)
    return {"overall": overall, "ratings": ratings, "text": text.strip()}


def _reason(reason: Any, *, what: str = "Say why") -> str:
    if not isinstance(reason, str) or not reason.strip() or len(reason) > REASON_MAX:
        raise ValidationFailed(f"{what}.", fields={"reason": [f"Give a reason of 1 to {REASON_MAX} characters."]})
    return reason.strip()


def _reveal(reviews: list[Review], *, now: datetime) -> None:
    """Show the booking's `reviews` to the other side and, for client reviews, to everyone."""
    shown = [r for r in reviews if r.revealed_at is None]
    for review in shown:
        review.revealed_at = now
        review.save(update_fields=["revealed_at", "updated_at"])
    reviews_revealed(shown)  # each person reviewed may now read what was written
    public = [r for r in shown if r.is_public and r.direction == ReviewDirection.CLIENT_TO_PROVIDER]
    if public:
        ratings_refresh(provider_id=public[0].provider_id, listing_id=public[0].listing_id)


def _locked(review: Review) -> Review:
    """The review, re-read under its booking's lock and its own (in that order)."""
    Booking.objects.select_for_update().filter(pk=review.booking_id).values_list("pk").get()
    return Review.objects.select_for_update().select_related("booking", "listing__category").get(pk=review.pk)


def _visible(viewer, review_id: str) -> Review:
    review = reviews_visible_to(viewer).filter(public_id=review_id).first()
    if review is None:
        raise NotFound("No such review.")
    return review


@transaction.atomic
def review_submit(
    *, author, booking_id: str, overall: Any, ratings: Any = None, text: Any = "", now: datetime | None = None
) -> Review:
    """`author`'s review of the other side of their completed booking: the client reviews the
    provider (overall stars and the category's criteria), the provider the client (overall only).
    The second review of a booking reveals both."""
    now = now or timezone.now()
    found = bookings_visible_to(author).filter(public_id=booking_id).first() if author.is_authenticated else None
    if found is None:
        raise NotFound("No such booking.")
    booking = Booking.objects.select_for_update().select_related("provider__user", "listing__category").get(pk=found.pk)
    if booking.state != "completed":
        raise Conflict(
            f"Only a completed booking can be reviewed; this one is {booking.state}.", code="booking_not_completed"
        )
    mine = ReviewDirection.CLIENT_TO_PROVIDER if booking.client_id == author.pk else ReviewDirection.PROVIDER_TO_CLIENT
    written = list(Review.objects.filter(booking=booking))
    if any(r.direction == mine for r in written):
        raise Conflict("You have already reviewed this booking; edit your review instead.", code="already_reviewed")
    closes_at = review_window_closes_at(booking, written)
    if now >= closes_at or any(r.revealed_at for r in written):
        raise Conflict(
            f"The review window closed on {closes_at:%Y-%m-%d %H:%M} UTC.",
            code="review_window_closed",
            fields={"window_closes_at": [closes_at.isoformat()]},
        )
    criteria = criteria_rated(booking.listing, mine)
    values = _checked(overall=overall, ratings=ratings, text=text, criteria=criteria, direction=mine)
    review = Review.objects.create(
        booking=booking,
        direction=mine,
        author=author,
        subject=booking.provider.user if mine == ReviewDirection.CLIENT_TO_PROVIDER else booking.client,
        provider=booking.provider,
        listing=booking.listing,
        window_closes_at=closes_at,
        **values,
    )
    if written:
        _reveal([*written, review], now=now)
    else:
        review_received(review)  # the other side hears a review exists (not what it says)
    review_flags_detect(review, now=now)
    return review


def review_editable_until(review: Review) -> datetime | None:
    """Until when its author may still change the review: 48 hours after submitting, and only while
    it is blind (once revealed the other side has read it, and an answer to it must not be possible)."""
    if review.revealed_at is not None:
        return None
    return review.created_at + timedelta(hours=EDIT_HOURS)


@transaction.atomic
def review_edit(*, actor, review_id: str, changes: dict[str, Any], now: datetime | None = None) -> Review:
    """Change the overall stars, ratings or text of one's own review while it may still change."""
    now = now or timezone.now()
    review = _visible(actor, review_id)
    if review.author_id != actor.pk:
        raise PermissionDenied("Only its author can edit a review.")
    review = _locked(review)
    if unknown := sorted(set(changes) - REVIEW_FIELDS):
        raise ValidationFailed(
            "Only overall, ratings and text can be changed.",
            fields={name: ["This field does not exist or cannot be changed."] for name in unknown},
        )
    until = review_editable_until(review)
    if until is None or now >= until:
        raise Conflict(
            "A review can be edited for 48 hours after submitting it, while the other side has not seen it.",
            code="review_not_editable",
        )
    # New ratings answer the category's criteria of today; kept ones the criteria they were given for.
    if "ratings" in changes:
        criteria = criteria_rated(review.listing, review.direction)
    else:
        criteria = [{"key": key} for key in review.ratings]
    merged = {"overall": review.overall, "ratings": review.ratings, "text": review.text, **changes}
    values = _checked(**merged, criteria=criteria, direction=review.direction)
    for name, value in values.items():
        setattr(review, name, value)
    review.edited_at = now
    review.save(update_fields=[*values, "edited_at", "updated_at"])
    return review


@transaction.atomic
def review_respond(*, actor, review_id: str, text: Any, now: datetime | None = None) -> Review:
    """The reviewed provider's one public answer to a client's review, once it is revealed."""
    review = _visible(actor, review_id)
    if review.direction != ReviewDirection.CLIENT_TO_PROVIDER or review.subject_id != actor.pk:
        raise PermissionDenied("Only the reviewed provider can respond to a review.")
    review = _locked(review)
    if not review.is_public:
        raise Conflict("You can respond once the review is published.", code="review_not_public")
    if review.responded_at is not None:
        raise Conflict("You have already responded to this review.", code="already_responded")
    if not isinstance(text, str) or not text.strip() or len(text) > RESPONSE_MAX:
        raise ValidationFailed("Write your response.", fields={"text": [f"Use 1 to {RESPONSE_MAX:,} characters."]})
    review.response, review.responded_at = text.strip(), now or timezone.now()
    review.save(update_fields=["response", "responded_at", "updated_at"])
    audit_record(actor=actor, action="review.responded", target=review, after={"response": review.response})
    return review


@transaction.atomic
def review_report(*, actor, review_id: str, reason: Any) -> ReviewFlag:
    """A member asks the moderators to look at a review they can see (once per member)."""
    review = _visible(actor, review_id)
    if review.author_id == actor.pk:
        raise PermissionDenied("You cannot report your own review; edit it instead.")
    reason = _reason(reason, what="Say what is wrong with the review")
    review = _locked(review)
    if review.flags.filter(kind=FlagKind.REPORTED, reporter=actor).exists():
        raise Conflict("You have already reported this review.", code="already_reported")
    flag = ReviewFlag.objects.create(review=review, kind=FlagKind.REPORTED, reason=reason, reporter=actor)
    audit_record(actor=actor, action="review.reported", target=review, reason=reason)
    return flag


# action: (from, to)
MODERATION = {
    "hide": (ReviewStatus.VISIBLE, ReviewStatus.HIDDEN),
    "restore": (ReviewStatus.HIDDEN, ReviewStatus.VISIBLE),
}


@transaction.atomic
def review_moderate(*, actor, review_id: str, action: Any, reason: Any, now: datetime | None = None) -> Review:
    """Hide a review or show it again (admins and moderators), with a reason its author sees. Open
    flags are resolved; ratings are recounted when a published client review changes."""
    require(actor, "reviews.moderate")
    now = now or timezone.now()
    review = _visible(actor, review_id)
    if action not in MODERATION:
        raise ValidationFailed("Choose hide or restore.", fields={"action": ["Choose hide or restore."]})
    reason = _reason(reason, what="Say why; the author will see it")
    review = _locked(review)
    source, target = MODERATION[action]
    if review.status != source:
        raise Conflict(f"This review is already {review.status}.", code="invalid_transition")
    review.status, review.moderation_reason = target, reason
    review.moderated_by, review.moderated_at = actor, now
    review.save(update_fields=["status", "moderation_reason", "moderated_by", "moderated_at", "updated_at"])
    review.flags.filter(resolved_at__isnull=True).update(resolved_at=now, resolved_by=actor)
    if review.revealed_at is not None and review.direction == ReviewDirection.CLIENT_TO_PROVIDER:
        ratings_refresh(provider_id=review.provider_id, listing_id=review.listing_id)
    audit_record(
        actor=actor,
        action=f"review.{'hidden' if action == 'hide' else 'restored'}",
        target=review,
        before={"status": source},
        after={"status": target},
        reason=reason,
    )
    return review


@transaction.atomic
def review_flags_dismiss(*, actor, review_id: str, reason: Any, now: datetime | None = None) -> Review:
    """Keep a flagged review as it is (admins and moderators): its open flags are resolved with the
    reason, audited; nothing about the review changes."""
    require(actor, "reviews.moderate")
    review = _visible(actor, review_id)
    reason = _reason(reason, what="Say why the review stays as it is")
    review = _locked(review)
    dismissed = review.flags.filter(resolved_at__isnull=True).update(
        resolved_at=now or timezone.now(), resolved_by=actor
    )
    if not dismissed:
        raise Conflict("This review has no open flags.", code="no_open_flags")
    audit_record(actor=actor, action="review.flags_dismissed", target=review, after={"flags": dismissed}, reason=reason)
    return review


def reviews_reveal_due(*, now: datetime | None = None) -> int:
    """Reveal every review whose window has closed without the other side's review (the beat job
    `reviews.reveal_due`). Each booking in its own transaction, re-checked under its lock: running
    twice reveals nothing new. Returns how many reviews were revealed."""
    now = now or timezone.now()
    due = Review.objects.filter(revealed_at__isnull=True, window_closes_at__lte=now)
    revealed = 0
    for booking_id in due.order_by("booking_id").values_list("booking_id", flat=True).distinct():
        with transaction.atomic():
            Booking.objects.select_for_update().filter(pk=booking_id).values_list("pk").get()
            reviews = list(due.filter(booking_id=booking_id).select_for_update())
            _reveal(reviews, now=now)
            revealed += len(reviews)
    return revealed


def _criteria_checked(criteria: Any) -> list[dict] | None:
    if criteria is None:
        return None
    errors: dict[str, list[str]] = {}
    if not isinstance(criteria, list) or len(criteria) > CRITERIA_MAX:
        message = f"List up to {CRITERIA_MAX} criteria, or null to inherit."
        raise ValidationFailed("Send a list of criteria.", fields={"criteria": [message]})
    cleaned = []
    for index, item in enumerate(criteria):
        key = item.get("key") if isinstance(item, dict) else None
        label = item.get("label") if isinstance(item, dict) else None
        if not isinstance(key, str) or not CRITERION_KEY.match(key) or key in [c["key"] for c in cleaned]:
            errors[f"criteria.{index}.key"] = ["Use a unique key of lowercase letters, digits and _, e.g. value."]
        elif not isinstance(label, str) or not 1 <= len(label.strip()) <= 60:
            errors[f"criteria.{index}.label"] = ["Use a label of 1 to 60 characters."]
        else:
            cleaned.append({"key": key, "label": label.strip()})
    if errors:
        raise ValidationFailed("Some criteria are invalid: " + ", ".join(sorted(errors)) + ".", fields=errors)
    return cleaned


@transaction.atomic
def review_criteria_set(*, actor, category_id: str, criteria: Any) -> Category:
    """What clients rate in a category and below (besides the overall stars); None inherits the
    parent's. Reviews already written keep the ratings they were given."""
    require(actor, "reviews.configure")
    category = Category.objects.select_for_update().filter(public_id=category_id).first()
    if category is None:
        raise NotFound("No such category.")
    cleaned = _criteria_checked(criteria)
    before = category.review_criteria
    if cleaned != before:
        category.review_criteria = cleaned
        category.save(update_fields=["review_criteria", "updated_at"])
        audit_record(
            actor=actor,
            action="category.review_criteria_changed",
            target=category,
            before={"review_criteria": before},
            after={"review_criteria": cleaned},
        )
    return category
