"""Writes about people: registration under the marketplace's join policy, sign-in checks, email
verification, password reset, invitations, approval and roles.

Everything here works on the current schema: a marketplace's users in its schema, platform staff
and operators in the public schema.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.emails import send_invitation_email, send_password_reset_email, send_verification_email
from accounts.models import ROLE_FIELDS, Invitation, Role, User, UserStatus
from accounts.permissions import require
from accounts.tokens import password_reset_tokens
from billing import entitlements
from marketplace.audit.services import audit_record
from marketplace.common.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from tenants.models import JoinPolicy

SELF_SERVICE_ROLES = {Role.CLIENT, Role.PROVIDER}
INVITATION_TTL = timedelta(days=14)
EMAIL_VERIFICATION_MAX_AGE = 3 * 24 * 3600
_VERIFY_SALT = "accounts.verify-email"


class AuthenticationFailed(DomainError):
    status_code = 400
    code = "invalid_credentials"


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationFailed(
            "Enter a valid email address.", fields={"email": ["Enter a valid email address."]}
        ) from exc
    return email


def _clean_roles(roles: Iterable[str], *, allowed: set[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    unknown = [r for r in roles if r not in allowed]
    if unknown or not roles:
        choices = ", ".join(sorted(allowed))
        raise ValidationFailed(
            f"Choose at least one role from: {choices}.", fields={"roles": [f"Choose from: {choices}."]}
        )
    return roles


def _check_password(password: str, user: User | None = None, field: str = "password") -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationFailed("Choose a stronger password.", fields={field: list(exc.messages)}) from exc


def _email_domain_allowed(email: str, domains: list[str]) -> bool:
    domain = email.rsplit("@", 1)[-1]
    return any(domain == d or domain.endswith("." + d) for d in domains)


def _open_invitation(token: str | None, email: str) -> Invitation | None:
    if not token:
        return None
    invitation = Invitation.objects.select_for_update().filter(token_hash=Invitation.hash_token(token)).first()
    if invitation is None or not invitation.is_open:
        raise ValidationFailed(
            "This invitation is invalid or has expired; ask the marketplace for a new one.",
            fields={"invitation": ["Invalid or expired invitation."]},
        )
    if invitation.email.lower() != email:
        raise ValidationFailed(
            "This invitation was sent to another email address; register with the invited address.",
            fields={"email": [f"Use the invited address ({invitation.email})."]},
        )
    return invitation


@transaction.atomic
def user_register(
    *,
    tenant,
    email: str,
    password: str,
    full_name: str = "",
    roles: Iterable[str] = (Role.CLIENT,),
    invitation_token: str | None = None,
) -> User:
    """Register a person at the current marketplace (or, with tenant=None, an operator on the platform).

    The marketplace's join policy decides: open -> active; approval -> waits for an admin;
    invite-only -> needs an invitation; email domain -> only the allowed domains. An invitation
    overrides the policy and brings its roles.
    """
    email = _clean_email(email)
    full_name = (full_name or "").strip()[:150]
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationFailed(
            "An account with this email already exists here; sign in or reset your password.",
            code="email_taken",
            fields={"email": ["An account with this email already exists here."]},
        )
    user = User(email=email, full_name=full_name)
    _check_password(password, user)

    if tenant is None:  # the platform site: operators who launch marketplaces
        user.is_operator = True
        user.set_status(UserStatus.ACTIVE)
    else:
        invitation = _open_invitation(invitation_token, email)
        if invitation is not None:
            granted = invitation.roles
            user.set_status(UserStatus.ACTIVE)
            user.email_verified_at = timezone.now()  # the invitation link proved the address
        else:
            granted = _clean_roles(roles, allowed={r.value for r in SELF_SERVICE_ROLES})
            user.set_status(_status_under_policy(tenant, email))
        for role in granted:
            setattr(user, ROLE_FIELDS[Role(role)], True)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent registration with the same email
        raise ValidationFailed(
            "An account with this email already exists here; sign in or reset your password.",
            code="email_taken",
            fields={"email": ["An account with this email already exists here."]},
        ) from exc
    if tenant is not None and invitation is not None:
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    if tenant is not None:
        audit_record(
            actor=user, action="user.registered", target=user, after={"roles": user.roles, "status": user.status}
        )
    if not user.email_verified:
        transaction.on_commit(lambda: send_verification_email(user_id=user.pk, token=email_verification_token(user)))
    return user


def _status_under_policy(tenant, email: str) -> str:
    policy = tenant.join_policy
    if policy == JoinPolicy.INVITE_ONLY:
        raise PermissionDenied(
            "This marketplace is invitation-only: ask its team for an invitation.", code="invitation_required"
        )
    if policy == JoinPolicy.EMAIL_DOMAIN and not _email_domain_allowed(email, tenant.allowed_email_domains):
        allowed = ", ".join("@" + d for d in tenant.allowed_email_domains)
        raise PermissionDenied(
            f"Only addresses at {allowed} can join this marketplace.",
            code="email_domain_not_allowed",
        )
    if policy == JoinPolicy.APPROVAL:
        return UserStatus.PENDING_APPROVAL
    return UserStatus.ACTIVE


def user_create_marketplace_admin(
    *, email: str, password: str | None = None, password_hash: str | None = None, full_name: str = ""
) -> User:
    """The first admin of a new marketplace (called by provisioning inside the new schema)."""
    user = User(
        email=email.lower(),
        full_name=full_name,
        status=UserStatus.ACTIVE,
        email_verified_at=timezone.now(),
        is_marketplace_admin=True,
        is_client=True,
    )
    if password_hash:
        user.password = password_hash
    else:
        user.set_password(password)  # None -> unusable; the admin sets one through password reset
    user.save()
    audit_record(actor=None, action="user.created_as_first_admin", target=user, after={"roles": user.roles})
    return user


def user_authenticate(*, request, tenant, email: str, password: str) -> User:
    """Check credentials and whether this account may sign in now; raise with the reason if not."""
    email = (email or "").strip().lower()
    user = authenticate(request, username=email, password=password)
    if user is None:
        candidate = User.objects.filter(email__iexact=email).first()
        if candidate is not None and candidate.check_password(password):
            if candidate.status == UserStatus.PENDING_APPROVAL:
                raise PermissionDenied(
                    "Your account is waiting for approval by the marketplace's team.", code="account_pending_approval"
                )
            if candidate.status in (UserStatus.SUSPENDED, UserStatus.REJECTED):
                raise PermissionDenied("This account is not allowed to sign in.", code=f"account_{candidate.status}")
        raise AuthenticationFailed("The email or password is not right.")
    if tenant is not None and tenant.join_policy == JoinPolicy.EMAIL_DOMAIN and not user.email_verified:
        raise PermissionDenied(
            "Confirm your email address first: follow the link we sent you.", code="email_not_verified"
        )
    return user


def email_verification_token(user: User) -> str:
    return signing.dumps({"u": user.public_id, "s": connection.schema_name, "e": user.email}, salt=_VERIFY_SALT)


@transaction.atomic
def user_verify_email(*, token: str) -> User:
    invalid = ValidationFailed(
        "This confirmation link is invalid or has expired; request a new one.",
        code="invalid_token",
        fields={"token": ["Invalid or expired link."]},
    )
    try:
        data = signing.loads(token, salt=_VERIFY_SALT, max_age=EMAIL_VERIFICATION_MAX_AGE)
    except signing.BadSignature as exc:
        raise invalid from exc
    if data.get("s") != connection.schema_name:  # a link from another marketplace
        raise invalid
    user = User.objects.select_for_update().filter(public_id=data.get("u"), email=data.get("e")).first()
    if user is None:
        raise invalid
    if not user.email_verified:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at", "updated_at"])
    return user


def password_reset_request(*, email: str) -> None:
    """Email a reset link if the account exists. Says nothing either way (no account enumeration)."""
    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    if user is not None and user.status not in (UserStatus.SUSPENDED, UserStatus.REJECTED):
        send_password_reset_email(user_id=user.pk, uid=user.public_id, token=password_reset_tokens.make_token(user))


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    user = User.objects.select_for_update().filter(public_id=uid).first()
    if user is None or not password_reset_tokens.check_token(user, token):
        raise ValidationFailed(
            "This reset link is invalid or has been used; request a new one.",
            code="invalid_token",
            fields={"token": ["Invalid or used link."]},
        )
    _check_password(new_password, user, field="new_password")
    user.set_password(new_password)
    if not user.email_verified:  # the link arrived by email, so the address works
        user.email_verified_at = timezone.now()
    user.save(update_fields=["password", "email_verified_at", "updated_at"])
    _revoke_tokens(user)
    return user


def _revoke_tokens(user: User) -> None:
    from knox.models import AuthToken

    AuthToken.objects.filter(user=user).delete()


@transaction.atomic
def invitation_create(*, actor: User, email: str, roles: Iterable[str]) -> tuple[Invitation, str]:
    require(actor, "users.invite")
    email = _clean_email(email)
    roles = _clean_roles(roles, allowed=set(Role.values))
    if {Role.ADMIN, Role.MODERATOR} & set(roles):
        entitlements.check_limit(connection.tenant, "staff_seats")
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(
            "This person already has an account here; change their roles instead.",
            code="already_member",
            fields={"email": ["Already a member."]},
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        roles=roles,
        token_hash=Invitation.hash_token(token),
        invited_by=actor,
        expires_at=timezone.now() + INVITATION_TTL,
    )
    audit_record(actor=actor, action="invitation.created", target=invitation, after={"email": email, "roles": roles})
    transaction.on_commit(lambda: send_invitation_email(invitation_id=invitation.pk, token=token))
    return invitation, token


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    require(actor, "users.invite")
    if invitation.accepted_at:
        raise Conflict("This invitation has already been accepted.", code="invitation_accepted")
    if invitation.revoked_at:
        return invitation  # already revoked: nothing to change
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    audit_record(actor=actor, action="invitation.revoked", target=invitation)
    return invitation


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """Send an open (or lapsed) invitation again: a new link (the old one stops working) valid for
    another INVITATION_TTL, with the same roles."""
    require(actor, "users.invite")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise Conflict("This invitation has already been accepted.", code="invitation_accepted")
    if invitation.revoked_at and invitation.revoked_at < invitation.expires_at:  # revoked by an admin, not lapsed
        raise Conflict("This invitation was revoked; invite the person again instead.", code="invitation_revoked")
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise Conflict("This person already has an account here; change their roles instead.", code="already_member")
    token = secrets.token_urlsafe(32)
    invitation.token_hash = Invitation.hash_token(token)
    invitation.expires_at = timezone.now() + INVITATION_TTL
    invitation.revoked_at = None  # an expired invitation (closed by the expiry job) opens again
    invitation.save(update_fields=["token_hash", "expires_at", "revoked_at", "updated_at"])
    audit_record(actor=actor, action="invitation.resent", target=invitation, after={"email": invitation.email})
    transaction.on_commit(lambda: send_invitation_email(invitation_id=invitation.pk, token=token))
    return invitation


def invitations_expire() -> int:
    """Periodic: mark invitations past their expiry as revoked (idempotent)."""
    return Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=timezone.now()
    ).update(revoked_at=timezone.now())


def _locked_user(public_id: str) -> User:
    user = User.objects.select_for_update().filter(public_id=public_id).first()
    if user is None:
        raise NotFound("No such user at this marketplace.")
    return user


@transaction.atomic
def user_set_status(*, actor: User, user: User, status: str, reason: str = "") -> User:
    """Approve (pending -> active), reject, suspend or reinstate an account."""
    require(actor, "users.approve")
    user = _locked_user(user.public_id)
    allowed = {
        UserStatus.PENDING_APPROVAL: {UserStatus.ACTIVE, UserStatus.REJECTED},
        UserStatus.ACTIVE: {UserStatus.SUSPENDED},
        UserStatus.SUSPENDED: {UserStatus.ACTIVE},
        UserStatus.REJECTED: {UserStatus.ACTIVE},
    }[UserStatus(user.status)]
    if status not in allowed:
        raise Conflict(
            f"An account that is {user.status} can become: {', '.join(sorted(allowed))}.",
            code="invalid_transition",
        )
    if user.pk == actor.pk:
        raise Conflict("You cannot change the status of your own account.", code="own_account")
    before = user.status
    user.set_status(status)
    user.save(update_fields=["status", "is_active", "updated_at"])
    if status != UserStatus.ACTIVE:
        _revoke_tokens(user)
    audit_record(
        actor=actor,
        action="user.status_changed",
        target=user,
        before={"status": before},
        after={"status": status},
        reason=reason,
    )
    return user


@transaction.atomic
def user_set_roles(*, actor: User, user: User, roles: Iterable[str]) -> User:
    require(actor, "users.manage_roles")
    roles = _clean_roles(roles, allowed=set(Role.values))
    user = _locked_user(user.public_id)
    if user.pk == actor.pk and Role.ADMIN not in roles:
        others = User.objects.filter(is_marketplace_admin=True, status=UserStatus.ACTIVE).exclude(pk=user.pk)
        if not others.exists():
            raise Conflict("A marketplace needs at least one admin; make someone else admin first.", code="last_admin")
    if {Role.ADMIN, Role.MODERATOR} & set(roles) and not (user.is_marketplace_admin or user.is_moderator):
        entitlements.check_limit(connection.tenant, "staff_seats")
    before = user.roles
    for role, field in ROLE_FIELDS.items():
        setattr(user, field, role.value in roles)
    user.save(update_fields=[*ROLE_FIELDS.values(), "updated_at"])
    audit_record(
        actor=actor, action="user.roles_changed", target=user, before={"roles": before}, after={"roles": user.roles}
    )
    return user


@transaction.atomic
def user_update_profile(*, user: User, full_name: str) -> User:
    user.full_name = full_name.strip()[:150]
    user.save(update_fields=["full_name", "updated_at"])
    return user


@transaction.atomic
def user_change_password(*, user: User, current_password: str, new_password: str) -> User:
    """A signed-in person replaces their password (the current one proves it is them). Their API
    tokens stop working; the caller keeps the web session signed in."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not isinstance(current_password, str) or not user.check_password(current_password):
        raise ValidationFailed(
            "The current password is not right.", fields={"current_password": ["The current password is not right."]}
        )
    _check_password(new_password, user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    _revoke_tokens(user)
    if connection.schema_name != "public":  # the audit trail is per marketplace
        audit_record(actor=user, action="user.password_changed", target=user)
    return user


@transaction.atomic
def user_change_email(*, user: User, tenant, password: str, new_email: str) -> User:
    """A signed-in person moves their account to another address, proven by their password. The new
    address must be free here and, at a marketplace restricted to email domains, one of them; it
    counts as unconfirmed until the link we send to it is followed."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not isinstance(password, str) or not user.check_password(password):
        raise ValidationFailed("The password is not right.", fields={"password": ["The password is not right."]})
    email = _clean_email(new_email)
    if email == user.email.lower():
        raise ValidationFailed("That is your address already.", fields={"email": ["That is your address already."]})
    if (
        tenant is not None
        and tenant.join_policy == JoinPolicy.EMAIL_DOMAIN
        and not _email_domain_allowed(email, tenant.allowed_email_domains)
    ):
        domains = ", ".join(tenant.allowed_email_domains)
        raise ValidationFailed(
            f"This marketplace is for addresses at {domains}.", fields={"email": [f"Use an address at {domains}."]}
        )
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ValidationFailed(
            "Another account here uses that address.", fields={"email": ["Another account here uses that address."]}
        )
    before = user.email
    user.email, user.email_verified_at = email, None
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_verified_at", "updated_at"])
    except IntegrityError as exc:
        raise ValidationFailed(
            "Another account here uses that address.", fields={"email": ["Another account here uses that address."]}
        ) from exc
    if tenant is not None:
        audit_record(
            actor=user, action="user.email_changed", target=user, before={"email": before}, after={"email": email}
        )
    transaction.on_commit(lambda: send_verification_email(user_id=user.pk, token=email_verification_token(user)))
    return user
