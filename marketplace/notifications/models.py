"""Notifications: one in-app row per person and event (the database refuses a second), what each person
wants e-mailed, one e-mail delivery per notification, and each marketplace's wording of every kind."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from marketplace.common.models import PublicIdField, TimeStampedModel


class Notification(models.Model):
    public_id = PublicIdField("ntf")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=50)  # a slug of kinds.KINDS, e.g. booking.confirmed
    event_id = models.CharField(max_length=200)  # what it is about, e.g. booking:bkg_...:confirmed
    title = models.CharField(max_length=300)
    body = models.TextField()  # plain text
    url = models.CharField(max_length=500, blank=True)  # where to look (a path on the marketplace's host)
    context = models.JSONField(default=dict, blank=True)  # the placeholders' values, for the e-mail templates
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)  # collected into a daily digest

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "event_id"], name="notification_once_per_event"),
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.public_id} {self.kind}"


class NotificationPreference(models.Model):
    """A person's choice for one kind; no row means the kind's default."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=50)
    email = models.BooleanField(default=True)
    digest = models.BooleanField(default=False)  # with email: collected into the daily digest

    class Meta:
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"  # waiting for the task (or its next retry)
    SENT = "sent", "Sent"  # handed to the mail server; never sent again
    FAILED = "failed", "Failed"  # retries exhausted or the template did not render


class EmailDelivery(TimeStampedModel):
    """The e-mail of one notification. Sending locks this row and skips unless it is queued, so a
    retried or duplicated task never sends twice."""

    notification = models.OneToOneField(Notification, on_delete=models.CASCADE, related_name="email_delivery")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "email deliveries"

    def __str__(self) -> str:
        return f"{self.notification_id} {self.status}"


class MarketplaceNotificationSetting(TimeStampedModel):
    """A marketplace's choices for one kind: switched off, or worded its own way (blank = default)."""

    kind = models.CharField(max_length=50, unique=True)
    enabled = models.BooleanField(default=True)
    subject_template = models.CharField(max_length=300, blank=True)
    body_template = models.TextField(blank=True)

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.kind
