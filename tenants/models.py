"""Tenancy: one marketplace = one `Tenant` row (public schema) + one PostgreSQL schema."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django_tenants.models import DomainMixin, TenantMixin

from marketplace.common.models import PublicIdField, TimeStampedModel


class TenantKind(models.TextChoices):
    UNIVERSITY = "university", "University"
    AGENCY = "agency", "Agency"
    LAW_FIRM = "law_firm", "Law firm"
    OTHER = "other", "Other"


class TenantStatus(models.TextChoices):
    TRIAL = "trial", "Trial"  # new marketplace on a free trial: fully usable
    ACTIVE = "active", "Active"  # paying subscriber: fully usable
    PAST_DUE = "past_due", "Past due"  # payment failed, grace period: fully usable
    SUSPENDED = "suspended", "Suspended"  # unpaid or blocked by platform staff: shows the unavailable page
    CLOSED = "closed", "Closed"  # closed by its operator; schema dropped after the retention period


class JoinPolicy(models.TextChoices):
    OPEN = "open", "Anyone can join"
    INVITE_ONLY = "invite_only", "By invitation only"
    APPROVAL = "approval", "Anyone can apply; a marketplace admin approves"
    EMAIL_DOMAIN = "email_domain", "Only addresses at the allowed email domains"


class TenantRole(models.TextChoices):
    """What a schema is for. Only marketplaces are routable; the others exist so that every
    `migrate_schemas` keeps them current."""

    MARKETPLACE = "marketplace", "Marketplace"
    TEMPLATE = "template", "Template schema new marketplaces are cloned from"
    POOL = "pool", "Pre-cloned schema waiting to become a marketplace"


UNAVAILABLE_STATUSES = frozenset({TenantStatus.SUSPENDED, TenantStatus.CLOSED})


class Tenant(TenantMixin, TimeStampedModel):
    public_id = PublicIdField("mkt")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=TenantKind.choices, default=TenantKind.OTHER)
    status = models.CharField(max_length=20, choices=TenantStatus.choices, default=TenantStatus.TRIAL, db_index=True)
    status_reason = models.CharField(max_length=255, blank=True)
    role = models.CharField(max_length=20, choices=TenantRole.choices, default=TenantRole.MARKETPLACE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_tenants"
    )
    join_policy = models.CharField(max_length=20, choices=JoinPolicy.choices, default=JoinPolicy.OPEN)
    allowed_email_domains = ArrayField(models.CharField(max_length=253), default=list, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    purge_after = models.DateTimeField(null=True, blank=True)

    # Schemas are created by tenants.services.provisioning (clone of the template), never on save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=TenantStatus.values), name="tenant_status_valid"),
            models.CheckConstraint(
                condition=~models.Q(join_policy="email_domain") | ~models.Q(allowed_email_domains=[]),
                name="tenant_email_domain_policy_has_domains",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.schema_name})"

    @property
    def slug(self) -> str:
        return self.schema_name

    @property
    def is_available(self) -> bool:
        return self.status not in UNAVAILABLE_STATUSES


class DomainKind(models.TextChoices):
    SUBDOMAIN = "subdomain", "Platform subdomain"
    CUSTOM = "custom", "Custom domain"


class DomainVerification(models.TextChoices):
    PENDING = "pending", "Waiting for the DNS record"
    VERIFIED = "verified", "Verified"
    FAILED = "failed", "Verification failed"


def new_verification_token() -> str:
    return "mkt-verify-" + secrets.token_hex(16)


class DomainCheckResult(models.TextChoices):
    """What the last DNS check of a custom domain found (the details are in `last_check_detail`)."""

    VERIFIED = "verified", "The TXT token or the CNAME target was found"
    NO_RECORD = "no_record", "Neither the TXT record nor a CNAME exists"
    NXDOMAIN = "nxdomain", "The domain does not exist in DNS"
    CNAME_ELSEWHERE = "cname_elsewhere", "The CNAME points to another host"
    TXT_MISMATCH = "txt_mismatch", "The TXT record holds another value"
    TIMEOUT = "timeout", "DNS did not answer in time"
    DNS_ERROR = "dns_error", "DNS answered with an error"


class Domain(DomainMixin, TimeStampedModel):
    kind = models.CharField(max_length=20, choices=DomainKind.choices, default=DomainKind.SUBDOMAIN)
    verification = models.CharField(
        max_length=20, choices=DomainVerification.choices, default=DomainVerification.VERIFIED
    )
    verification_token = models.CharField(max_length=64, default=new_verification_token, editable=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    # DNS checks of a pending custom domain (tenants.services.domains.domain_verify): what the last one
    # found, when the next automatic one is due (null: none), and since when this round of checks runs
    # (automatic checks give up DOMAIN_CHECK_GIVE_UP after it; a manual check starts a new round).
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_check_result = models.CharField(max_length=20, choices=DomainCheckResult.choices, blank=True)
    last_check_detail = models.JSONField(default=dict, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    checks_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"], condition=models.Q(is_primary=True), name="domain_one_primary_per_tenant"
            ),
            models.CheckConstraint(condition=models.Q(domain=Lower("domain")), name="domain_lowercase"),
        ]
        indexes = [
            # The beat job's question: which pending domains are due for a check.
            models.Index(
                fields=["next_check_at"], condition=models.Q(verification="pending"), name="domain_pending_due"
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    @property
    def last_check_message(self) -> str:
        """The last check's finding as a sentence in the active language ("" before any check)."""
        return check_message(self.last_check_result, self.last_check_detail)


def check_message(result: str, detail: dict) -> str:
    detail = detail or {}
    messages = {
        DomainCheckResult.VERIFIED: _("Verified through the %(record)s record."),
        DomainCheckResult.NO_RECORD: _("No TXT record found at %(txt_name)s, and no CNAME record at %(name)s."),
        DomainCheckResult.NXDOMAIN: _(
            "%(name)s does not exist in DNS yet (NXDOMAIN), and there is no TXT record at %(txt_name)s."
        ),
        DomainCheckResult.CNAME_ELSEWHERE: _("CNAME points to %(found)s, expected %(expected)s."),
        DomainCheckResult.TXT_MISMATCH: _(
            "The TXT record at %(txt_name)s holds another value, not this domain's token."
        ),
        DomainCheckResult.TIMEOUT: _("DNS did not answer in time (we waited %(seconds)s s)."),
        DomainCheckResult.DNS_ERROR: _("DNS answered with an error (%(error)s)."),
    }
    template = messages.get(result)
    if template is None:
        return ""
    keys = ("record", "name", "txt_name", "found", "expected", "seconds", "error")
    return template % {key: detail.get(key, "") for key in keys}


class SignupStatus(models.TextChoices):
    QUEUED = "queued", "Queued"  # waiting for a worker
    PROVISIONING = "provisioning", "Creating the marketplace"  # a worker is on it
    READY = "ready", "Ready"  # the marketplace exists; `tenant` is set
    FAILED = "failed", "Failed"  # nothing was created; `error` says why


class MarketplaceSignup(TimeStampedModel):
    """A self-service sign-up, provisioned in the background; its page polls this row."""

    public_id = PublicIdField("sgn")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signups")
    name = models.CharField(max_length=120)
    slug = models.CharField(max_length=63)
    kind = models.CharField(max_length=20, choices=TenantKind.choices)
    plan = models.CharField(max_length=40, default="starter")  # billing.Plan code; its trial starts on provisioning
    billing_interval = models.CharField(max_length=10, default="month")
    admin_email = models.EmailField()
    # The first tenant admin's password, hashed; copied to the tenant's user table on provisioning.
    admin_password_hash = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=SignupStatus.choices, default=SignupStatus.QUEUED)
    error = models.TextField(blank=True)
    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.slug} ({self.status})"


class TenantEvent(TimeStampedModel):
    """Lifecycle trail of a marketplace (provisioned, suspended, reactivated, closed, purged)."""

    tenant = models.ForeignKey(Tenant, null=True, on_delete=models.SET_NULL, related_name="events")
    tenant_slug = models.CharField(max_length=63)  # kept after the tenant row is purged
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.tenant_slug}: {self.action}"


class TemplateSnapshot(models.Model):
    """The template schema as replayable SQL (DDL + its rows), for one state of its migrations.

    Replaying this script is how new schemas are cloned: it costs the same whatever the number of
    tenants, unlike copying table by table through the catalogue.
    """

    fingerprint = models.CharField(max_length=64, unique=True)  # sha256 of the template's applied migrations
    sql = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.fingerprint[:12]


# --- one-time sign-in links and support sessions ------------------------------------------------------


class SignInPurpose(models.TextChoices):
    OPERATOR = "operator", "The operator opens its new marketplace's admin"
    SUPPORT = "support", "Platform staff open a support session as a member"


class SignInLink(TimeStampedModel):
    """A one-time link that signs someone in at one marketplace's host. The link's token is signed
    with the marketplace's schema in its salt (useless at another host) and expires in minutes; this
    row is what makes it single-use: redeeming locks it and stamps `used_at`."""

    public_id = PublicIdField("sil")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=20, choices=SignInPurpose.choices)
    account_id = models.CharField(max_length=32)  # public id of the account in the marketplace's schema
    account_email = models.EmailField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.purpose} link to {self.tenant_id} for {self.account_email}"


class SupportSession(TimeStampedModel):
    """Platform staff viewing a marketplace as one of its members, for support: who, where, as whom,
    why, from which address, and when it started (the link was used) and ended. The platform's side of
    the audit trail; the marketplace's own audit log records the start and end too."""

    public_id = PublicIdField("sup")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="support_sessions"
    )
    staff_email = models.EmailField()  # kept if the staff account is removed
    tenant = models.ForeignKey(Tenant, null=True, on_delete=models.SET_NULL, related_name="support_sessions")
    tenant_slug = models.CharField(max_length=63)  # kept after the tenant row is purged
    member_id = models.CharField(max_length=32)  # public id of the member in the marketplace's schema
    member_email = models.EmailField()
    member_name = models.CharField(max_length=150, blank=True)
    reason = models.CharField(max_length=500)
    ip = models.GenericIPAddressField(null=True, blank=True)  # where staff asked for it
    link = models.OneToOneField(SignInLink, null=True, on_delete=models.SET_NULL, related_name="support_session")
    started_at = models.DateTimeField(null=True, blank=True)  # the link was used at the marketplace
    started_ip = models.GenericIPAddressField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(started_at__isnull=False),
                name="support_session_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_email} as {self.member_email} at {self.tenant_slug}"

    @property
    def state(self) -> str:
        """unused (its link was never used), open, ended, or expired (started, never ended, and older
        than the longest support session: the browser's session is over)."""
        from datetime import timedelta

        from django.utils import timezone

        if self.ended_at:
            return "ended"
        if not self.started_at:
            return "unused"
        if self.started_at + timedelta(minutes=settings.SUPPORT_SESSION_MINUTES) <= timezone.now():
            return "expired"
        return "open"
