"""A marketplace's own domains (e.g. market.example.edu), next to its platform subdomain.

Adding one needs the plan's "custom_domain" feature (403 naming the plan that has it). A new domain
is pending until its DNS proves the operator controls it: a TXT record `_mkt-verify.<domain>` with the
domain's token, or a CNAME to the marketplace's platform host (a chain of CNAMEs ending there counts).
Pending domains route nowhere (`selectors.route_for_host` only serves verified ones). Domain rows live
in the public schema; what happens to them is written to the marketplace's own audit log.

Checks run in the background: once right after the domain is added (a task after commit), then by the
beat job `tenants.recheck_domains`, every 10 minutes in the first hour and hourly after that, until
the record is found or 7 days have passed (then the domain is `failed`, saying so; "Check now" starts a
new round). An admin may check at once ("Check now", at most once every CHECK_NOW_SECONDS per domain).
A verified domain routes at once in this process (the host cache is forgotten at commit) and in other
processes within TENANT_ROUTING_CACHE_SECONDS.

A verified custom domain can be made the primary one: the platform subdomain then redirects its web
pages there (tenants.middleware), links and the Wagtail site follow it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.permissions import require
from billing import entitlements
from marketplace.common.errors import Conflict, DomainError, NotFound, ValidationFailed
from tenants.context import tenant_context
from tenants.dns import LookupStatus, Resolver, get_resolver
from tenants.models import (
    Domain,
    DomainCheckResult,
    DomainKind,
    DomainVerification,
    Tenant,
    TenantStatus,
)
from tenants.selectors import host_cache

# Lower-case labels of letters, digits and inner hyphens, at least two labels, a letter-only top level.
HOSTNAME = re.compile(r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
VERIFY_PREFIX = "_mkt-verify"

# The automatic checks' schedule (see the module's docstring).
CHECK_EVERY_AT_FIRST = timedelta(minutes=10)
FIRST_PHASE = timedelta(hours=1)
CHECK_EVERY_LATER = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(days=7)
CHECK_NOW_SECONDS = 15  # "Check now" at most this often per domain
CNAME_CHAIN_LIMIT = 8  # CNAMEs followed from the domain towards the platform host


class TooManyChecks(DomainError):
    status_code = 429
    code = "domain_checked_recently"


def platform_host(tenant: Tenant) -> str:
    return f"{tenant.schema_name}.{settings.PLATFORM_DOMAIN}"


def dns_records(domain: Domain) -> list[dict[str, str]]:
    """What the operator creates at their DNS host: either record proves control; the CNAME also
    sends the visitors."""
    return [
        {"type": "CNAME", "name": domain.domain, "value": platform_host(domain.tenant)},
        {"type": "TXT", "name": f"{VERIFY_PREFIX}.{domain.domain}", "value": domain.verification_token},
    ]


def _normalised(value) -> str:
    name = value.strip().lower().rstrip(".") if isinstance(value, str) else ""
    if not HOSTNAME.match(name):
        raise ValidationFailed(
            _("Give a domain name such as market.example.edu."),
            fields={"domain": [_("Use a full domain name (letters, digits, hyphens and dots), without http://.")]},
        )
    platform = settings.PLATFORM_DOMAIN
    if name == platform or name.endswith(f".{platform}"):
        raise ValidationFailed(
            _("That name belongs to the platform."),
            fields={
                "domain": [
                    _("Use a domain you own; %(platform)s names are given by the platform.") % {"platform": platform}
                ]
            },
        )
    return name


def _audit(*, tenant: Tenant, actor, action: str, domain: Domain, before=None, after=None) -> None:
    from marketplace.audit.services import audit_record

    with tenant_context(tenant):
        audit_record(
            actor=actor, action=action, target=domain, before=before, after={"domain": domain.domain, **(after or {})}
        )


def domain_add(*, actor, tenant: Tenant, domain) -> Domain:
    """Add a custom domain, pending verification, and check its DNS in the background after commit.
    403 when the plan has no custom domains; 409 when another marketplace uses it (or this one has it
    already)."""
    from tenants.tasks import verify_domain

    require(actor, "domains.manage")
    entitlements.require_feature(tenant, "custom_domain")
    name = _normalised(domain)
    now = timezone.now()
    with schema_context(get_public_schema_name()), transaction.atomic():
        existing = Domain.objects.select_for_update().filter(domain=name).first()
        if existing is not None:
            mine = existing.tenant_id == tenant.pk
            raise Conflict(
                _("This marketplace has that domain already.") if mine else _("Another marketplace uses that domain."),
                code="domain_exists" if mine else "domain_taken",
                fields={"domain": [_("Already added.") if mine else _("Used by another marketplace; choose another.")]},
            )
        row = Domain.objects.create(
            tenant=tenant,
            domain=name,
            kind=DomainKind.CUSTOM,
            is_primary=False,
            verification=DomainVerification.PENDING,
            checks_started_at=now,
            next_check_at=now + CHECK_EVERY_AT_FIRST,  # the task below checks at once
        )
        _audit(tenant=tenant, actor=actor, action="domain.added", domain=row)
        transaction.on_commit(lambda: verify_domain.apply_async(kwargs={"domain_id": row.pk, "_schema": "public"}))
        return row


def _own_domain(tenant: Tenant, name, *, lock: bool = False, custom_only: bool = True) -> Domain:
    rows = Domain.objects.filter(tenant=tenant, domain=str(name).strip().lower().rstrip("."))
    if custom_only:
        rows = rows.filter(kind=DomainKind.CUSTOM)
    row = (rows.select_for_update() if lock else rows).first()
    if row is None:
        raise NotFound(_("This marketplace has no such custom domain."))
    return row


def domain_remove(*, actor, tenant: Tenant, domain: str) -> None:
    """Remove a custom domain (the platform subdomain stays). The primary domain cannot be removed."""
    require(actor, "domains.manage")
    with schema_context(get_public_schema_name()), transaction.atomic():
        row = _own_domain(tenant, domain, lock=True)
        if row.is_primary:
            raise Conflict(
                _("Make another domain primary before removing this one."),
                code="domain_is_primary",
                fields={"domain": [_("It is the primary domain.")]},
            )
        _audit(
            tenant=tenant,
            actor=actor,
            action="domain.removed",
            domain=row,
            before={"verification": row.verification},
        )
        row.delete()
        transaction.on_commit(host_cache.forget)


# --- verification ----------------------------------------------------------------------------------


def dns_check(*, name: str, token: str, expected: str, resolver: Resolver) -> tuple[str, dict]:
    """Ask DNS whether `name` proves control: the TXT record `_mkt-verify.<name>` holds `token`, or
    `name` is a CNAME (directly or through a chain) of `expected`. Returns a `DomainCheckResult` and
    the details its sentence needs. Stops at the first lookup that gets no answer in time."""
    txt_name = f"{VERIFY_PREFIX}.{name}"
    detail = {"name": name, "txt_name": txt_name, "expected": expected}
    timed_out = (DomainCheckResult.TIMEOUT, {**detail, "seconds": f"{resolver.timeout:g}"})

    txt = resolver.lookup(txt_name, "TXT")
    if txt.status == LookupStatus.FOUND and token in txt.values:
        return DomainCheckResult.VERIFIED, {**detail, "record": "TXT"}
    if txt.status == LookupStatus.TIMEOUT:
        return timed_out
    cname = resolver.lookup(name, "CNAME")
    if cname.status == LookupStatus.TIMEOUT:
        return timed_out
    if cname.status == LookupStatus.FOUND:
        found = current = cname.values[0]
        for _hop in range(CNAME_CHAIN_LIMIT):
            if current == expected:
                return DomainCheckResult.VERIFIED, {**detail, "record": "CNAME", "found": found}
            step = resolver.lookup(current, "CNAME")
            if step.status == LookupStatus.TIMEOUT:
                return timed_out
            if step.status != LookupStatus.FOUND:
                break
            current = step.values[0]
        return DomainCheckResult.CNAME_ELSEWHERE, {**detail, "found": found}
    if txt.status == LookupStatus.FOUND:
        return DomainCheckResult.TXT_MISMATCH, detail
    failed = next((lookup for lookup in (txt, cname) if lookup.status == LookupStatus.ERROR), None)
    if failed is not None:
        return DomainCheckResult.DNS_ERROR, {**detail, "error": failed.error}
    if cname.status == LookupStatus.NXDOMAIN:
        return DomainCheckResult.NXDOMAIN, detail
    return DomainCheckResult.NO_RECORD, detail


def next_check_at(*, started: datetime, now: datetime) -> datetime | None:
    """When the next automatic check is due after one that failed at `now`; None: give up."""
    age = now - started
    if age >= GIVE_UP_AFTER:
        return None
    step = CHECK_EVERY_AT_FIRST if age < FIRST_PHASE else CHECK_EVERY_LATER
    return min(now + step, started + GIVE_UP_AFTER)  # the last check falls on the deadline


def domain_verify(
    *, domain: Domain | int, actor=None, manual: bool = False, resolver: Resolver | None = None
) -> Domain | None:
    """Check a pending custom domain's DNS and record what was found. Verified: `verified_at`, an
    audit row (the actor, or none for the system) and the domain routes. Not yet: the finding, the
    next automatic check, or — 7 days after the checks began — `failed`. A manual check of a failed
    domain starts a new round of automatic checks. Idempotent: a verified or removed domain is
    returned as it is (None when removed). DNS is asked outside any transaction."""
    domain_id = domain.pk if isinstance(domain, Domain) else domain
    with schema_context(get_public_schema_name()):
        row = Domain.objects.select_related("tenant").filter(pk=domain_id, kind=DomainKind.CUSTOM).first()
        if row is None or row.verification == DomainVerification.VERIFIED:
            return row
        result, detail = dns_check(
            name=row.domain,
            token=row.verification_token,
            expected=platform_host(row.tenant),
            resolver=resolver or get_resolver(),
        )
        with transaction.atomic():
            row = Domain.objects.select_for_update().select_related("tenant").filter(pk=domain_id).first()
            if row is None or row.verification == DomainVerification.VERIFIED:
                return row
            now = timezone.now()
            before = row.verification
            row.last_checked_at, row.last_check_result, row.last_check_detail = now, result, detail
            if result == DomainCheckResult.VERIFIED:
                row.verification, row.verified_at, row.next_check_at = DomainVerification.VERIFIED, now, None
                transaction.on_commit(host_cache.forget)
                action = "domain.verified"
            else:
                if (manual and before == DomainVerification.FAILED) or row.checks_started_at is None:
                    row.checks_started_at = now  # a new round of automatic checks
                row.next_check_at = next_check_at(started=row.checks_started_at, now=now)
                row.verification = DomainVerification.PENDING if row.next_check_at else DomainVerification.FAILED
                gave_up = before == DomainVerification.PENDING and row.verification == DomainVerification.FAILED
                action = "domain.verification_failed" if gave_up else ""
            row.save(
                update_fields=[
                    "verification",
                    "verified_at",
                    "last_checked_at",
                    "last_check_result",
                    "last_check_detail",
                    "next_check_at",
                    "checks_started_at",
                    "updated_at",
                ]
            )
            if action:
                _audit(
                    tenant=row.tenant,
                    actor=actor,
                    action=action,
                    domain=row,
                    before={"verification": before},
                    after={"verification": row.verification, "result": result},
                )
        return row


def domain_check_now(*, actor, tenant: Tenant, domain: str, resolver: Resolver | None = None) -> Domain:
    """An admin's "Check now": the same check as the background one, at once, for a pending or
    failed domain of this marketplace (a verified one is returned as it is). 429 when this domain
    was checked by hand less than CHECK_NOW_SECONDS ago."""
    require(actor, "domains.manage")
    with schema_context(get_public_schema_name()):
        row = _own_domain(tenant, domain)
    if row.verification == DomainVerification.VERIFIED:
        return row
    if not cache.add(f"domain-check-now:{row.pk}", True, timeout=CHECK_NOW_SECONDS):
        raise TooManyChecks(
            _("%(domain)s was checked a moment ago. Try again in %(seconds)s seconds.")
            % {"domain": row.domain, "seconds": CHECK_NOW_SECONDS}
        )
    return domain_verify(domain=row, actor=actor, manual=True, resolver=resolver) or row


def domains_due_for_check(*, now: datetime | None = None, claim_for: timedelta = CHECK_EVERY_AT_FIRST) -> list[int]:
    """Ids of pending custom domains whose automatic check is due (marketplaces not closed), each
    claimed by moving its next check `claim_for` ahead so an overlapping run does not queue it twice."""
    now = now or timezone.now()
    with schema_context(get_public_schema_name()), transaction.atomic():
        ids = list(
            Domain.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(kind=DomainKind.CUSTOM, verification=DomainVerification.PENDING, next_check_at__lte=now)
            .exclude(tenant__status=TenantStatus.CLOSED)
            .order_by("next_check_at")
            .values_list("pk", flat=True)
        )
        Domain.objects.filter(pk__in=ids).update(next_check_at=now + claim_for)
    return ids


# --- the primary domain ---------------------------------------------------------------------------


def domain_make_primary(*, actor, tenant: Tenant, domain: str) -> Domain:
    """Make a verified domain of this marketplace its primary one: a verified custom domain (needs
    the plan's custom domains) or, back again, the platform subdomain. The subdomain's web pages then
    redirect to it, links use it, and the marketplace's Wagtail site follows it. Audited."""
    from cms.sites import site_hostname_sync

    require(actor, "domains.manage")
    with schema_context(get_public_schema_name()), transaction.atomic():
        row = _own_domain(tenant, domain, lock=True, custom_only=False)
        if row.kind == DomainKind.CUSTOM and row.verification != DomainVerification.VERIFIED:
            raise Conflict(
                _("Only a verified domain can be primary: %(domain)s is still waiting for its DNS record.")
                % {"domain": row.domain},
                code="domain_not_verified",
            )
        if row.is_primary:
            return row
        if row.kind == DomainKind.CUSTOM:
            entitlements.require_feature(tenant, "custom_domain")
        previous = Domain.objects.select_for_update().filter(tenant=tenant, is_primary=True).first()
        if previous is not None:  # one primary per marketplace (a constraint): clear the old one first
            previous.is_primary = False
            previous.save(update_fields=["is_primary", "updated_at"])
        row.is_primary = True
        row.save(update_fields=["is_primary", "updated_at"])
        site_hostname_sync(tenant=tenant)
        _audit(
            tenant=tenant,
            actor=actor,
            action="domain.made_primary",
            domain=row,
            before={"primary": previous.domain if previous else None},
            after={"primary": row.domain},
        )
        transaction.on_commit(host_cache.forget)
        return row


# --- reads -------------------------------------------------------------------------------------------


def custom_domains(tenant: Tenant):
    with schema_context(get_public_schema_name()):
        return list(Domain.objects.filter(tenant=tenant, kind=DomainKind.CUSTOM).select_related("tenant"))


def tenant_domains(tenant: Tenant) -> list[Domain]:
    """Every domain of the marketplace: its platform subdomain first, then its custom domains."""
    with schema_context(get_public_schema_name()):
        rows = list(Domain.objects.filter(tenant=tenant).select_related("tenant"))
    return sorted(rows, key=lambda d: (d.kind != DomainKind.SUBDOMAIN, d.domain))


def verified_custom_domains():
    """Every verified custom domain of a marketplace that is not suspended or closed, with its
    marketplace: what a certificate controller (cert-manager) issues certificates for."""
    from tenants.models import UNAVAILABLE_STATUSES, TenantRole

    return (
        Domain.objects.filter(
            kind=DomainKind.CUSTOM, verification=DomainVerification.VERIFIED, tenant__role=TenantRole.MARKETPLACE
        )
        .exclude(tenant__status__in=UNAVAILABLE_STATUSES)
        .select_related("tenant")
        .order_by("domain")
    )
