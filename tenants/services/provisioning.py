"""Creating marketplaces.

A new marketplace's schema is never migrated from zero. It is either

1. **claimed from the pool**: a schema cloned from the template ahead of time, renamed to the new
   slug (`ALTER SCHEMA ... RENAME`, constant time), or
2. **cloned** from the template schema right now (django-tenants' `clone_schema`), when the pool
   is empty.

Either way the whole thing (schema, tenant row, domain, first admin, seed data) happens in one
database transaction: PostgreSQL DDL is transactional, so any failure leaves nothing behind.
If the template schema is missing, provisioning refuses loudly instead of falling back to running
every migration.
"""

from __future__ import annotations

import logging
import re
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_exists

from billing.services import plan_version_choosable, subscription_start
from marketplace.common.errors import DomainError, ValidationFailed
from tenants.context import tenant_context
from tenants.models import (
    Domain,
    DomainKind,
    DomainVerification,
    JoinPolicy,
    Tenant,
    TenantEvent,
    TenantKind,
    TenantRole,
    TenantStatus,
)
from tenants.seeding import run_seeders
from tenants.selectors import host_cache
from tenants.services.schema_clone import clone_template_into

logger = logging.getLogger(__name__)

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
SLUG_MIN, SLUG_MAX = 3, 40
POOL_PREFIX = "_pool_"

# Defaults a fresh marketplace of each kind starts with; its admins change them later.
KIND_DEFAULTS: dict[str, dict] = {
    TenantKind.UNIVERSITY: {"join_policy": JoinPolicy.OPEN},
    TenantKind.AGENCY: {"join_policy": JoinPolicy.OPEN},
    TenantKind.LAW_FIRM: {"join_policy": JoinPolicy.APPROVAL},
    TenantKind.OTHER: {"join_policy": JoinPolicy.OPEN},
}


class TemplateMissing(DomainError):
    status_code = 503
    code = "template_missing"


def slug_errors(slug: str) -> list[str]:
    """Why `slug` cannot name a marketplace (DNS label rules, reserved words, taken); empty if it can."""
    if not slug:
        return ["Choose a web address for the marketplace, e.g. 'acme-tutors'."]
    if len(slug) < SLUG_MIN or len(slug) > SLUG_MAX:
        return [f"Use {SLUG_MIN} to {SLUG_MAX} characters."]
    if not SLUG_PATTERN.match(slug):
        return ["Use lower-case letters, digits and hyphens only, starting with a letter and not ending with a hyphen."]
    if "--" in slug:
        return ["Do not use two hyphens in a row."]
    if slug in settings.TENANT_RESERVED_SLUGS or slug.startswith("pg-"):
        return [f"'{slug}' is reserved; choose another address."]
    host = f"{slug}.{settings.PLATFORM_DOMAIN}"
    if Tenant.objects.filter(schema_name=slug).exists() or Domain.objects.filter(domain=host).exists():
        return [f"'{slug}' is already taken; choose another address."]
    return []


def marketplace_fields_validate(
    *, name: str, slug: str, kind: str, admin_email: str, admin_password: str | None
) -> None:
    """Every problem with a new marketplace's fields, reported at once (400 with `fields`)."""
    fields: dict[str, list[str]] = {}
    if not (2 <= len(name) <= 120):
        fields["name"] = ["Give the marketplace a name of 2 to 120 characters."]
    if errors := slug_errors(slug):
        fields["slug"] = errors
    if kind not in TenantKind.values:
        fields["kind"] = [f"Choose one of: {', '.join(TenantKind.values)}."]
    try:
        validate_email(admin_email)
    except ValidationError:
        fields["admin_email"] = ["Enter a valid email address for the marketplace's first admin."]
    if admin_password is not None:
        try:
            validate_password(admin_password)
        except ValidationError as exc:
            fields["admin_password"] = list(exc.messages)
    if fields:
        raise ValidationFailed("The marketplace could not be created: fix the fields listed.", fields=fields)


def template_ensure(*, verbosity: int = 0) -> Tenant:
    """Create (or bring up to date) the template schema every marketplace is cloned from.

    It is a real tenant row with role=template and no domain, so `migrate_schemas` always keeps it
    current and it can never be routed to.
    """
    schema = settings.TENANT_TEMPLATE_SCHEMA
    template, _ = Tenant.objects.get_or_create(
        schema_name=schema,
        defaults={"name": "Template", "role": TenantRole.TEMPLATE, "status": TenantStatus.ACTIVE},
    )
    if not schema_exists(schema):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
    call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=verbosity)
    return template


def _pool_schema_current(schema: str) -> bool:
    """Whether a pool schema has exactly the template's migrations (one query)."""
    template = settings.TENANT_TEMPLATE_SCHEMA
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT NOT EXISTS ((SELECT app, name FROM "{template}".django_migrations '
            f'EXCEPT SELECT app, name FROM "{schema}".django_migrations) UNION ALL '
            f'(SELECT app, name FROM "{schema}".django_migrations '
            f'EXCEPT SELECT app, name FROM "{template}".django_migrations))'
        )
        return cursor.fetchone()[0]


def _claim_pool_schema() -> Tenant | None:
    """Lock one ready pool schema for this transaction (skipping ones other provisionings hold)."""
    for entry in Tenant.objects.select_for_update(skip_locked=True).filter(role=TenantRole.POOL).order_by("id")[:3]:
        if _pool_schema_current(entry.schema_name):
            return entry
        logger.warning("pool schema %s is out of date with the template; dropping it", entry.schema_name)
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{entry.schema_name}" CASCADE')
        entry.delete()
    return None


def _require_template() -> str:
    template = settings.TENANT_TEMPLATE_SCHEMA
    if not schema_exists(template):
        raise TemplateMissing(
            f"The template schema '{template}' is missing; run `manage.py tenants_template` "
            "(or `make run`) before creating marketplaces."
        )
    return template


def clone_template(schema: str) -> None:
    """Copy the template schema (tables, indexes, constraints and its rows, e.g. migration history)."""
    _require_template()
    clone_template_into(schema)


POOL_LOCK = 73_100_001  # advisory lock key: one pool filler at a time across all workers


def pool_fill(*, size: int | None = None) -> int:
    """Top the pool of pre-cloned schemas up to `size`; returns how many were added.

    Only one filler runs at a time (others return 0 at once), so concurrent refills never overshoot.
    """
    size = settings.TENANT_SCHEMA_POOL_SIZE if size is None else size
    connection.set_schema_to_public()
    _require_template()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [POOL_LOCK])
        if not cursor.fetchone()[0]:
            return 0
    added = 0
    try:
        while Tenant.objects.filter(role=TenantRole.POOL).count() < size:
            schema = POOL_PREFIX + secrets.token_hex(6)
            with transaction.atomic():
                clone_template(schema)
                Tenant.objects.create(schema_name=schema, name="Pool", role=TenantRole.POOL, status=TenantStatus.ACTIVE)
            added += 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [POOL_LOCK])
    return added


@transaction.atomic
def tenant_provision(
    *,
    name: str,
    slug: str,
    kind: str,
    admin_email: str,
    admin_password: str | None = None,
    admin_password_hash: str | None = None,
    admin_name: str = "",
    owner=None,
    actor=None,
    use_pool: bool = True,
    plan: str = "enterprise",
    interval: str = "month",
    collection: str = "invoiced",
) -> Tenant:
    """Create a marketplace: schema, tenant row, primary subdomain, subscription (a trial of `plan`),
    first admin, seed data. Self-service sign-ups pass the operator's plan; marketplaces platform
    staff create directly are sales-led and start on Enterprise unless told otherwise."""
    name, slug, admin_email = name.strip(), slug.strip().lower(), admin_email.strip().lower()
    marketplace_fields_validate(name=name, slug=slug, kind=kind, admin_email=admin_email, admin_password=admin_password)
    plan_version_choosable(plan)
    connection.set_schema_to_public()
    _require_template()
    defaults = KIND_DEFAULTS[kind]

    entry = _claim_pool_schema() if use_pool else None
    try:
        with transaction.atomic():
            if entry is not None:
                with connection.cursor() as cursor:
                    cursor.execute(f'ALTER SCHEMA "{entry.schema_name}" RENAME TO "{slug}"')
                tenant = entry
                tenant.schema_name = slug
                tenant.role = TenantRole.MARKETPLACE
                tenant.created_at = timezone.now()
            else:
                clone_template(slug)
                tenant = Tenant(schema_name=slug, role=TenantRole.MARKETPLACE)
            tenant.name = name
            tenant.kind = kind
            tenant.status = TenantStatus.TRIAL
            tenant.owner = owner
            tenant.join_policy = defaults["join_policy"]
            tenant.save()
    except IntegrityError as exc:  # lost a race for the same slug
        raise ValidationFailed(
            "The marketplace could not be created: fix the fields listed.",
            fields={"slug": [f"'{slug}' is already taken; choose another address."]},
        ) from exc
    Domain.objects.create(
        domain=f"{slug}.{settings.PLATFORM_DOMAIN}",
        tenant=tenant,
        is_primary=True,
        kind=DomainKind.SUBDOMAIN,
        verification=DomainVerification.VERIFIED,
        verified_at=timezone.now(),
    )
    subscription_start(tenant=tenant, plan_code=plan, interval=interval, actor=actor, collection=collection)
    with tenant_context(tenant):
        from accounts.services import user_create_marketplace_admin

        admin = user_create_marketplace_admin(
            email=admin_email, password=admin_password, password_hash=admin_password_hash, full_name=admin_name
        )
        run_seeders(tenant=tenant, admin=admin)
    TenantEvent.objects.create(
        tenant=tenant,
        tenant_slug=slug,
        actor=actor if getattr(actor, "pk", None) else None,
        action="provisioned",
        data={"from_pool": entry is not None, "kind": kind},
    )
    transaction.on_commit(host_cache.forget)
    transaction.on_commit(_schedule_pool_refill)
    return tenant


def _schedule_pool_refill() -> None:
    if settings.TENANT_SCHEMA_POOL_SIZE > 0 and not settings.CELERY_TASK_ALWAYS_EAGER:
        from tenants.tasks import refill_schema_pool

        refill_schema_pool.delay()
