"""Reads for bookings: a listing's effective schedule, free slots (a fixed number of queries), and
which bookings a user may see."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from marketplace.bookings import workflows
from marketplace.bookings.availability import Rules, Slot, Window, free_slots_stamped
from marketplace.bookings.models import AvailabilitySchedule, Booking, Milestone
from marketplace.catalogue.models import AddOn


def schedule_for(listing, *, with_rules: bool = False) -> AvailabilitySchedule | None:
    """The listing's own schedule, else its provider's default one."""
    schedules = AvailabilitySchedule.objects.filter(provider_id=listing.provider_id).filter(
        Q(listing_id=listing.pk) | Q(listing__isnull=True)
    )
    if with_rules:
        schedules = schedules.prefetch_related("rules", "overrides")
    found = {s.listing_id: s for s in schedules}
    return found.get(listing.pk) or found.get(None)


def rules_of(schedule: AvailabilitySchedule, *, slot_minutes: int | None = None) -> Rules:
    weekly: dict[int, list[Window]] = {}
    for rule in schedule.rules.all():
        weekly.setdefault(rule.weekday, []).append(Window(rule.start, rule.end))
    overrides: dict[date, list[Window]] = {}
    for override in schedule.overrides.all():
        windows = overrides.setdefault(override.date, [])
        if override.start is not None:
            windows.append(Window(override.start, override.end))
    return Rules(
        time_zone=schedule.time_zone,
        weekly=weekly,
        overrides=overrides,
        slot=timedelta(minutes=slot_minutes or schedule.slot_minutes),
        step=timedelta(minutes=schedule.step_minutes),
        buffer_before=timedelta(minutes=schedule.buffer_before_minutes),
        buffer_after=timedelta(minutes=schedule.buffer_after_minutes),
        min_notice=timedelta(minutes=schedule.min_notice_minutes),
        horizon=timedelta(days=schedule.horizon_days),
        capacity=schedule.capacity,
    )


_BUSY_SQL = """
SELECT extract(epoch FROM lower(period))::float8, extract(epoch FROM upper(period))::float8, seat
FROM bookings_booking
WHERE provider_id = %(provider)s AND holds_time AND period && tstzrange(%(start)s, %(end)s) AND id <> %(ignore)s
  AND NOT (due_action = 'expire' AND due_at <= %(now)s)
UNION ALL
SELECT extract(epoch FROM lower(period))::float8, extract(epoch FROM upper(period))::float8, 0
FROM bookings_timeoff WHERE provider_id = %(provider)s AND period && tstzrange(%(start)s, %(end)s)
UNION ALL
SELECT extract(epoch FROM lower(period))::float8, extract(epoch FROM upper(period))::float8, 0
FROM bookings_busytime WHERE provider_id = %(provider)s AND period && tstzrange(%(start)s, %(end)s)
"""


def busy_between(
    provider_id: int, start: datetime, end: datetime, *, now: datetime, ignore_booking: int = 0
) -> list[tuple[float, float, int]]:
    """Everything that blocks the provider's time in [start, end), in one query: bookings holding
    time (a hold whose deadline passed counts as released — the next booking or the timer releases
    it), time off and external events — as (start, end, seat) epoch seconds, seat 0 for what blocks
    every seat. Parsing hundreds of ranges would cost more than the whole slot computation."""
    with connection.cursor() as cursor:
        cursor.execute(
            _BUSY_SQL, {"provider": provider_id, "start": start, "end": end, "now": now, "ignore": ignore_booking}
        )
        return cursor.fetchall()


def listing_free_slots(
    listing,
    package,
    first: date,
    last: date,
    *,
    now: datetime | None = None,
    ignore_booking: int = 0,
    extra_minutes: int = 0,
) -> list[Slot]:
    """Free slots of `listing` for `package` between the provider's local dates `first` and `last`
    (`ignore_booking`: as if that booking were not there, to move it; `extra_minutes`: the chosen
    add-ons lengthen the session)."""
    now = now or timezone.now()
    schedule = schedule_for(listing, with_rules=True)
    if schedule is None:
        return []
    minutes = (package.duration_minutes if package is not None else None) or schedule.slot_minutes
    rules = rules_of(schedule, slot_minutes=minutes + extra_minutes)
    margin = timedelta(days=1) + rules.buffer_before + rules.buffer_after + rules.slot
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC) - margin
    end = datetime.combine(last, datetime.min.time(), tzinfo=UTC) + margin + timedelta(days=1)
    busy = busy_between(listing.provider_id, start, end, now=now, ignore_booking=ignore_booking)
    return free_slots_stamped(rules, first, last, busy, now=now)


def listing_workflow(listing) -> workflows.Workflow:
    """The booking workflow of `listing`: its category's (inherited down the tree), instant by
    default. Whether the marketplace takes bookings through it now is `workflow_allowed`."""
    from marketplace.catalogue.selectors import category_workflow

    return workflows.workflow(category_workflow(listing.category) or workflows.INSTANT.key)


def workflow_allowed(flow: workflows.Workflow) -> bool:
    from marketplace.configuration.selectors import marketplace_settings

    return flow.key in marketplace_settings().allowed_workflows


def listing_add_ons(listing, names: Any) -> tuple[list[AddOn], list[str]]:
    """The listing's add-ons called `names` (in the listing's order) and the problems with `names`
    (not a list of text, a name the listing does not offer, a name twice)."""
    if names in (None, ""):
        return [], []
    if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
        return [], ["Use a list of the listing's add-on names."]
    offered = list(listing.add_ons.all())
    known = {a.name for a in offered}
    problems = [f"This listing has no add-on called {n!r}." for n in dict.fromkeys(names) if n not in known]
    if len(set(names)) != len(names):
        problems.append("Choose each add-on once.")
    return [a for a in offered if a.name in set(names)], problems


def booking_price(package, add_ons: list[AddOn]) -> int:
    """What a booking of `package` with `add_ons` costs, in minor units: the package's price plus
    the add-ons' (tax included: the amount charged is always this)."""
    return package.price + sum(a.price for a in add_ons)


def bookings_visible_to(user) -> QuerySet[Booking]:
    """Bookings where `user` is the client or the provider."""
    return Booking.objects.filter(Q(client=user) | Q(provider__user=user))


# Actions a party may take but that nobody is waiting for: a booking offering only these does not
# "need action" from them.
OPTIONAL_ACTIONS = frozenset(
    {
        "cancel",
        "cancel_by_provider",
        "reschedule",
        "withdraw",
        "abandon",
        "counter",
        "decline_quote",
        "report_provider_no_show",
        "report_client_no_show",
    }
)
BOOKING_TABS = ("needs_action", "upcoming", "past", "cancelled")
ENDED_WITHOUT_SERVICE = frozenset({"cancelled", "declined", "expired"})


def _waiting_on(role: str, now: datetime) -> Q:
    """Bookings whose workflow waits for `role` now: a state where the role has a non-optional
    action whose time has come (and, for milestone actions, a milestone in a state it applies to).
    Derived from the workflow tables, so a new preset needs nothing here."""
    waiting = Q(pk__in=[])
    for flow in workflows.PRESETS.values():
        for action, transition in flow.transitions.items():
            if action in OPTIONAL_ACTIONS or role not in transition.roles:
                continue
            condition = Q(workflow=flow.key, state__in=transition.sources)
            if transition.not_before:
                condition &= Q(**{f"{transition.not_before}__lte": now})
            if transition.milestone_sources:
                condition &= Exists(
                    Milestone.objects.filter(booking=OuterRef("pk"), state__in=transition.milestone_sources)
                )
            waiting |= condition
    return waiting


def _finals() -> set[str]:
    return {state for flow in workflows.PRESETS.values() for state in flow.finals}


def bookings_tab(user, *, side: str, tab: str, now: datetime | None = None) -> QuerySet[Booking]:
    """The bookings of one tab of "my bookings", for `user` as `side` (client or provider):
    needs_action (the workflow waits for them), upcoming (still going, nothing asked of them),
    past (completed or no-show) and cancelled (cancelled, declined or expired). Soonest first for
    what is ahead, latest first for what is over."""
    now = now or timezone.now()
    bookings = Booking.objects.select_related("listing", "provider__user", "client")
    bookings = bookings.filter(client=user) if side == workflows.CLIENT else bookings.filter(provider__user=user)
    finals = _finals()
    waiting = _waiting_on(side, now)
    if tab == "needs_action":
        return (
            bookings.filter(waiting)
            .exclude(state__in=finals)
            .order_by(F("starts_at").asc(nulls_last=True), "-created_at", "-id")
        )
    if tab == "upcoming":
        return (
            bookings.exclude(state__in=finals)
            .exclude(waiting)
            .order_by(F("starts_at").asc(nulls_last=True), "-created_at", "-id")
        )
    if tab == "past":
        return bookings.filter(state__in=finals - ENDED_WITHOUT_SERVICE).order_by(
            F("starts_at").desc(nulls_last=True), "-created_at", "-id"
        )
    if tab == "cancelled":
        return bookings.filter(state__in=ENDED_WITHOUT_SERVICE).order_by("-updated_at", "-id")
    raise ValueError(tab)


def cancellation_refund(booking: Booking, *, now: datetime | None = None) -> dict:
    """What a client's cancellation would give back now under the booking's policy: `percent` and
    `amount` (minor units, rounded down like the engine does)."""
    now = now or timezone.now()
    notice = booking.starts_at - now if booking.starts_at else None
    percent = workflows.refund_share(booking.cancellation_policy.get("tiers", []), notice)
    return {"percent": percent, "amount": booking.price * percent // 100, "currency": booking.currency}


def bookings_for_staff(
    *,
    state: str | None = None,
    workflow: str | None = None,
    provider: str | None = None,
    client: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Booking]:
    """Every booking of the marketplace for its admins and moderators, newest first. `provider` and
    `client` match a name or an email (part of it); the dates bound the session's day (a project's:
    the day it was booked), in the current time zone."""
    from django.db.models.functions import Coalesce

    bookings = Booking.objects.select_related("listing", "provider__user", "client").annotate(
        when=Coalesce("starts_at", "created_at")
    )
    if state:
        bookings = bookings.filter(state=state)
    if workflow:
        bookings = bookings.filter(workflow=workflow)
    if provider:
        bookings = bookings.filter(
            Q(provider__user__full_name__icontains=provider) | Q(provider__user__email__icontains=provider)
        )
    if client:
        bookings = bookings.filter(Q(client__full_name__icontains=client) | Q(client__email__icontains=client))
    if date_from:
        bookings = bookings.filter(when__date__gte=date_from)
    if date_to:
        bookings = bookings.filter(when__date__lte=date_to)
    return bookings.order_by("-created_at", "-id")


def booking_states() -> list[str]:
    """Every state a booking of any workflow can be in (for filters), in the workflows' order."""
    from marketplace.bookings import workflows

    states: list[str] = []
    for flow in workflows.PRESETS.values():
        for state in [flow.initial, *(t.target for t in flow.transitions.values())]:
            if state not in states:
                states.append(state)
    return states


def bookings_made_per_period(*, since: datetime, until: datetime, per: str, zone) -> dict[date, int]:
    """For reports: bookings made in [since, until) — requests and inquiries included, whatever became
    of them — counted per `per` (day or month) in `zone`, keyed by the period's first day. One grouped
    query whatever the length of the period; periods without bookings are absent."""
    from django.db.models import Count
    from django.db.models.functions import TruncDay, TruncMonth

    trunc = {"day": TruncDay, "month": TruncMonth}[per]
    rows = (
        Booking.objects.filter(created_at__gte=since, created_at__lt=until)
        .annotate(made_in=trunc("created_at", tzinfo=zone))
        .values("made_in")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["made_in"].astimezone(zone).date(): row["n"] for row in rows}


def booking_for_staff(public_id: str) -> Booking | None:
    """One booking with everything its staff page shows: parties, timeline, money steps, milestones
    and disputes (staff see every booking of the marketplace)."""
    return (
        Booking.objects.select_related("listing", "provider__user", "client")
        .prefetch_related("events__actor", "money_intents", "milestones", "disputes")
        .filter(public_id=public_id)
        .first()
    )
