"""Reviews after a completed booking (one per side, double-blind until both are in or the window
closes), the flags that send a review to moderation, and each marketplace's reputation thresholds."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from marketplace.common.models import PublicIdField, TimeStampedModel


class ReviewDirection(models.TextChoices):
    CLIENT_TO_PROVIDER = "client_to_provider", "The client reviews the provider"  # public; counts in ratings
    PROVIDER_TO_CLIENT = "provider_to_client", "The provider reviews the client"  # shown to the client only


class ReviewStatus(models.TextChoices):
    VISIBLE = "visible", "Visible"  # shown to whoever may see it once revealed
    HIDDEN = "hidden", "Hidden by a moderator"  # only its author (with the reason) and moderators see it


class Review(TimeStampedModel):
    """One side's review of a completed booking. Nobody but its author and moderators sees it until
    `revealed_at`: set when the other side's review arrives, or by the `reviews.reveal_due` job once
    `window_closes_at` has passed."""

    public_id = PublicIdField("rev")
    booking = models.ForeignKey("bookings.Booking", on_delete=models.PROTECT, related_name="reviews")
    direction = models.CharField(max_length=20, choices=ReviewDirection.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_written")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_received")
    # Copied from the booking so a provider's or listing's reviews are one indexed filter.
    provider = models.ForeignKey("providers.ProviderProfile", on_delete=models.PROTECT, related_name="reviews")
    listing = models.ForeignKey("catalogue.Listing", on_delete=models.PROTECT, related_name="reviews")
    overall = models.PositiveSmallIntegerField()  # 1-5 stars
    ratings = models.JSONField(default=dict, blank=True)  # {criterion key: 1-5} of the category's criteria
    text = models.TextField(blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    window_closes_at = models.DateTimeField()  # the booking's completion + the marketplace's review window
    revealed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.VISIBLE)
    moderation_reason = models.CharField(max_length=500, blank=True)  # shown to the author
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    # The reviewed provider's one public answer (client reviews only).
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["provider", "revealed_at"], name="review_provider_revealed"),
            models.Index(fields=["listing", "revealed_at"], name="review_listing_revealed"),
            models.Index(fields=["subject", "created_at"], name="review_subject_created"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["booking", "direction"], name="review_one_per_side"),
            models.CheckConstraint(condition=Q(overall__gte=1, overall__lte=5), name="review_overall_range"),
            models.CheckConstraint(condition=~Q(author=models.F("subject")), name="review_not_of_oneself"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.direction}, {self.overall}/5)"

    @property
    def is_public(self) -> bool:
        """Revealed and not hidden: what the counterpart (and, for client reviews, everyone) sees."""
        return self.revealed_at is not None and self.status == ReviewStatus.VISIBLE


class FlagKind(models.TextChoices):
    REPORTED = "reported", "Reported by a member"
    RECIPROCAL_BOOKINGS = "reciprocal_bookings", "Many short bookings between the two, both ways"
    ZERO_VALUE = "zero_value", "After a free booking"
    REFUNDED = "refunded", "After a refunded booking"
    NEW_ACCOUNT_BURST = "new_account_burst", "One of a burst of reviews from new accounts"


class ReviewFlag(TimeStampedModel):
    """Why a review should be looked at: a member's report or a suspicious pattern found when it was
    submitted. A flag never hides anything; a moderator's decision resolves the open flags."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=30, choices=FlagKind.choices)
    reason = models.CharField(max_length=500)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["resolved_at", "review"], name="flag_open")]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "reporter"], condition=Q(kind="reported"), name="flag_one_report_per_member"
            ),
            models.UniqueConstraint(
                fields=["review", "kind"], condition=~Q(kind="reported"), name="flag_one_signal_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}"


class ReputationSettings(TimeStampedModel):
    """What a provider needs for each level at this marketplace (one row, created with these
    defaults the first time it is read). A provider is Top rated when every `top_*` threshold holds,
    else Rising when every `rising_*` one holds, else New."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    rising_completed_bookings = models.PositiveIntegerField(default=3)
    rising_average_rating = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("4.00"))
    rising_on_time_percent = models.PositiveSmallIntegerField(default=80)
    rising_response_minutes = models.PositiveIntegerField(null=True, blank=True, default=None)  # None: any
    rising_dispute_percent = models.PositiveSmallIntegerField(default=20)  # at most
    rising_account_age_days = models.PositiveIntegerField(default=0)
    top_completed_bookings = models.PositiveIntegerField(default=10)
    top_average_rating = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("4.70"))
    top_on_time_percent = models.PositiveSmallIntegerField(default=95)
    top_response_minutes = models.PositiveIntegerField(null=True, blank=True, default=240)
    top_dispute_percent = models.PositiveSmallIntegerField(default=5)
    top_account_age_days = models.PositiveIntegerField(default=90)

    class Meta:
        verbose_name_plural = "reputation settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(rising_average_rating__gte=1, rising_average_rating__lte=5)
                & Q(top_average_rating__gte=1, top_average_rating__lte=5),
                name="reputation_rating_range",
            ),
            models.CheckConstraint(
                condition=Q(rising_on_time_percent__lte=100, top_on_time_percent__lte=100)
                & Q(rising_dispute_percent__lte=100, top_dispute_percent__lte=100),
                name="reputation_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return "reputation thresholds"
