"""Providers: their public profile, the documents they submit, the review, and badges."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from marketplace.common.models import PublicIdField, TimeStampedModel
from tenants.storage import private_storage


class ProviderStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"  # applied; the marketplace's team reviews
    INFO_REQUESTED = "info_requested", "More information requested"  # the applicant must add something
    APPROVED = "approved", "Approved"  # may publish listings
    REJECTED = "rejected", "Rejected"  # may apply again after changing the application


class ReputationLevel(models.TextChoices):
    NEW = "new", "New"  # below the Rising thresholds
    RISING = "rising", "Rising"  # meets the marketplace's Rising thresholds
    TOP_RATED = "top_rated", "Top rated"  # meets the Top rated thresholds


class ProviderProfile(TimeStampedModel):
    public_id = PublicIdField("prv")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_profile")
    status = models.CharField(max_length=20, choices=ProviderStatus.choices, default=ProviderStatus.PENDING)
    headline = models.CharField(max_length=140)
    bio = models.TextField(blank=True)
    skills = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    languages = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    location = models.CharField(max_length=120, blank=True)
    remote = models.BooleanField(default=True)
    decision_reason = models.CharField(max_length=500, blank=True)  # shown to the applicant
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Counters fed by bookings (kept by the booking services).
    completed_bookings = models.PositiveIntegerField(default=0)
    median_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    # Kept by marketplace.reviews: visible client reviews (like Listing's) and the level, recomputed
    # by the `reviews.recompute_levels` job.
    review_count = models.PositiveIntegerField(default=0)
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_criteria = models.JSONField(default=dict, blank=True)
    rating_score = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    level = models.CharField(max_length=20, choices=ReputationLevel.choices, default=ReputationLevel.NEW)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user.email} ({self.status})"


class DocumentKind(models.TextChoices):
    IDENTITY = "identity", "Identity document"
    CREDENTIAL = "credential", "Credential (degree, certificate)"
    LICENCE = "licence", "Professional licence"


def document_path(document, filename: str) -> str:
    return f"provider-documents/{document.profile.public_id}/{document.public_id}"


class VerificationDocument(TimeStampedModel):
    """A private file: never served from a public URL, only through a permission-checked download."""

    public_id = PublicIdField("doc")
    profile = models.ForeignKey(ProviderProfile, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    file = models.FileField(upload_to=document_path, storage=private_storage, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)  # detected from the content, not the name
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.original_name}"


class BadgeKind(models.TextChoices):
    IDENTITY_VERIFIED = "identity_verified", "Identity verified"
    CREDENTIAL_VERIFIED = "credential_verified", "Credential verified"
    LICENCE_VERIFIED = "licence_verified", "Licence verified"


class Badge(TimeStampedModel):
    profile = models.ForeignKey(ProviderProfile, on_delete=models.CASCADE, related_name="badges")
    kind = models.CharField(max_length=30, choices=BadgeKind.choices)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["profile", "kind"], name="badge_once_per_profile")]

    def __str__(self) -> str:
        return self.kind


def portfolio_image_path(item, filename: str) -> str:
    return f"portfolio/{item.profile.public_id}/{filename}"


class PortfolioItem(TimeStampedModel):
    """A piece of past work shown on the public profile, with an optional picture (public, like
    listing images; its thumbnail is made in the background)."""

    public_id = PublicIdField("pfl")
    profile = models.ForeignKey(ProviderProfile, on_delete=models.CASCADE, related_name="portfolio")
    title = models.CharField(max_length=120)
    description = models.CharField(max_length=1000, blank=True)
    link = models.URLField(max_length=500, blank=True)
    position = models.PositiveIntegerField(default=0)
    image = models.FileField(upload_to=portfolio_image_path, max_length=255, blank=True)
    thumbnail = models.FileField(upload_to=portfolio_image_path, max_length=255, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title
