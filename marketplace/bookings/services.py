"""Booking services: availability editing, booking a slot or sending an inquiry, and one engine that
applies any workflow action (role, state and time checks; timeline; money intents; the next timer)."""

from __future__ import annotations

import secrets
import zoneinfo
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.permissions import can
from billing import entitlements
from marketplace.audit.services import audit_record
from marketplace.bookings import workflows
from marketplace.bookings.calendars import queue_confirmation
from marketplace.bookings.models import (
    AvailabilitySchedule,
    Booking,
    BookingEvent,
    DateOverride,
    Milestone,
    MilestoneState,
    MoneyIntent,
    TimeOff,
    WeeklyRule,
)
from marketplace.bookings.selectors import (
    booking_price,
    listing_add_ons,
    listing_free_slots,
    listing_workflow,
    schedule_for,
    workflow_allowed,
)
from marketplace.catalogue.models import Listing, LocationType
from marketplace.catalogue.selectors import (
    category_booking_settings,
    category_commission_bps,
    listings_public,
)
from marketplace.common.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from marketplace.configuration.selectors import marketplace_settings
from marketplace.messaging.services import inquiry_continued
from marketplace.notifications.events import booking_changed
from marketplace.providers.selectors import provider_of

# --- availability -----------------------------------------------------------------------------------

SCHEDULE_NUMBERS = {
    # field: (lowest, highest, default)
    "slot_minutes": (5, 1440, 60),
    "step_minutes": (5, 1440, 60),
    "buffer_before_minutes": (0, 720, 0),
    "buffer_after_minutes": (0, 720, 0),
    "min_notice_minutes": (0, 60 * 24 * 60, 120),
    "horizon_days": (1, 730, 60),
    "capacity": (1, 500, 1),
}


def _time(value: Any) -> time | None:
    if not isinstance(value, str):
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None


def _windows(items: Any, field: str, errors: dict, *, allow_closed: bool = False) -> list[tuple]:
    """Validated (key, start, end) windows from a list of {"weekday"/"date", "start", "end"} objects."""
    if not isinstance(items, list) or len(items) > 200:
        errors[field] = ["Use a list of at most 200 windows."]
        return []
    key_name = "weekday" if field == "weekly" else "date"
    found = []
    spans: dict = {}  # key -> [(start, end, index in items)]
    for index, item in enumerate(items):
        where = f"{field}[{index}]"
        if not isinstance(item, dict):
            errors[where] = ["Use an object with start and end."]
            continue
        if key_name == "weekday":
            key = item.get("weekday")
            if not isinstance(key, int) or isinstance(key, bool) or not 0 <= key <= 6:
                errors[f"{where}.weekday"] = ["Use 0 (Monday) to 6 (Sunday)."]
                continue
        else:
            try:
                key = date.fromisoformat(str(item.get("date")))
            except ValueError:
                errors[f"{where}.date"] = ["Use a date such as 2026-12-24."]
                continue
        if allow_closed and item.get("start") is None and item.get("end") is None:
            found.append((key, None, None))
            continue
        start, end = _time(item.get("start")), _time(item.get("end"))
        if start is None or end is None:
            errors[where] = [
                "Use times such as 09:00 and 17:30" + (", or neither to close the day." if allow_closed else ".")
            ]
        elif start >= end:
            errors[where] = ["The start must be before the end (windows end by midnight)."]
        else:
            found.append((key, start, end))
            spans.setdefault(key, []).append((start, end, index))
    for key, windows in spans.items():
        windows.sort()
        reach = windows[0][1]  # the latest end among the windows before
        for b_start, b_end, b_index in windows[1:]:
            if reach > b_start:
                errors[field] = [f"Windows on {key} overlap; merge them."]
                # Named on the later window too, so a form can show it next to the window.
                errors[f"{field}[{b_index}]"] = [f"Overlaps the window ending at {reach:%H:%M}; merge them."]
            reach = max(reach, b_end)
    return found


@transaction.atomic
def schedule_set(*, user, listing_id: str | None = None, **values: Any) -> AvailabilitySchedule:
    """Replace the provider's default schedule (or one listing's override) as a whole."""
    provider = provider_of(user)
    listing = None
    if listing_id is not None:
        listing = Listing.objects.filter(public_id=listing_id, provider=provider).first()
        if listing is None:
            raise NotFound("No such listing of yours.")
    errors: dict[str, list[str]] = {}
    for unknown in sorted(set(values) - set(SCHEDULE_NUMBERS) - {"time_zone", "weekly", "overrides"}):
        errors[unknown] = ["Not a schedule setting."]
    zone = values.get("time_zone", settings.TIME_ZONE if listing is None else None)
    try:
        zoneinfo.ZoneInfo(str(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = ["Use an IANA time zone such as Europe/London."]
    numbers = {}
    for name, (low, high, default) in SCHEDULE_NUMBERS.items():
        value = values.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[name] = [f"Use a whole number from {low} to {high}."]
        numbers[name] = value
    weekly = _windows(values.get("weekly", []), "weekly", errors)
    overrides = _windows(values.get("overrides", []), "overrides", errors, allow_closed=True)
    if errors:
        raise ValidationFailed("The availability could not be saved: fix the fields listed.", fields=errors)
    schedule, _ = AvailabilitySchedule.objects.select_for_update().update_or_create(
        provider=provider, listing=listing, defaults={"time_zone": zone, **numbers}
    )
    schedule.rules.all().delete()
    schedule.overrides.all().delete()
    WeeklyRule.objects.bulk_create(WeeklyRule(schedule=schedule, weekday=k, start=s, end=e) for k, s, e in weekly)
    DateOverride.objects.bulk_create(DateOverride(schedule=schedule, date=k, start=s, end=e) for k, s, e in overrides)
    return schedule


@transaction.atomic
def time_off_add(*, user, starts_at: Any, ends_at: Any, note: Any = "") -> TimeOff:
    provider = provider_of(user)
    start, end = _instant(starts_at), _instant(ends_at)
    errors = {}
    if start is None:
        errors["starts_at"] = ["Use an ISO 8601 time with its offset, e.g. 2026-12-24T09:00:00+01:00."]
    if end is None:
        errors["ends_at"] = ["Use an ISO 8601 time with its offset, e.g. 2026-12-31T18:00:00+01:00."]
    elif start is not None and end <= start:
        errors["ends_at"] = ["Must be after starts_at."]
    if not isinstance(note, str) or len(note) > 200:
        errors["note"] = ["Use at most 200 characters."]
    if errors:
        raise ValidationFailed("The time off could not be saved: fix the fields listed.", fields=errors)
    return TimeOff.objects.create(provider=provider, period=DateTimeTZRange(start, end), note=note)


def _instant(value: Any) -> datetime | None:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


# --- booking ----------------------------------------------------------------------------------------


def _workflow_of(listing: Listing) -> workflows.Workflow:
    flow = listing_workflow(listing)
    if not workflow_allowed(flow):
        raise Conflict(
            "This marketplace does not take bookings through this listing's workflow at the moment.",
            code="workflow_not_allowed",
        )
    return flow


def _policy_of(tuned: dict) -> dict:
    policy = tuned["cancellation_policy"]
    if isinstance(policy, str):
        return {"name": policy, "tiers": workflows.CANCELLATION_POLICIES[policy]}
    return {"name": "custom", "tiers": policy}


@transaction.atomic
def booking_create(
    *,
    client,
    listing_id: Any,
    package: Any,
    starts_at: Any = None,
    time_zone: Any = "UTC",
    message: Any = "",
    payment_method: Any = None,
    add_ons: Any = (),
) -> Booking:
    """Book a slot (instant or request workflows) or send an inquiry (quote workflow). A slot must be
    one of the listing's free slots; two clients racing for it get one booking and one 409. Chosen
    add-ons (by name) add their prices to the package's and their minutes to the session."""
    entitlements.require_bookable(connection.tenant)
    listing = listings_public().select_related("category", "provider").filter(public_id=listing_id).first()
    if listing is None:
        raise NotFound("No such listing.")
    if listing.provider.user_id == client.pk:
        raise Conflict("You cannot book your own listing.", code="own_listing")
    flow = _workflow_of(listing)
    if flow.key == workflows.MILESTONE.key:
        entitlements.require_feature(connection.tenant, "milestone_workflow")
    errors: dict[str, list[str]] = {}
    chosen = listing.packages.filter(name=package).first() if isinstance(package, str) else None
    if chosen is None:
        names = ", ".join(listing.packages.values_list("name", flat=True))
        errors["package"] = [f"Choose one of this listing's packages: {names}."]
    extras, problems = listing_add_ons(listing, list(add_ons) if isinstance(add_ons, tuple) else add_ons)
    if problems:
        errors["add_ons"] = problems
    try:
        zone = zoneinfo.ZoneInfo(str(time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = ["Use an IANA time zone such as Europe/London."]
        zone = None
    if not isinstance(message, str) or len(message) > 5000:
        errors["message"] = ["Use at most 5,000 characters."]
    elif not flow.slot_based and len(message.strip()) < 10:
        errors["message"] = ["Describe what you need (at least 10 characters)."]
    start = None
    if flow.slot_based:
        start = _instant(starts_at)
        if start is None:
            errors["starts_at"] = ["Use an ISO 8601 time with its offset, from the listing's free slots."]
    if errors:
        raise ValidationFailed("The booking could not be made: fix the fields listed.", fields=errors)
    tuned = category_booking_settings(listing.category)
    booking = Booking(
        listing=listing,
        package=chosen,
        package_name=chosen.name,
        provider=listing.provider,
        client=client,
        workflow=flow.key,
        state=flow.initial,
        price=booking_price(chosen, extras),
        currency=listing.currency,
        add_ons=[
            {"name": a.name, "price": a.price, "extra_minutes": a.extra_minutes, "extra_days": a.extra_days}
            for a in extras
        ],
        commission_bps=category_commission_bps(listing.category),
        platform_fee_bps=entitlements.platform_fee_bps(connection.tenant),
        cancellation_policy=_policy_of(tuned),
        timer_settings=tuned["timers"],
        client_time_zone=str(zone.key),
        message=message.strip(),
    )
    if flow.slot_based:
        _place_in_slot(booking, listing, chosen, start)
    else:
        booking.save()
    event = _record(booking, actor=client, role=workflows.CLIENT, action="book", from_state="", to_state=flow.initial)
    if flow.initial_money:
        capture_by = _capture_by(flow, tuned["timers"])
        _intend(booking, event, flow.initial_money, payment_method=payment_method, capture_by=capture_by)
    _schedule_timer(booking, flow)
    booking_changed(booking, event=event, role=workflows.CLIENT)  # notifications, e-mailed after commit
    inquiry_continued(booking=booking)  # the client's questions before booking continue in its thread
    return booking


def _capture_by(flow: workflows.Workflow, timers: dict) -> datetime | None:
    """When the money held at booking is taken at the latest, if a later step takes it (a request
    is accepted or lapses within its answer time); None when it is taken at once."""
    if not any(t.money == "capture" for t in flow.transitions.values()):
        return None
    timer = flow.timer_for(flow.initial)
    return timezone.now() + workflows.timer_length(timer, timers) if timer else None


def _place_in_slot(booking: Booking, listing: Listing, package, start: datetime) -> None:
    """Check `start` against the free slots and insert the booking on a free seat; the exclusion
    constraint decides races."""
    now = timezone.now()
    if start < now:
        raise ValidationFailed("That time has passed.", fields={"starts_at": ["Choose a time in the future."]})
    schedule = schedule_for(listing)
    if schedule is None:
        raise Conflict("This provider has not published availability yet.", code="no_availability")
    _release_lapsed_holds(listing.provider_id, now)
    zone = zoneinfo.ZoneInfo(schedule.time_zone)
    local_day = start.astimezone(zone).date()
    extra = _extra_minutes(booking)
    slots = [
        s
        for s in listing_free_slots(listing, package, local_day, local_day, now=now, extra_minutes=extra)
        if s.start == start
    ]
    if not slots:
        raise Conflict(
            "That time is not an open slot (outside availability, too soon, too far ahead, or taken); "
            "pick one from the free slots.",
            code="slot_unavailable",
            fields={"starts_at": ["Not a free slot."]},
        )
    slot = slots[0]
    booking.starts_at, booking.ends_at = slot.start, slot.end
    booking.period = DateTimeTZRange(
        slot.start - timedelta(minutes=schedule.buffer_before_minutes),
        slot.end + timedelta(minutes=schedule.buffer_after_minutes),
    )
    booking.capacity = schedule.capacity
    booking.holds_time = True
    _lock_provider(listing.provider_id)
    for seat in range(1, schedule.capacity + 1):
        booking.seat = seat
        try:
            with transaction.atomic():
                booking.save()
            return
        except IntegrityError as exc:
            if "booking_no_double_booking" not in str(exc):
                raise
            booking.pk = None
    raise Conflict("Someone booked that slot a moment ago; pick another one.", code="slot_taken")


def _extra_minutes(booking: Booking) -> int:
    """Minutes the booking's add-ons add to the session."""
    return sum(a.get("extra_minutes", 0) for a in booking.add_ons)


def _move(booking: Booking, start: datetime, *, now: datetime) -> datetime:
    """Put a confirmed session in another free slot (keeping its length and buffers); returns where
    it was."""
    until = booking.timer_settings.get("reschedule_until_hours")
    latest = booking.starts_at - (timedelta(hours=until) if until is not None else workflows.RESCHEDULE_UNTIL)
    if now > latest:
        raise Conflict(
            f"Sessions can be moved until {latest.isoformat(timespec='minutes')}; cancel instead.",
            code="reschedule_too_late",
        )
    listing = booking.listing
    schedule = schedule_for(listing)
    zone = zoneinfo.ZoneInfo(schedule.time_zone)
    day = start.astimezone(zone).date()
    slots = listing_free_slots(
        listing, booking.package, day, day, now=now, ignore_booking=booking.pk, extra_minutes=_extra_minutes(booking)
    )
    slot = next((s for s in slots if s.start == start), None)
    if slot is None or start < now:
        raise Conflict(
            "That time is not an open slot; pick one from the free slots.",
            code="slot_unavailable",
            fields={"data.starts_at": ["Not a free slot."]},
        )
    moved_from = booking.starts_at
    booking.starts_at, booking.ends_at = slot.start, slot.end
    booking.period = DateTimeTZRange(
        slot.start - timedelta(minutes=schedule.buffer_before_minutes),
        slot.end + timedelta(minutes=schedule.buffer_after_minutes),
    )
    _lock_provider(listing.provider_id)
    for seat in range(1, booking.capacity + 1):
        booking.seat = seat
        try:
            with transaction.atomic():
                Booking.objects.filter(pk=booking.pk).update(period=booking.period, seat=seat)
            return moved_from
        except IntegrityError as exc:
            if "booking_no_double_booking" not in str(exc):
                raise
    raise Conflict("Someone booked that slot a moment ago; pick another one.", code="slot_taken")


def _lock_provider(provider_id: int) -> None:
    """Concurrent inserts that violate an exclusion constraint wait on each other and can deadlock;
    queueing one provider's bookings (until commit) keeps races orderly. The constraint stays the
    guarantee: the losers' writes fail on it and get a clean 409."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()), %s)", [provider_id % 2_147_483_647])


def _release_lapsed_holds(provider_id: int, now: datetime) -> None:
    """Holds whose time ran out stop blocking before anyone else books (the timer job would do the same)."""
    for booking_id in Booking.objects.filter(
        provider_id=provider_id, holds_time=True, due_action="expire", due_at__lte=now
    ).values_list("pk", flat=True):
        _fire_timer(booking_id, now)


# --- the engine -------------------------------------------------------------------------------------


def roles_of(user, booking: Booking) -> list[str]:
    roles = []
    if booking.client_id == user.pk:
        roles.append(workflows.CLIENT)
    if booking.provider.user_id == user.pk:
        roles.append(workflows.PROVIDER)
    if can(user, "bookings.intervene"):
        roles.append(workflows.ADMIN)
    return roles


def allowed_actions(booking: Booking, user, *, now: datetime | None = None, role: str | None = None) -> list[str]:
    """What `user` may do with the booking now (its state, their roles, and the session's time);
    with `role`, only what they may do in that role (staff intervening: `admin`)."""
    flow = workflows.workflow(booking.workflow)
    now = now or timezone.now()
    found: list[str] = []
    for held in [r for r in roles_of(user, booking) if role is None or r == role]:
        for action in flow.allowed(booking.state, held):
            moment = flow.transitions[action].not_before
            if action not in found and not (moment and getattr(booking, moment) and now < getattr(booking, moment)):
                found.append(action)
    return found


@transaction.atomic
def booking_act(
    *, user, booking: Booking, action: str, reason: Any = "", data: Any = None, as_role: str | None = None
) -> Booking:
    """Apply one workflow action as `user` (only in the role `as_role` when given: staff intervening
    act as `admin` even on a booking of their own): 409 with the actions allowed now when it does
    not fit."""
    booking = Booking.objects.select_for_update().select_related("provider", "listing").get(pk=booking.pk)
    roles = roles_of(user, booking)
    if not roles:
        raise NotFound("No such booking.")
    if as_role is not None:
        if as_role not in roles:
            raise PermissionDenied(f"You cannot act on this booking as {as_role}.")
        roles = [as_role]
    flow = workflows.workflow(booking.workflow)
    transition = flow.transitions.get(action)
    role = next(
        (r for r in roles if transition and booking.state in transition.sources and r in transition.roles), None
    )
    if transition is None or role is None:
        allowed = allowed_actions(booking, user, role=as_role)
        raise InvalidTransition(
            f"A {booking.state} booking cannot be '{action}' by you now; allowed: {', '.join(allowed) or 'nothing'}.",
            fields={"allowed_actions": allowed},
        )
    return _apply(booking, flow, action, transition, actor=user, role=role, reason=reason, data=data)


def _apply(booking, flow, action, transition, *, actor, role, reason: Any, data: Any, now=None) -> Booking:
    now = now or timezone.now()
    if not isinstance(reason, str) or len(reason) > 500:
        raise ValidationFailed("Use a reason of at most 500 characters.", fields={"reason": ["Too long."]})
    if transition.reason_required and not reason.strip():
        raise ValidationFailed("Say why.", fields={"reason": ["Give a reason."]})
    if transition.not_before:
        moment = getattr(booking, transition.not_before)
        if moment is not None and now < moment:
            raise InvalidTransition(
                f"'{action}' is possible once the session has "
                + ("started." if transition.not_before == "starts_at" else "ended."),
                fields={"allowed_actions": allowed_actions(booking, actor, now=now) if actor else []},
            )
    details = _action_data(booking, action, transition, data)
    milestone = _milestone_for(booking, action, transition, details, now=now) if transition.milestone_target else None
    if action == "reschedule":
        moved_from = _move(booking, details["starts_at"], now=now)
        details = {"from": moved_from.isoformat(), "to": booking.starts_at.isoformat()}
    before = booking.state
    booking.state = transition.target
    booking.holds_time = transition.target in flow.holds_time_in
    confirming = transition.target == "confirmed" and before != "confirmed"
    if confirming and not booking.meeting_url:
        booking.meeting_url = _meeting_url(booking)
    booking.save()
    event = _record(
        booking,
        actor=actor,
        role=role,
        action=action,
        from_state=before,
        to_state=booking.state,
        reason=reason.strip(),
        data=details,
    )
    if transition.money:
        card = data.get("payment_method") if isinstance(data, dict) else None
        _intend(booking, event, transition.money, now=now, milestone=milestone, payment_method=card)
    if confirming:
        queue_confirmation(booking)  # the invite by email, after commit
    if action == "accept_quote" and booking.terms.get("milestones"):
        _milestones_create(booking)
    if milestone is not None and not booking.milestones.exclude(state=MilestoneState.ACCEPTED).exists():
        # The last milestone accepted: the project is done.
        finish = flow.transitions["complete"]
        booking.state = finish.target
        booking.save(update_fields=["state", "updated_at"])
        _record(
            booking, actor=None, role=workflows.SYSTEM, action="complete", from_state=before, to_state=booking.state
        )
    _schedule_timer(booking, flow)
    booking_changed(booking, event=event, role=role)  # notifications, e-mailed after commit
    if role == workflows.ADMIN:
        audit_record(
            actor=actor,
            action=f"booking.{action}",
            target=booking,
            before={"state": before},
            after={"state": booking.state},
            reason=reason.strip(),
        )
    return booking


def _action_data(booking: Booking, action: str, transition, data: Any) -> dict:
    """Check and apply what an action carries (a quote's price, terms and validity; a note)."""
    if not transition.needs:
        return {}
    if not isinstance(data, dict):
        raise ValidationFailed(
            "Send the action's data as an object.", fields={"data": [f"Include {', '.join(transition.needs)}."]}
        )
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    if "price" in transition.needs:
        price, market = data.get("price"), marketplace_settings()
        if (
            not isinstance(price, int)
            or isinstance(price, bool)
            or price < market.min_price
            or (market.max_price is not None and price > market.max_price)
        ):
            errors["data.price"] = [
                f"Use a whole amount in minor units of {booking.currency}, within the marketplace's price range."
            ]
        clean["price"] = price
    for name, longest in (("terms", 5000), ("message", 5000), ("note", 5000)):
        if name in transition.needs:
            value = data.get(name)
            if not isinstance(value, str) or not value.strip() or len(value) > longest:
                errors[f"data.{name}"] = [f"Write 1 to {longest:,} characters."]
            clean[name] = value.strip() if isinstance(value, str) else value
    if "milestones" in transition.needs:
        clean["milestones"] = _milestone_plan(data.get("milestones"), booking, errors)
    if "milestone" in transition.needs:
        milestone = data.get("milestone")
        if not isinstance(milestone, str) or not booking.milestones.filter(public_id=milestone).exists():
            errors["data.milestone"] = [
                "Name one of this booking's milestones: "
                + ", ".join(booking.milestones.values_list("public_id", flat=True))
                + "."
            ]
        clean["milestone"] = milestone
    if "starts_at" in transition.needs:
        clean["starts_at"] = _instant(data.get("starts_at"))
        if clean["starts_at"] is None:
            errors["data.starts_at"] = ["Use an ISO 8601 time with its offset, from the listing's free slots."]
    if "valid_days" in transition.needs:
        days = data.get("valid_days")
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 60:
            errors["data.valid_days"] = ["Use 1 to 60 days."]
        clean["valid_days"] = days
    if errors:
        raise ValidationFailed("The action's data is incomplete: fix the fields listed.", fields=errors)
    if action == "send_quote":
        plan = clean.get("milestones")
        booking.price = sum(m["amount"] for m in plan) if plan else clean["price"]
        expires = timezone.now() + timedelta(days=clean["valid_days"])
        booking.terms = {"terms": clean["terms"], "expires_at": expires.isoformat(), "price": booking.price}
        if plan:
            booking.terms["milestones"] = plan
    elif action == "counter":
        booking.terms = {**booking.terms, "counter": clean["message"]}
    return clean


def _milestone_plan(items: Any, booking: Booking, errors: dict) -> list[dict]:
    """A quote's milestones: 1 to 20, each with a title, a positive amount and a due date on or
    after the previous one's; together within the marketplace's price range."""
    if not isinstance(items, list) or not 1 <= len(items) <= 20:
        errors["data.milestones"] = ["List 1 to 20 milestones, each with title, amount and due_date."]
        return []
    plan, previous = [], timezone.localdate()
    for index, item in enumerate(items):
        where = f"data.milestones[{index}]"
        item = item if isinstance(item, dict) else {}
        title, amount = item.get("title"), item.get("amount")
        try:
            due = date.fromisoformat(str(item.get("due_date")))
        except ValueError:
            due = None
        if not isinstance(title, str) or not 2 <= len(title.strip()) <= 120:
            errors[f"{where}.title"] = ["Use 2 to 120 characters."]
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            errors[f"{where}.amount"] = [f"Use a positive whole amount in minor units of {booking.currency}."]
        if due is None or due < previous:
            errors[f"{where}.due_date"] = ["Use a date (YYYY-MM-DD) from today, not before the previous milestone's."]
        else:
            previous = due
        plan.append(
            {
                "title": title.strip() if isinstance(title, str) else title,
                "amount": amount,
                "due_date": due.isoformat() if due else None,
            }
        )
    market = marketplace_settings()
    total = sum(m["amount"] for m in plan if isinstance(m["amount"], int))
    if not any(k.startswith("data.milestones") for k in errors) and (
        total < market.min_price or (market.max_price is not None and total > market.max_price)
    ):
        errors["data.milestones"] = ["The milestones add up to a price outside the marketplace's price range."]
    _check_release_window(plan, booking, errors)
    return plan


def _check_release_window(plan: list[dict], booking: Booking, errors: dict) -> None:
    """The payment processor pays money out within a window after taking it (90 days at Stripe):
    the last milestone, plus the days a delivery may wait for acceptance, must fit in it, counted
    from today (the client pays when accepting, never earlier)."""
    if not plan or any(k.startswith("data.milestones") for k in errors):
        return
    waits = timedelta(days=booking.timer_settings.get("auto_accept_after_days", workflows.MILESTONE_AUTO_ACCEPT.days))
    window = workflows.release_within(booking.timer_settings)
    latest = timezone.localdate() + window - waits
    last = len(plan) - 1
    if date.fromisoformat(plan[last]["due_date"]) > latest:
        errors[f"data.milestones[{last}].due_date"] = [
            f"Use a date until {latest.isoformat()}: the whole project must be paid out within {window.days} days "
            f"of the client's payment, and a delivery may wait {waits.days} days for acceptance."
        ]


def _milestones_create(booking: Booking) -> None:
    Milestone.objects.bulk_create(
        Milestone(
            booking=booking,
            position=index,
            title=m["title"],
            amount=m["amount"],
            due_date=date.fromisoformat(m["due_date"]),
        )
        for index, m in enumerate(booking.terms["milestones"], start=1)
    )


def _milestone_for(booking: Booking, action: str, transition, details: dict, *, now) -> Milestone:
    """Move the milestone an action names; 409 when it is not in a state the action applies to."""
    milestone = booking.milestones.select_for_update().get(public_id=details["milestone"])
    if milestone.state not in transition.milestone_sources:
        raise InvalidTransition(
            f"Milestone '{milestone.title}' is {milestone.get_state_display().lower()}; '{action}' does not apply.",
            code="milestone_state",
        )
    milestone.state = transition.milestone_target
    if milestone.state == MilestoneState.DELIVERED:
        milestone.delivery_note = details.get("note", "")
        milestone.delivered_at = now
        milestone.auto_accept_at = now + timedelta(
            days=booking.timer_settings.get("auto_accept_after_days", workflows.MILESTONE_AUTO_ACCEPT.days)
        )
    elif milestone.state == MilestoneState.ACCEPTED:
        milestone.accepted_at, milestone.auto_accept_at = now, None
    else:
        milestone.auto_accept_at = None
    milestone.save()
    return milestone


def _record(booking, *, actor, role, action, from_state, to_state, reason="", data=None) -> BookingEvent:
    return BookingEvent.objects.create(
        booking=booking,
        actor=actor if getattr(actor, "pk", None) else None,
        role=role,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
    )


def _intend(
    booking: Booking,
    event: BookingEvent,
    money: str,
    *,
    now=None,
    milestone=None,
    payment_method=None,
    capture_by: datetime | None = None,
) -> MoneyIntent | None:
    """Record the money a transition asks for; the key makes a replay post nothing new."""
    amount, kind, share = booking.price, money, None
    if money == "release_milestone":
        kind, amount = "release", milestone.amount
    elif money == "refund_unreleased":
        released = sum(booking.money_intents.filter(kind="release").values_list("amount", flat=True))
        kind, amount = "refund", booking.price - released
        if amount == 0:
            return None
    if money == "refund_policy":
        kind = "refund"
        notice = booking.starts_at - (now or timezone.now()) if booking.starts_at else None
        share = workflows.refund_share(booking.cancellation_policy.get("tiers", []), notice)
        amount = booking.price * share // 100  # rounded down: never refund more than the policy says
    elif money == "refund_full":
        kind = "refund"
    if share is not None:
        event.data = {**event.data, "refund_percent": share}
        event.save(update_fields=["data"])
    intent = _intent_once(booking, event, kind, amount, milestone, payment_method=payment_method, capture_by=capture_by)
    kept = booking.price - amount
    if money == "refund_policy" and kept > 0 and booking.money_intents.filter(kind="hold", status="done").exists():
        # What the policy keeps is the provider's cancellation fee: released like a completion.
        _intent_once(booking, event, "release", kept, None)
    return intent


def _intent_once(booking, event, kind: str, amount: int, milestone, **execute) -> MoneyIntent:
    intent, created = MoneyIntent.objects.get_or_create(
        idempotency_key=f"{connection.schema_name}:{booking.public_id}:{event.pk}:{kind}"
        + (f":{milestone.public_id}" if milestone is not None else ""),
        defaults={"booking": booking, "event": event, "kind": kind, "amount": amount, "currency": booking.currency},
    )
    if created:
        from marketplace.payments.services import intent_execute

        intent_execute(intent, **execute)
    return intent


def _schedule_timer(booking: Booking, flow: workflows.Workflow) -> None:
    timer = flow.timer_for(booking.state)
    due_at, due_action = None, ""
    if timer is not None:
        anchor = {
            "entered": timezone.now(),
            "ends_at": booking.ends_at,
            "quote_expires_at": datetime.fromisoformat(booking.terms["expires_at"])
            if booking.terms.get("expires_at")
            else None,
            "milestone_auto_accept": booking.milestones.filter(state=MilestoneState.DELIVERED)
            .order_by("auto_accept_at")
            .values_list("auto_accept_at", flat=True)
            .first(),
        }[timer.anchor]
        if anchor is not None:
            due_at, due_action = anchor + workflows.timer_length(timer, booking.timer_settings), timer.action
    Booking.objects.filter(pk=booking.pk).update(due_at=due_at, due_action=due_action)
    booking.due_at, booking.due_action = due_at, due_action


def _meeting_url(booking: Booking) -> str:
    if booking.listing.location_type == LocationType.ON_SITE:
        return ""
    room = f"{connection.schema_name}-{booking.public_id}-{secrets.token_urlsafe(9)}".replace("_", "-")
    return settings.MEETING_BASE_URL.rstrip("/") + "/" + room


@transaction.atomic
def _fire_timer(booking_id: int, now: datetime) -> bool:
    """Run one booking's due timer. Idempotent: a booking that moved on (or was already handled) is
    left alone."""
    booking = Booking.objects.select_for_update().select_related("provider", "listing").filter(pk=booking_id).first()
    if booking is None or not booking.due_action or booking.due_at is None or booking.due_at > now:
        return False
    if booking.escrow_freezes.filter(lifted_at__isnull=True).exists():
        return False  # a dispute is open: its own timers decide
    flow = workflows.workflow(booking.workflow)
    transition = flow.transitions.get(booking.due_action)
    if transition is None or booking.state not in transition.sources:
        Booking.objects.filter(pk=booking.pk).update(due_at=None, due_action="")
        return False
    data = None
    if transition.milestone_target:
        due = booking.milestones.filter(state=MilestoneState.DELIVERED, auto_accept_at__lte=now).first()
        if due is None:
            _schedule_timer(booking, flow)
            return False
        data = {"milestone": due.public_id}
    _apply(
        booking, flow, booking.due_action, transition, actor=None, role=workflows.SYSTEM, reason="", data=data, now=now
    )
    return True


def booking_dispute_opened(booking: Booking) -> None:
    """A dispute froze the booking's escrow: its timers (auto-complete, auto-accept) wait."""
    Booking.objects.filter(pk=booking.pk).update(due_at=None, due_action="")


def booking_dispute_settled(
    booking: Booking, *, milestone=None, refund: int, release: int, actor, role: str, reason: str
) -> BookingEvent:
    """A dispute's outcome: `refund` back to the client and `release` to the provider, as money
    intents of one booking event (so they are carried out, keyed and reconciled like every other
    money step). The milestone counts as accepted (the project goes on, or completes with its last
    one); a whole booking ends completed when anything was released to the provider, cancelled
    otherwise. Call with the escrow unfrozen."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    flow = workflows.workflow(booking.workflow)
    before = booking.state
    if milestone is not None:
        Milestone.objects.filter(pk=milestone.pk).update(state=MilestoneState.ACCEPTED, accepted_at=timezone.now())
        if not booking.milestones.exclude(state=MilestoneState.ACCEPTED).exists():
            booking.state = "completed"
    elif before not in flow.finals:
        booking.state = "completed" if release else "cancelled"
    if booking.state != before:
        booking.holds_time = booking.state in flow.holds_time_in
        booking.save(update_fields=["state", "holds_time", "updated_at"])
    event = _record(
        booking,
        actor=actor,
        role=role,
        action="dispute_settled",
        from_state=before,
        to_state=booking.state,
        reason=reason[:500],
        data={"refund": refund, "release": release},
    )
    if refund:
        _intent_once(booking, event, "refund", refund, milestone)
    if release:
        _intent_once(booking, event, "release", release, milestone)
    _schedule_timer(booking, flow)
    return event


def booking_dispute_withdrawn(booking: Booking) -> None:
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    _schedule_timer(booking, workflows.workflow(booking.workflow))


def timers_run(*, now: datetime | None = None, limit: int = 500) -> int:
    """Fire every due timer in the current marketplace (the beat job). Running it twice changes
    nothing the second time."""
    now = now or timezone.now()
    due = list(
        Booking.objects.filter(due_at__lte=now)
        .exclude(due_action="")
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(_fire_timer(pk, now) for pk in due)
