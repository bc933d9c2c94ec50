"""Dispute metrics for the marketplace's admins."""

from __future__ import annotations

from django.db.models import Count, F

from marketplace.disputes.models import Dispute, DisputeState


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
