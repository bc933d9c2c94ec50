from django.db.models import QuerySet

from marketplace.audit.models import AuditEvent


def audit_events_for(*, target_id: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(target_id=target_id).select_related("actor")
