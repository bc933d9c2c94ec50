"""Small endpoints the shared layout uses."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from marketplace.messaging.selectors import unread_total
from marketplace.notifications.selectors import unread_count


@never_cache
def live_counts(request):
    """Unread messages and notifications, for pages polling when live updates are unavailable."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": {"code": "not_authenticated", "message": "Sign in first."}}, status=401)
    return JsonResponse({"messages": unread_total(request.user), "notifications": unread_count(request.user)})
