"""Page-level permission checks: the policy table of `accounts.permissions`, answered with the
product's 403 page (and the policy's own sentence) instead of a bare error."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from accounts.permissions import POLICY, can


def forbidden(request, message: str, *, status: int = 403):
    return render(request, "web/forbidden.html", {"message": message}, status=status)


def allowed(action: str) -> Callable:
    """Signed-in people allowed `action`; others are sent to sign in or shown why not."""
    if action not in POLICY:
        raise KeyError(action)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, action):
                return forbidden(request, POLICY[action][1])
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def member_required(view):
    """Any signed-in member of this marketplace."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper
