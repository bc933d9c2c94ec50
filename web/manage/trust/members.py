"""Members and roles: the member list (search, role and status filters, people waiting for approval
on top), one member's status and roles, and invitations (`accounts.services`: who may do what, the
plan's staff seats, audit rows, emails)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.models import UserStatus
from accounts.permissions import can
from marketplace.common.errors import DomainError
from marketplace.providers.selectors import provider_for_user
from web.manage.trust.forms import InvitationForm, MemberFilterForm, MemberStatusForm, RolesForm
from web.manage.trust.pages import found, paged, refused
from web.permissions import allowed

# What an admin may do with an account in each status: (target status, button, tone).
STATUS_ACTIONS = {
    UserStatus.PENDING_APPROVAL: [("active", _("Approve"), ""), ("rejected", _("Reject"), "danger")],
    UserStatus.ACTIVE: [("suspended", _("Suspend"), "danger")],
    UserStatus.SUSPENDED: [("active", _("Reactivate"), "")],
    UserStatus.REJECTED: [("active", _("Approve after all"), "")],
}
_DONE = {
    "active": _("%(name)s can sign in and use the marketplace."),
    "rejected": _("%(name)s's request to join is rejected."),
    "suspended": _("%(name)s is suspended and signed out everywhere."),
}


@allowed("users.view")
def member_list(request):
    filters = MemberFilterForm(request.GET or None)
    wanted = filters.cleaned_data if filters.is_valid() else {}
    members = selectors.users_list(
        status=wanted.get("status") or None, role=wanted.get("role") or None, search=wanted.get("q") or None
    )
    context = {
        "filters": filters,
        "page_obj": paged(request, members),
        "pending": selectors.users_list(status=UserStatus.PENDING_APPROVAL) if not request.GET else None,
        "can_invite": can(request.user, "users.invite"),
    }
    return render(request, "manage/trust/members/list.html", context)


def _member_page(request, member, *, status_form=None, roles_form=None, upgrade=None, status=200):
    context = {
        "member": member,
        "provider": provider_for_user(member),
        "status_actions": STATUS_ACTIONS.get(UserStatus(member.status), []),
        "status_form": status_form or MemberStatusForm(prefix="status"),
        "roles_form": roles_form or RolesForm(initial={"roles": member.roles}, prefix="roles"),
        "can_manage_roles": can(request.user, "users.manage_roles"),
        "can_see_billing": can(request.user, "billing.view"),
        "upgrade": upgrade,
        "is_self": member.pk == request.user.pk,
    }
    return render(request, "manage/trust/members/detail.html", context, status=status)


@allowed("users.view")
def member_detail(request, public_id: str):
    return _member_page(request, found(selectors.user_by_public_id(public_id)))


@allowed("users.approve")
@require_POST
def member_status(request, public_id: str):
    member = found(selectors.user_by_public_id(public_id))
    form = MemberStatusForm(request.POST, prefix="status")
    if not form.is_valid():
        return _member_page(request, member, status_form=form, status=400)
    try:
        member = services.user_set_status(actor=request.user, user=member, **form.cleaned_data)
    except DomainError as exc:
        return _member_page(request, member, status_form=form, status=refused(form, exc))
    messages.success(request, _DONE[member.status] % {"name": member.get_full_name()})
    if request.POST.get("next") == "list":
        return redirect("manage:members")
    return redirect("manage:member", public_id=member.public_id)


@allowed("users.manage_roles")
@require_POST
def member_roles(request, public_id: str):
    member = found(selectors.user_by_public_id(public_id))
    form = RolesForm(request.POST, prefix="roles")
    if not form.is_valid():
        return _member_page(request, member, roles_form=form, status=400)
    try:
        services.user_set_roles(actor=request.user, user=member, roles=form.cleaned_data["roles"])
    except DomainError as exc:
        status = refused(form, exc)
        upgrade = exc.message if status == 402 else None
        return _member_page(request, member, roles_form=form, upgrade=upgrade, status=status)
    messages.success(request, _("%(name)s's roles are saved.") % {"name": member.get_full_name()})
    return redirect("manage:member", public_id=member.public_id)


def _invitation_state(invitation) -> str:
    """accepted, pending, revoked (by an admin) or expired (closed by its date)."""
    if invitation.accepted_at:
        return "accepted"
    if invitation.is_open:
        return "pending"
    if invitation.revoked_at and invitation.revoked_at < invitation.expires_at:
        return "revoked"
    return "expired"


def _invitations_page(request, form, *, upgrade=None, status=200):
    page = paged(request, selectors.invitations_list())
    context = {
        "form": form,
        "page_obj": page,
        "rows": [(invitation, _invitation_state(invitation)) for invitation in page],
        "upgrade": upgrade,
        "can_see_billing": can(request.user, "billing.view"),
    }
    return render(request, "manage/trust/members/invitations.html", context, status=status)


@allowed("users.invite")
def invitations(request):
    if request.method != "POST":
        return _invitations_page(request, InvitationForm(initial={"roles": ["client"]}))
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return _invitations_page(request, form, status=400)
    try:
        invitation, _token = services.invitation_create(actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        status = refused(form, exc)
        return _invitations_page(request, form, upgrade=exc.message if status == 402 else None, status=status)
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    return redirect("manage:invitations")


def _invitation(public_id: str):
    return found(selectors.invitations_list().filter(public_id=public_id).first())


@allowed("users.invite")
@require_POST
def invitation_revoke(request, public_id: str):
    invitation = _invitation(public_id)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The invitation to %(email)s no longer works.") % {"email": invitation.email})
    return redirect("manage:invitations")


@allowed("users.invite")
@require_POST
def invitation_resend(request, public_id: str):
    invitation = _invitation(public_id)
    try:
        services.invitation_resend(actor=request.user, invitation=invitation)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("A new invitation link is on its way to %(email)s.") % {"email": invitation.email})
    return redirect("manage:invitations")
