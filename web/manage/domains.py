"""The custom domains page: add a domain, see the DNS records to create, check, make primary, remove.

Every write goes through `tenants.services.domains` (the same services as the API); domains are named
in URLs by their host name, and a name that is not this marketplace's answers 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from billing.entitlements import FeatureNotInPlan, has_feature
from marketplace.common.errors import DomainError, NotFound
from tenants.models import DomainKind, DomainVerification
from tenants.services.domains import (
    CHECK_NOW_SECONDS,
    GIVE_UP_AFTER,
    dns_records,
    domain_add,
    domain_check_now,
    domain_make_primary,
    domain_remove,
    platform_host,
    tenant_domains,
)
from web.forms import apply_domain_error
from web.permissions import allowed


class DomainForm(forms.Form):
    domain = forms.CharField(
        label=gettext_lazy("Domain name"),
        max_length=253,
        help_text=gettext_lazy("A domain or subdomain you own, such as market.example.edu (without https://)."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false", "inputmode": "url"}
        ),
    )


def _page(request, *, form=None, refused: str = "", status: int = 200):
    tenant = request.tenant
    domains = tenant_domains(tenant)
    rows = [
        {
            "domain": row,
            "records": dns_records(row) if row.kind == DomainKind.CUSTOM and row.verification != "verified" else [],
        }
        for row in domains
    ]
    context = {
        "rows": rows,
        "waiting": [row for row in rows if row["records"]],
        "primary": next((row for row in domains if row.is_primary), None),
        "subdomain": platform_host(tenant),
        "form": form or DomainForm(),
        "can_add": has_feature(tenant, "custom_domain"),
        "refused": refused,
        "give_up_days": GIVE_UP_AFTER.days,
        "check_now_seconds": CHECK_NOW_SECONDS,
    }
    return render(request, "manage/domains/page.html", context, status=status)


@allowed("domains.manage")
def domains_page(request):
    if request.method != "POST":
        return _page(request)
    form = DomainForm(request.POST)
    if form.is_valid():
        try:
            row = domain_add(actor=request.user, tenant=request.tenant, domain=form.cleaned_data["domain"])
        except FeatureNotInPlan:
            form.add_error(
                "domain",
                _("Custom domains are not part of this marketplace's plan. Upgrade your plan to add one."),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(domain)s was added. Create one of its DNS records below; we check for it every few minutes.")
                % {"domain": row.domain},
            )
            return redirect("manage:domains")
    return _page(request, form=form, status=400)


def _refused(request, exc: DomainError):
    """A refused action: the page again, saying why, with the error's status (404 for a domain that
    is not this marketplace's)."""
    return _page(request, refused=exc.message, status=exc.status_code)


@require_POST
@allowed("domains.manage")
def domain_check(request, domain: str):
    try:
        row = domain_check_now(actor=request.user, tenant=request.tenant, domain=domain)
    except DomainError as exc:
        return _refused(request, exc)
    if row.verification == DomainVerification.VERIFIED:
        messages.success(
            request, _("%(domain)s is verified and now leads to this marketplace.") % {"domain": row.domain}
        )
    else:
        messages.error(
            request,
            _("%(domain)s is not verified yet: %(reason)s") % {"domain": row.domain, "reason": row.last_check_message},
        )
    return redirect("manage:domains")


@require_POST
@allowed("domains.manage")
def domain_primary(request, domain: str):
    try:
        row = domain_make_primary(actor=request.user, tenant=request.tenant, domain=domain)
    except DomainError as exc:
        return _refused(request, exc)
    messages.success(request, _("%(domain)s is now the primary domain.") % {"domain": row.domain})
    # On the platform subdomain this page now moves to the new primary domain (301), where people
    # sign in again: sessions belong to one address.
    return redirect("manage:domains")


@allowed("domains.manage")
def domain_remove_view(request, domain: str):
    row = next((d for d in tenant_domains(request.tenant) if d.domain == domain and d.kind == DomainKind.CUSTOM), None)
    if row is None:
        if request.method == "POST":
            return _refused(request, NotFound(_("This marketplace has no such custom domain.")))
        raise Http404
    if request.method == "POST":
        try:
            domain_remove(actor=request.user, tenant=request.tenant, domain=domain)
        except DomainError as exc:
            return _refused(request, exc)
        messages.success(request, _("%(domain)s was removed.") % {"domain": row.domain})
        return redirect("manage:domains")
    return render(request, "manage/domains/remove.html", {"row": row})


urlpatterns = [
    path("domains/", domains_page, name="domains"),
    path("domains/<str:domain>/check/", domain_check, name="domain-check"),
    path("domains/<str:domain>/primary/", domain_primary, name="domain-primary"),
    path("domains/<str:domain>/remove/", domain_remove_view, name="domain-remove"),
]
