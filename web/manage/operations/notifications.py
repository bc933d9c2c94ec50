"""Notification settings: every kind the marketplace sends, switched on or off, and its wording
(subject and message with placeholders) with a preview. The service refuses wording that would not
render and says why; the preview shows it as it is typed."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from marketplace.common.errors import DomainError
from marketplace.notifications import kinds as registry
from marketplace.notifications.selectors import marketplace_settings_of, wording_preview
from marketplace.notifications.services import marketplace_settings_set
from web.manage.operations.forms import NotificationWordingForm
from web.permissions import allowed

KIND_NAMES = {
    "booking.requested": gettext_lazy("Booking requested"),
    "booking.confirmed": gettext_lazy("Booking confirmed"),
    "booking.cancelled": gettext_lazy("Booking cancelled"),
    "booking.reminder": gettext_lazy("Session reminder"),
    "quote.received": gettext_lazy("Quote received"),
    "delivery.submitted": gettext_lazy("Work delivered"),
    "payment.received": gettext_lazy("Payment receipt"),
    "payout.sent": gettext_lazy("Payout sent"),
    "review.received": gettext_lazy("Review received"),
    "dispute.opened": gettext_lazy("Dispute opened"),
    "dispute.updated": gettext_lazy("Dispute update"),
    "dispute.decided": gettext_lazy("Dispute decided"),
    "verification.decided": gettext_lazy("Verification decided"),
    "message.received": gettext_lazy("New message"),
    "review.revealed": gettext_lazy("Reviews revealed"),
    "dispute.needs_mediator": gettext_lazy("Dispute needs a mediator"),
    "billing.past_due": gettext_lazy("Plan payment past due"),
    "billing.suspended": gettext_lazy("Marketplace suspended"),
    "billing.plan_changed": gettext_lazy("Plan changed"),
}


def _kind_or_404(slug: str) -> registry.Kind:
    spec = registry.KINDS.get(slug)
    if spec is None or spec.internal:
        raise Http404(_("No such notification."))
    return spec


def _setting(slug: str) -> dict:
    return next(row for row in marketplace_settings_of() if row["kind"] == slug)


@allowed("marketplace.configure")
def notifications(request):
    rows = [{**row, "name": KIND_NAMES.get(row["kind"], row["kind"])} for row in marketplace_settings_of()]
    return render(request, "manage/operations/notifications.html", {"rows": rows})


@require_POST
@allowed("marketplace.configure")
def notification_switch(request, kind: str):
    """Turn one kind on or off from the list."""
    spec = _kind_or_404(kind)
    enabled = request.POST.get("enabled") == "1"
    try:
        marketplace_settings_set(actor=request.user, items=[{"kind": spec.slug, "enabled": enabled}])
    except DomainError as exc:
        messages.error(request, " ".join(e for errors in exc.fields.values() for e in errors) or exc.message)
    else:
        name = KIND_NAMES.get(spec.slug, spec.slug)
        messages.success(request, (_("“%(name)s” is on.") if enabled else _("“%(name)s” is off.")) % {"name": name})
    return redirect("manage:notifications")


@allowed("marketplace.configure")
def notification(request, kind: str):
    spec = _kind_or_404(kind)
    current = _setting(spec.slug)
    form = NotificationWordingForm(
        request.POST or None,
        initial={"enabled": current["enabled"], "subject": current["subject"], "body": current["body"]},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            item = {"kind": spec.slug, **form.cleaned_data}
            if spec.essential:
                item.pop("enabled")  # always on
            try:
                marketplace_settings_set(actor=request.user, items=[item])
            except DomainError as exc:
                form.apply_error(exc)
            else:
                messages.success(request, _("Saved: “%(name)s”.") % {"name": KIND_NAMES.get(spec.slug, spec.slug)})
                return redirect("manage:notification", kind=spec.slug)
        status = 400
    data = form.data if form.is_bound else form.initial
    context = {
        "spec": spec,
        "name": KIND_NAMES.get(spec.slug, spec.slug),
        "current": current,
        "form": form,
        "preview": wording_preview(spec.slug, subject=data.get("subject", ""), body=data.get("body", "")),
    }
    return render(request, "manage/operations/notification.html", context, status=status)


@require_POST
@allowed("marketplace.configure")
def notification_preview(request, kind: str):
    """The preview of what is being typed (htmx): the wording with made-up values, or why it would
    not render."""
    spec = _kind_or_404(kind)
    preview = wording_preview(spec.slug, subject=request.POST.get("subject", ""), body=request.POST.get("body", ""))
    return render(request, "manage/operations/_notification_preview.html", {"preview": preview, "spec": spec})
