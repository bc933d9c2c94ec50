"""Which domain events notify whom. The domain services call one function here after a state change,
inside their transaction; deciding the kind, the recipients and the wording stays in this app."""

from __future__ import annotations

from marketplace.notifications.services import notify

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
    """A booking event (`event`, a BookingEvent row, by a party in `role`): notify whoever should know."""
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
        notify(person, kind, event_id=event_id, context=context, url=f"/api/v1/bookings/{booking.public_id}/")


def booking_reminder(booking, *, person, when: str, action: str) -> None:
    """A session starts soon (`action`: reminder_24h | reminder_1h): remind one party, `when` in
    their own time zone. Unsubscribing from reminders stops exactly these."""
    notify(
        person,
        "booking.reminder",
        event_id=f"booking:{booking.public_id}:{action}",
        context=_booking_context(booking) | {"when": when},
        url=f"/api/v1/bookings/{booking.public_id}/",
    )


def dispute_changed(dispute, what: str) -> None:
    """A dispute was opened or decided (`what`: opened | decided | appeal_decided): tell both parties."""
    from marketplace.disputes.models import Outcome

    booking = dispute.booking
    kind = "dispute.opened" if what == "opened" else "dispute.decided"
    context = {
        "listing": booking.listing.title,
        "booking": booking.public_id,
        "dispute": dispute.public_id,
        "outcome": Outcome(dispute.outcome).label if dispute.outcome else "",
    }
    for person in (booking.client, booking.provider.user):
        notify(
            person,
            kind,
            event_id=f"dispute:{dispute.public_id}:{what}",
            context=context,
            url=f"/api/v1/disputes/{dispute.public_id}/",
            email=False,  # disputes.tasks.notify_dispute e-mails both parties already
        )


def payout_paid(payout) -> None:
    """The bank confirmed a payout: tell the provider (essential: it is their money)."""
    from marketplace.common.money import Money

    notify(
        payout.provider.user,
        "payout.sent",
        event_id=f"payout:{payout.public_id}:paid",
        context={"amount": Money(payout.amount, payout.currency).format()},
        url="/api/v1/providers/me/payouts/",
    )


def payment_received(document) -> None:
    """A receipt was issued for a client's payment: tell the client (essential)."""
    from marketplace.common.money import Money

    notify(
        document.client,
        "payment.received",
        event_id=f"receipt:{document.number}",
        context={"amount": Money(document.gross, document.currency).format(), "listing": document.listing_title},
        url=f"/api/v1/me/receipts/{document.public_id}/",
    )
