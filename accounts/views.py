"""Web pages for signing in and out, registering, confirming email and resetting passwords.

They work on every marketplace host (that marketplace's accounts) and on the platform host.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import EmailForm, LoginForm, NewPasswordForm, RegisterForm
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


@login_required
def account_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html", {"account": request.user})
