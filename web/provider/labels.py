"""Words the provider dashboard shows for states and steps (translatable; the domain keeps codes)."""

from django.utils.translation import gettext_lazy as _

BOOKING_STATES = {
    "pending_payment": (_("Waiting for payment"), "warning"),
    "requested": (_("Waiting for you to accept"), "accent"),
    "inquiry": (_("Waiting for your quote"), "accent"),
    "quoted": (_("Quote sent"), ""),
    "confirmed": (_("Confirmed"), "success"),
    "accepted": (_("In progress"), "primary"),
    "delivered": (_("Delivered, waiting for the client"), ""),
    "in_progress": (_("In progress"), "primary"),
    "completed": (_("Completed"), "success"),
    "cancelled": (_("Cancelled"), "error"),
    "declined": (_("Declined"), "error"),
    "expired": (_("Expired"), "warning"),
    "no_show": (_("No-show"), "warning"),
}

LISTING_STATES = {
    "draft": (_("Draft"), ""),
    "pending_review": (_("Waiting for review"), "warning"),
    "active": (_("Active"), "success"),
    "paused": (_("Paused"), "warning"),
    "rejected": (_("Rejected"), "error"),
    "archived": (_("Archived"), ""),
}

LISTING_ACTIONS = {
    "submit": _("Submit"),
    "pause": _("Pause"),
    "resume": _("Resume"),
    "archive": _("Archive"),
}

PROVIDER_STATES = {
    "pending": (_("Waiting for review"), "warning"),
    "info_requested": (_("More information requested"), "warning"),
    "approved": (_("Approved"), "success"),
    "rejected": (_("Not approved"), "error"),
}

WORK_TABS = {
    "requests": _("Requests"),
    "quotes": _("Quotes"),
    "in_progress": _("In progress"),
    "completed": _("Completed"),
    "cancelled": _("Cancelled"),
}

DUE_ACTIONS = {
    "expire": _("expires"),
    "auto_complete": _("completes automatically"),
    "expire_quote": _("quote expires"),
    "auto_accept": _("accepted automatically"),
    "auto_accept_milestone": _("milestone accepted automatically"),
}

PAYOUT_STATES = {
    "in_transit": (_("On its way"), "warning"),
    "paid": (_("Arrived"), "success"),
    "failed": (_("Failed, returned to your balance"), "error"),
}

COMPLETENESS = {
    "headline": (_("Write a headline"), "/provider/profile/"),
    "bio": (_("Tell clients about yourself (a few sentences)"), "/provider/profile/"),
    "skills": (_("List your skills"), "/provider/profile/"),
    "languages": (_("Say which languages you work in"), "/provider/profile/"),
    "portfolio": (_("Show a piece of past work"), "/provider/profile/#portfolio"),
    "availability": (_("Set when you can be booked"), "/provider/availability/"),
    "listing": (_("Publish a listing"), "/provider/listings/"),
    "payouts": (_("Set up payouts"), "/provider/earnings/#payouts"),
}

BADGE_HELP = {
    "identity_verified": _("The marketplace's team checked an identity document."),
    "credential_verified": _("The marketplace's team checked a degree, diploma or certificate."),
    "licence_verified": _("The marketplace's team checked a professional licence."),
}

LEVEL_HELP = {
    "new": _("Everyone starts here."),
    "rising": _("Providers with a first record of good, on-time work."),
    "top_rated": _("The marketplace's most reliable, best reviewed providers."),
}


def state(mapping: dict, code: str) -> dict:
    label, tone = mapping.get(code, (code, ""))
    return {"code": code, "label": label, "tone": tone}


def booking_rows(bookings) -> list:
    """The bookings with their state's words and tone (`booking.shown_state`) for the templates."""
    rows = list(bookings)
    for booking in rows:
        booking.shown_state = state(BOOKING_STATES, booking.state)
        booking.due_words = DUE_ACTIONS.get(booking.due_action, "")
    return rows
