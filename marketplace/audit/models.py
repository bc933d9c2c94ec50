"""The marketplace's audit trail: who did what to which object, with before/after values."""

from django.conf import settings
from django.db import models

from marketplace.common.models import TimeStampedModel


class AuditEvent(TimeStampedModel):
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=80, db_index=True)  # e.g. "user.approved", "user.roles_changed"
    target_type = models.CharField(max_length=80)
    target_id = models.CharField(max_length=64, db_index=True)  # the target's public id
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"
