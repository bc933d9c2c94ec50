"""Who may open the provider dashboard: signed-in members with a provider profile. Members who
have not applied yet are sent to the application page; nobody sees another provider's things
(every read below starts from `request.provider`)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from marketplace.providers.selectors import provider_for_user


def provider_page(view):
    """The signed-in member's provider profile as `request.provider`, or off to apply first."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        profile = provider_for_user(request.user)
        if profile is None:
            messages.info(request, _("Tell the marketplace about your services first: apply to offer them here."))
            return redirect("provider:apply")
        request.provider = profile
        return view(request, *args, **kwargs)

    return wrapper


def back_to(request, default: str) -> str:
    """A same-site path to return to (`next` in the form or query), else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default
