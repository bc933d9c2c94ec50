"""The marketplace's side of the platform's one-time sign-in links (on every marketplace host):

- `/welcome/<token>/`: an operator whose marketplace was just created (or who opens it from the
  platform site) lands signed in as its admin, at `/manage/`;
- `/support/enter/<token>/`: platform staff start a support session, signed in as the member they
  chose; every page shows the support banner (templates/web/_banners.html) until
- `/support/leave/` (POST) ends it: recorded, signed out, back to the platform console.

A link that is not for this marketplace, expired or used already shows a page saying so, with a
sign-in link (400), never an error.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tenants.models import SignInPurpose
from tenants.selectors import platform_url
from tenants.services.signin_links import SignInLinkInvalid, signin_link_redeem
from tenants.services.support import support_session_end, support_session_enter

SESSION_KEY = "support_session"  # {"id", "staff_email", "member"} while a support session is on
BACKEND = "accounts.backends.EmailBackend"


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address: the first X-Forwarded-For hop behind a trusted proxy, else the peer."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.USE_X_FORWARDED_HOST else ""
    candidate = forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def _refused(request: HttpRequest, exc: SignInLinkInvalid) -> HttpResponse:
    return render(request, "console/link_invalid.html", {"message": exc.message, "code": exc.code}, status=400)


@never_cache
@require_GET
def welcome(request: HttpRequest, token: str) -> HttpResponse:
    try:
        _link, admin = signin_link_redeem(token=token, purpose=SignInPurpose.OPERATOR, ip=client_ip(request))
    except SignInLinkInvalid as exc:
        return _refused(request, exc)
    request.session.pop(SESSION_KEY, None)
    login(request, admin, backend=BACKEND)
    messages.success(request, _("Welcome! You are signed in as this marketplace's admin."))
    return redirect("/manage/")


@never_cache
@require_GET
def support_enter(request: HttpRequest, token: str) -> HttpResponse:
    try:
        session, member = support_session_enter(token=token, ip=client_ip(request))
    except SignInLinkInvalid as exc:
        return _refused(request, exc)
    login(request, member, backend=BACKEND)
    request.session[SESSION_KEY] = {
        "id": session.public_id,
        "staff_email": session.staff_email,
        "member": member.full_name or member.email,
        "member_email": member.email,
    }
    request.session.set_expiry(settings.SUPPORT_SESSION_MINUTES * 60)
    return redirect("/")


@require_POST
def support_leave(request: HttpRequest) -> HttpResponse:
    data = request.session.get(SESSION_KEY) or {}
    session = support_session_end(session_id=data["id"]) if data.get("id") else None
    logout(request)
    if session is None:
        return redirect("/")
    path_ = reverse("console:tenant", urlconf="config.urls_public", kwargs={"public_id": request.tenant.public_id})
    return redirect(platform_url().rstrip("/") + path_ + "#support")


urlpatterns = [
    path("welcome/<str:token>/", welcome, name="signin-link"),
    path("support/enter/<str:token>/", support_enter, name="support-enter"),
    path("support/leave/", support_leave, name="support-leave"),
]
