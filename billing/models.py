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
    storage_bytes = models.BigIntegerField(default=0)

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
    invoice = models.OneToOneField(
        "TenantInvoice", null=True, blank=True, on_delete=models.PROTECT, related_name="payment"
    )

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


class BillingProviderName(models.TextChoices):
    LOCAL = "local", "The platform's own invoices (manual payments, test cards)"
    STRIPE = "stripe", "Stripe Billing"


class BillingAccount(TimeStampedModel):
    """How a marketplace pays the platform: the billing provider that collects, the customer there,
    and the saved payment method (shown as brand and last four digits; the card itself stays with the
    provider)."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="billing_account")
    provider = models.CharField(max_length=20, choices=BillingProviderName.choices)
    customer_ref = models.CharField(max_length=100, blank=True)  # the provider's customer id
    payment_method_ref = models.CharField(max_length=100, blank=True)  # the provider's payment method id
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    card_expires = models.CharField(max_length=7, blank=True)  # MM/YYYY
    email = models.EmailField(blank=True)  # where invoices go; the operator's when blank

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "customer_ref"],
                condition=~models.Q(customer_ref=""),
                name="billing_account_customer_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} @ {self.provider}"

    @property
    def has_payment_method(self) -> bool:
        return bool(self.payment_method_ref)


class InvoiceKind(models.TextChoices):
    PERIOD = "period", "A subscription period"
    UPGRADE = "upgrade", "An upgrade during a period (prorated)"


class InvoiceStatus(models.TextChoices):
    OPEN = "open", "Open"  # issued, waiting for payment
    PAID = "paid", "Paid"
    VOID = "void", "Void"  # cancelled before it was paid (e.g. the marketplace closed)


class InvoiceCounter(models.Model):
    """The last invoice number handed out, per year (see billing/invoices.py: drawn inside the
    issuing transaction, so a rollback burns no number)."""

    series = models.CharField(max_length=10, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.series}: {self.last}"


class TenantInvoice(TimeStampedModel):
    """The platform's invoice to a marketplace: a subscription period (with the transaction fees the
    platform took from the previous period's released bookings listed for the record) or the prorated
    price of an upgrade. Amounts in minor units; tax added on top of the net at the platform's rate.
    `total == subtotal + tax` (a database constraint). Amounts never change once issued; only the
    status moves (open → paid or void)."""

    public_id = PublicIdField("inv")
    number = models.CharField(max_length=20, unique=True)  # e.g. PLT-2026-000042
    tenant = models.ForeignKey(Tenant, null=True, on_delete=models.SET_NULL, related_name="invoices")
    subscription = models.ForeignKey(Subscription, null=True, on_delete=models.SET_NULL, related_name="invoices")
    kind = models.CharField(max_length=10, choices=InvoiceKind.choices)
    status = models.CharField(max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN)
    provider = models.CharField(max_length=20, choices=BillingProviderName.choices)
    provider_ref = models.CharField(max_length=100, blank=True)  # the provider's invoice id, once it has one
    plan_version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="+")
    interval = models.CharField(max_length=10, choices=Interval.choices)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    currency = models.CharField(max_length=3)
    subtotal = models.BigIntegerField()  # what is charged, before tax
    tax_rate_bps = models.PositiveIntegerField()
    tax_label = models.CharField(max_length=20)
    tax = models.BigIntegerField()
    total = models.BigIntegerField()  # what is due
    fees_collected = models.BigIntegerField(default=0)  # transaction fees already taken at release (not due)
    issued_at = models.DateTimeField()
    due_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)
    # Collection attempts through the provider (the saved payment method); the dunning job retries.
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_failure = models.CharField(max_length=255, blank=True)
    # Who and what, as it was when issued.
    bill_to_name = models.CharField(max_length=120)
    bill_to_email = models.EmailField(blank=True)
    plan_name = models.CharField(max_length=80)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["tenant", "issued_at"]), models.Index(fields=["status", "due_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total=models.F("subtotal") + models.F("tax")), name="invoice_adds_up"
            ),
            models.CheckConstraint(
                condition=models.Q(subtotal__gte=0, tax__gte=0, fees_collected__gte=0), name="invoice_amounts"
            ),
            models.CheckConstraint(condition=models.Q(status__in=InvoiceStatus.values), name="invoice_status_valid"),
            models.CheckConstraint(
                condition=~models.Q(status=InvoiceStatus.PAID) | models.Q(paid_at__isnull=False),
                name="invoice_paid_has_date",
            ),
            # One invoice per subscription period; a period is paid by one invoice.
            models.UniqueConstraint(
                fields=["subscription", "period_start"],
                condition=models.Q(kind="period") & ~models.Q(status="void"),
                name="invoice_one_per_period",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_ref"], condition=~models.Q(provider_ref=""), name="invoice_provider_ref"
            ),
            models.UniqueConstraint(
                fields=["payment_reference"], condition=~models.Q(payment_reference=""), name="invoice_payment_ref"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def amount_due(self) -> Money:
        return Money(self.total, self.currency)


class InvoiceLineKind(models.TextChoices):
    PLAN = "plan", "Subscription"
    PRORATION = "proration", "Upgrade for the rest of the period"
    TRANSACTION_FEES = "transaction_fees", "Transaction fees (taken at release, not due)"


class TenantInvoiceLine(models.Model):
    invoice = models.ForeignKey(TenantInvoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=20, choices=InvoiceLineKind.choices)
    description = models.CharField(max_length=255)
    amount = models.BigIntegerField()  # minor units, before tax
    charged = models.BooleanField(default=True)  # False: listed for the record, part of no total

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description


class BillingWebhookEvent(TimeStampedModel):
    """A billing provider's event, stored once (provider + event id unique) and then processed. Events
    can come late, twice or out of order; processing decides from the invoice's and the
    subscription's own state, never from the order of arrival."""

    provider = models.CharField(max_length=20, choices=BillingProviderName.choices)
    event_id = models.CharField(max_length=100)
    type = models.CharField(max_length=100)
    occurred_at = models.DateTimeField()
    payload = models.JSONField()
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="billing_webhook_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id} {self.type}"


class StorageUsage(models.Model):
    """Bytes a marketplace keeps in file storage: added to by every upload as it is stored, taken from
    when a file is deleted, and set to the measured truth by the periodic job `billing.measure_storage`
    (which walks the marketplace's storage prefix)."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="storage_usage")
    bytes = models.BigIntegerField(default=0)
    measured_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.bytes} B"
