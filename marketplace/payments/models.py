"""The double-entry ledger of one marketplace: the single source of truth for money.

Every movement is a `JournalTransaction` of two or more `JournalEntry` rows whose amounts (integer
minor units; debit positive, credit negative) sum to zero per currency. PostgreSQL enforces it: a
deferred constraint trigger checks each transaction's balance at commit, and rows can be neither
updated nor deleted (a correction is a new, reversing transaction). Balances are sums of entries."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from marketplace.common.models import PublicIdField


class AccountKind(models.TextChoices):
    # Assets (debit balances)
    PAYMENTS_CLEARING = "payments_clearing", "Client payments at the payment processor"
    PAYOUTS_IN_TRANSIT = "payouts_in_transit", "Payouts on their way to providers"
    GATEWAY_FEES = "gateway_fees", "Payment processor fees"
    # Liabilities and income (credit balances)
    ESCROW = "escrow", "Escrow of one booking"
    PROVIDER_BALANCE = "provider_balance", "What the marketplace owes one provider"
    MARKETPLACE_COMMISSION = "marketplace_commission", "The marketplace's commission"
    PLATFORM_FEE = "platform_fee", "The platform's transaction fee"


class LedgerAccount(models.Model):
    kind = models.CharField(max_length=30, choices=AccountKind.choices)
    currency = models.CharField(max_length=3)
    booking = models.ForeignKey("bookings.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        "providers.ProviderProfile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "currency", "booking", "provider"], nulls_distinct=False, name="ledger_account_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind="escrow", booking__isnull=False, provider__isnull=True)
                | Q(kind="provider_balance", provider__isnull=False, booking__isnull=True)
                | (~Q(kind__in=["escrow", "provider_balance"]) & Q(booking__isnull=True, provider__isnull=True)),
                name="ledger_account_owner",
            ),
        ]

    def __str__(self) -> str:
        owner = (
            f" booking {self.booking_id}"
            if self.booking_id
            else f" provider {self.provider_id}"
            if self.provider_id
            else ""
        )
        return f"{self.kind}{owner} {self.currency}"


class JournalTransaction(models.Model):
    public_id = PublicIdField("jtx")
    kind = models.CharField(max_length=30)  # capture, release, refund, clawback, payout, payout_paid, reversal...
    idempotency_key = models.CharField(max_length=200, unique=True)  # a replay returns this transaction
    booking = models.ForeignKey("bookings.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    memo = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.public_id} {self.kind}"


class JournalEntry(models.Model):
    transaction = models.ForeignKey(JournalTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField()  # minor units; debit positive, credit negative
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "id"])]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="journal_entry_not_zero")]

    def __str__(self) -> str:
        return f"{self.account} {self.amount:+d}"


class EscrowFreeze(models.Model):
    """While a booking's escrow is frozen (an open dispute), nothing is released from it."""

    booking = models.ForeignKey("bookings.Booking", on_delete=models.PROTECT, related_name="escrow_freezes")
    reason = models.CharField(max_length=300)
    frozen_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking"], condition=Q(lifted_at__isnull=True), name="one_open_freeze")
        ]

    def __str__(self) -> str:
        return f"freeze of {self.booking_id}"


class LocalCharge(models.Model):
    """What the built-in test processor did (charges and refunds), as a real processor would keep it."""

    reference = models.CharField(max_length=40, unique=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=10)  # charge | refund | transfer | reversal | payout
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20)
    card_last4 = models.CharField(max_length=4, blank=True)
    payee = models.CharField(max_length=60, blank=True)  # transfers and payouts: the payee account
    captured = models.BigIntegerField(default=0)  # charges: how much of the authorised amount was taken
    refunds = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="refund_records")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.reference} {self.kind} {self.amount} {self.currency} {self.status}"


class PayoutSchedule(models.TextChoices):
    MANUAL = "manual", "When I ask"
    WEEKLY = "weekly", "Every Monday"
    MONTHLY = "monthly", "On the 1st of each month"


class PayeeAccount(models.Model):
    """A provider's account at the payment processor: released money is transferred to it and paid
    out from it to their bank."""

    provider = models.OneToOneField("providers.ProviderProfile", on_delete=models.PROTECT, related_name="payee")
    gateway = models.CharField(max_length=20)
    account = models.CharField(max_length=60, unique=True)
    onboarding_url = models.URLField(max_length=500, blank=True)
    payouts_enabled = models.BooleanField(default=False)
    details = models.CharField(max_length=100, blank=True)  # e.g. "bank account ending 6789"
    schedule = models.CharField(max_length=10, choices=PayoutSchedule.choices, default=PayoutSchedule.MANUAL)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.gateway} {self.account}"


class PayoutStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", "On its way to the bank"
    PAID = "paid", "Arrived"
    FAILED = "failed", "Failed; returned to the balance"


class Payout(models.Model):
    """Money a provider asked to be sent from their balance to their bank. At most one is in flight
    per provider at a time (the database refuses a second)."""

    public_id = PublicIdField("po")
    provider = models.ForeignKey("providers.ProviderProfile", on_delete=models.PROTECT, related_name="payouts")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=PayoutStatus.choices, default=PayoutStatus.IN_TRANSIT)
    idempotency_key = models.CharField(max_length=200, unique=True)
    transfer = models.CharField(max_length=60, blank=True)  # the processor's transfer to the payee account
    reference = models.CharField(max_length=60, blank=True)  # the processor's payout id
    failure_message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["reference"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
            models.UniqueConstraint(fields=["provider"], condition=Q(status="in_transit"), name="one_payout_in_flight"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.amount} {self.currency} {self.status}"


class WebhookEvent(models.Model):
    """An event the payment processor sent, stored once (by its id) before it is processed by a task.
    Processing is idempotent and tolerant of order: it looks at the current state of what the event
    is about, never at which events came before."""

    gateway = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=40)
    reference = models.CharField(max_length=100, blank=True)
    data = models.JSONField(default=dict)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"], name="webhook_event_once")]

    def __str__(self) -> str:
        return f"{self.gateway} {self.event_id} {self.kind}"


class ReconciliationReport(models.Model):
    """One day's comparison of the ledger with the processor's records."""

    day = models.DateField()
    gateway = models.CharField(max_length=20)
    checked = models.PositiveIntegerField(default=0)  # processor records looked at
    mismatches = models.JSONField(default=list)  # [{reference, kind, ledger, gateway, problem}]
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["day", "gateway"], name="one_report_per_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.gateway}: {len(self.mismatches)} mismatches"
