"""Web pages of the platform site (sign-up and its progress) and a marketplace's home page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from accounts.services import user_register
from marketplace.common.errors import DomainError
from tenants import selectors
from tenants.forms import SignupForm
from tenants.models import MarketplaceSignup
from tenants.services.signup import signup_create


def platform_home(request: HttpRequest) -> HttpResponse:
    owned = selectors.marketplaces().filter(owner=request.user) if request.user.is_authenticated else []
    tenants = [(tenant, selectors.tenant_primary_url(tenant)) for tenant in owned]
    return render(request, "tenants/platform_home.html", {"tenants": tenants})


def signup_view(request: HttpRequest) -> HttpResponse:
    signed_in = request.user.is_authenticated
    form = SignupForm(request.POST or None, signed_in=signed_in)
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
    return render(request, "tenants/signup.html", {"form": form, "platform_domain": settings.PLATFORM_DOMAIN})


@login_required
def signup_progress_view(request: HttpRequest, public_id: str) -> HttpResponse:
    signup = MarketplaceSignup.objects.filter(public_id=public_id, owner=request.user).select_related("tenant").first()
    if signup is None:
        raise Http404
    url = selectors.tenant_primary_url(signup.tenant) if signup.tenant else None
    if request.headers.get("accept") == "application/json":
        return JsonResponse({"status": signup.status, "error": signup.error, "url": url})
    return render(request, "tenants/signup_progress.html", {"signup": signup, "url": url})


def marketplace_home(request: HttpRequest) -> HttpResponse:
    return render(request, "tenants/marketplace_home.html", {"tenant": request.tenant})
