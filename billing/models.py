"""Platform billing (public schema): plans and their versions, one subscription per marketplace with
its event trail, and usage snapshots per billing period."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from marketplace.common.models import PublicIdField, TimeStampedModel
from marketplace.common.money import Money
from tenants.models import Tenant

# What a plan can limit (a count; no key or null means unlimited) and switch on.
LIMITS = ("active_providers", "active_listings", "bookings_per_month", "staff_seats", "storage_mb")
FEATURES = ("custom_domain", "remove_branding", "api_access", "milestone_workflow", "opensearch", "priority_support")


class Interval(models.TextChoices):
    MONTH = "month", "Monthly"
    YEAR = "year", "Yearly"


class Plan(TimeStampedModel):
    """What operators choose from. Its terms live in versions; a retired plan keeps its subscribers
    but cannot be chosen any more."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    rank = models.PositiveSmallIntegerField(unique=True)  # small to large: decides upgrade or downgrade
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name

    @property
    def current_version(self) -> PlanVersion:
        return self.versions.order_by("-number").first()


class PlanVersion(TimeStampedModel):
    """A plan's terms at one point in time. Never edited: a change of terms is a new version, so a
    subscriber keeps the terms they signed up for."""

    public_id = PublicIdField("plv")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    monthly_price = models.BigIntegerField()  # minor units of `currency`
    yearly_price = models.BigIntegerField()
    trial_days = models.PositiveSmallIntegerField()
    platform_fee_bps = models.PositiveIntegerField()  # the platform's cut of each released booking
    limits = models.JSONField(default=dict)  # {limit: count or null}; missing or null = unlimited
    features = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["plan__rank", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique"),
            models.CheckConstraint(
                condition=models.Q(monthly_price__gte=0, yearly_price__gte=0), name="plan_version_prices_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(platform_fee_bps__lte=10_000), name="plan_version_fee_at_most_everything"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.name} v{self.number}"

    def price(self, interval: str) -> Money:
        return Money(self.yearly_price if interval == Interval.YEAR else self.monthly_price, self.currency)

    def limit(self, key: str) -> int | None:
        return self.limits.get(key)


class SubscriptionStatus(models.TextChoices):
    TRIALING = "trialing", "Trialing"  # free trial, nothing paid yet: fully usable
    ACTIVE = "active", "Active"  # paid for the current period
    PAST_DUE = "past_due", "Past due"  # a payment is missing; usable during the grace period
    SUSPENDED = "suspended", "Suspended"  # grace period over: the marketplace is offline until paid
    CLOSED = "closed", "Closed"  # the marketplace was closed


# status -> statuses it may move to. Paying brings any open subscription back to active.
TRANSITIONS: dict[str, set[str]] = {
    SubscriptionStatus.TRIALING: {SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE, SubscriptionStatus.CLOSED},
    SubscriptionStatus.ACTIVE: {SubscriptionStatus.PAST_DUE, SubscriptionStatus.CLOSED},
    SubscriptionStatus.PAST_DUE: {SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED, SubscriptionStatus.CLOSED},
    SubscriptionStatus.SUSPENDED: {SubscriptionStatus.ACTIVE, SubscriptionStatus.CLOSED},
    SubscriptionStatus.CLOSED: {SubscriptionStatus.ACTIVE},  # reopened within the retention period
}


class Collection(models.TextChoices):
    AUTOMATIC = "automatic", "Paid through the billing provider; unpaid periods are dunned"
    INVOICED = "invoiced", "Invoiced by platform staff under a contract; never suspended automatically"


class Subscription(TimeStampedModel):
    """A marketplace's subscription to one plan version. Its status is only changed by
    `billing.services.subscription_transition`, which writes the event that explains it."""

    public_id = PublicIdField("sub")
    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="subscription")
    plan_version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="subscriptions")
    interval = models.CharField(max_length=10, choices=Interval.choices, default=Interval.MONTH)
    status = models.CharField(max_length=20, choices=SubscriptionStatus.choices, default=SubscriptionStatus.TRIALING)
    status_changed_at = models.DateTimeField()
    collection = models.CharField(max_length=10, choices=Collection.choices, default=Collection.AUTOMATIC)
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField()
    # A downgrade waiting for the end of the current period.
    scheduled_version = models.ForeignKey(
        PlanVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scheduled_interval = models.CharField(max_length=10, choices=Interval.choices, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=SubscriptionStatus.values), name="subscription_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(current_period_end__gt=models.F("current_period_start")),
                name="subscription_period_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant.schema_name}: {self.plan_version} ({self.status})"


class SubscriptionEvent(TimeStampedModel):
    """One change to a subscription: status moves (from → to, with the reason), plan changes."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    reason = models.CharField(max_length=255)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status or '-'} → {self.to_status}"


class UsageRecord(TimeStampedModel):
    """What a marketplace used in one usage month of its subscription, as last measured by the
    periodic job `billing.record_usage` (the figures themselves are exact queries; see usage.py)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="usage_records")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    bookings = models.PositiveIntegerField(default=0)
    gmv = models.BigIntegerField(default=0)  # captured into escrow during the period, minor units
    currency = models.CharField(max_length=3)
    active_providers = models.PositiveIntegerField(default=0)
    active_listings = models.PositiveIntegerField(default=0)
    staff_seats = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "period_start"], name="usage_record_one_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} @ {self.period_start:%Y-%m-%d}"


class SubscriptionPayment(TimeStampedModel):
    """A payment recorded for one period of a subscription (the local billing provider: platform staff
    record a bank transfer or a paid invoice). The provider's reference is unique, so recording the
    same payment twice is a no-op."""

    public_id = PublicIdField("pay")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="payments")
    reference = models.CharField(max_length=100, unique=True)
    # What was paid, minor units of `currency`; at least the price of the period it pays for.
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    plan_version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="+")
    interval = models.CharField(max_length=10, choices=Interval.choices)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="subscription_payment_not_negative"),
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")),
                name="subscription_payment_period_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.amount} {self.currency}"
