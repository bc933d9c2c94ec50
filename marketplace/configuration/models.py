"""One row of settings per marketplace, edited by its admins."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from marketplace.common.models import TimeStampedModel


class BookingWorkflow(models.TextChoices):
    """Booking workflow presets a category can use (the booking engine implements them)."""

    INSTANT = "instant", "Instant booking"
    REQUEST = "request", "Request to book"
    QUOTE = "quote", "Inquiry → quote → accept"
    MILESTONE = "milestone", "Milestone project"


def all_workflows() -> list[str]:
    return list(BookingWorkflow.values)


class MarketplaceSettings(TimeStampedModel):
    singleton = models.BooleanField(default=True, unique=True, editable=False)  # at most one row
    display_name = models.CharField(max_length=120)
    currency = models.CharField(max_length=3, default="USD")  # ISO 4217; one per marketplace
    time_zone = models.CharField(max_length=64, default="UTC")  # IANA
    locale = models.CharField(max_length=16, default="en")
    # Marketplace commission on each booking, in basis points (1,000 = 10%).
    default_commission_bps = models.PositiveIntegerField(default=1_000)
    listing_moderation = models.BooleanField(default=False)  # new listings wait for review
    provider_verification_required = models.BooleanField(default=True)  # only approved providers publish
    min_price = models.BigIntegerField(default=0)  # minor units of `currency`
    max_price = models.BigIntegerField(null=True, blank=True)  # minor units; None = no maximum
    allowed_workflows = ArrayField(
        models.CharField(max_length=20, choices=BookingWorkflow.choices), default=all_workflows
    )
    review_window_days = models.PositiveSmallIntegerField(default=14)
    dispute_window_days = models.PositiveSmallIntegerField(default=3)
    # Tax on what clients pay, in basis points (2,000 = 20%), copied onto every receipt when issued.
    tax_rate_bps = models.PositiveIntegerField(default=0)
    tax_inclusive = models.BooleanField(default=True)  # prices are shown with tax included
    tax_label = models.CharField(max_length=20, default="VAT")  # e.g. VAT, GST, Sales tax
    # Clients may message a provider about a listing before booking; off → only booking and dispute threads.
    allow_inquiries = models.BooleanField(default=True)
    # E-mail addresses and phone numbers in inquiry (pre-booking) messages become "[hidden until booked]".
    mask_contact_details = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "marketplace settings"
        constraints = [
            models.CheckConstraint(condition=Q(default_commission_bps__lte=10_000), name="settings_commission_max"),
            models.CheckConstraint(condition=Q(min_price__gte=0), name="settings_min_price_positive"),
            models.CheckConstraint(
                condition=Q(max_price__isnull=True) | Q(max_price__gte=F("min_price")), name="settings_price_range"
            ),
            models.CheckConstraint(
                condition=Q(review_window_days__gte=1, review_window_days__lte=90), name="settings_review_window"
            ),
            models.CheckConstraint(condition=Q(dispute_window_days__lte=30), name="settings_dispute_window"),
            models.CheckConstraint(condition=Q(tax_rate_bps__lte=10_000), name="settings_tax_rate_max"),
        ]

    def __str__(self) -> str:
        return self.display_name
