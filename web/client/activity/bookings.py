"""My bookings and the booking page: summary, money, timeline, the actions the workflow allows the
viewer now (one form each), receipts, the booking's conversation, reviews and opening a dispute.

Every write goes through one service of the booking, reviews or disputes app; a refusal is shown on
the page with the status the service gave (400 bad input, 402 card refused, 409 not allowed now)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import can
from marketplace.bookings import selectors as booking_selectors
from marketplace.bookings import services as booking_services
from marketplace.bookings import workflows
from marketplace.bookings.models import Booking
from marketplace.common.errors import DomainError, InvalidTransition
from marketplace.disputes import selectors as dispute_selectors
from marketplace.disputes import services as dispute_services
from marketplace.invoicing.selectors import client_documents_of
from marketplace.messaging import services as messaging_services
from marketplace.payments.selectors import booking_money
from marketplace.providers.models import ProviderProfile
from marketplace.reviews import selectors as review_selectors
from marketplace.reviews import services as review_services
from web.client.activity import forms, labels
from web.client.activity.common import form_error, thread_context
from web.forms import apply_domain_error
from web.permissions import member_required

SLOT_DAYS = 14


# --- my bookings ------------------------------------------------------------------------------------


@member_required
def bookings_list(request):
    user = request.user
    is_provider = ProviderProfile.objects.filter(user=user).exists()
    side = request.GET.get("as", "client")
    if side not in (workflows.CLIENT, workflows.PROVIDER) or (side == workflows.PROVIDER and not is_provider):
        side = workflows.CLIENT
    tab = request.GET.get("tab", "needs_action")
    if tab not in booking_selectors.BOOKING_TABS:
        tab = "needs_action"
    now = timezone.now()
    counts = {
        name: booking_selectors.bookings_tab(user, side=side, tab=name, now=now).count()
        for name in ("needs_action", "upcoming")
    }
    if "tab" not in request.GET and not counts["needs_action"]:
        tab = "upcoming"
    rows = list(booking_selectors.bookings_tab(user, side=side, tab=tab, now=now)[:100])
    return render(
        request,
        "client/activity/bookings.html",
        {
            "rows": [_row(b, side) for b in rows],
            "side": side,
            "tab": tab,
            "tabs": [(name, labels.TABS[name], counts.get(name)) for name in booking_selectors.BOOKING_TABS],
            "is_provider": is_provider,
        },
    )


def _row(booking: Booking, side: str) -> dict:
    other = booking.provider.user if side == workflows.CLIENT else booking.client
    return {
        "booking": booking,
        "other": other.get_full_name(),
        "state": labels.label(labels.STATES, booking.state),
        "tone": labels.STATE_TONES.get(booking.state, ""),
    }


# --- the booking page -------------------------------------------------------------------------------


def _booking_for(user, public_id: str) -> Booking:
    """The booking, for its parties (and the marketplace's staff); 404 for anyone else."""
    bookings = Booking.objects.all() if can(user, "bookings.intervene") else booking_selectors.bookings_visible_to(user)
    booking = bookings.select_related("listing__category", "provider__user", "client", "package").filter(
        public_id=public_id
    )
    found = booking.first()
    if found is None:
        raise Http404(_("No such booking."))
    return found


def _version(booking: Booking) -> str:
    """Changes whenever the booking, its timeline or its milestones do (the live refresh compares it)."""
    last_event = booking.events.order_by("-id").values_list("id", flat=True).first() or 0
    milestones = booking.milestones.order_by("-updated_at").values_list("updated_at", flat=True).first()
    stamp = milestones.timestamp() if milestones else 0
    return f"{booking.updated_at.timestamp():.6f}-{last_event}-{stamp:.6f}"


def _slots(request, booking: Booking) -> list[tuple[str, str]]:
    """Free times to move a session to, for the next two weeks, in the viewer's zone."""
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    found = booking_selectors.listing_free_slots(
        booking.listing, booking.package, today, today + timedelta(days=SLOT_DAYS), ignore_booking=booking.pk
    )
    choices = []
    for slot in found:
        local = slot.start.astimezone(zone)
        if local != booking.starts_at.astimezone(zone):
            choices.append((slot.start.isoformat(), date_format(local, "D j M, H:i")))
    return choices


def _action_entries(request, booking: Booking, allowed: list[str], bound: dict) -> tuple[list, dict]:
    """One form per allowed action (the booking-wide ones), and the milestone actions per milestone."""
    entries, per_milestone = [], {}
    flow = workflows.workflow(booking.workflow)
    milestones = list(booking.milestones.all())
    for action in allowed:
        transition = flow.transitions[action]
        form_class = forms.action_form_class(action, workflow=booking.workflow)
        if transition.milestone_target:
            for milestone in milestones:
                if milestone.state not in transition.milestone_sources:
                    continue
                key = f"{action}:{milestone.public_id}"
                form = bound.get(key) or form_class(
                    booking=booking,
                    initial={"action": action, "milestone": milestone.public_id},
                    prefix=key.replace(":", "-"),
                )
                per_milestone.setdefault(milestone.public_id, []).append(_entry(action, form, key))
            continue
        extra = {"slots": _slots(request, booking)} if action == "reschedule" else {}
        form = bound.get(action) or form_class(booking=booking, initial={"action": action}, prefix=action, **extra)
        entry = _entry(action, form, action)
        if action == "cancel":
            entry["refund"] = booking_selectors.cancellation_refund(booking)
        if action == "cancel_by_provider":
            entry["refund"] = {"percent": 100, "amount": booking.price, "currency": booking.currency}
        entries.append(entry)
    return entries, per_milestone


def _entry(action: str, form, key: str) -> dict:
    return {
        "action": action,
        "key": key,
        "label": labels.label(labels.ACTIONS, action),
        "form": form,
        "tone": "danger"
        if action in labels.DANGER_ACTIONS
        else "secondary"
        if action in labels.SECONDARY_ACTIONS
        else "",
        "has_fields": any(not f.is_hidden for f in form),
        "open": bool(form.is_bound),
    }


def _live_context(request, booking: Booking, *, bound: dict | None = None) -> dict:
    user = request.user
    roles = booking_services.roles_of(user, booking)
    allowed = booking_services.allowed_actions(booking, user)
    actions, per_milestone = _action_entries(request, booking, allowed, bound or {})
    events = [
        {
            "event": event,
            "done": labels.label(labels.DONE, event.action),
            "role": labels.label(labels.ROLES, event.role),
            "state": labels.label(labels.STATES, event.to_state),
        }
        for event in booking.events.select_related("actor").order_by("at", "id")
    ]
    # The latest delivery of the work, whose note the client reads before accepting it.
    delivery = next((row["event"] for row in reversed(events) if row["event"].action == "deliver"), None)
    milestones = [
        {
            "milestone": m,
            "state": labels.label(labels.MILESTONE_STATES, m.state),
            "actions": per_milestone.get(m.public_id, []),
        }
        for m in booking.milestones.all()
    ]
    money = booking_money(booking)
    quote = booking.terms if booking.terms.get("terms") or booking.terms.get("counter") else None
    return {
        "booking": booking,
        "version": _version(booking),
        "roles": roles,
        "is_client": workflows.CLIENT in roles,
        "is_provider_side": workflows.PROVIDER in roles,
        "state_label": labels.label(labels.STATES, booking.state),
        "state_tone": labels.STATE_TONES.get(booking.state, ""),
        "actions": actions,
        "milestones": milestones,
        "events": events,
        "delivery": delivery,
        "money": money,
        "money_label": labels.label(labels.MONEY_STATES, money["state"]),
        "quote": quote,
        "quote_expires_at": _parse_time(quote.get("expires_at")) if quote else None,
        "refused": None,
    }


def _parse_time(value):
    from django.utils.dateparse import parse_datetime

    return parse_datetime(value) if isinstance(value, str) else None


def _page_context(request, booking: Booking, *, bound: dict | None = None, review_form=None, dispute_form=None) -> dict:
    user = request.user
    context = _live_context(request, booking, bound=bound)
    is_party = booking.client_id == user.pk or booking.provider.user_id == user.pk
    context.update(
        {
            "is_party": is_party,
            "other": booking.provider.user if booking.client_id == user.pk else booking.client,
            "receipts": list(client_documents_of(user).filter(booking=booking).order_by("issued_at"))
            if booking.client_id == user.pk
            else [],
        }
    )
    if is_party:
        conversation = messaging_services.booking_conversation_open(user=user, booking_id=booking.public_id)
        role = "client" if booking.client_id == user.pk else "provider"
        context.update(thread_context(user, conversation, role))
        context["message_form"] = forms.MessageForm()
        messaging_services.conversation_read(user=user, conversation=conversation)
        context.update(_review_context(user, booking, review_form))
        opening = dispute_selectors.dispute_opening(booking)
        context["dispute_opening"] = opening
        if opening["can_open"]:
            context["dispute_form"] = dispute_form or forms.DisputeOpenForm(milestones=_open_milestones(booking))
    context["disputes"] = list(dispute_selectors.disputes_of_booking(booking))
    return context


def _open_milestones(booking: Booking) -> list:
    return [m for m in booking.milestones.all() if m.state != "accepted"]


def _review_context(user, booking: Booking, review_form=None) -> dict:
    state = review_selectors.review_form_for(user, booking)
    reviews = review_selectors.booking_reviews_visible_to(user, booking)
    mine = next((r for r in reviews if r.author_id == user.pk), None)
    theirs = next((r for r in reviews if r.author_id != user.pk), None)
    respond = None
    if (
        theirs is not None
        and theirs.subject_id == user.pk
        and theirs.is_public
        and theirs.direction == "client_to_provider"
    ):
        if not theirs.responded_at:
            respond = forms.ResponseForm(prefix="response")
    return {
        "review_state": state,
        "review_form": review_form
        or (forms.ReviewForm(criteria=state["criteria"], prefix="review") if state["can_review"] else None),
        "my_review": mine,
        "their_review": theirs,
        "response_form": respond,
    }


@member_required
def booking_detail(request, public_id: str):
    booking = _booking_for(request.user, public_id)
    if request.GET.get("part") == "live":
        if request.GET.get("v") == _version(booking):
            return HttpResponse(status=204)  # nothing changed: htmx leaves the page as it is
        return render(request, "client/activity/_booking_live.html", _live_context(request, booking))
    return render(request, "client/activity/booking.html", _page_context(request, booking))


@member_required
@require_POST
def booking_action(request, public_id: str):
    booking = _booking_for(request.user, public_id)
    action = request.POST.get("action", "")
    milestone = request.POST.get("milestone_id", "")
    key = f"{action}:{milestone}" if milestone else action
    form_class = forms.action_form_class(action, workflow=booking.workflow)
    extra = {"slots": _slots(request, booking)} if action == "reschedule" and booking.starts_at else {}
    form = form_class(request.POST, booking=booking, prefix=key.replace(":", "-"), **extra)
    if not form.is_valid():
        return _refused(request, booking, {key: form}, status=400)
    reason, data = form.payload()
    try:
        booking_services.booking_act(user=request.user, booking=booking, action=action, reason=reason, data=data)
    except InvalidTransition as exc:
        allowed = [labels.label(labels.ACTIONS, a) for a in exc.fields.get("allowed_actions", [])]
        return _refused(
            request, booking, {}, status=exc.status_code, refused={"message": exc.message, "allowed": allowed}
        )
    except DomainError as exc:
        apply_domain_error(form, form_error(exc))
        return _refused(request, booking, {key: form}, status=exc.status_code)
    messages.success(request, _("Done: %(action)s.") % {"action": labels.label(labels.DONE, action)})
    return redirect("client:booking", public_id=booking.public_id)


def _refused(request, booking, bound: dict, *, status: int, refused: dict | None = None, **extra):
    booking = _booking_for(request.user, booking.public_id)  # as it is now, after the rollback
    context = _page_context(request, booking, bound=bound, **extra)
    if refused is not None:
        context["refused"] = refused
    return render(request, "client/activity/booking.html", context, status=status)


# --- reviews --------------------------------------------------------------------------------------


@member_required
@require_POST
def booking_review(request, public_id: str):
    booking = _booking_for(request.user, public_id)
    state = review_selectors.review_form_for(request.user, booking)
    form = forms.ReviewForm(request.POST, criteria=state["criteria"], prefix="review")
    if not form.is_valid():
        return _refused(request, booking, {}, status=400, review_form=form)
    try:
        review = review_services.review_submit(
            author=request.user,
            booking_id=booking.public_id,
            overall=form.cleaned_data["overall"],
            ratings=form.ratings() or None,
            text=form.cleaned_data["text"],
        )
    except DomainError as exc:
        aliases = {f"ratings.{c['key']}": f"rating_{c['key']}" for c in state["criteria"]}
        apply_domain_error(form, form_error(exc, aliases=aliases))
        return _refused(request, booking, {}, status=exc.status_code, review_form=form)
    if review.revealed_at is not None:  # the other side had reviewed: both reviews are published now
        messages.success(request, _("Thank you: your review is published, and you can read theirs."))
    else:
        messages.success(
            request, _("Thank you: your review is saved. It stays hidden until the other side reviews too.")
        )
    return redirect("client:booking", public_id=booking.public_id)


@member_required
@require_POST
def review_response(request, public_id: str, review_id: str):
    booking = _booking_for(request.user, public_id)
    form = forms.ResponseForm(request.POST, prefix="response")
    if form.is_valid():
        try:
            review_services.review_respond(actor=request.user, review_id=review_id, text=form.cleaned_data["text"])
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("client:booking", public_id=booking.public_id)
        messages.success(request, _("Your response is published."))
    else:
        messages.error(request, _("Write your response first (at most 2,000 characters)."))
    return redirect("client:booking", public_id=booking.public_id)


# --- opening a dispute ------------------------------------------------------------------------------


@member_required
@require_POST
def dispute_open(request, public_id: str):
    booking = _booking_for(request.user, public_id)
    form = forms.DisputeOpenForm(request.POST, request.FILES, milestones=_open_milestones(booking))
    if not form.is_valid():
        return _refused(request, booking, {}, status=400, dispute_form=form)
    data = form.cleaned_data
    try:
        dispute = dispute_services.dispute_open(
            user=request.user,
            booking_id=booking.public_id,
            reason=data["reason"],
            desired_outcome=data["desired_outcome"],
            description=data["description"],
            milestone_id=data.get("milestone") or None,
            evidence=data.get("evidence"),
        )
    except DomainError as exc:
        apply_domain_error(form, form_error(exc))
        return _refused(request, booking, {}, status=exc.status_code, dispute_form=form)
    messages.success(request, _("The dispute is open and the money in escrow is frozen until it is settled."))
    return redirect("client:dispute", public_id=dispute.public_id)
