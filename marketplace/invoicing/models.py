"""Receipts and credit notes for clients, statement lines for providers: documents issued from the
ledger as it posts, numbered per marketplace without gaps, never changed once issued (PostgreSQL
refuses updates and deletes, migration `0002_documents_are_immutable`).

Each document copies what it shows (names, title, tax rate, time zone) when it is issued, so later
edits to a listing, a profile or the marketplace's settings never change an issued document."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from marketplace.common.models import PublicIdField


class Series(models.TextChoices):
    """The numbering series of a marketplace; each counts 1, 2, 3… with no gaps."""

    RECEIPT = "R", "Receipts"
    CREDIT_NOTE = "C", "Credit notes"
    STATEMENT = "S", "Provider statement lines"


class NumberCounter(models.Model):
    """The last number handed out in one series. Drawing a number locks this row until the posting
    commits, so numbers go out one at a time and a rolled-back posting takes its number back."""

    series = models.CharField(max_length=1, choices=Series.choices, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.series}: {self.last}"


class ClientDocumentKind(models.TextChoices):
    RECEIPT = "receipt", "Receipt"  # the client paid
    CREDIT_NOTE = "credit_note", "Credit note"  # money went back to the client


class ClientDocument(models.Model):
    """A receipt (money captured from the client) or a credit note (money refunded to them).

    `gross` is what moved, tax included; `net + tax == gross` (a database constraint). A credit
    note's amounts are what was given back, as positive numbers."""

    public_id = PublicIdField("rcp")
    kind = models.CharField(max_length=20, choices=ClientDocumentKind.choices)
    number = models.CharField(max_length=20, unique=True)  # e.g. R-000042
    sequence = models.PositiveIntegerField()  # the number within its series
    journal = models.OneToOneField("payments.JournalTransaction", on_delete=models.PROTECT, related_name="+")
    booking = models.ForeignKey("bookings.Booking", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="client_documents")
    refers_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes")
    issued_at = models.DateTimeField()
    # What the document shows, as it was when issued.
    marketplace_name = models.CharField(max_length=120)
    time_zone = models.CharField(max_length=64)  # the marketplace's; the document's date is read in it
    client_name = models.CharField(max_length=150)
    client_email = models.EmailField()
    provider_name = models.CharField(max_length=150)
    listing_title = models.CharField(max_length=120)
    package_name = models.CharField(max_length=60)
    currency = models.CharField(max_length=3)
    gross = models.BigIntegerField()  # minor units, tax included
    net = models.BigIntegerField()
    tax = models.BigIntegerField()
    tax_rate_bps = models.PositiveIntegerField()
    tax_inclusive = models.BooleanField()
    tax_label = models.CharField(max_length=20)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["client", "issued_at"])]
        constraints = [
            models.UniqueConstraint(fields=["kind", "sequence"], name="client_document_sequence_unique"),
            models.CheckConstraint(condition=Q(gross=F("net") + F("tax")), name="client_document_adds_up"),
            models.CheckConstraint(condition=Q(gross__gt=0, net__gte=0, tax__gte=0), name="client_document_amounts"),
        ]

    def __str__(self) -> str:
        return self.number


class StatementLineKind(models.TextChoices):
    RELEASE = "release", "Paid to your balance"  # escrow released to the provider
    CLAWBACK = "clawback", "Refund taken back from your balance"  # a refund after the release


class StatementLine(models.Model):
    """One movement of a provider's balance from a booking, with the amounts the ledger posted.

    `gross == commission + platform_fee + net_to_provider` (a database constraint): the commission
    is the marketplace's share and the platform fee is taken out of the booking's commission rate. A
    clawback has only a (negative) net: the commission is not given back."""

    public_id = PublicIdField("stl")
    kind = models.CharField(max_length=20, choices=StatementLineKind.choices)
    number = models.CharField(max_length=20, unique=True)  # e.g. S-000042
    sequence = models.PositiveIntegerField(unique=True)
    journal = models.OneToOneField("payments.JournalTransaction", on_delete=models.PROTECT, related_name="+")
    booking = models.ForeignKey("bookings.Booking", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("providers.ProviderProfile", on_delete=models.PROTECT, related_name="statement")
    issued_at = models.DateTimeField()
    # What the line shows, as it was when issued.
    marketplace_name = models.CharField(max_length=120)
    time_zone = models.CharField(max_length=64)
    provider_name = models.CharField(max_length=150)
    client_name = models.CharField(max_length=150)
    listing_title = models.CharField(max_length=120)
    package_name = models.CharField(max_length=60)
    commission_bps = models.PositiveIntegerField()  # the booking's rate, platform fee included
    currency = models.CharField(max_length=3)
    gross = models.BigIntegerField()  # minor units
    commission = models.BigIntegerField()
    platform_fee = models.BigIntegerField()
    net_to_provider = models.BigIntegerField()

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["provider", "issued_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(gross=F("commission") + F("platform_fee") + F("net_to_provider")),
                name="statement_line_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return self.number
