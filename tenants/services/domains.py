"""A marketplace's own domains (e.g. market.example.edu), next to its platform subdomain.

Adding one needs the plan's "custom_domain" feature (403 naming the plan that has it). A new domain
is pending until its DNS proves the operator controls it: a TXT record `_mkt-verify.<domain>` with the
domain's token, or a CNAME to the marketplace's platform host. Pending domains route nowhere
(`selectors.route_for_host` only serves verified ones). Domain rows live in the public schema."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.permissions import require
from billing import entitlements
from marketplace.common.errors import Conflict, NotFound, ValidationFailed
from tenants.models import Domain, DomainKind, DomainVerification, Tenant
from tenants.selectors import host_cache

# Lower-case labels of letters, digits and inner hyphens, at least two labels, a letter-only top level.
HOSTNAME = re.compile(r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
VERIFY_PREFIX = "_mkt-verify"


def platform_host(tenant: Tenant) -> str:
    return f"{tenant.schema_name}.{settings.PLATFORM_DOMAIN}"


def dns_records(domain: Domain) -> list[dict[str, str]]:
    """What the operator creates at their DNS host: either record proves control."""
    return [
        {"type": "CNAME", "name": domain.domain, "value": platform_host(domain.tenant)},
        {"type": "TXT", "name": f"{VERIFY_PREFIX}.{domain.domain}", "value": domain.verification_token},
    ]


def _normalised(value) -> str:
    name = value.strip().lower().rstrip(".") if isinstance(value, str) else ""
    if not HOSTNAME.match(name):
        raise ValidationFailed(
            "Give a domain name such as market.example.edu.",
            fields={"domain": ["Use a full domain name (letters, digits, hyphens and dots), without http://."]},
        )
    platform = settings.PLATFORM_DOMAIN
    if name == platform or name.endswith(f".{platform}"):
        raise ValidationFailed(
            "That name belongs to the platform.",
            fields={"domain": [f"Use a domain you own; {platform} names are given by the platform."]},
        )
    return name


def domain_add(*, actor, tenant: Tenant, domain) -> Domain:
    """Add a custom domain, pending verification. 403 when the plan has no custom domains; 409 when
    another marketplace uses it (or this one has it already)."""
    require(actor, "domains.manage")
    entitlements.require_feature(tenant, "custom_domain")
    name = _normalised(domain)
    with schema_context(get_public_schema_name()), transaction.atomic():
        existing = Domain.objects.select_for_update().filter(domain=name).first()
        if existing is not None:
            mine = existing.tenant_id == tenant.pk
            raise Conflict(
                "This marketplace has that domain already." if mine else "Another marketplace uses that domain.",
                code="domain_exists" if mine else "domain_taken",
                fields={"domain": ["Already added." if mine else "Used by another marketplace; choose another."]},
            )
        return Domain.objects.create(
            tenant=tenant,
            domain=name,
            kind=DomainKind.CUSTOM,
            is_primary=False,
            verification=DomainVerification.PENDING,
        )


def domain_remove(*, actor, tenant: Tenant, domain: str) -> None:
    """Remove a custom domain (the platform subdomain stays). The primary domain cannot be removed."""
    require(actor, "domains.manage")
    with schema_context(get_public_schema_name()), transaction.atomic():
        row = Domain.objects.filter(tenant=tenant, domain=str(domain).lower(), kind=DomainKind.CUSTOM).first()
        if row is None:
            raise NotFound("This marketplace has no such custom domain.")
        if row.is_primary:
            raise Conflict(
                "Make another domain primary before removing this one.",
                code="domain_is_primary",
                fields={"domain": ["It is the primary domain."]},
            )
        row.delete()
        transaction.on_commit(host_cache.forget)


def custom_domains(tenant: Tenant):
    with schema_context(get_public_schema_name()):
        return list(Domain.objects.filter(tenant=tenant, kind=DomainKind.CUSTOM).select_related("tenant"))
