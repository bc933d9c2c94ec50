"""Calendars around bookings: iCalendar (RFC 5545) invites for a booking, each member's private feed
of their bookings, the confirmation email that carries the invite, and providers' external calendars
whose busy times keep clients from booking them when they are taken elsewhere.

Everything here runs in the current marketplace's schema: UIDs, feed URLs and emails name that
marketplace, and tasks carry its schema (`config.celery.TenantTask`)."""

from __future__ import annotations

import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.mime.text import MIMEText
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from branding.selectors import sender_address
from marketplace.bookings.models import (
    AvailabilitySchedule,
    Booking,
    BookingEvent,
    BusyTime,
    CalendarFeed,
    ExternalCalendar,
)
from marketplace.common.errors import NotFound, ValidationFailed
from marketplace.providers.models import ProviderProfile
from marketplace.providers.selectors import provider_of

logger = logging.getLogger("bookings.calendars")

PRODID = "-//Marketplace Cloud//Bookings//EN"
# Bookings in these states no longer take place: calendars show them struck through.
CANCELLED_STATES = frozenset({"cancelled", "declined", "expired"})
# Bookings waiting for payment or for the provider's answer: the time is held but not settled yet.
TENTATIVE_STATES = frozenset({"pending_payment", "requested"})

# --- one booking as an iCalendar event ------------------------------------------------------------------


def _site() -> tuple[str, str]:
    """The current marketplace's name and primary address (no trailing slash)."""
    from accounts.emails import site_name_and_url

    name, url = site_name_and_url()
    return name, url.rstrip("/")


def _status(booking: Booking) -> str:
    if booking.state in CANCELLED_STATES:
        return "CANCELLED"
    if booking.state in TENTATIVE_STATES:
        return "TENTATIVE"
    return "CONFIRMED"


def _description(booking: Booking, site_name: str) -> str:
    lines = [
        f"{booking.package_name} of “{booking.listing.title}” on {site_name}.",
        f"Provider: {booking.provider.user.get_full_name()}",
        f"Client: {booking.client.get_full_name()}",
    ]
    if booking.meeting_url:
        lines.append(f"Online session: {booking.meeting_url}")
    lines.append(f"Booking reference: {booking.public_id} ({booking.state.replace('_', ' ')})")
    return "\n".join(lines)


def _event(booking: Booking, *, site_name: str, stamp: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{booking.public_id}@{connection.schema_name}")
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", booking.starts_at.astimezone(UTC))
    event.add("dtend", (booking.ends_at or booking.starts_at).astimezone(UTC))
    event.add("summary", f"{booking.listing.title} — {booking.package_name}")
    event.add("description", _description(booking, site_name))
    if booking.meeting_url:
        event.add("url", booking.meeting_url)
        event.add("location", booking.meeting_url)
    status = _status(booking)
    event.add("status", status)
    # Calendar apps apply an update only when its sequence is higher than the one they hold.
    event.add("sequence", 1 if status == "CANCELLED" else 0)
    event.add("last-modified", booking.updated_at.astimezone(UTC))
    return event


def _calendar(**properties: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    for name, value in properties.items():
        calendar.add(name.replace("_", "-"), value)
    return calendar


def booking_ics(booking: Booking) -> str:
    """The booking as an invitation (RFC 5545 / iTIP): one VEVENT in UTC whose UID stays the same for
    the booking's whole life, so a later cancellation replaces the event in the attendee's calendar.
    The marketplace organises; the client and the provider attend. A booking that no longer takes
    place is sent as METHOD:CANCEL with STATUS:CANCELLED (RFC 5546 §3.2.5); others as METHOD:REQUEST."""
    if booking.starts_at is None:
        raise ValueError(f"booking {booking.public_id} has no time to put in a calendar")
    site_name, _base_url = _site()
    calendar = _calendar(method="CANCEL" if booking.state in CANCELLED_STATES else "REQUEST")
    event = _event(booking, site_name=site_name, stamp=timezone.now())
    event.add("organizer", icalendar.vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}"), parameters={"cn": site_name})
    for person in (booking.client, booking.provider.user):
        event.add(
            "attendee",
            icalendar.vCalAddress(f"mailto:{person.email}"),
            parameters={"cn": person.get_full_name(), "role": "REQ-PARTICIPANT", "partstat": "ACCEPTED"},
        )
    calendar.add_component(event)
    return calendar.to_ical().decode()


# --- a member's private feed ------------------------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _feed_url(token: str) -> str:
    _site_name, base_url = _site()
    return base_url + reverse("calendar-feed", urlconf="config.urls_tenant", kwargs={"token": token})


def feed_url_for(*, user) -> str:
    """The address of `user`'s private feed of their bookings (created on first use). Anyone holding
    it can read the feed, so it is shown only to its owner; `feed_rotate` revokes it."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user, defaults={"token": _new_token()})
    return _feed_url(feed.token)


@transaction.atomic
def feed_rotate(*, user) -> str:
    """Replace `user`'s feed address: the old one stops working at once. Returns the new address."""
    feed, _created = CalendarFeed.objects.update_or_create(user=user, defaults={"token": _new_token()})
    return _feed_url(feed.token)


def feed_bookings(user) -> QuerySet[Booking]:
    """Every booking with a time where `user` is the client or the provider, cancelled ones too."""
    return (
        Booking.objects.filter(Q(client=user) | Q(provider__user=user), starts_at__isnull=False)
        .select_related("listing", "provider__user", "client")
        .order_by("starts_at", "id")
    )


def feed_ics(token: str) -> str | None:
    """The feed behind `token` as an iCalendar document, or None when no feed has that token."""
    feed = CalendarFeed.objects.filter(token=token).select_related("user").first() if token else None
    if feed is None or not feed.user.is_active:
        return None
    site_name, _base_url = _site()
    calendar = _calendar(method="PUBLISH", x_wr_calname=f"{site_name} bookings", x_published_ttl="PT1H")
    # How often calendar apps should fetch the feed again (RFC 7986).
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    for booking in feed_bookings(feed.user).iterator(chunk_size=500):
        calendar.add_component(_event(booking, site_name=site_name, stamp=booking.updated_at))
    return calendar.to_ical().decode()


# --- the confirmation email -------------------------------------------------------------------------------

CONFIRMATION_SENT = "confirmation_sent"


def queue_confirmation(booking: Booking) -> None:
    """Email the client and the provider the confirmed booking with its invite, once the current
    transaction commits. Safe to call more than once: the task sends once per booking."""
    from marketplace.bookings.tasks import send_confirmation

    _queue_after_commit(send_confirmation, booking_id=booking.pk)


def _queue_after_commit(task, **kwargs: Any) -> None:
    """Queue `task` once the transaction commits, in the marketplace that is current now."""
    from config.celery import SCHEMA_KWARG

    kwargs[SCHEMA_KWARG] = connection.schema_name
    transaction.on_commit(lambda: task.apply_async(kwargs=kwargs))


def _when(booking: Booking, zone_name: str) -> str:
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    start, end = booking.starts_at.astimezone(zone), booking.ends_at.astimezone(zone)
    return f"{start:%A} {start.day} {start:%B %Y}, {start:%H:%M}–{end:%H:%M} ({zone.key})"


def _invite_part(ics: str, method: str) -> MIMEText:
    part = MIMEText(ics, "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


def confirmation_send(*, booking_id: int) -> bool:
    """Send the confirmation of a confirmed booking to its client and its provider, each in their own
    time zone, with the invite attached. Sent once per booking (a `confirmation_sent` timeline entry
    records it); a booking that is not confirmed (any more) gets nothing. Returns whether it sent."""
    from marketplace.bookings.selectors import schedule_for

    with transaction.atomic():
        # Two deliveries of the task for one booking queue here; the second finds the entry. An
        # advisory lock, not the booking's row, so transitions are not held up while mail goes out.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':confirmation'), %s)",
                [booking_id % 2_147_483_647],
            )
        booking = Booking.objects.select_related("listing", "provider__user", "client").filter(pk=booking_id).first()
        if booking is None or booking.state != "confirmed" or booking.starts_at is None:
            return False
        if BookingEvent.objects.filter(booking=booking, action=CONFIRMATION_SENT).exists():
            return False
        site_name, base_url = _site()
        ics = booking_ics(booking)
        schedule = schedule_for(booking.listing)
        provider_zone = schedule.time_zone if schedule is not None else "UTC"
        messages = []
        for role, person, zone_name in (
            ("client", booking.client, booking.client_time_zone),
            ("provider", booking.provider.user, provider_zone),
        ):
            context = {
                "booking": booking,
                "role": role,
                "recipient": person,
                "client": booking.client,
                "provider": booking.provider.user,
                "when": _when(booking, zone_name),
                "site_name": site_name,
                "base_url": base_url,
            }
            subject = render_to_string("bookings/email/confirmation_subject.txt", context).strip()
            body = render_to_string("bookings/email/confirmation.txt", context)
            message = EmailMessage(subject, body, sender_address(), [person.email])
            message.attach(_invite_part(ics, "REQUEST"))
            messages.append(message)
        get_connection().send_messages(messages)
        BookingEvent.objects.create(
            booking=booking,
            role="system",
            action=CONFIRMATION_SENT,
            from_state=booking.state,
            to_state=booking.state,
            data={"to": [m.to[0] for m in messages]},
        )
    return True


# --- providers' external calendars ---------------------------------------------------------------------------

MAX_CALENDARS_PER_PROVIDER = 5
FETCH_TIMEOUT_SECONDS = 5.0
MAX_CALENDAR_BYTES = 2 * 1024 * 1024
MAX_BUSY_TIMES = 5000  # per calendar and sync, after expanding recurrences
DEFAULT_HORIZON_DAYS = 60


class CalendarUnavailable(Exception):
    """A calendar that could not be fetched or read; `message` is shown to the provider."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def calendars_of(*, user) -> QuerySet[ExternalCalendar]:
    return ExternalCalendar.objects.filter(provider=provider_of(user)).order_by("created_at", "id")


@transaction.atomic
def calendar_add(*, user, url: Any) -> ExternalCalendar:
    """Connect an external calendar (an ICS address) to the provider's availability; its busy times
    are imported right after and every 15 minutes."""
    provider = ProviderProfile.objects.select_for_update().filter(pk=provider_of(user).pk).get()
    url = url.strip() if isinstance(url, str) else ""
    errors: dict[str, list[str]] = {}
    if url.lower().startswith("webcal://"):
        errors["url"] = ["Use the https:// form of this address (replace webcal:// with https://)."]
    elif len(url) > 1000:
        errors["url"] = ["Use an address of at most 1,000 characters."]
    else:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = ["Use the calendar's http:// or https:// address (its ICS or iCal link)."]
    calendars = ExternalCalendar.objects.filter(provider=provider)
    if not errors and calendars.filter(url=url).exists():
        errors["url"] = ["This calendar is already connected."]
    if calendars.count() >= MAX_CALENDARS_PER_PROVIDER:
        errors["url"] = [f"You can connect up to {MAX_CALENDARS_PER_PROVIDER} calendars; remove one first."]
    if errors:
        raise ValidationFailed("The calendar could not be connected: fix the fields listed.", fields=errors)
    calendar = ExternalCalendar.objects.create(provider=provider, url=url)

    from marketplace.bookings.tasks import sync_calendar

    _queue_after_commit(sync_calendar, calendar_id=calendar.pk)
    return calendar


@transaction.atomic
def calendar_remove(*, user, calendar_id: str) -> None:
    """Disconnect an external calendar: its busy times stop blocking at once."""
    calendar = ExternalCalendar.objects.filter(public_id=calendar_id, provider=provider_of(user)).first()
    if calendar is None:
        raise NotFound("No such calendar of yours.")
    BusyTime.objects.filter(calendar=calendar).delete()
    calendar.delete()


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise CalendarUnavailable("The calendar address redirects to something that is not a web address.")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_ics(url: str) -> bytes:
    """The body at `url`, within FETCH_TIMEOUT_SECONDS and MAX_CALENDAR_BYTES.

    Any http(s) host is fetched, private and loopback addresses included. Operations: where the
    workers can reach internal services, give them an egress proxy or firewall that refuses private
    ranges, since providers choose these addresses."""
    host = urlsplit(url).hostname or url
    opener = urllib.request.build_opener(_HttpOnlyRedirects)
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked when the calendar is added
        url, headers={"Accept": "text/calendar, */*;q=0.5", "User-Agent": "MarketplaceCloud-Calendar/1.0"}
    )
    deadline = time.monotonic() + FETCH_TIMEOUT_SECONDS
    try:
        with opener.open(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > MAX_CALENDAR_BYTES:
                raise CalendarUnavailable(_too_large())
            chunks, size = [], 0
            while chunk := response.read(64 * 1024):
                size += len(chunk)
                if size > MAX_CALENDAR_BYTES:
                    raise CalendarUnavailable(_too_large())
                if time.monotonic() > deadline:
                    raise CalendarUnavailable(_too_slow(host))
                chunks.append(chunk)
            return b"".join(chunks)
    except urllib.error.HTTPError as exc:
        raise CalendarUnavailable(
            f"The calendar address answered HTTP {exc.code} ({exc.reason}); check that the link is still "
            "valid and shared publicly or with its secret address."
        )
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise CalendarUnavailable(_too_slow(host))
        raise CalendarUnavailable(f"Could not reach {host}: {_reason(exc.reason)}.")
    except TimeoutError:
        raise CalendarUnavailable(_too_slow(host))
    except (OSError, ValueError) as exc:
        raise CalendarUnavailable(f"Could not read the calendar from {host}: {_reason(exc)}.")


def _too_large() -> str:
    return f"The calendar is larger than {MAX_CALENDAR_BYTES // (1024 * 1024)} MB; share a smaller calendar."


def _too_slow(host: str) -> str:
    return f"{host} did not send the calendar within {FETCH_TIMEOUT_SECONDS:g} seconds."


def _reason(reason: Any) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "the connection was refused"
    if isinstance(reason, socket.gaierror):
        return "no such host"
    return str(getattr(reason, "strerror", None) or reason)[:200]


@dataclass(frozen=True)
class _Horizon:
    zone: ZoneInfo
    days: int


def _horizon_of(provider_id: int) -> _Horizon:
    """The provider's default schedule's time zone (UTC without one) and their longest horizon."""
    schedules = list(
        AvailabilitySchedule.objects.filter(provider_id=provider_id).values_list(
            "listing_id", "time_zone", "horizon_days"
        )
    )
    zone_name = next((zone for listing_id, zone, _days in schedules if listing_id is None), "UTC")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return _Horizon(zone, max((days for _listing, _zone, days in schedules), default=DEFAULT_HORIZON_DAYS))


def _aware(value: date | datetime, zone: ZoneInfo) -> datetime:
    """An event boundary as an aware time: a date is midnight in the provider's zone (so an all-day
    event blocks their whole day); a floating time is read in their zone too."""
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=zone).astimezone(UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=zone).astimezone(UTC)
    return value.astimezone(UTC)


def _is_free(event: icalendar.Event) -> bool:
    transparency = str(event.get("TRANSP", "OPAQUE")).upper()
    status = str(event.get("STATUS", "")).upper()
    return transparency == "TRANSPARENT" or status == "CANCELLED"


def busy_periods(data: bytes, *, zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The times an ICS document marks busy between `start` and `end`: recurring events expanded,
    free (transparent) and cancelled events left out, overlapping periods merged."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception:  # noqa: BLE001 - any parser failure means the same thing to the provider
        raise CalendarUnavailable(_malformed())
    if getattr(calendar, "name", None) != "VCALENDAR":
        raise CalendarUnavailable(_malformed())
    periods: list[tuple[datetime, datetime]] = []
    # Occurrences come in order of start; floating times are read in the provider's zone, which the
    # library does not know, so the walk stops a little after `end` and each is checked again.
    stop = end + timedelta(days=2)
    try:
        for event in recurring_ical_events.of(calendar).after(start):
            first, last = _aware(event.start, zone), _aware(event.end, zone)
            if first >= stop:
                break
            if _is_free(event) or last <= first or first >= end or last <= start:
                continue
            periods.append((first, last))
            if len(periods) > MAX_BUSY_TIMES:
                raise CalendarUnavailable(
                    f"The calendar has more than {MAX_BUSY_TIMES:,} events in the coming weeks; "
                    "share a calendar with fewer events."
                )
    except CalendarUnavailable:
        raise
    except Exception:  # noqa: BLE001 - a broken event (bad date, bad rule) makes the calendar unreadable
        raise CalendarUnavailable(_malformed())
    periods.sort()
    merged: list[tuple[datetime, datetime]] = []
    for first, last in periods:
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _malformed() -> str:
    return "The address did not return a valid iCalendar (ICS) file; use the calendar's ICS or iCal link."


def calendar_sync(*, calendar_id: int, now: datetime | None = None) -> ExternalCalendar | None:
    """Import an external calendar's busy times from a day ago to the end of the provider's booking
    horizon, replacing the ones imported before. When the calendar cannot be fetched or read, the
    previous busy times stay and `last_error` says why. Never raises; None for a removed calendar."""
    calendar = ExternalCalendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        return None
    now = now or timezone.now()
    try:
        horizon = _horizon_of(calendar.provider_id)
        data = fetch_ics(calendar.url)
        periods = busy_periods(
            data, zone=horizon.zone, start=now - timedelta(days=1), end=now + timedelta(days=horizon.days)
        )
        with transaction.atomic():
            calendar = ExternalCalendar.objects.select_for_update().filter(pk=calendar_id).first()
            if calendar is None:
                return None
            BusyTime.objects.filter(calendar=calendar).delete()
            BusyTime.objects.bulk_create(
                BusyTime(calendar=calendar, provider_id=calendar.provider_id, period=DateTimeTZRange(first, last))
                for first, last in periods
            )
            calendar.last_synced_at, calendar.last_error = timezone.now(), ""
            calendar.save(update_fields=["last_synced_at", "last_error", "updated_at"])
        return calendar
    except CalendarUnavailable as exc:
        return _sync_failed(calendar_id, exc.message)
    except Exception:  # noqa: BLE001 - one calendar's failure must not stop the others' sync
        logger.exception("calendar sync failed", extra={"calendar": calendar_id, "schema": connection.schema_name})
        return _sync_failed(calendar_id, "Something went wrong reading this calendar; it will be tried again.")


def _sync_failed(calendar_id: int, message: str) -> ExternalCalendar | None:
    ExternalCalendar.objects.filter(pk=calendar_id).update(last_error=message[:500], updated_at=timezone.now())
    return ExternalCalendar.objects.filter(pk=calendar_id).first()


def calendars_sync_all() -> int:
    """Queue a sync of every external calendar of the current marketplace, one task each so a slow
    calendar delays no other. Returns how many were queued."""
    from marketplace.bookings.tasks import sync_calendar

    ids = list(ExternalCalendar.objects.order_by("id").values_list("pk", flat=True))
    for calendar_id in ids:
        sync_calendar.delay(calendar_id=calendar_id)
    return len(ids)
