"""A provider's own work, as their dashboard reads it: bookings by stage, what needs them now, the
sessions coming up, their calendar (bookings, time off, busy times from their external calendars),
the free slots their availability opens (a preview), and their time off (listed and removed).

Reads take the provider's profile and answer only about it: nothing here crosses to another
provider's bookings, and the schema is the request's (one marketplace)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from marketplace.bookings.availability import Slot, free_slots_stamped
from marketplace.bookings.models import AvailabilitySchedule, Booking, BusyTime, Milestone, MilestoneState, TimeOff
from marketplace.bookings.selectors import busy_between, rules_of
from marketplace.common.errors import NotFound
from marketplace.providers.selectors import provider_of

# The dashboard's tabs: which booking states each shows (every state of every preset is in one).
WORK_TABS: dict[str, tuple[str, ...]] = {
    "requests": ("requested", "inquiry"),  # waiting for the provider: accept or decline, send a quote
    "quotes": ("quoted",),  # a quote sent, waiting for the client's answer
    "in_progress": ("pending_payment", "confirmed", "accepted", "delivered", "in_progress"),
    "completed": ("completed",),
    "cancelled": ("cancelled", "declined", "expired", "no_show"),
}
# States whose bookings no longer take the provider's time (not shown on the calendar).
GONE_STATES = ("cancelled", "declined", "expired")
OPEN_MILESTONE_STATES = (MilestoneState.PENDING, MilestoneState.CHANGES_REQUESTED)


def _bookings(provider) -> QuerySet[Booking]:
    return Booking.objects.filter(provider=provider).select_related("listing", "client")


def provider_time_zone(provider) -> str:
    """The zone the provider works in: their availability's, else the marketplace's."""
    from marketplace.configuration.selectors import marketplace_settings

    zone = (
        AvailabilitySchedule.objects.filter(provider=provider, listing__isnull=True)
        .values_list("time_zone", flat=True)
        .first()
    )
    return zone or marketplace_settings().time_zone


def provider_bookings(provider, tab: str) -> QuerySet[Booking]:
    """The provider's bookings in one of `WORK_TABS`, in the order that tab is worked through:
    oldest request first, the soonest work first, the latest finished first. Each carries
    `next_milestone_due` (the earliest due date of a milestone still to deliver)."""
    bookings = (
        _bookings(provider)
        .filter(state__in=WORK_TABS[tab])
        .annotate(next_milestone_due=Min("milestones__due_date", filter=Q(milestones__state__in=OPEN_MILESTONE_STATES)))
    )
    if tab in ("requests", "quotes"):
        return bookings.order_by("created_at", "id")
    if tab == "in_progress":
        return bookings.order_by("starts_at", "next_milestone_due", "created_at", "id")
    return bookings.order_by("-updated_at", "-id")


def provider_tab_counts(provider) -> dict[str, int]:
    """How many bookings each tab holds (one query)."""
    tab_of = {state: tab for tab, states in WORK_TABS.items() for state in states}
    counts = dict.fromkeys(WORK_TABS, 0)
    for row in Booking.objects.filter(provider=provider).values("state").annotate(count=Count("id")).order_by():
        if row["state"] in tab_of:
            counts[tab_of[row["state"]]] += row["count"]
    return counts


@dataclass(frozen=True)
class Attention:
    """What needs the provider now, each list oldest (or soonest due) first."""

    to_accept: list[Booking]  # requests to book: accept or decline
    quotes_to_send: list[Booking]  # inquiries: send a quote
    deliveries_due: list[Booking]  # accepted work and milestones to deliver
    disputes: list  # open disputes about their bookings
    counts: dict[str, int]  # how many of each there are (the lists stop at their limit)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def provider_attention(provider, *, limit: int = 20) -> Attention:
    from marketplace.disputes.models import OPEN_STATES, Dispute

    requests = _bookings(provider).filter(state="requested").order_by("due_at", "created_at")
    inquiries = _bookings(provider).filter(state="inquiry").order_by("created_at")
    open_milestones = Milestone.objects.filter(booking__provider=provider, state__in=OPEN_MILESTONE_STATES)
    deliveries = (
        _bookings(provider)
        .filter(
            Q(state="accepted", workflow="quote") | Q(state="in_progress", pk__in=open_milestones.values("booking"))
        )
        .annotate(next_milestone_due=Min("milestones__due_date", filter=Q(milestones__state__in=OPEN_MILESTONE_STATES)))
        .order_by("next_milestone_due", "updated_at")
    )
    disputes = (
        Dispute.objects.filter(booking__provider=provider, state__in=OPEN_STATES)
        .select_related("booking__listing", "booking__client")
        .order_by("created_at")
    )
    found = {"to_accept": requests, "quotes_to_send": inquiries, "deliveries_due": deliveries, "disputes": disputes}
    lists = {key: list(rows[:limit]) for key, rows in found.items()}
    counts = {key: len(lists[key]) if len(lists[key]) < limit else rows.count() for key, rows in found.items()}
    return Attention(**lists, counts=counts)


def provider_upcoming(provider, *, now: datetime | None = None, limit: int = 5) -> list[Booking]:
    """Confirmed sessions that have not ended yet, soonest first."""
    now = now or timezone.now()
    return list(_bookings(provider).filter(state="confirmed", ends_at__gt=now).order_by("starts_at")[:limit])


@dataclass(frozen=True)
class CalendarEntries:
    bookings: list[Booking]
    time_off: list[TimeOff]
    busy: list[BusyTime]


def provider_calendar(provider, start: datetime, end: datetime) -> CalendarEntries:
    """Everything on the provider's calendar in [start, end): bookings with a time (not cancelled,
    declined or expired), time off, and busy times imported from their external calendars."""
    span = DateTimeTZRange(start, end)
    bookings = (
        _bookings(provider)
        .filter(starts_at__lt=end, ends_at__gt=start)
        .exclude(state__in=GONE_STATES)
        .order_by("starts_at", "id")
    )
    time_off = TimeOff.objects.filter(provider=provider, period__overlap=span).order_by("period")
    busy = BusyTime.objects.filter(provider=provider, period__overlap=span).select_related("calendar")
    return CalendarEntries(list(bookings), list(time_off), list(busy.order_by("period")))


def schedule_of(provider, *, listing=None) -> AvailabilitySchedule | None:
    """The provider's default schedule (or `listing`'s own), with its windows and overrides."""
    schedules = AvailabilitySchedule.objects.prefetch_related("rules", "overrides").filter(provider=provider)
    return (
        schedules.filter(listing=listing).first()
        if listing is not None
        else schedules.filter(listing__isnull=True).first()
    )


def schedule_preview(provider, *, listing=None, first: date, days: int = 7, now: datetime | None = None) -> list[Slot]:
    """The free slots the provider's schedule (or `listing`'s own, else the default) opens from the
    local date `first` for `days` days, after everything that blocks their time — what clients would
    be offered for a session of the schedule's slot length."""
    now = now or timezone.now()
    schedule = (schedule_of(provider, listing=listing) if listing is not None else None) or schedule_of(provider)
    if schedule is None:
        return []
    rules = rules_of(schedule)
    last = first + timedelta(days=days - 1)
    margin = timedelta(days=1) + rules.buffer_before + rules.buffer_after + rules.slot
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC) - margin
    end = datetime.combine(last, datetime.min.time(), tzinfo=UTC) + margin + timedelta(days=1)
    busy = busy_between(provider.pk, start, end, now=now)
    return free_slots_stamped(rules, first, last, busy, now=now)


def time_off_of(provider, *, now: datetime | None = None) -> QuerySet[TimeOff]:
    """Time off that has not ended yet, soonest first."""
    now = now or timezone.now()
    return TimeOff.objects.filter(provider=provider, period__endswith__gt=now).order_by("period")


@transaction.atomic
def time_off_remove(*, user, time_off_id: str) -> None:
    """Remove one of the provider's own time off: those hours can be booked again at once."""
    off = TimeOff.objects.select_for_update().filter(public_id=time_off_id, provider=provider_of(user)).first()
    if off is None:
        raise NotFound("No such time off of yours.")
    off.delete()
