"""Self-service sign-up on the platform site: an operator account plus a marketplace, provisioned
by a background job while the operator watches a progress page."""

from __future__ import annotations

import logging

from django.contrib.auth.hashers import make_password
from django.db import transaction

from billing.models import Interval
from billing.services import plan_version_choosable
from marketplace.common.errors import DomainError, ValidationFailed
from tenants.models import MarketplaceSignup, SignupStatus, Tenant, TenantKind
from tenants.services.provisioning import marketplace_fields_validate, tenant_provision

logger = logging.getLogger(__name__)


@transaction.atomic
def signup_create(
    *,
    owner,
    name: str,
    slug: str,
    kind: str,
    admin_password: str,
    plan: str = "starter",
    interval: str = Interval.MONTH,
) -> MarketplaceSignup:
    """Validate now (so the form can show errors at once) and queue the provisioning job."""
    name, slug = name.strip(), slug.strip().lower()
    marketplace_fields_validate(name=name, slug=slug, kind=kind, admin_email=owner.email, admin_password=None)
    plan_version_choosable(plan)
    pending = MarketplaceSignup.objects.filter(
        slug=slug, status__in=[SignupStatus.QUEUED, SignupStatus.PROVISIONING]
    ).exclude(owner=owner)
    if pending.exists():
        raise ValidationFailed(
            "The marketplace could not be created: fix the fields listed.",
            fields={"slug": [f"'{slug}' is already taken; choose another address."]},
        )
    signup = MarketplaceSignup.objects.create(
        owner=owner,
        name=name,
        slug=slug,
        kind=kind if kind in TenantKind.values else TenantKind.OTHER,
        plan=plan,
        billing_interval=interval if interval in Interval.values else Interval.MONTH,
        admin_email=owner.email,
        admin_password_hash=make_password(admin_password) if admin_password else owner.password,
    )
    from tenants.tasks import provision_signup

    transaction.on_commit(lambda: provision_signup.delay(signup_id=signup.pk))
    return signup


def signup_process(*, signup_id: int) -> MarketplaceSignup | None:
    """Run one sign-up's provisioning (idempotent: a finished sign-up is left as it is)."""
    with transaction.atomic():
        signup = MarketplaceSignup.objects.select_for_update().filter(pk=signup_id).first()
        if signup is None or signup.status in (SignupStatus.READY, SignupStatus.FAILED):
            return signup
        existing = Tenant.objects.filter(schema_name=signup.slug, owner=signup.owner).first()
        if existing is not None:  # a retry after the tenant was already created
            signup.status, signup.tenant = SignupStatus.READY, existing
            signup.save(update_fields=["status", "tenant", "updated_at"])
            return signup
        signup.status = SignupStatus.PROVISIONING
        signup.save(update_fields=["status", "updated_at"])
    try:
        tenant = tenant_provision(
            name=signup.name,
            slug=signup.slug,
            kind=signup.kind,
            admin_email=signup.admin_email,
            admin_password_hash=signup.admin_password_hash,
            admin_name=signup.owner.full_name,
            owner=signup.owner,
            actor=signup.owner,
            plan=signup.plan,
            interval=signup.billing_interval,
            collection="automatic",
        )
    except DomainError as exc:
        details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.fields.items())
        _finish(signup, status=SignupStatus.FAILED, error=f"{exc.message} {details}".strip())
        return signup
    except Exception:
        logger.exception("provisioning sign-up %s failed", signup.public_id)
        _finish(
            signup,
            status=SignupStatus.FAILED,
            error="Something went wrong while creating the marketplace; nothing was created. Please try again.",
        )
        return signup
    _finish(signup, status=SignupStatus.READY, tenant=tenant)
    return signup


def _finish(signup: MarketplaceSignup, *, status: str, error: str = "", tenant: Tenant | None = None) -> None:
    signup.status, signup.error, signup.tenant = status, error, tenant
    signup.admin_password_hash = ""  # no longer needed once the tenant's admin exists (or failed)
    signup.save(update_fields=["status", "error", "tenant", "admin_password_hash", "updated_at"])
