"""The category tree and the custom attributes listings in a category fill."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from marketplace.common.models import PublicIdField, TimeStampedModel
from marketplace.configuration.models import BookingWorkflow


class Category(TimeStampedModel):
    public_id = PublicIdField("cat")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    icon = models.CharField(max_length=64, blank=True)  # an icon name from the bundled set
    position = models.PositiveIntegerField(default=0)  # order among siblings
    is_active = models.BooleanField(default=True)
    # Marketplace commission for bookings in this category, in basis points; None = inherit.
    commission_bps = models.PositiveIntegerField(null=True, blank=True)
    # Booking workflow preset for this category; None = inherit from the parent.
    workflow = models.CharField(max_length=20, choices=BookingWorkflow.choices, null=True, blank=True)
    # Timer lengths and cancellation policy for bookings here and below (see bookings.workflows).
    booking_settings = models.JSONField(default=dict, blank=True)
    # What clients rate besides the overall stars, e.g. [{"key": "communication", "label": "Communication"}];
    # None = inherit from the parent (see marketplace.reviews.selectors.category_review_criteria).
    review_criteria = models.JSONField(null=True, blank=True)
    # Ids from the root down to this category, e.g. [3, 8, 21]: descendants share the prefix.
    path = ArrayField(models.BigIntegerField(), default=list, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "categories"
        indexes = [models.Index(fields=["parent", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(commission_bps__isnull=True) | Q(commission_bps__lte=10_000), name="category_commission_max"
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="category_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(len(self.path) - 1, 0)


class AttributeType(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    CHOICE = "choice", "Single choice"
    MULTI_CHOICE = "multi_choice", "Multiple choice"
    BOOLEAN = "boolean", "Yes / no"
    DATE = "date", "Date"


class AttributeDefinition(TimeStampedModel):
    """A field that listings in `category` (and its descendants) must or may fill."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="attributes")
    key = models.SlugField(max_length=60)  # stable name in listing data and search filters
    label = models.CharField(max_length=120)
    type = models.CharField(max_length=20, choices=AttributeType.choices)
    required = models.BooleanField(default=False)
    filterable = models.BooleanField(default=False)  # offered as a search filter and facet
    unit = models.CharField(max_length=20, blank=True)  # numbers: "years", "hours", "pages"
    min_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)  # choice types: ["online", "in-person", ...]
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["category_id", "position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["category", "key"], name="attribute_key_unique_per_category"),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(max_value__gte=models.F("min_value")),
                name="attribute_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.key}"


class PricingModel(models.TextChoices):
    FIXED = "fixed", "Fixed price"
    HOURLY = "hourly", "Per hour"
    SESSION = "session", "Per session"


class LocationType(models.TextChoices):
    ONLINE = "online", "Online"
    ON_SITE = "on_site", "On site"
    HYBRID = "hybrid", "Online or on site"


class ListingStatus(models.TextChoices):
    DRAFT = "draft", "Draft"  # being written; only its provider sees it
    PENDING_REVIEW = "pending_review", "Waiting for review"  # submitted while moderation is on
    ACTIVE = "active", "Active"  # public and bookable
    PAUSED = "paused", "Paused"  # hidden by its provider for now
    REJECTED = "rejected", "Rejected"  # turned down by a moderator (with a reason)
    ARCHIVED = "archived", "Archived"  # retired for good


class Listing(TimeStampedModel):
    public_id = PublicIdField("lst")
    provider = models.ForeignKey("providers.ProviderProfile", on_delete=models.PROTECT, related_name="listings")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="listings")
    title = models.CharField(max_length=120)
    description = models.TextField()
    attributes = models.JSONField(default=dict, blank=True)  # validated against the category's definitions
    # Set when a definition changed under the listing and its values no longer fit; shown to the owner.
    attribute_problems = models.JSONField(default=dict, blank=True)
    pricing_model = models.CharField(max_length=20, choices=PricingModel.choices, default=PricingModel.FIXED)
    location_type = models.CharField(max_length=20, choices=LocationType.choices, default=LocationType.ONLINE)
    address = models.CharField(max_length=255, blank=True)
    currency = models.CharField(max_length=3)  # the marketplace's currency when the listing was created
    status = models.CharField(max_length=20, choices=ListingStatus.choices, default=ListingStatus.DRAFT)
    status_reason = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Denormalised for search: the cheapest package, in minor units.
    price_from = models.BigIntegerField(null=True, blank=True)
    # Denormalised from visible client reviews by marketplace.reviews (in the transaction that shows or
    # hides one): the count, averages (overall and per criterion) and the Bayesian ranking score.
    review_count = models.PositiveIntegerField(default=0)
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_criteria = models.JSONField(default=dict, blank=True)
    rating_score = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Words, category and attribute filters answered by one index scan (category through
            # btree_gin); any subset of the three columns can use it too.
            GinIndex(
                fields=["search_vector", "category", "attributes"],
                opclasses=["tsvector_ops", "int8_ops", "jsonb_path_ops"],
                name="listing_search",
            ),
            models.Index(fields=["status", "category"], name="listing_status_category"),
            models.Index(fields=["status", "price_from"], name="listing_status_price"),
            models.Index(fields=["status", "rating_score"], name="listing_status_rating"),
        ]

    def __str__(self) -> str:
        return self.title


class Package(TimeStampedModel):
    """One way to buy a listing (e.g. Basic / Standard / Premium)."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="packages")
    name = models.CharField(max_length=60)
    description = models.CharField(max_length=500, blank=True)
    price = models.BigIntegerField()  # minor units of the listing's currency
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)  # sessions
    delivery_days = models.PositiveIntegerField(null=True, blank=True)  # projects
    includes = ArrayField(models.CharField(max_length=120), default=list, blank=True)
    revisions = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "price"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "name"], name="package_name_unique_per_listing"),
            models.CheckConstraint(condition=Q(price__gt=0), name="package_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class AddOn(TimeStampedModel):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="add_ons")
    name = models.CharField(max_length=80)
    price = models.BigIntegerField()  # minor units
    extra_minutes = models.PositiveIntegerField(default=0)
    extra_days = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["price"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "name"], name="addon_name_unique_per_listing"),
            models.CheckConstraint(condition=Q(price__gt=0), name="addon_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


def listing_image_path(image, filename: str) -> str:
    return f"listing-images/{image.listing.public_id}/{filename}"


class ListingImage(TimeStampedModel):
    """A listing's picture; its thumbnail is made by a background task after upload."""

    public_id = PublicIdField("img")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(upload_to=listing_image_path, max_length=255)
    thumbnail = models.FileField(upload_to=listing_image_path, max_length=255, blank=True)
    content_type = models.CharField(max_length=50)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.public_id
