"""Who may do what: one table, checked by services (`require`) and by API views (`Allowed`).

Each action names one predicate over the signed-in user. Views never test roles themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from rest_framework.permissions import BasePermission

from marketplace.common.errors import PermissionDenied


def _admin(user) -> bool:
    return user.is_marketplace_admin


def _admin_or_moderator(user) -> bool:
    return user.is_marketplace_admin or user.is_moderator


def _platform_staff(user) -> bool:
    return user.is_staff


def _operator_or_staff(user) -> bool:
    return user.is_operator or user.is_staff


POLICY: dict[str, tuple[Callable, str]] = {
    # marketplace (tenant schema)
    "marketplace.configure": (_admin, "Only marketplace admins can change the marketplace's settings."),
    "users.view": (_admin_or_moderator, "Only the marketplace's admins and staff can list its members."),
    "users.approve": (_admin_or_moderator, "Only the marketplace's admins and staff can approve or suspend members."),
    "users.manage_roles": (_admin, "Only marketplace admins can change roles."),
    "users.invite": (_admin, "Only marketplace admins can invite people."),
    "audit.view": (_admin, "Only marketplace admins can read the audit log."),
    "reports.view": (_admin_or_moderator, "Only the marketplace's admins and staff can see its reports."),
    "branding.manage": (_admin, "Only marketplace admins can change the marketplace's branding."),
    "cms.edit": (_admin, "Only marketplace admins can edit the marketplace's pages."),
    "providers.review": (_admin_or_moderator, "Only the marketplace's admins and staff can review providers."),
    "listings.moderate": (_admin_or_moderator, "Only the marketplace's admins and staff can moderate listings."),
    "bookings.intervene": (_admin_or_moderator, "Only the marketplace's admins and staff can act on others' bookings."),
    "payments.view_totals": (_admin, "Only marketplace admins can see the marketplace's money."),
    "reviews.moderate": (_admin_or_moderator, "Only the marketplace's admins and staff can moderate reviews."),
    "reviews.configure": (_admin, "Only marketplace admins can change rating criteria and reputation levels."),
    "disputes.mediate": (_admin_or_moderator, "Only the marketplace's admins and staff mediate disputes."),
    "billing.view": (_admin, "Only marketplace admins can see the marketplace's plan and usage."),
    "billing.manage": (_admin, "Only marketplace admins can pay the platform's invoices, save a card or change plans."),
    "domains.manage": (_admin, "Only marketplace admins can manage the marketplace's domains."),
    "api_keys.manage": (_admin, "Only marketplace admins can make or revoke API keys."),
    # platform (public schema)
    "platform.tenants.view_all": (_platform_staff, "Only platform staff can see every marketplace."),
    "platform.tenants.manage": (_platform_staff, "Only platform staff can create, suspend or close marketplaces."),
    "platform.billing.manage": (_platform_staff, "Only platform staff can manage plans and record payments."),
    "platform.signup": (_operator_or_staff, "Sign in with an operator account to launch a marketplace."),
    "platform.support.impersonate": (
        _platform_staff,
        "Only platform staff can open a support session in a marketplace.",
    ),
}


def can(user, action: str) -> bool:
    predicate, _message = POLICY[action]
    return bool(user is not None and user.is_authenticated and user.is_active and predicate(user))


def require(user, action: str) -> None:
    if not can(user, action):
        raise PermissionDenied(POLICY[action][1])


def Allowed(action: str) -> type[BasePermission]:  # noqa: N802 - used like a class in permission_classes
    """DRF permission for one action of the policy table."""
    if action not in POLICY:
        raise KeyError(action)

    class _Allowed(BasePermission):
        message = POLICY[action][1]

        def has_permission(self, request, view) -> bool:
            return can(request.user, action)

    _Allowed.__name__ = f"Allowed[{action}]"
    return _Allowed
