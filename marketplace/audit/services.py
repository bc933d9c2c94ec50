from __future__ import annotations

from typing import Any

from marketplace.audit.models import AuditEvent


def audit_record(
    *,
    actor,
    action: str,
    target: Any,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one row to the current marketplace's audit trail (call inside the service's transaction)."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=getattr(target, "public_id", None) or str(target.pk),
        before=before or {},
        after=after or {},
        reason=reason,
    )
