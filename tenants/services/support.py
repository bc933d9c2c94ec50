"""Support sessions: platform staff view a marketplace as one of its members, to see what they see.

1. `support_session_start` (platform host, staff only): a member of an open marketplace and a reason;
   records the `SupportSession` (the platform's audit entry: staff, marketplace, member, reason, the
   staff's address) and issues a one-time sign-in link for that member (`signin_links`).
2. `support_session_enter` (the marketplace's host): uses the link, stamps `started_at` and writes
   `support.session_started` in the marketplace's own audit log (no actor: the member did nothing;
   the staff's email is in `after`). The view then signs the browser in as the member and marks the
   session as a support session, so every page shows a banner.
3. `support_session_end` (the marketplace's host): stamps `ended_at` and writes
   `support.session_ended`; the view signs out.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from marketplace.audit.services import audit_record
from marketplace.common.errors import Conflict, ValidationFailed
from tenants.context import tenant_context
from tenants.models import SignInPurpose, SupportSession, Tenant, TenantStatus
from tenants.services.signin_links import signin_link_issue, signin_link_redeem

REASON_MAX = 500


@transaction.atomic
def support_session_start(
    *, actor, tenant: Tenant, member_id: str, reason: str, ip: str | None = None
) -> tuple[SupportSession, str]:
    """Open a support session as the member with public id `member_id`. Returns the session and the
    token of its one-time link. Refused for anyone but platform staff (403), for a closed marketplace
    (409), without a reason or with an unknown or inactive member (400); nothing is written then."""
    require(actor, "platform.support.impersonate")
    tenant = Tenant.objects.get(pk=tenant.pk)  # its status now, not when the page was drawn
    if tenant.status == TenantStatus.CLOSED:
        raise Conflict(_("A closed marketplace cannot be entered for support."), code="tenant_closed")
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Say why you need to see the marketplace as this member.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("Use at most %(n)d characters.") % {"n": REASON_MAX}]
    with tenant_context(tenant):
        member = User.objects.filter(public_id=member_id).first() if isinstance(member_id, str) else None
    if member is None:
        errors["member"] = [_("Choose a member of this marketplace.")]
    elif not member.is_active:
        errors["member"] = [_("This account cannot sign in (it is not active).")]
    if errors:
        raise ValidationFailed(_("The support session could not be started: fix the fields listed."), fields=errors)
    link, token = signin_link_issue(tenant=tenant, purpose=SignInPurpose.SUPPORT, account=member, created_by=actor)
    session = SupportSession.objects.create(
        staff=actor,
        staff_email=actor.email,
        tenant=tenant,
        tenant_slug=tenant.schema_name,
        member_id=member.public_id,
        member_email=member.email,
        member_name=member.full_name,
        reason=reason,
        ip=ip,
        link=link,
    )
    return session, token


def _audit(session: SupportSession, member: User | None, *, action: str) -> None:
    after = {
        "staff_email": session.staff_email,
        "support_session": session.public_id,
        "member": session.member_email,
    }
    if session.started_at:
        after["started_at"] = session.started_at.isoformat()
    if session.ended_at:
        after["ended_at"] = session.ended_at.isoformat()
    audit_record(actor=None, action=action, target=member or session, after=after, reason=session.reason)


@transaction.atomic
def support_session_enter(*, token: str, ip: str | None = None) -> tuple[SupportSession, User]:
    """At the marketplace's host: use the session's link (single use, this marketplace only) and
    record the start in the marketplace's audit log. Returns the session and the member to sign in
    as; raises `SignInLinkInvalid` and changes nothing otherwise."""
    link, member = signin_link_redeem(token=token, purpose=SignInPurpose.SUPPORT, ip=ip)
    session = SupportSession.objects.select_for_update().get(link_id=link.pk)
    session.started_at, session.started_ip = timezone.now(), ip
    session.save(update_fields=["started_at", "started_ip", "updated_at"])
    _audit(session, member, action="support.session_started")
    return session, member


@transaction.atomic
def support_session_end(*, session_id: str) -> SupportSession | None:
    """At the marketplace's host: the support session `session_id` of this marketplace ends (once;
    ending it again changes nothing). None when there is no such session here."""
    session = (
        SupportSession.objects.select_for_update()
        .filter(public_id=session_id, tenant_slug=connection.schema_name, started_at__isnull=False)
        .first()
    )
    if session is None or session.ended_at is not None:
        return session
    session.ended_at = timezone.now()
    session.save(update_fields=["ended_at", "updated_at"])
    _audit(session, User.objects.filter(public_id=session.member_id).first(), action="support.session_ended")
    return session
