"""Every booking of the marketplace for its staff: filters, and one booking's timeline, money and
disputes with the actions staff may take as `admin` (`marketplace.bookings.services.booking_act`,
which writes the timeline and audits staff actions)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from marketplace.bookings import selectors, services, workflows
from marketplace.common.errors import DomainError
from marketplace.payments.selectors import booking_money
from web.manage.trust.forms import BookingFilterForm, InterveneForm
from web.manage.trust.pages import found, paged, refused
from web.permissions import allowed

ACTION_LABELS = {
    "complete": _("Mark completed and release the money"),
    "cancel_by_provider": _("Cancel with a full refund"),
}


@allowed("bookings.intervene")
def booking_list(request):
    filters = BookingFilterForm(
        request.GET or None,
        states=selectors.booking_states(),
        workflows=[(key, flow.label) for key, flow in workflows.PRESETS.items()],
    )
    wanted = {k: v for k, v in filters.cleaned_data.items() if v} if filters.is_valid() else {}
    bookings = selectors.bookings_for_staff(**wanted)
    return render(
        request, "manage/trust/bookings/list.html", {"filters": filters, "page_obj": paged(request, bookings)}
    )


@allowed("bookings.intervene")
def booking_detail(request, public_id: str):
    booking = found(selectors.booking_for_staff(public_id))
    actions = services.allowed_actions(booking, request.user, role=workflows.ADMIN)
    form = InterveneForm(request.POST or None, actions=actions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.booking_act(
                    user=request.user,
                    booking=booking,
                    action=form.cleaned_data["action"],
                    reason=form.cleaned_data["reason"],
                    as_role=workflows.ADMIN,
                )
            except DomainError as exc:
                status = refused(form, exc)
            else:
                messages.success(request, _("Done: the booking's timeline shows it and both parties are told."))
                return redirect("manage:booking", public_id=booking.public_id)
        else:
            status = 400
        booking = found(selectors.booking_for_staff(public_id))
        actions = services.allowed_actions(booking, request.user, role=workflows.ADMIN)
    context = {
        "booking": booking,
        "flow": workflows.workflow(booking.workflow),
        "money": booking_money(booking),
        "form": form,
        "actions": [(a, ACTION_LABELS.get(a, a.replace("_", " ").capitalize())) for a in actions],
    }
    return render(request, "manage/trust/bookings/detail.html", context, status=status)
