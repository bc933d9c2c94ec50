"""The category tree and the custom attributes listings in a category fill."""

from django.contrib.postgres.fields import ArrayField
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
