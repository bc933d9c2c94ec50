"""The settings screen for marketplace admins (the same service as the API), in the admin console."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from marketplace.common.errors import DomainError
from marketplace.configuration.forms import SettingsForm
from marketplace.configuration.selectors import marketplace_settings
from marketplace.configuration.services import EDITABLE, marketplace_settings_update
from web.forms import apply_domain_error
from web.permissions import allowed


@allowed("marketplace.configure")
def settings_view(request):
    current = marketplace_settings()
    initial = {field: getattr(current, field) for field in EDITABLE}
    form = SettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                marketplace_settings_update(actor=request.user, changes=form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Settings saved."))
                return redirect("marketplace-settings-page")
        status = 400
    return render(request, "configuration/settings.html", {"form": form, "current": current}, status=status)
