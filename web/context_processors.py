"""What every page's layout needs: the host's look (or the admin's draft while previewing it) and
the signed-in person's unread counts (evaluated only when a template shows them)."""

from __future__ import annotations

PREVIEW_SESSION_KEY = "branding_preview"


def previewing(request) -> bool:
    from accounts.permissions import can

    return bool(
        getattr(request, "tenant", None) is not None
        and hasattr(request, "session")
        and request.session.get(PREVIEW_SESSION_KEY)
        and can(request.user, "branding.manage")
    )


def site(request):
    from branding.selectors import site_look

    look = site_look(draft=previewing(request))
    user = getattr(request, "user", None)
    member = bool(getattr(request, "tenant", None) is not None and user is not None and user.is_authenticated)

    def unread_messages() -> int:
        from marketplace.messaging.selectors import unread_total

        return unread_total(user) if member else 0

    def unread_notifications() -> int:
        from marketplace.notifications.selectors import unread_count

        return unread_count(user) if member else 0

    return {
        "look": look,
        "site_name": look.name,
        "member": member,
        "unread_messages": unread_messages,
        "unread_notifications": unread_notifications,
    }
