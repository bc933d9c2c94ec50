"""Which domain events notify whom. The domain services call one function here after a state change,
inside their transaction; deciding the kind, the recipients and the wording stays in this app."""

from __future__ import annotations

from marketplace.live import events as live
from marketplace.notifications.services import notify


def booking_url(booking) -> str:
    """Where a notification about a booking takes its reader: the booking's page."""
    return f"/bookings/{booking.public_id}/"


# A booking action and the state it reached -> (kind, who is told)
_CLIENT, _PROVIDER, _OTHER = "client", "provider", "other"


def _booking_context(booking) -> dict:
    return {
        "listing": booking.listing.title,
        "client": booking.client.get_full_name(),
        "provider": booking.provider.user.get_full_name(),
        "booking": booking.public_id,
    }


def _booking_kind(action: str, before: str, after: str) -> tuple[str, str] | None:
    if action == "book":
        return ("booking.requested", _PROVIDER) if after in ("requested", "inquiry") else None
    if after in ("confirmed", "accepted", "in_progress") and before != after and action != "request_changes":
        return "booking.confirmed", _CLIENT
    if after == "cancelled" and before != after:
        return "booking.cancelled", _OTHER
    if action == "send_quote":
        return "quote.received", _CLIENT
    if action in ("deliver", "deliver_milestone"):
        return "delivery.submitted", _CLIENT
    return None


def booking_changed(booking, *, event, role: str) -> None:
    """A booking event (`event`, a BookingEvent row, by a party in `role`): both parties' open pages
    hear of it at once (a live hint after commit), and whoever should know is notified."""
    live.publish(
        [booking.client_id, booking.provider.user_id],
        "booking.changed",
        {"booking": booking.public_id, "state": event.to_state},
    )
    _note_in_thread(booking, event)
    found = _booking_kind(event.action, event.from_state, event.to_state)
    if found is None:
        return
    kind, audience = found
    client, provider = booking.client, booking.provider.user
    if audience == _OTHER:
        people = [provider] if role == "client" else [client] if role == "provider" else [client, provider]
    else:
        people = [client] if audience == _CLIENT else [provider]
    # One-off events (requested, confirmed, cancelled) are keyed by the booking; repeatable ones by the event.
    once = kind in ("booking.requested", "booking.confirmed", "booking.cancelled")
    event_id = f"booking:{booking.public_id}:{kind.split('.')[1]}" + ("" if once else f":{event.pk}")
    context = _booking_context(booking)
    for person in people:
        notify(person, kind, event_id=event_id, context=context, url=booking_url(booking))


def _note_in_thread(booking, event) -> None:
    """A quote or a counter-offer also reads as a message in the booking's conversation (which
    continues the client's inquiry), written by the party who made it."""
    from marketplace.common.money import Money
    from marketplace.messaging.services import booking_note_post

    terms = booking.terms or {}
    if event.action == "send_quote":
        price = Money(booking.price, booking.currency).format()
        lines = [f"Quote: {price}. {terms.get('terms', '')}".strip()]
        for number, milestone in enumerate(terms.get("milestones") or [], start=1):
            amount = Money(milestone["amount"], booking.currency).format()
            lines.append(f"{number}. {milestone['title']}: {amount}, due {milestone['due_date']}")
        if terms.get("expires_at"):
            lines.append(
                f"Valid until {terms['expires_at'][:10]}. Accept it, counter it or decline it on the booking page."
            )
        booking_note_post(booking=booking, author=booking.provider.user, body="\n".join(lines))
    elif event.action == "counter" and terms.get("counter"):
        booking_note_post(booking=booking, author=booking.client, body=f"Counter-offer: {terms['counter']}")


def booking_reminder(booking, *, person, when: str, action: str) -> None:
    """A session starts soon (`action`: reminder_24h | reminder_1h): remind one party, `when` in
    their own time zone. Unsubscribing from reminders stops exactly these."""
    notify(
        person,
        "booking.reminder",
        event_id=f"booking:{booking.public_id}:{action}",
        context=_booking_context(booking) | {"when": when},
        url=booking_url(booking),
    )


# A dispute step -> (kind, what happened in words for dispute.updated)
_DISPUTE_STEPS = {
    "opened": ("dispute.opened", ""),
    "updated": ("dispute.updated", "A new message or evidence was added."),
    "proposal": ("dispute.updated", "A settlement was proposed."),
    "escalated": ("dispute.updated", "It is now with the marketplace's mediator."),
    "decided": ("dispute.decided", ""),
    "appealed": ("dispute.updated", "The decision was appealed; a second mediator will decide."),
    "appeal_decided": ("dispute.decided", ""),
    "closed": ("dispute.updated", "The dispute is closed."),
}


def dispute_changed(dispute, what: str) -> None:
    """A dispute step (`what`: a key of _DISPUTE_STEPS): both parties are told — in the app, by email
    as they chose — and their open pages hear of it; when it needs a mediator (escalated, appealed),
    the marketplace's admins and moderators are told too. Called inside the dispute's transaction."""
    from accounts.models import User
    from marketplace.disputes.models import Outcome

    kind, step = _DISPUTE_STEPS[what]
    booking = dispute.booking
    parties = [booking.client, booking.provider.user]
    # Steps that can happen many times are told once per entry; the others once per dispute.
    latest = dispute.entries.order_by("-pk").values_list("pk", flat=True).first()
    event_id = f"dispute:{dispute.public_id}:{what}" + (f":{latest}" if what in ("updated", "proposal") else "")
    context = {
        "listing": booking.listing.title,
        "booking": booking.public_id,
        "dispute": dispute.public_id,
        "outcome": Outcome(dispute.outcome).label if dispute.outcome else "",
        "step": step,
    }
    for person in parties:
        notify(person, kind, event_id=event_id, context=context, url=f"/disputes/{dispute.public_id}/")
    live.publish([p.pk for p in parties], "dispute.changed", {"dispute": dispute.public_id, "step": what})
    if what in ("escalated", "appealed"):
        party_ids = {p.pk for p in parties}
        mediators = User.objects.filter(is_active=True).filter(is_marketplace_admin=True) | User.objects.filter(
            is_active=True, is_moderator=True
        )
        for mediator in mediators.exclude(pk__in=party_ids).distinct():
            notify(
                mediator,
                "dispute.needs_mediator",
                event_id=f"dispute:{dispute.public_id}:{what}",
                context=context,
                url=f"/manage/disputes/{dispute.public_id}/",
            )


def verification_decided(profile) -> None:
    """A reviewer decided a provider application: tell the applicant, with the reason (essential)."""
    from marketplace.providers.models import ProviderStatus

    decision = {
        ProviderStatus.APPROVED: "approved",
        ProviderStatus.REJECTED: "not approved",
        ProviderStatus.INFO_REQUESTED: "put on hold: the team needs more information",
    }.get(profile.status, str(profile.status))
    notify(
        profile.user,
        "verification.decided",
        event_id=f"provider:{profile.public_id}:{profile.status}:{profile.decided_at:%Y%m%d%H%M%S%f}",
        context={
            "decision": decision,
            "reason": profile.decision_reason,
            "badges": ", ".join(b.get_kind_display() for b in profile.badges.all()),
        },
        url="/provider/apply/",
    )


def review_received(review) -> None:
    """The first review of a booking: the person reviewed hears that it exists (not what it says: it
    stays hidden until they review too, or the window closes)."""
    notify(
        review.subject,
        "review.received",
        event_id=f"review:{review.public_id}:received",
        context={"listing": review.listing.title, "reviewer": review.author.get_full_name() if review.author else ""},
        url=booking_url(review.booking),
    )


def reviews_revealed(reviews) -> None:
    """Reviews became visible: each person reviewed can now read what was written about them."""
    for review in reviews:
        notify(
            review.subject,
            "review.revealed",
            event_id=f"review:{review.public_id}:revealed",
            context={
                "listing": review.listing.title,
                "reviewer": review.author.get_full_name() if review.author else "",
            },
            url=booking_url(review.booking),
        )


def billing_step(tenant, kind: str, context: dict) -> None:
    """A billing event of the marketplace (`kind`: billing.past_due | billing.suspended |
    billing.plan_changed): its admins see it in the app. The platform e-mails the operator itself
    (see billing.emails), so these stay in the app."""
    from accounts.models import User
    from tenants.context import tenant_context

    with tenant_context(tenant):
        for admin in User.objects.filter(is_active=True, is_marketplace_admin=True):
            notify(
                admin,
                kind,
                event_id=f"billing:{context['event']}",
                context=context,
                url="/manage/billing/",
                email=False,
            )


def payout_paid(payout) -> None:
    """The bank confirmed a payout: tell the provider (essential: it is their money)."""
    from marketplace.common.money import Money

    notify(
        payout.provider.user,
        "payout.sent",
        event_id=f"payout:{payout.public_id}:paid",
        context={"amount": Money(payout.amount, payout.currency).format()},
        url="/provider/earnings/",
    )


def payment_received(document) -> None:
    """A receipt was issued for a client's payment: tell the client (essential)."""
    from marketplace.common.money import Money

    notify(
        document.client,
        "payment.received",
        event_id=f"receipt:{document.number}",
        context={"amount": Money(document.gross, document.currency).format(), "listing": document.listing_title},
        url=f"/api/v1/me/receipts/{document.public_id}/pdf/",  # the receipt itself
    )
