"""Becoming a provider: the application (profile and verification documents, sent together), its
status — waiting, more information asked for (with the reviewer's reason), approved with badges,
not approved — and sending it again."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from marketplace.common.errors import DomainError
from marketplace.configuration.selectors import marketplace_settings
from marketplace.providers.models import ProviderStatus
from marketplace.providers.selectors import provider_for_user
from marketplace.providers.services import provider_application_submit
from web.permissions import member_required
from web.provider import labels
from web.provider.forms import ApplicationForm, ProfileForm, application_field, place_errors


@member_required
def apply_view(request):
    profile = provider_for_user(request.user)
    approved = profile is not None and profile.status == ProviderStatus.APPROVED
    if approved and request.method == "POST":
        messages.info(request, _("Your application is approved; edit your public profile here."))
        return redirect("provider:profile")
    form = ApplicationForm(request.POST or None, request.FILES or None, initial=ProfileForm.initial_of(profile))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                profile = provider_application_submit(
                    user=request.user, documents=form.documents(), **form.profile_values()
                )
            except DomainError as exc:
                place_errors(form, exc, application_field)
            else:
                if profile.status == ProviderStatus.APPROVED:
                    messages.success(request, _("Welcome aboard: you can publish listings now."))
                    return redirect("provider:overview")
                messages.success(request, _("Thank you: your application is with the marketplace's team."))
                return redirect("provider:apply")
        status = 400
    context = {
        "profile": profile,
        "form": form,
        "status": labels.state(labels.PROVIDER_STATES, profile.status) if profile else None,
        "documents": list(profile.documents.all()) if profile else [],
        "badges": [(badge, labels.BADGE_HELP.get(badge.kind, "")) for badge in profile.badges.all()] if profile else [],
        "verification": marketplace_settings().provider_verification_required,
        "approved": approved,
    }
    return render(request, "provider/apply.html", context, status=status)
