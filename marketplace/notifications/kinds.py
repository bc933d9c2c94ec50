"""The registry of notification kinds: who gets each, whether it is e-mailed by default, whether it is
essential (receipts, security: always e-mailed, no unsubscribe) and whether it can wait for the daily
digest. The wording is a default a marketplace can override (placeholders in `{braces}`, from the
context the caller passes; `placeholders` lists them so an override can be checked before it is saved).
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter

DIGEST = "digest"  # the daily digest itself: an internal kind, not a preference


@dataclass(frozen=True)
class Kind:
    slug: str
    audience: str  # who receives it, in words (shown with the preferences)
    title: str  # default subject / in-app title
    body: str  # default plain-text body
    placeholders: tuple[str, ...] = ()
    default_email: bool = True
    essential: bool = False  # always e-mailed, cannot be turned off, no unsubscribe link
    digestible: bool = True  # may be collected into the daily digest instead of sent at once
    internal: bool = False  # not a preference users or marketplaces configure

    @property
    def unsubscribable(self) -> bool:
        return not self.essential


_BOOKING = ("listing", "client", "provider", "booking")
_DISPUTE = ("listing", "booking", "dispute", "step")

KINDS: dict[str, Kind] = {
    k.slug: k
    for k in (
        Kind(
            "booking.requested",
            "Providers: a client asked to book one of your listings",
            "New booking request: {listing}",
            "{client} asked to book {listing}. Accept or decline it before it lapses.",
            _BOOKING,
            digestible=False,
        ),
        Kind(
            "booking.confirmed",
            "Clients: your booking was confirmed or accepted",
            "Booking confirmed: {listing}",
            "Your booking of {listing} with {provider} is confirmed.",
            _BOOKING,
        ),
        Kind(
            "booking.cancelled",
            "Clients and providers: the other party cancelled a booking",
            "Booking cancelled: {listing}",
            "The booking of {listing} was cancelled.",
            _BOOKING,
        ),
        Kind(
            "booking.reminder",
            "Clients and providers: a session starts soon",
            "Reminder: {listing} starts soon",
            "Your session {listing} starts at {when}.",
            (*_BOOKING, "when"),
            digestible=False,
        ),
        Kind(
            "quote.received",
            "Clients: a provider sent you a quote",
            "New quote for {listing}",
            "{provider} sent you a quote for {listing}.",
            _BOOKING,
        ),
        Kind(
            "delivery.submitted",
            "Clients: a provider delivered work for review",
            "Work delivered: {listing}",
            "{provider} delivered work for {listing}. Review it and accept it or ask for changes.",
            _BOOKING,
        ),
        Kind(
            "payment.received",
            "Clients: a receipt for your payment",
            "Payment receipt: {amount}",
            "We received your payment of {amount} for {listing}.",
            ("amount", "listing"),
            essential=True,
            digestible=False,
        ),
        Kind(
            "payout.sent",
            "Providers: a payout was sent to your account",
            "Payout sent: {amount}",
            "A payout of {amount} is on its way to your account.",
            ("amount",),
            essential=True,
            digestible=False,
        ),
        Kind(
            "review.received",
            "Everyone: someone reviewed you",
            "New review for {listing}",
            "{reviewer} reviewed you for {listing}. Reviews stay hidden until you have left yours or the "
            "review window closes.",
            ("listing", "reviewer"),
            default_email=False,
        ),
        Kind(
            "review.revealed",
            "Everyone: a review about you became visible",
            "Your review for {listing} is visible",
            "The review {reviewer} wrote about you for {listing} can now be read.",
            ("listing", "reviewer"),
        ),
        Kind(
            "dispute.opened",
            "Clients and providers: a dispute was opened about your booking",
            "Dispute opened: {listing}",
            "A dispute was opened about {listing} (booking {booking}). Its escrow is frozen until it is resolved.",
            _DISPUTE,
            digestible=False,
        ),
        Kind(
            "dispute.updated",
            "Clients and providers: news in your dispute",
            "Dispute update: {listing}",
            "There is news in the dispute about {listing}. {step}",
            _DISPUTE,
        ),
        Kind(
            "dispute.decided",
            "Clients and providers: the mediator decided your dispute",
            "Dispute decided: {listing}",
            "The mediator decided the dispute about {listing}: {outcome}.",
            (*_DISPUTE, "outcome"),
            digestible=False,
        ),
        Kind(
            "dispute.needs_mediator",
            "Admins and moderators: a dispute needs a mediator's decision",
            "A dispute needs a mediator: {listing}",
            "The dispute about {listing} (booking {booking}) needs a decision. {step}",
            _DISPUTE,
            digestible=False,
        ),
        Kind(
            "verification.decided",
            "Providers: your verification was decided",
            "Your verification: {decision}",
            "Your provider application was {decision}. {reason}",
            ("decision", "reason", "badges"),
            essential=True,
            digestible=False,
        ),
        Kind(
            "message.received",
            "Everyone: a new message",
            "New message from {sender}",
            "{sender} sent you a message.",
            ("sender",),
        ),
        Kind(
            "billing.past_due",
            "Admins: the platform's invoice for the marketplace is unpaid",
            "Payment due for {marketplace}",
            "The invoice {invoice} of {amount} is unpaid. Pay it within {grace_days} days to keep the "
            "marketplace online.",
            ("marketplace", "invoice", "amount", "grace_days", "event"),
            digestible=False,
        ),
        Kind(
            "billing.suspended",
            "Admins: the marketplace was suspended for an unpaid invoice",
            "{marketplace} is suspended",
            "The invoice {invoice} of {amount} is still unpaid, so the marketplace is offline. Paying it "
            "brings it back at once.",
            ("marketplace", "invoice", "amount", "event"),
            digestible=False,
        ),
        Kind(
            "billing.plan_changed",
            "Admins: the marketplace's plan changed",
            "Your plan is now {plan}",
            "{marketplace} is on the {plan} plan ({interval}) from {when}.",
            ("marketplace", "plan", "interval", "when", "event"),
            default_email=False,
        ),
        Kind(
            DIGEST,
            "Everyone who chose a daily digest",
            "Your daily summary: {count} new",
            "{count} notifications since yesterday.",
            ("count",),
            digestible=False,
            internal=True,
        ),
    )
}


def kind(slug: str) -> Kind:
    return KINDS[slug]


def configurable() -> list[Kind]:
    """The kinds users and marketplaces see (every kind but the digest)."""
    return [k for k in KINDS.values() if not k.internal]


def render_wording(template: str, values: dict) -> str:
    """Fill `{name}` placeholders. Only plain names: no attribute or index access, no format specs
    (a marketplace's wording must not reach into objects). KeyError names the unknown placeholder;
    ValueError means a brace is unbalanced."""
    out: list[str] = []
    for literal, field, spec, conversion in Formatter().parse(template):
        out.append(literal)
        if field is None:
            continue
        if spec or conversion or field not in values:
            raise KeyError(field)
        out.append(str(values[field]))
    return "".join(out)


def wording_problem(spec: Kind, field: str, text: str) -> str | None:
    """Why `text` cannot be the `field` (subject or body) of `spec`, or None when it renders with the
    kind's placeholders."""
    limit = 300 if field == "subject" else 5000
    if not isinstance(text, str) or len(text) > limit:
        return f"{field}: text of at most {limit} characters."
    try:
        render_wording(text, {name: f"<{name}>" for name in spec.placeholders})
    except KeyError as exc:
        allowed = ", ".join("{" + p + "}" for p in spec.placeholders) or "none"
        return f"{field}: unknown placeholder {{{exc.args[0]}}}; available: {allowed}."
    except ValueError:
        return f"{field}: a brace is not closed; write {{{{ or }}}} for a literal brace."
    return None
