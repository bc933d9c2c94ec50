"""The settings screen for marketplace admins (the same service as the API)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from accounts.permissions import can
from marketplace.common.errors import DomainError
from marketplace.configuration.forms import SettingsForm
from marketplace.configuration.selectors import marketplace_settings
from marketplace.configuration.services import EDITABLE, marketplace_settings_update


@login_required
def settings_view(request):
    if not can(request.user, "marketplace.configure"):
        raise PermissionDenied
    current = marketplace_settings()
    initial = {field: getattr(current, field) for field in EDITABLE}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            marketplace_settings_update(actor=request.user, changes=form.cleaned_data)
        except DomainError as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("marketplace-settings-page")
    return render(request, "configuration/settings.html", {"form": form})
