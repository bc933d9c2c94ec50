"""Reputation levels (New, Rising, Top rated) from each marketplace's thresholds, recomputed for
every provider by the `reviews.recompute_levels` job.

What is measured, per provider:
- completed bookings: bookings in the `completed` state;
- average rating: the public client reviews' average (`ProviderProfile.rating_average`);
- on time (a proxy, the platform has no delivery promise per session): the share of the provider's
  commitments they kept — completed bookings with no milestone delivered after its due date, out
  of completed bookings plus provider no-shows and cancellations by the provider (or an admin for
  them). None while there is nothing to count;
- response time: `ProviderProfile.median_response_minutes`; unknown (nothing answered yet) does not
  hold a provider back;
- dispute rate: disputes opened on the provider's bookings per completed booking, in percent;
- account age: days since the provider's account was made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from accounts.permissions import require
from marketplace.audit.services import audit_record
from marketplace.bookings.models import Booking, BookingEvent, Milestone
from marketplace.common.errors import ValidationFailed
from marketplace.providers.models import ProviderProfile, ReputationLevel
from marketplace.reviews.aggregates import ratings_refresh_all
from marketplace.reviews.models import ReputationSettings
from marketplace.reviews.selectors import reputation_settings

MEASURES = ("completed_bookings", "average_rating", "on_time_percent", "response_minutes", "dispute_percent")
THRESHOLDS = [f"{level}_{measure}" for level in ("rising", "top") for measure in (*MEASURES, "account_age_days")]
MISSED_ACTIONS = ("report_provider_no_show", "cancel_by_provider")


@dataclass(frozen=True)
class Metrics:
    completed_bookings: int
    average_rating: Decimal | None
    on_time_percent: int | None
    response_minutes: int | None
    dispute_percent: int
    account_age_days: int


def unmet(metrics: Metrics, thresholds: ReputationSettings, level: str) -> list[str]:
    """The thresholds of `level` (rising or top) that `metrics` do not reach."""

    def at(measure: str):
        return getattr(thresholds, f"{level}_{measure}")

    missing = []
    if metrics.completed_bookings < at("completed_bookings"):
        missing.append("completed_bookings")
    if metrics.average_rating is None or metrics.average_rating < at("average_rating"):
        missing.append("average_rating")
    if metrics.on_time_percent is not None and metrics.on_time_percent < at("on_time_percent"):
        missing.append("on_time_percent")
    limit = at("response_minutes")
    if limit is not None and metrics.response_minutes is not None and metrics.response_minutes > limit:
        missing.append("response_minutes")
    if metrics.dispute_percent > at("dispute_percent"):
        missing.append("dispute_percent")
    if metrics.account_age_days < at("account_age_days"):
        missing.append("account_age_days")
    return missing


def level_for(metrics: Metrics, thresholds: ReputationSettings) -> str:
    if not unmet(metrics, thresholds, "top"):
        return ReputationLevel.TOP_RATED
    if not unmet(metrics, thresholds, "rising"):
        return ReputationLevel.RISING
    return ReputationLevel.NEW


def _per_provider(rows) -> dict[int, int]:
    return {row["profile"]: row["n"] for row in rows}


def provider_metrics(*, now: datetime | None = None) -> dict[int, Metrics]:
    """Every provider's metrics, in a fixed number of grouped queries."""
    from marketplace.disputes.models import Dispute

    now = now or timezone.now()
    completed = _per_provider(
        Booking.objects.filter(state="completed").values(profile=F("provider_id")).annotate(n=Count("id"))
    )
    missed = _per_provider(
        BookingEvent.objects.filter(action__in=MISSED_ACTIONS)
        .values(profile=F("booking__provider_id"))
        .annotate(n=Count("booking_id", distinct=True))
    )
    late = _per_provider(
        Milestone.objects.filter(booking__state="completed", delivered_at__date__gt=F("due_date"))
        .values(profile=F("booking__provider_id"))
        .annotate(n=Count("booking_id", distinct=True))
    )
    disputes = _per_provider(
        Dispute.objects.values(profile=F("booking__provider_id")).annotate(n=Count("id")),
    )
    metrics = {}
    profiles = ProviderProfile.objects.values_list(
        "pk", "rating_average", "median_response_minutes", "user__created_at"
    ).order_by("pk")
    for pk, rating, response, joined in profiles:
        done, kept_out = completed.get(pk, 0), missed.get(pk, 0)
        commitments = done + kept_out
        disputed = disputes.get(pk, 0)
        metrics[pk] = Metrics(
            completed_bookings=done,
            average_rating=rating,
            on_time_percent=(100 * (done - late.get(pk, 0)) // commitments) if commitments else None,
            response_minutes=response,
            dispute_percent=(100 * disputed // done) if done else (100 if disputed else 0),
            account_age_days=(now - joined).days,
        )
    return metrics


def provider_levels_recompute(*, now: datetime | None = None) -> int:
    """Recount every rating with today's marketplace mean, then set each provider's level (the beat
    job `reviews.recompute_levels`). Idempotent; returns how many levels changed."""
    ratings_refresh_all()
    thresholds = reputation_settings()
    levels = {pk: level_for(metrics, thresholds) for pk, metrics in provider_metrics(now=now).items()}
    changed = [
        ProviderProfile(pk=pk, level=levels[pk])
        for pk, level in ProviderProfile.objects.values_list("pk", "level")
        if pk in levels and levels[pk] != level
    ]
    ProviderProfile.objects.bulk_update(changed, ["level"], batch_size=500)
    return len(changed)


def _threshold_errors(merged: dict[str, Any], changes: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for unknown in sorted(set(changes) - set(THRESHOLDS)):
        errors[unknown] = ["This threshold does not exist."]
    for name in THRESHOLDS:
        value = merged[name]
        if name.endswith("average_rating"):
            if not 1 <= value <= 5:
                errors[name] = ["Use an average rating from 1 to 5, e.g. 4.5."]
        elif name.endswith("response_minutes") and value is None:
            continue
        elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[name] = ["Use a whole number from 0" + (", or null for any." if "response" in name else ".")]
        elif name.endswith("percent") and value > 100:
            errors[name] = ["Use a percentage from 0 to 100."]
    return errors


def _rating(value: Any) -> Any:
    """A rating as sent (4.5 or "4.5") as a Decimal of two places; anything else as 0, which the
    check refuses."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        return Decimal(0)
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return Decimal(0)


@transaction.atomic
def reputation_settings_update(*, actor, changes: dict[str, Any]) -> ReputationSettings:
    """Change any of the level thresholds (admins), all or nothing, audited. Levels follow at the
    next `reviews.recompute_levels` run."""
    require(actor, "reviews.configure")
    current = ReputationSettings.objects.select_for_update().get(pk=reputation_settings().pk)
    before = {name: getattr(current, name) for name in THRESHOLDS}
    merged = {**before, **changes}
    for name in ("rising_average_rating", "top_average_rating"):
        merged[name] = _rating(merged[name])
    if errors := _threshold_errors(merged, changes):
        raise ValidationFailed("Some thresholds are invalid: " + ", ".join(sorted(errors)) + ".", fields=errors)
    changed = {name: merged[name] for name in THRESHOLDS if merged[name] != before[name]}
    if changed:
        for name, value in changed.items():
            setattr(current, name, value)
        current.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            action="reputation.thresholds_changed",
            target=current,
            before={name: str(before[name]) if isinstance(before[name], Decimal) else before[name] for name in changed},
            after={name: str(value) if isinstance(value, Decimal) else value for name, value in changed.items()},
        )
    return current
