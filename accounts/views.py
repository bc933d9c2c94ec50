"""Web pages for signing in and out, registering, confirming email and resetting passwords.

They work on every marketplace host (that marketplace's accounts) and on the platform host.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import (
    EmailChangeForm,
    EmailForm,
    LoginForm,
    NewPasswordForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
)
from marketplace.common.errors import DomainError


def _apply_errors(form, exc: DomainError) -> None:
    for field, errors in exc.fields.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
    if not exc.fields or not any(f in form.fields for f in exc.fields):
        form.add_error(None, exc.message)


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_authenticate(
                request=request,
                tenant=request.tenant,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user)
            return redirect(next_url)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("/")


def register_view(request: HttpRequest) -> HttpResponse:
    initial = {"invitation": request.GET.get("invitation", ""), "email": request.GET.get("email", "")}
    form = RegisterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(
                tenant=request.tenant,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                full_name=form.cleaned_data["full_name"],
                roles=form.cleaned_data["roles"] or ["client"],
                invitation_token=form.cleaned_data["invitation"] or None,
            )
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            if user.is_active and not (request.tenant and request.tenant.join_policy == "email_domain"):
                login(request, user)
                messages.success(request, "Welcome! We sent you a link to confirm your email address.")
                return redirect("/")
            return render(request, "accounts/registered.html", {"account": user})
    return render(request, "accounts/register.html", {"form": form})


def verify_email_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.user_verify_email(token=token)
    except DomainError as exc:
        return render(request, "accounts/message.html", {"title": "Link not valid", "text": exc.message}, status=400)
    return render(
        request,
        "accounts/message.html",
        {"title": "Email confirmed", "text": "Thank you, your email address is confirmed. You can sign in now."},
    )


def password_reset_view(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"])
        return render(
            request,
            "accounts/message.html",
            {"title": "Check your email", "text": "If an account exists for this address, a reset link is on its way."},
        )
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_confirm_view(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_confirm(uid=uid, token=token, new_password=form.cleaned_data["new_password"])
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Your password is changed. Sign in with the new one.")
            return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form})


ACCOUNT_FORMS = {"profile": ProfileForm, "email": EmailChangeForm, "password": PasswordChangeForm}


@login_required
def account_view(request: HttpRequest) -> HttpResponse:
    """Account settings: name, email (confirmed again by a link), password, the private calendar
    feed, receipts, blocked people. Each form posts here with its `form` name."""
    user = request.user
    forms = {name: form_class(prefix=name) for name, form_class in ACCOUNT_FORMS.items()}
    forms["profile"] = ProfileForm(prefix="profile", initial={"full_name": user.full_name})
    status = 200
    if request.method == "POST":
        name = request.POST.get("form", "")
        if name in ACCOUNT_FORMS:
            form = ACCOUNT_FORMS[name](request.POST, prefix=name)
            forms[name] = form
            if form.is_valid():
                try:
                    done = _account_change(request, name, form.cleaned_data)
                except DomainError as exc:
                    _apply_errors(form, exc)
                    status = exc.status_code
                else:
                    messages.success(request, done)
                    return redirect("accounts:account")
            else:
                status = 400
        elif name in ("calendar", "unblock") and request.tenant is not None:
            messages.success(request, _account_marketplace_change(request, name))
            return redirect("accounts:account")
    context = {"account": user, "forms": forms, "zone": timezone.get_current_timezone_name()}
    if request.tenant is not None:
        context.update(_marketplace_sections(user))
    return render(request, "accounts/account.html", context, status=status)


def _account_change(request: HttpRequest, name: str, data: dict) -> str:
    user = request.user
    if name == "profile":
        services.user_update_profile(user=user, full_name=data["full_name"])
        return gettext("Your name is saved.")
    if name == "email":
        changed = services.user_change_email(
            user=user, tenant=request.tenant, password=data["password"], new_email=data["email"]
        )
        return gettext("Your email is now %(email)s. Follow the link we sent there to confirm it.") % {
            "email": changed.email
        }
    changed = services.user_change_password(
        user=user, current_password=data["current_password"], new_password=data["new_password"]
    )
    update_session_auth_hash(request, changed)  # this browser stays signed in; API tokens are revoked
    return gettext("Your password is changed.")


def _account_marketplace_change(request: HttpRequest, name: str) -> str:
    from marketplace.bookings import calendars
    from marketplace.messaging.services import block_remove

    if name == "calendar":
        calendars.feed_rotate(user=request.user)
        return gettext("Your calendar feed has a new address; the old one no longer works.")
    try:
        block_remove(blocker=request.user, user_id=request.POST.get("user", ""))
    except DomainError as exc:
        return exc.message
    return gettext("Unblocked: you can message each other again.")


def _marketplace_sections(user) -> dict:
    from marketplace.bookings import calendars
    from marketplace.invoicing.selectors import client_documents_of
    from marketplace.messaging.selectors import blocked_by

    return {
        "calendar_url": calendars.feed_url_for(user=user),
        "receipts": list(client_documents_of(user).order_by("-issued_at")[:50]),
        "blocks": list(blocked_by(user)),
    }
