"""Status changes of a marketplace: suspend, reactivate, close, purge."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from billing.services import subscription_close, subscription_reopen
from marketplace.common.errors import Conflict
from tenants.models import Tenant, TenantEvent, TenantRole, TenantStatus
from tenants.selectors import host_cache


def _record(*, tenant: Tenant, actor, action: str, data: dict | None = None) -> None:
    TenantEvent.objects.create(
        tenant=tenant,
        tenant_slug=tenant.schema_name,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        data=data or {},
    )
    transaction.on_commit(host_cache.forget)


def _locked(tenant: Tenant) -> Tenant:
    return Tenant.objects.select_for_update().get(pk=tenant.pk, role=TenantRole.MARKETPLACE)


@transaction.atomic
def tenant_suspend(*, actor, tenant: Tenant, reason: str) -> Tenant:
    tenant = _locked(tenant)
    if tenant.status == TenantStatus.CLOSED:
        raise Conflict("A closed marketplace cannot be suspended.", code="tenant_closed")
    before = tenant.status
    tenant.status, tenant.status_reason = TenantStatus.SUSPENDED, reason
    tenant.save(update_fields=["status", "status_reason", "updated_at"])
    _record(tenant=tenant, actor=actor, action="suspended", data={"from": before, "reason": reason})
    return tenant


@transaction.atomic
def tenant_reactivate(*, actor, tenant: Tenant, reason: str = "") -> Tenant:
    tenant = _locked(tenant)
    if tenant.status not in (TenantStatus.SUSPENDED, TenantStatus.CLOSED):
        raise Conflict(
            f"Only a suspended or closed marketplace can be reactivated; this one is {tenant.status}.",
            code="tenant_not_suspended",
        )
    if tenant.status == TenantStatus.CLOSED and tenant.purge_after and tenant.purge_after <= timezone.now():
        raise Conflict("The retention period is over; this marketplace's data is being removed.", code="tenant_purged")
    before = tenant.status
    tenant.status, tenant.status_reason, tenant.closed_at, tenant.purge_after = TenantStatus.ACTIVE, "", None, None
    tenant.save(update_fields=["status", "status_reason", "closed_at", "purge_after", "updated_at"])
    _record(
        tenant=tenant, actor=actor, action="reactivated", data={"from": before} | ({"reason": reason} if reason else {})
    )
    subscription_reopen(tenant=tenant, actor=actor)
    return tenant


@transaction.atomic
def tenant_close(*, actor, tenant: Tenant, reason: str = "") -> Tenant:
    """Close a marketplace. Its data is kept for TENANT_RETENTION_DAYS, then purged by a periodic job."""
    tenant = _locked(tenant)
    if tenant.status == TenantStatus.CLOSED:
        return tenant
    now = timezone.now()
    tenant.status, tenant.status_reason = TenantStatus.CLOSED, reason
    tenant.closed_at, tenant.purge_after = now, now + timedelta(days=settings.TENANT_RETENTION_DAYS)
    tenant.save(update_fields=["status", "status_reason", "closed_at", "purge_after", "updated_at"])
    _record(
        tenant=tenant, actor=actor, action="closed", data={"reason": reason, "purge_after": str(tenant.purge_after)}
    )
    subscription_close(tenant=tenant, actor=actor, reason=reason)
    return tenant


@transaction.atomic
def tenant_purge(*, tenant: Tenant) -> None:
    """Drop a closed marketplace's schema and rows once its retention period is over."""
    tenant = _locked(tenant)
    if tenant.status != TenantStatus.CLOSED or not tenant.purge_after or tenant.purge_after > timezone.now():
        raise Conflict(
            "Only a closed marketplace past its retention period can be purged.", code="tenant_not_purgeable"
        )
    slug = tenant.schema_name
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        # Settle deferred foreign-key checks first: a table with pending trigger events cannot be dropped.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f'DROP SCHEMA IF EXISTS "{slug}" CASCADE')
    TenantEvent.objects.create(tenant=None, tenant_slug=slug, action="purged")
    tenant.domains.all().delete()
    Tenant.objects.filter(pk=tenant.pk).delete()
    transaction.on_commit(host_cache.forget)


def tenants_due_for_purge():
    return Tenant.objects.filter(
        role=TenantRole.MARKETPLACE, status=TenantStatus.CLOSED, purge_after__lte=timezone.now()
    )
