"""Disputes: when something went wrong with a booking, the client (or the provider) opens one before
the escrow is released. Opening freezes the escrow. The parties negotiate first (proposals, accepted
or countered); without agreement it is escalated to a mediator, whose decision can be appealed once
to a second mediator. Every outcome moves money through the ledger and closes the dispute."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from marketplace.common.models import PublicIdField
from tenants.storage import private_storage


class DisputeReason(models.TextChoices):
    NOT_DELIVERED = "not_delivered", "Not delivered"
    NOT_AS_DESCRIBED = "not_as_described", "Not as described"
    QUALITY = "quality", "Quality"
    NO_SHOW = "no_show", "No-show"
    OTHER = "other", "Other"


class Outcome(models.TextChoices):
    FULL_REFUND = "full_refund", "Full refund to the client"
    PARTIAL_REFUND = "partial_refund", "Part refunded, the rest released to the provider"
    RELEASE = "release", "Released to the provider"


class DisputeState(models.TextChoices):
    NEGOTIATING = "negotiating", "The parties are negotiating"
    ESCALATED = "escalated", "With the mediator"
    DECIDED = "decided", "Decided; may be appealed"
    APPEALED = "appealed", "With a second mediator"
    CLOSED = "closed", "Closed"


OPEN_STATES = (DisputeState.NEGOTIATING, DisputeState.ESCALATED, DisputeState.DECIDED, DisputeState.APPEALED)


class Dispute(models.Model):
    public_id = PublicIdField("dsp")
    booking = models.ForeignKey("bookings.Booking", on_delete=models.PROTECT, related_name="disputes")
    milestone = models.ForeignKey(
        "bookings.Milestone", null=True, blank=True, on_delete=models.PROTECT, related_name="disputes"
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_by_role = models.CharField(max_length=10)  # client | provider
    reason = models.CharField(max_length=20, choices=DisputeReason.choices)
    desired_outcome = models.CharField(max_length=20, choices=Outcome.choices)
    description = models.TextField()
    amount = models.BigIntegerField()  # what is in dispute: held in escrow for it when it was opened
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=20, choices=DisputeState.choices, default=DisputeState.NEGOTIATING)
    respond_by = models.DateTimeField(null=True, blank=True)  # the other party's answer is due
    escalate_at = models.DateTimeField(null=True, blank=True)  # without agreement, to the mediator
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal_mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal_by = models.DateTimeField(null=True, blank=True)  # a decision becomes final after this
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    refunded = models.BigIntegerField(default=0)
    released = models.BigIntegerField(default=0)
    resolution = models.CharField(max_length=20, blank=True)  # agreed | decided | appeal_decided | withdrawn
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking"], condition=~Q(state="closed"), name="one_open_dispute_per_booking"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="dispute_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded__gte=0, released__gte=0)
                & Q(refunded__lte=models.F("amount"))
                & Q(released__lte=models.F("amount")),
                name="dispute_outcome_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.state}"


class EntryKind(models.TextChoices):
    OPENED = "opened", "Opened"
    MESSAGE = "message", "Message"
    EVIDENCE = "evidence", "Evidence"
    PROPOSAL = "proposal", "Settlement proposed"
    ACCEPTED = "accepted", "Settlement accepted"
    ESCALATED = "escalated", "Escalated to the mediator"
    NOTE = "note", "Mediator's private note"
    DECISION = "decision", "Mediator's decision"
    APPEALED = "appealed", "Appealed"
    CLOSED = "closed", "Closed"


def evidence_path(entry, filename: str) -> str:
    return f"dispute-evidence/{entry.dispute.public_id}/{entry.public_id}"


class DisputeEntry(models.Model):
    """One item on a dispute's timeline. Private notes are seen by mediators only."""

    public_id = PublicIdField("dse")
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="entries")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10)  # client | provider | mediator | system
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    text = models.TextField(blank=True)
    private = models.BooleanField(default=False)
    # Proposals and decisions: what should happen to the money in dispute.
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    refund_amount = models.BigIntegerField(null=True, blank=True)
    # Evidence: a file checked like other private documents, never served by URL.
    file = models.FileField(upload_to=evidence_path, storage=private_storage, max_length=255, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.kind}"
