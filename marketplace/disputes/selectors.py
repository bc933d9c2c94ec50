"""Reads for disputes: whether a booking can be disputed now, a dispute's timeline for one side,
and the metrics for the marketplace's admins."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, F
from django.utils import timezone

from marketplace.disputes.models import OPEN_STATES, Dispute, DisputeEntry, DisputeState, EntryKind


def dispute_metrics() -> dict:
    """Open disputes by state, time to resolution, outcomes, and the dispute rate per provider
    (disputes / their bookings that took money), worst first."""
    from marketplace.bookings.models import Booking

    by_state = dict(Dispute.objects.values_list("state").annotate(n=Count("id")).order_by())
    closed = Dispute.objects.filter(state=DisputeState.CLOSED)
    durations = sorted(
        (closed_at - created_at).total_seconds() / 3600
        for created_at, closed_at in closed.values_list("created_at", "closed_at")
    )
    outcomes = dict(closed.values_list("resolution").annotate(n=Count("id")).order_by())
    rates = (
        Booking.objects.filter(money_intents__kind="hold")
        .values(provider_public_id=F("provider__public_id"))
        .annotate(bookings=Count("id", distinct=True), disputes=Count("disputes", distinct=True))
        .filter(disputes__gt=0)
        .order_by()
    )
    return {
        "open": {state: by_state.get(state, 0) for state in DisputeState.values if state != DisputeState.CLOSED},
        "closed": by_state.get(DisputeState.CLOSED, 0),
        "hours_to_resolution": {
            "median": durations[len(durations) // 2] if durations else None,
            "mean": sum(durations) / len(durations) if durations else None,
        },
        "resolutions": outcomes,
        "outcomes": dict(closed.exclude(outcome="").values_list("outcome").annotate(n=Count("id")).order_by()),
        "providers": sorted(
            (
                {
                    "provider": row["provider_public_id"],
                    "bookings": row["bookings"],
                    "disputes": row["disputes"],
                    "rate": round(row["disputes"] / row["bookings"], 4),
                }
                for row in rates
            ),
            key=lambda row: (-row["rate"], row["provider"]),
        ),
    }


def dispute_opening(booking, *, now: datetime | None = None) -> dict:
    """For a booking's page: its open dispute (or None), whether one can be opened now (money
    held in escrow, and for a session not later than the marketplace's dispute window after it
    ended — the checks `dispute_open` makes) and until when (`closes_at`, None when no end)."""
    from marketplace.configuration.selectors import marketplace_settings
    from marketplace.payments.escrow import escrow_state

    now = now or timezone.now()
    current = Dispute.objects.filter(booking=booking, state__in=OPEN_STATES).first()
    closes_at = None
    if booking.ends_at is not None:
        closes_at = booking.ends_at + timedelta(days=marketplace_settings().dispute_window_days)
    can_open = (
        current is None
        and (closes_at is None or now <= closes_at)
        and booking.state not in ("cancelled", "declined", "expired")
        and escrow_state(booking).held > 0
    )
    return {"dispute": current, "can_open": can_open, "closes_at": closes_at}


def dispute_entries_for(dispute: Dispute, role: str):
    """The dispute's timeline as `role` sees it: mediators' private notes only for mediators."""
    entries = DisputeEntry.objects.filter(dispute=dispute).select_related("author").order_by("id")
    return entries if role == "mediator" else entries.filter(private=False)


def latest_proposal(dispute: Dispute) -> DisputeEntry | None:
    """The proposal that stands: the latest one (a counter-proposal replaces it)."""
    return dispute.entries.filter(kind=EntryKind.PROPOSAL).select_related("author").order_by("-id").first()


def disputes_of_booking(booking):
    return Dispute.objects.filter(booking=booking).order_by("-id")


def disputes_for_mediation(*, state: str | None = None):
    """Every dispute of the marketplace (or those in `state`) for its mediators: the ones waiting for
    a mediator first (escalated, appealed), then decisions inside their appeal window, negotiations,
    and closed disputes last; oldest first within a state; each with its booking and parties, and
    `waiting_since`: when it last came to the mediators (escalated or appealed), if it did."""
    from django.db.models import Case, IntegerField, Max, Q, Value, When

    order = [DisputeState.ESCALATED, DisputeState.APPEALED, DisputeState.DECIDED, DisputeState.NEGOTIATING]
    disputes = Dispute.objects.select_related(
        "booking__listing", "booking__client", "booking__provider__user", "mediator", "milestone"
    )
    if state:
        disputes = disputes.filter(state=state)
    priority = Case(
        *(When(state=s, then=Value(i)) for i, s in enumerate(order)),
        default=Value(len(order)),
        output_field=IntegerField(),
    )
    came = Max("entries__created_at", filter=Q(entries__kind__in=[EntryKind.ESCALATED, EntryKind.APPEALED]))
    return disputes.annotate(priority=priority, waiting_since=came).order_by(
        "priority", F("waiting_since").asc(nulls_last=True), "created_at", "id"
    )


def disputes_opened_per_period(*, since: datetime, until: datetime, per: str, zone) -> dict:
    """For reports: disputes opened in [since, until), counted per `per` (day or month) in `zone`,
    keyed by the period's first day (a date). One grouped query; periods without disputes are absent."""
    from django.db.models.functions import TruncDay, TruncMonth

    trunc = {"day": TruncDay, "month": TruncMonth}[per]
    rows = (
        Dispute.objects.filter(created_at__gte=since, created_at__lt=until)
        .annotate(period=trunc("created_at", tzinfo=zone))
        .values("period")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["period"].astimezone(zone).date(): row["n"] for row in rows}
