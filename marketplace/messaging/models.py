"""Conversations inside a marketplace: a client's inquiry about a listing before booking, the thread
of a booking, and the thread of a dispute (which the marketplace's admins and moderators may read).

Message bodies are plain text stored as typed; they are never rendered as HTML by the API."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from marketplace.common.models import PublicIdField
from tenants.storage import private_storage


class ConversationKind(models.TextChoices):
    INQUIRY = "inquiry", "Inquiry about a listing"  # before booking; one per client and listing
    BOOKING = "booking", "Booking thread"  # one per booking
    DISPUTE = "dispute", "Dispute thread"  # one per dispute; mediators may read it


class Conversation(models.Model):
    public_id = PublicIdField("cnv")
    kind = models.CharField(max_length=10, choices=ConversationKind.choices)
    listing = models.ForeignKey(
        "catalogue.Listing", null=True, blank=True, on_delete=models.PROTECT, related_name="conversations"
    )
    booking = models.OneToOneField(
        "bookings.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="conversation"
    )
    dispute = models.OneToOneField(
        "disputes.Dispute", null=True, blank=True, on_delete=models.PROTECT, related_name="conversation"
    )
    # The client party (inquiries: who asked); with `listing` it keeps one inquiry per client and listing.
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="inquiry") & Q(listing__isnull=False))
                | (Q(kind="booking") & Q(booking__isnull=False))
                | (Q(kind="dispute") & Q(dispute__isnull=False)),
                name="conversation_kind_has_its_subject",
            ),
            models.UniqueConstraint(
                fields=["listing", "client"], condition=Q(kind="inquiry"), name="one_inquiry_per_client_and_listing"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.kind}"


class MemberRole(models.TextChoices):
    CLIENT = "client", "Client"
    PROVIDER = "provider", "Provider"
    ADMIN_OBSERVER = "admin-observer", "Marketplace staff (reads, audited)"


class ConversationMember(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_members")
    role = models.CharField(max_length=20, choices=MemberRole.choices)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="one_membership_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


def attachment_path(message, filename: str) -> str:
    return f"message-attachments/{message.conversation.public_id}/{message.public_id}"


class Message(models.Model):
    public_id = PublicIdField("msg")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(blank=True)  # plain text as typed (after masking); at most BODY_MAX_CHARS
    # A PDF, PNG or JPEG checked by its content, never served by URL (streamed to members only).
    attachment = models.FileField(upload_to=attachment_path, storage=private_storage, max_length=255, blank=True)
    attachment_name = models.CharField(max_length=255, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="message_conversation_time")]

    def __str__(self) -> str:
        return f"{self.public_id} in {self.conversation_id}"


class Block(models.Model):
    """`blocker` receives nothing from `blocked`, and cannot write to them either."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="one_block_per_pair"),
            models.CheckConstraint(condition=~Q(blocker=models.F("blocked")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class MessageReport(models.Model):
    """A member flags a message to the marketplace's admins; resolved when staff have dealt with it."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["message", "reporter"], name="one_report_per_reporter")]

    def __str__(self) -> str:
        return f"report of {self.message_id}"
