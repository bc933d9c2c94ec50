"""What the booking rules mean, in words for clients: how a workflow goes, the cancellation policy a
booking will carry, and the tax inside a price. The rules themselves live in the booking workflows,
the category's settings and the marketplace's settings; this only reads them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marketplace.bookings import workflows
from marketplace.catalogue.selectors import category_booking_settings
from marketplace.invoicing.tax import rate_text, tax_in


def _notice(hours: int) -> str:
    if hours >= 48 and hours % 24 == 0:
        days = hours // 24
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


def _share(percent: int) -> str:
    if percent >= 100:
        return _("a full refund")
    if percent <= 0:
        return _("no refund")
    return _("%(percent)d%% refunded") % {"percent": percent}


def booking_terms(listing) -> dict:
    """The category's tuned timers and cancellation tiers a booking of `listing` would carry."""
    tuned = category_booking_settings(listing.category)
    policy = tuned["cancellation_policy"]
    tiers = workflows.CANCELLATION_POLICIES[policy] if isinstance(policy, str) else policy
    return {"timers": tuned["timers"], "tiers": tiers, "policy": policy if isinstance(policy, str) else "custom"}


def cancellation_sentences(flow: workflows.Workflow, tiers: list[list[int]]) -> list[str]:
    """The policy as sentences, e.g. "Cancel at least 24 hours before the start: a full refund."."""
    if not flow.slot_based:
        first = workflows.refund_share(tiers, None)
        return [
            _("You pay only when you accept a quote. Nothing is charged for asking."),
            _("If you cancel after paying and before the work is delivered: %(share)s.") % {"share": _share(first)},
            _("If the provider cancels: a full refund."),
        ]
    sentences = []
    previous = None
    for hours, percent in tiers:
        if hours > 0:
            sentences.append(
                _("Cancel at least %(notice)s before the start: %(share)s.")
                % {"notice": _notice(hours), "share": _share(percent)}
            )
        elif previous is not None:
            sentences.append(
                _("Cancel less than %(notice)s before the start: %(share)s.")
                % {"notice": _notice(previous), "share": _share(percent)}
            )
        else:
            sentences.append(_("Cancel any time before the start: %(share)s.") % {"share": _share(percent)})
        previous = hours
    if previous:
        sentences.append(_("Cancel less than %(notice)s before the start: no refund.") % {"notice": _notice(previous)})
    elif tiers and tiers[-1][1] > 0:
        sentences.append(_("Once the session has started: no refund."))
    sentences.append(_("If the provider cancels or does not show up: a full refund."))
    return sentences


def workflow_steps(flow: workflows.Workflow, timers: dict) -> list[str]:
    """How booking this listing goes, step by step."""
    timer = flow.timer_for(flow.initial)
    within = workflows.timer_length(timer, timers) if timer else None
    minutes = int(within.total_seconds() // 60) if within else 0
    if flow.key == workflows.INSTANT.key:
        return [
            _("Pick a time and pay: the booking is confirmed at once."),
            _("Your payment is held in escrow; the provider is paid only after the session."),
        ]
    if flow.key == workflows.REQUEST.key:
        return [
            _("Pick a time and send your request with your card."),
            _("The provider accepts or declines within %(time)s; until then the time is kept for you.")
            % {"time": _notice(max(minutes // 60, 1))},
            _("Accepted: your payment is held in escrow until after the session. Declined: nothing is charged."),
        ]
    if flow.key == workflows.MILESTONE.key:
        return [
            _("Describe your project: the provider replies with a quote split into milestones."),
            _("Accept the quote to pay it into escrow; nothing is charged before."),
            _("Each milestone's share is released to the provider only when you accept its delivery."),
        ]
    return [
        _("Describe what you need: the provider replies with a quote."),
        _("Accept the quote to pay it into escrow; nothing is charged before."),
        _("The provider is paid only when you accept the delivered work."),
    ]


@dataclass(frozen=True)
class Tax:
    label: str
    rate: str  # "20%"
    inclusive: bool
    amount: int  # minor units of tax inside the total
    net: int


def tax_of(total: int, settings) -> Tax | None:
    """The tax inside `total` as the marketplace's settings say (None without a tax)."""
    if not settings.tax_rate_bps:
        return None
    tax = tax_in(total, rate_bps=settings.tax_rate_bps)
    return Tax(settings.tax_label, rate_text(settings.tax_rate_bps), settings.tax_inclusive, tax, total - tax)
