"""Platform tasks and the periodic-job dispatcher."""

from __future__ import annotations

import random

from celery import current_app, shared_task
from django.conf import settings

from tenants.models import TenantRole, TenantStatus


@shared_task(name="tenants.provision_signup", acks_late=True)
def provision_signup(*, signup_id: int) -> str | None:
    from tenants.services.signup import signup_process

    signup = signup_process(signup_id=signup_id)
    return signup.status if signup else None


@shared_task(name="tenants.refill_schema_pool")
def refill_schema_pool() -> int:
    from tenants.services.provisioning import pool_fill

    return pool_fill()


@shared_task(name="tenants.purge_closed_tenants")
def purge_closed_tenants() -> int:
    from tenants.services.lifecycle import tenant_purge, tenants_due_for_purge

    purged = 0
    for tenant in tenants_due_for_purge():
        tenant_purge(tenant=tenant)
        purged += 1
    return purged


@shared_task(name="tenants.verify_domain", acks_late=True)
def verify_domain(*, domain_id: int) -> str | None:
    """Check one custom domain's DNS (idempotent: a verified or removed domain is left alone)."""
    from tenants.services.domains import domain_verify

    domain = domain_verify(domain=domain_id)
    return domain.verification if domain else None


@shared_task(name="tenants.recheck_domains")
def recheck_domains() -> int:
    """Beat job: queue a check of every pending custom domain whose next check is due."""
    from tenants.services.domains import domains_due_for_check

    due = domains_due_for_check()
    for domain_id in due:
        verify_domain.apply_async(kwargs={"domain_id": domain_id, "_schema": "public"})
    return len(due)


def ready_tenants():
    """Marketplaces periodic work runs for: routable and not suspended or closed."""
    from tenants.models import Tenant

    return Tenant.objects.filter(role=TenantRole.MARKETPLACE).exclude(
        status__in=[TenantStatus.SUSPENDED, TenantStatus.CLOSED]
    )


@shared_task(name="tenants.dispatch_periodic")
def dispatch_periodic(*, job: str, per_tenant: bool = True, jitter: float | None = None) -> int:
    """One beat entry per job: fan out one `job` task per ready tenant, spread over `jitter` seconds.

    Runs in the public schema; each fanned-out task carries its tenant's schema explicitly.
    """
    task = current_app.tasks[job]
    if not per_tenant:
        task.apply_async(kwargs={"_schema": "public"})
        return 1
    spread = settings.PERIODIC_JITTER_SECONDS if jitter is None else jitter
    count = 0
    for schema in ready_tenants().values_list("schema_name", flat=True).iterator():
        task.apply_async(kwargs={"_schema": schema}, countdown=random.uniform(0, spread) if spread else None)
        count += 1
    return count


@shared_task(name="tenants.describe_current_tenant")
def describe_current_tenant() -> dict:
    """Operations probe: which schema a worker ran this in, and what it sees there.

    `celery -A config call tenants.describe_current_tenant --kwargs '{"_schema": "uni"}'`
    """
    from django.db import connection

    from accounts.models import User

    return {
        "schema": connection.schema_name,
        "tenant": getattr(connection.tenant, "name", None),
        "users": sorted(User.objects.values_list("email", flat=True)[:50]),
    }
