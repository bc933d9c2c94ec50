from __future__ import annotations

import datetime

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from accounts.permissions import Allowed
from marketplace.audit.models import AuditEvent
from marketplace.audit.selectors import audit_events
from marketplace.common.errors import ValidationFailed


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.email", default=None)

    class Meta:
        model = AuditEvent
        fields = ["created_at", "actor", "action", "target_type", "target_id", "before", "after", "reason"]


class AuditLogView(generics.ListAPIView):
    """The marketplace's audit trail, newest first. Read-only: entries cannot be changed or removed."""

    permission_classes = [Allowed("audit.view")]
    serializer_class = AuditEventSerializer

    def get_queryset(self):
        params = self.request.query_params
        days = {}
        for name in ("from", "to"):
            if value := params.get(name):
                try:
                    days[name] = datetime.date.fromisoformat(value)
                except ValueError:
                    raise ValidationFailed(f"Give {name} as YYYY-MM-DD.", fields={name: ["YYYY-MM-DD."]}) from None
        # "dispute" matches every dispute.* action; "dispute.decided" only that one.
        return audit_events(
            action=params.get("action", ""),
            actor=params.get("actor", ""),
            target=params.get("target", ""),
            since=days.get("from"),
            until=days.get("to"),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("action", str, description="An action (dispute.decided) or a family (dispute)"),
            OpenApiParameter("actor", str, description="The actor's email"),
            OpenApiParameter("target", str, description="The target's public id"),
            OpenApiParameter("from", str, description="First day, YYYY-MM-DD"),
            OpenApiParameter("to", str, description="Last day, YYYY-MM-DD"),
        ],
        summary="Browse the audit log (marketplace admins)",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
