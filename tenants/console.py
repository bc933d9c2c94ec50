"""Reads for the platform console (public schema, platform staff): every marketplace with its owner,
subscription, health and usage against its plan's limits; one marketplace in detail; its members
(for support sessions); support sessions.

Health is worked out for every marketplace in a fixed number of queries (the list filters on it):
routing (a verified primary domain that routes to it, and online), its schema (present and holding
every migration: one round trip for all, `stale_schemas`), billing (the last dunning step, failed
collection attempts on open invoices) and provisioning (its sign-up, if it came from one). Usage is
counted in each marketplace's own schema (`billing.usage`), so only for the rows shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from billing.entitlements import LIMIT_NAMES
from billing.models import (
    LIMITS,
    InvoiceStatus,
    Subscription,
    SubscriptionEvent,
    SubscriptionStatus,
    TenantInvoice,
    UsageRecord,
)
from billing.selectors import usage_against_limits
from tenants.context import tenant_context
from tenants.models import (
    DomainVerification,
    MarketplaceSignup,
    SignupStatus,
    SupportSession,
    Tenant,
    TenantEvent,
    TenantRole,
    TenantStatus,
)
from tenants.selectors import tenant_primary_url

# Subscription events written by the dunning job (billing/dunning.py), newest first is "the last result".
DUNNING_ACTIONS = ("payment_missed", "payment_reminder", "suspended_unpaid", "paid")
HEALTH_LEVELS = ("ok", "warning", "problem")


@cache
def _expected_leaves() -> tuple[tuple[str, str], ...]:
    """The code's migration leaves (fixed for the life of the process)."""
    from tenants.services.schema_migrations import expected_tenant_leaves

    return tuple(expected_tenant_leaves())


@dataclass(frozen=True)
class Check:
    name: str  # "routing", "schema", "billing", "provisioning"
    level: str  # "ok", "warning", "problem"
    text: str


@dataclass
class Health:
    checks: list[Check]
    failed_payments: int = 0  # collection attempts on open invoices (each failed)
    last_dunning: SubscriptionEvent | None = None

    @property
    def level(self) -> str:
        return max((check.level for check in self.checks), key=HEALTH_LEVELS.index, default="ok")

    @property
    def problems(self) -> list[Check]:
        return [check for check in self.checks if check.level != "ok"]


@dataclass(frozen=True)
class UsageRow:
    key: str
    name: str
    used: int | None  # None: not measured
    limit: int | None  # None: unlimited
    percent: int  # of the limit, at most 100; 0 when unlimited

    @property
    def level(self) -> str:
        if self.limit is not None and (self.used or 0) >= self.limit:
            return "full"
        return "near" if self.limit and self.percent >= 80 else "ok"


@dataclass
class ConsoleTenant:
    tenant: Tenant
    subscription: Subscription | None
    health: Health
    url: str
    usage: list[UsageRow] = field(default_factory=list)  # filled by `with_usage`

    @property
    def fullest(self) -> UsageRow | None:
        """The limit closest to being reached (None when everything is unlimited)."""
        limited = [row for row in self.usage if row.limit is not None]
        return max(limited, key=lambda row: row.percent, default=None)


def usage_rows(subscription: Subscription) -> list[UsageRow]:
    """Each limit of the plan with what the marketplace uses now (counted in its schema)."""
    figures = usage_against_limits(subscription)["limits"]
    rows = []
    for key in LIMITS:
        used, limit = figures[key]["used"], figures[key]["limit"]
        percent = min(100, round(100 * (used or 0) / limit)) if limit else (100 if limit == 0 else 0)
        rows.append(UsageRow(key, LIMIT_NAMES[key], used, limit, percent))
    return rows


def _schema_states(tenants: list[Tenant]) -> tuple[set[str], set[str]]:
    """(schemas that exist, schemas behind the code's migrations), two round trips for all."""
    from tenants.services.schema_migrations import stale_schemas, tenant_schemas

    existing = set(tenant_schemas())
    present = [t.schema_name for t in tenants if t.schema_name in existing]
    return existing, set(stale_schemas(present, list(_expected_leaves()))) if present else set()


def _health(
    tenant: Tenant,
    subscription: Subscription | None,
    *,
    existing: set[str],
    stale: set[str],
    dunning: SubscriptionEvent | None,
    attempts: int,
    signup: MarketplaceSignup | None,
) -> Health:
    checks = []
    primary = next((d for d in tenant.domains.all() if d.is_primary), None)
    if primary is None or primary.verification != DomainVerification.VERIFIED:
        checks.append(Check("routing", "problem", _("No verified primary address: nothing routes to it.")))
    elif tenant.status in (TenantStatus.SUSPENDED, TenantStatus.CLOSED):
        text = _("Offline (%(status)s): %(host)s shows the unavailable page.")
        checks.append(Check("routing", "warning", text % {"status": tenant.get_status_display(), "host": primary}))
    else:
        checks.append(Check("routing", "ok", _("%(host)s routes here.") % {"host": primary}))
    if tenant.schema_name not in existing:
        checks.append(Check("schema", "problem", _("The schema is missing.")))
    elif tenant.schema_name in stale:
        checks.append(Check("schema", "problem", _("Migrations are pending: run migrate_fast.")))
    else:
        checks.append(Check("schema", "ok", _("Schema present, every migration applied.")))
    if subscription is None:
        checks.append(Check("billing", "problem", _("No subscription.")))
    elif subscription.status == SubscriptionStatus.SUSPENDED:
        checks.append(Check("billing", "problem", dunning.reason if dunning else _("Suspended for non-payment.")))
    elif subscription.status == SubscriptionStatus.PAST_DUE or attempts:
        reason = dunning.reason if dunning else _("Past due.")
        checks.append(Check("billing", "warning", reason))
    else:
        text = dunning.reason if dunning else _("Nothing owed.")
        checks.append(Check("billing", "ok", text))
    if signup is not None and signup.status == SignupStatus.FAILED:
        checks.append(Check("provisioning", "problem", signup.error))
    elif signup is not None and signup.status != SignupStatus.READY:
        checks.append(Check("provisioning", "warning", _("Sign-up still %(status)s.") % {"status": signup.status}))
    return Health(checks=checks, failed_payments=attempts, last_dunning=dunning)


def _rows(tenants: list[Tenant]) -> list[ConsoleTenant]:
    """Console rows with health for `tenants` (subscription, owner and domains already joined)."""
    ids = [t.pk for t in tenants]
    existing, stale = _schema_states(tenants)
    dunning = {
        event.subscription.tenant_id: event
        for event in SubscriptionEvent.objects.filter(subscription__tenant_id__in=ids, action__in=DUNNING_ACTIONS)
        .select_related("subscription")
        .order_by("subscription_id", "-created_at", "-id")
        .distinct("subscription_id")
    }
    attempts = dict(
        TenantInvoice.objects.filter(tenant_id__in=ids, status=InvoiceStatus.OPEN)
        .values_list("tenant_id")
        .annotate(n=Sum("attempts"))
        .order_by()
    )
    signups = {
        signup.tenant_id: signup
        for signup in MarketplaceSignup.objects.filter(tenant_id__in=ids)
        .order_by("tenant_id", "-created_at")
        .distinct("tenant_id")
    }
    rows = []
    for tenant in tenants:
        subscription = getattr(tenant, "subscription", None) if _has_subscription(tenant) else None
        health = _health(
            tenant,
            subscription,
            existing=existing,
            stale=stale,
            dunning=dunning.get(tenant.pk),
            attempts=attempts.get(tenant.pk) or 0,
            signup=signups.get(tenant.pk),
        )
        rows.append(ConsoleTenant(tenant, subscription, health, tenant_primary_url(tenant)))
    return rows


def _has_subscription(tenant: Tenant) -> bool:
    try:
        return tenant.subscription is not None
    except Subscription.DoesNotExist:
        return False


def _marketplaces() -> QuerySet[Tenant]:
    return (
        Tenant.objects.filter(role=TenantRole.MARKETPLACE)
        .select_related("owner", "subscription__plan_version__plan")
        .prefetch_related("domains")
        .order_by("name", "pk")
    )


def tenant_list(
    *, q: str = "", status: str = "", plan: str = "", subscription_status: str = "", health: str = ""
) -> list[ConsoleTenant]:
    """Marketplaces matching the search (name, address, owner's email, any domain) and filters (the
    marketplace's status, plan code, subscription status, health level or "attention": not ok), by name."""
    tenants = _marketplaces()
    if q := q.strip():
        tenants = tenants.filter(
            Q(name__icontains=q)
            | Q(schema_name__icontains=q)
            | Q(owner__email__icontains=q)
            | Q(domains__domain__icontains=q)
        ).distinct()
    if status:
        tenants = tenants.filter(status=status)
    if plan:
        tenants = tenants.filter(subscription__plan_version__plan__code=plan)
    if subscription_status:
        tenants = tenants.filter(subscription__status=subscription_status)
    rows = _rows(list(tenants))
    if health == "attention":
        rows = [row for row in rows if row.health.level != "ok"]
    elif health in HEALTH_LEVELS:
        rows = [row for row in rows if row.health.level == health]
    return rows


def with_usage(rows: list[ConsoleTenant]) -> list[ConsoleTenant]:
    """Count usage for `rows` (a page of the list): a handful of indexed queries in each schema."""
    for row in rows:
        if row.subscription is not None and row.tenant.schema_name:
            row.usage = usage_rows(row.subscription)
    return rows


def tenant_for_console(public_id: str) -> ConsoleTenant | None:
    tenant = _marketplaces().filter(public_id=public_id).first()
    if tenant is None:
        return None
    return with_usage(_rows([tenant]))[0]


@dataclass
class TenantHistory:
    subscription_events: list[SubscriptionEvent]
    tenant_events: list[TenantEvent]
    invoices: list[TenantInvoice]
    usage_records: list[UsageRecord]
    support_sessions: list[SupportSession]
    signup: MarketplaceSignup | None


def tenant_history(tenant: Tenant) -> TenantHistory:
    """What happened to a marketplace: its subscription's and its own events (newest first), the
    platform's invoices, monthly usage snapshots (oldest first, the last 12), support sessions."""
    events = list(
        SubscriptionEvent.objects.filter(subscription__tenant=tenant)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    usage = list(UsageRecord.objects.filter(tenant=tenant).order_by("-period_start")[:12])
    usage.reverse()
    return TenantHistory(
        subscription_events=events,
        tenant_events=list(TenantEvent.objects.filter(tenant=tenant).select_related("actor")),
        invoices=list(TenantInvoice.objects.filter(tenant=tenant).order_by("-issued_at", "-id")),
        usage_records=usage,
        support_sessions=list(SupportSession.objects.filter(tenant=tenant).order_by("-created_at")[:20]),
        signup=MarketplaceSignup.objects.filter(tenant=tenant).order_by("-created_at").first(),
    )


@dataclass(frozen=True)
class Member:
    public_id: str
    email: str
    name: str
    roles: list[str]


def members_search(tenant: Tenant, q: str, *, limit: int = 10) -> list[Member]:
    """Active members of `tenant` whose email or name contains `q` (read in its schema), by email."""
    q = (q or "").strip()
    if not q:
        return []
    with tenant_context(tenant):
        users = list(
            User.objects.filter(is_active=True)
            .filter(Q(email__icontains=q) | Q(full_name__icontains=q))
            .order_by("email")[:limit]
        )
    return [Member(u.public_id, u.email, u.full_name, u.roles) for u in users]


def support_sessions(*, q: str = "", state: str = "") -> QuerySet[SupportSession]:
    """Support sessions, newest first: `q` in the staff's or member's email or the marketplace's
    address; `state` as `SupportSession.state`: open, expired, ended or unused."""
    sessions = SupportSession.objects.select_related("tenant").order_by("-created_at", "-id")
    if q := q.strip():
        sessions = sessions.filter(
            Q(staff_email__icontains=q) | Q(member_email__icontains=q) | Q(tenant_slug__icontains=q)
        )
    cutoff = timezone.now() - timedelta(minutes=settings.SUPPORT_SESSION_MINUTES)
    if state == "open":
        sessions = sessions.filter(started_at__gt=cutoff, ended_at__isnull=True)
    elif state == "expired":
        sessions = sessions.filter(started_at__lte=cutoff, ended_at__isnull=True)
    elif state == "ended":
        sessions = sessions.filter(ended_at__isnull=False)
    elif state == "unused":
        sessions = sessions.filter(started_at__isnull=True)
    return sessions
