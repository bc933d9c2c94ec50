"""Web pages of the platform site: sign-up, its progress, and an owner opening a marketplace's admin.
(A marketplace's home page is its content page, served by Wagtail: see cms/.)"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.services import user_register
from marketplace.common.errors import DomainError
from tenants import selectors
from tenants.forms import SignupForm
from tenants.models import MarketplaceSignup, SignupStatus
from tenants.services.signin_links import operator_signin_link_issue
from tenants.services.signup import signup_create
from web.platform.plans import offered_terms


def signup_view(request: HttpRequest) -> HttpResponse:
    signed_in = request.user.is_authenticated
    # "Start free trial" on the pricing page comes with the plan and interval chosen there.
    initial = {key: request.GET[key] for key in ("plan", "interval") if request.GET.get(key)}
    form = SignupForm(request.POST or None, signed_in=signed_in, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                owner = (
                    request.user
                    if signed_in
                    else user_register(
                        tenant=None, email=data["email"], password=data["password"], full_name=data["full_name"]
                    )
                )
                signup = signup_create(
                    owner=owner,
                    name=data["name"],
                    slug=data["slug"],
                    kind=data["kind"],
                    admin_password=None if signed_in else data["password"],
                    plan=data["plan"],
                    interval=data["interval"],
                )
        except DomainError as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            if not signed_in:
                login(request, owner, backend="accounts.backends.EmailBackend")
            return redirect("signup-progress", public_id=signup.public_id)
    return render(
        request,
        "tenants/signup.html",
        {"form": form, "platform_domain": settings.PLATFORM_DOMAIN, "plans": offered_terms()},
        status=400 if form.is_bound else 200,
    )


@login_required
def signup_progress_view(request: HttpRequest, public_id: str) -> HttpResponse:
    signup = MarketplaceSignup.objects.filter(public_id=public_id, owner=request.user).select_related("tenant").first()
    if signup is None:
        raise Http404
    url = selectors.tenant_primary_url(signup.tenant) if signup.tenant else None
    if request.headers.get("accept") == "application/json":
        return JsonResponse({"status": signup.status, "error": signup.error, "url": url})
    return render(request, "tenants/signup_progress.html", {"signup": signup, "url": url, "steps": _steps(signup)})


def _steps(signup: MarketplaceSignup) -> list[tuple[str, str]]:
    """The progress page's steps with their state: done, current or waiting."""
    order = [SignupStatus.QUEUED, SignupStatus.PROVISIONING, SignupStatus.READY]
    reached = order.index(signup.status) if signup.status in order else 0
    names = [
        _("Your account is created and the request is queued"),
        _("Creating the database, the first admin account and starter content"),
        _("Opening your marketplace's admin"),
    ]
    return [
        (
            name,
            "done" if i < reached or signup.status == SignupStatus.READY else "current" if i == reached else "waiting",
        )
        for i, name in enumerate(names)
    ]


@login_required
@require_POST
def open_admin_view(request: HttpRequest, public_id: str) -> HttpResponse:
    """Sign the owner in at one of their marketplaces, as its admin, with a one-time link, and open
    its admin (`/manage/`)."""
    tenant = selectors.marketplaces().filter(public_id=public_id, owner=request.user).first()
    if tenant is None:
        raise Http404
    try:
        _link, token = operator_signin_link_issue(actor=request.user, tenant=tenant)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("home")
    path = reverse("signin-link", urlconf="config.urls_tenant", kwargs={"token": token})
    return redirect(selectors.tenant_primary_url(tenant).rstrip("/") + path)
