"""API keys: the marketplace's keys, making one (its secret shown once, with a copy button) and
revoking one. A plan without API access gets an upgrade message instead of the form (the service
answers 403)."""

from __future__ import annotations

from django.contrib import messages
from django.db import connection
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.api_keys import api_key_create, api_key_revoke, api_keys
from billing.entitlements import has_feature
from marketplace.common.errors import DomainError, NotFound
from web.forms import apply_domain_error
from web.manage.operations.forms import ApiKeyForm
from web.permissions import allowed


@allowed("api_keys.manage")
def keys(request):
    form = ApiKeyForm(request.POST or None)
    status, made, secret, refused = 200, None, "", ""
    if request.method == "POST":
        if form.is_valid():
            try:
                made, secret = api_key_create(actor=request.user, name=form.cleaned_data["name"])
            except DomainError as exc:
                if exc.status_code == 403:  # the plan has no API access
                    refused, status = exc.message, 403
                else:
                    apply_domain_error(form, exc)
                    status = 400
            else:
                form = ApiKeyForm()  # the secret is shown on this response only: never stored, never again
        else:
            status = 400
    context = {
        "form": form,
        "keys": api_keys(),
        "made": made,
        "secret": secret,
        "plan_allows": has_feature(connection.tenant, "api_access"),
        "refused": refused,
    }
    return render(request, "manage/operations/api_keys.html", context, status=status)


@require_POST
@allowed("api_keys.manage")
def revoke(request, public_id: str):
    try:
        key = api_key_revoke(actor=request.user, public_id=public_id)
    except NotFound:
        from django.http import Http404

        raise Http404(_("No such API key.")) from None
    messages.success(request, _("Revoked “%(name)s”: it no longer works.") % {"name": key.name})
    return redirect("manage:api-keys")
