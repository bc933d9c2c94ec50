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
    kind = models.CharField(max_length=10)  # charge | refund
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20)
    card_last4 = models.CharField(max_length=4, blank=True)
    refunds = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="refund_records")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.reference} {self.kind} {self.amount} {self.currency} {self.status}"
