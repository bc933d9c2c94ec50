"""Words people read for the workflow's machine names: booking states, actions, roles, money
states, dispute states and notification kinds. Translatable; unknown names fall back to a readable
form of the name itself."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

STATES = {
    "pending_payment": _("Waiting for payment"),
    "requested": _("Requested"),
    "confirmed": _("Confirmed"),
    "completed": _("Completed"),
    "cancelled": _("Cancelled"),
    "declined": _("Declined"),
    "expired": _("Expired"),
    "no_show": _("No-show"),
    "inquiry": _("Inquiry"),
    "quoted": _("Quote sent"),
    "accepted": _("In progress"),
    "delivered": _("Delivered"),
    "in_progress": _("In progress"),
}

# The pill colour of each state: what needs attention, what went well, what ended badly.
STATE_TONES = {
    "pending_payment": "warning",
    "requested": "warning",
    "quoted": "warning",
    "delivered": "warning",
    "confirmed": "success",
    "completed": "success",
    "accepted": "primary",
    "in_progress": "primary",
    "cancelled": "error",
    "declined": "error",
    "expired": "error",
    "no_show": "error",
}

ACTIONS = {
    "book": _("Booked"),
    "pay": _("Pay"),
    "abandon": _("Cancel this booking"),
    "accept": _("Accept the request"),
    "decline": _("Decline the request"),
    "withdraw": _("Withdraw"),
    "send_quote": _("Send a quote"),
    "counter": _("Make a counter-offer"),
    "accept_quote": _("Accept the quote and pay"),
    "decline_quote": _("Decline the quote"),
    "deliver": _("Deliver the work"),
    "accept_delivery": _("Accept the delivery"),
    "request_changes": _("Ask for changes"),
    "complete": _("Mark as completed"),
    "cancel": _("Cancel the booking"),
    "cancel_by_provider": _("Cancel the booking"),
    "reschedule": _("Move to another time"),
    "report_provider_no_show": _("Report that the provider did not show up"),
    "report_client_no_show": _("Report that the client did not show up"),
    "deliver_milestone": _("Deliver this milestone"),
    "accept_milestone": _("Accept and release this milestone"),
    "auto_accept_milestone": _("Accepted automatically"),
    "auto_complete": _("Completed automatically"),
    "auto_accept": _("Accepted automatically"),
    "expire": _("Expired"),
    "expire_quote": _("Quote expired"),
    "dispute_settled": _("Dispute settled"),
    "reminder_day": _("Reminder sent (a day before)"),
    "reminder_hour": _("Reminder sent (an hour before)"),
}

# What the timeline says happened (past tense) for each action.
DONE = {
    "book": _("Booked"),
    "pay": _("Paid"),
    "abandon": _("Cancelled before paying"),
    "accept": _("Accepted the request"),
    "decline": _("Declined the request"),
    "withdraw": _("Withdrew"),
    "send_quote": _("Sent a quote"),
    "counter": _("Made a counter-offer"),
    "accept_quote": _("Accepted the quote and paid"),
    "decline_quote": _("Declined the quote"),
    "deliver": _("Delivered the work"),
    "accept_delivery": _("Accepted the delivery"),
    "request_changes": _("Asked for changes"),
    "complete": _("Completed"),
    "cancel": _("Cancelled"),
    "cancel_by_provider": _("Cancelled"),
    "reschedule": _("Moved to another time"),
    "report_provider_no_show": _("Reported that the provider did not show up"),
    "report_client_no_show": _("Reported that the client did not show up"),
    "deliver_milestone": _("Delivered a milestone"),
    "accept_milestone": _("Accepted a milestone"),
    **{k: v for k, v in ACTIONS.items() if k.startswith(("auto_", "expire", "dispute_", "reminder_"))},
}

# Buttons that end or refuse something are drawn as "danger", the main step as primary.
DANGER_ACTIONS = {"abandon", "decline", "withdraw", "decline_quote", "cancel", "cancel_by_provider"}
SECONDARY_ACTIONS = {"counter", "reschedule", "request_changes", "report_provider_no_show", "report_client_no_show"}

ROLES = {
    "client": _("client"),
    "provider": _("provider"),
    "admin": _("marketplace staff"),
    "system": _("automatic"),
    "mediator": _("mediator"),
}

MONEY_STATES = {
    "unpaid": _("Not paid yet"),
    "authorized": _("Card authorised, not charged yet"),
    "held": _("Held in escrow"),
    "released": _("Released to the provider"),
    "refunded": _("Refunded to the client"),
    "partly_refunded": _("Partly refunded, the rest released"),
}

MILESTONE_STATES = {
    "pending": _("Not delivered yet"),
    "delivered": _("Delivered, waiting for the client"),
    "changes_requested": _("Changes requested"),
    "accepted": _("Accepted and released"),
}

TABS = {
    "needs_action": _("Needs action"),
    "upcoming": _("Upcoming"),
    "past": _("Past"),
    "cancelled": _("Cancelled"),
}

DISPUTE_STATES = {
    "negotiating": _("Negotiating"),
    "escalated": _("With the mediator"),
    "decided": _("Decided — may be appealed"),
    "appealed": _("Appealed — with a second mediator"),
    "closed": _("Closed"),
}

DISPUTE_ENTRIES = {
    "opened": _("Opened the dispute"),
    "message": _("Wrote"),
    "evidence": _("Added evidence"),
    "proposal": _("Proposed a settlement"),
    "accepted": _("Accepted the settlement"),
    "escalated": _("Escalated to the mediator"),
    "note": _("Private note"),
    "decision": _("Decided"),
    "appealed": _("Appealed"),
    "closed": _("Closed the dispute"),
}

OUTCOMES = {
    "full_refund": _("Full refund to the client"),
    "partial_refund": _("Part refunded, the rest released to the provider"),
    "release": _("Everything released to the provider"),
}

NOTIFICATION_KINDS = {
    "booking.requested": _("Booking requests for your listings"),
    "booking.confirmed": _("Your bookings are confirmed"),
    "booking.cancelled": _("A booking is cancelled"),
    "booking.reminder": _("Reminders before a session"),
    "quote.received": _("Quotes from providers"),
    "delivery.submitted": _("Work delivered for your review"),
    "payment.received": _("Payment receipts"),
    "payout.sent": _("Payouts sent to you"),
    "review.received": _("Reviews of you"),
    "review.revealed": _("Reviews published after both sides wrote"),
    "dispute.opened": _("Disputes opened about your bookings"),
    "dispute.updated": _("News in your disputes"),
    "dispute.decided": _("Mediators' decisions"),
    "dispute.needs_mediator": _("Disputes waiting for a mediator (staff)"),
    "verification.decided": _("Your provider verification"),
    "message.received": _("New messages"),
    "billing.past_due": _("The marketplace's subscription is past due (admins)"),
    "billing.suspended": _("The marketplace is suspended (admins)"),
    "billing.plan_changed": _("The marketplace's plan changed (admins)"),
}


def label(table: dict, name: str) -> str:
    return str(table.get(name) or name.replace("_", " ").replace(".", " ").capitalize())
