"""Provider verification: the queue of applications and one application with its documents and the
reviewer's decision (`marketplace.providers.services.provider_review`, which audits it and emails the
applicant)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from marketplace.common.errors import DomainError
from marketplace.providers import selectors, services
from web.manage.trust.forms import ProviderDecisionForm, ProviderFilterForm
from web.manage.trust.pages import found, paged, refused
from web.permissions import allowed


@allowed("providers.review")
def provider_list(request):
    filters = ProviderFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    return render(
        request,
        "manage/trust/providers/list.html",
        {"filters": filters, "page_obj": paged(request, selectors.providers_for_review(status=status or None))},
    )


@allowed("providers.review")
def provider_detail(request, public_id: str):
    profile = found(selectors.provider_visible_to(request.user, public_id))
    form = ProviderDecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.provider_review(actor=request.user, profile=profile, **form.cleaned_data)
            except DomainError as exc:
                status = refused(form, exc)
            else:
                messages.success(request, _DONE[form.cleaned_data["decision"]] % {"name": profile.user.get_full_name()})
                return redirect("manage:providers")
        else:
            status = 400
    profile = selectors.provider_visible_to(request.user, public_id)  # as it is now
    return render(request, "manage/trust/providers/detail.html", {"profile": profile, "form": form}, status=status)


_DONE = {
    "approve": _("%(name)s is approved; they have been emailed."),
    "reject": _("%(name)s's application is rejected; they have been emailed the reason."),
    "request_info": _("%(name)s has been asked for more information by email."),
}
