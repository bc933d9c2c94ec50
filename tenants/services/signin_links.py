"""One-time sign-in links to a marketplace's host.

Sessions are per host (cookies are host-only) and accounts per schema, so moving someone from the
platform site into a marketplace needs a link the marketplace's host can trust: an operator whose new
marketplace is ready lands in its admin; platform staff open a support session as a member
(`tenants.services.support`).

A link's token is signed (`django.core.signing`, the project's SECRET_KEY) with the marketplace's
schema in its salt, so a token minted for one marketplace is a bad signature at every other host; it
carries its time and is refused after `SIGNIN_LINK_SECONDS`. The `SignInLink` row makes it
single-use: redeeming locks the row and stamps `used_at`, so a second use (or a race of two) fails.

The rows live in the public schema and are redeemed from the marketplace's schema (`search_path`
ends with public). Their user foreign keys point at platform accounts: never follow them while a
marketplace's schema is active (its `accounts_user` would answer).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from marketplace.common.errors import Conflict, DomainError, PermissionDenied
from tenants.context import tenant_context
from tenants.models import SignInLink, SignInPurpose, Tenant, TenantStatus

SALT = "tenants.signin-link"


class SignInLinkInvalid(DomainError):
    """A link that cannot sign anyone in: not for this host, expired or used already."""

    status_code = 400
    code = "signin_link_invalid"


def _salt(schema: str) -> str:
    return f"{SALT}:{schema}"


def signin_link_issue(*, tenant: Tenant, purpose: str, account: User, created_by=None) -> tuple[SignInLink, str]:
    """A new link signing in as `account` (a user of `tenant`'s schema). Returns the row and its token."""
    link = SignInLink.objects.create(
        tenant=tenant,
        purpose=purpose,
        account_id=account.public_id,
        account_email=account.email,
        created_by=created_by if getattr(created_by, "pk", None) else None,
        expires_at=timezone.now() + timedelta(seconds=settings.SIGNIN_LINK_SECONDS),
    )
    return link, signing.dumps({"l": link.public_id}, salt=_salt(tenant.schema_name))


@transaction.atomic
def signin_link_redeem(*, token: str, purpose: str, ip: str | None = None) -> tuple[SignInLink, User]:
    """Use a link at the current marketplace (the request's schema): the link, locked and marked used,
    and the account it signs in as. Raises `SignInLinkInvalid` (nothing changes) when the token was
    signed for another marketplace or tampered with, is too old, or was used already."""
    schema = connection.schema_name
    try:
        data = signing.loads(token, salt=_salt(schema), max_age=settings.SIGNIN_LINK_SECONDS)
    except signing.SignatureExpired:
        raise SignInLinkInvalid(_("This sign-in link has expired."), code="signin_link_expired") from None
    except signing.BadSignature:
        raise SignInLinkInvalid(_("This sign-in link is not valid here.")) from None
    link = (
        SignInLink.objects.select_for_update(of=("self",))
        .filter(public_id=data.get("l") if isinstance(data, dict) else None, purpose=purpose)
        .filter(tenant__schema_name=schema)
        .first()
    )
    if link is None:
        raise SignInLinkInvalid(_("This sign-in link is not valid here."))
    now = timezone.now()
    if link.used_at is not None:
        raise SignInLinkInvalid(_("This sign-in link was used already."), code="signin_link_used")
    if link.expires_at <= now:
        raise SignInLinkInvalid(_("This sign-in link has expired."), code="signin_link_expired")
    account = User.objects.filter(public_id=link.account_id, is_active=True).first()
    if account is None or (purpose == SignInPurpose.OPERATOR and not account.is_marketplace_admin):
        raise SignInLinkInvalid(_("The account this link was made for cannot sign in any more."))
    link.used_at, link.used_ip = now, ip
    link.save(update_fields=["used_at", "used_ip", "updated_at"])
    return link, account


@transaction.atomic
def operator_signin_link_issue(*, actor, tenant: Tenant) -> tuple[SignInLink, str]:
    """A link that signs the marketplace's owner in as its admin: the account provisioning created in
    the marketplace with the owner's email. Only the owner gets one, and only while the marketplace is
    open."""
    if not getattr(actor, "pk", None) or tenant.owner_id != actor.pk:
        raise PermissionDenied(_("Only the marketplace's owner can open its admin from here."))
    if tenant.status == TenantStatus.CLOSED:
        raise Conflict(_("This marketplace is closed."), code="tenant_closed")
    with tenant_context(tenant):
        admin = User.objects.filter(email__iexact=actor.email, is_marketplace_admin=True, is_active=True).first()
    if admin is None:
        raise Conflict(
            _("This marketplace has no admin account with your email; sign in there instead."),
            code="no_admin_account",
        )
    return signin_link_issue(tenant=tenant, purpose=SignInPurpose.OPERATOR, account=admin, created_by=actor)
