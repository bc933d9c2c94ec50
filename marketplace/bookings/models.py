"""Availability (weekly rules in the provider's time zone, date overrides, time off, external busy
times) and bookings. No double booking is enforced by PostgreSQL: an exclusion constraint over the
provider's seat and time range of every booking that holds time."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import F, Q

from marketplace.common.models import PublicIdField, TimeStampedModel


class AvailabilitySchedule(TimeStampedModel):
    """When a provider can be booked: their default (listing empty) or one listing's override."""

    provider = models.ForeignKey("providers.ProviderProfile", on_delete=models.CASCADE, related_name="schedules")
    listing = models.OneToOneField(
        "catalogue.Listing", null=True, blank=True, on_delete=models.CASCADE, related_name="schedule"
    )
    time_zone = models.CharField(max_length=64)  # IANA; rules are local wall-clock times in it
    slot_minutes = models.PositiveIntegerField(default=60)
    step_minutes = models.PositiveIntegerField(default=60)  # distance between slot starts
    buffer_before_minutes = models.PositiveIntegerField(default=0)
    buffer_after_minutes = models.PositiveIntegerField(default=0)
    min_notice_minutes = models.PositiveIntegerField(default=120)
    horizon_days = models.PositiveIntegerField(default=60)
    capacity = models.PositiveSmallIntegerField(default=1)  # seats per slot (group sessions)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider"], condition=Q(listing__isnull=True), name="schedule_one_default_per_provider"
            ),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5, slot_minutes__lte=1440), name="schedule_slot"),
            models.CheckConstraint(condition=Q(step_minutes__gte=5, step_minutes__lte=1440), name="schedule_step"),
            models.CheckConstraint(condition=Q(capacity__gte=1, capacity__lte=500), name="schedule_capacity"),
            models.CheckConstraint(condition=Q(horizon_days__gte=1, horizon_days__lte=730), name="schedule_horizon"),
        ]

    def __str__(self) -> str:
        return f"schedule of {self.provider_id}" + (f" for listing {self.listing_id}" if self.listing_id else "")


class WeeklyRule(models.Model):
    """Open from `start` to `end` (local time) every `weekday` (0 = Monday)."""

    schedule = models.ForeignKey(AvailabilitySchedule, on_delete=models.CASCADE, related_name="rules")
    weekday = models.PositiveSmallIntegerField()
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="rule_weekday"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="rule_start_before_end"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start}-{self.end}"


class DateOverride(models.Model):
    """A date with its own hours: these windows replace the weekly rules on that date; a row with no
    times closes the whole day."""

    schedule = models.ForeignKey(AvailabilitySchedule, on_delete=models.CASCADE, related_name="overrides")
    date = models.DateField()
    start = models.TimeField(null=True, blank=True)
    end = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True, end__isnull=True) | Q(start__lt=F("end")), name="override_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.start}-{self.end}"


class TimeOff(TimeStampedModel):
    """A period the provider is away (holiday, sick leave)."""

    public_id = PublicIdField("off")
    provider = models.ForeignKey("providers.ProviderProfile", on_delete=models.CASCADE, related_name="time_off")
    period = DateTimeRangeField()
    note = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"time off {self.period}"


class ExternalCalendar(TimeStampedModel):
    """A provider's calendar feed (ICS URL) whose busy times are imported in the background."""

    public_id = PublicIdField("cal")
    provider = models.ForeignKey("providers.ProviderProfile", on_delete=models.CASCADE, related_name="calendars")
    url = models.URLField(max_length=1000)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)  # shown to the provider

    def __str__(self) -> str:
        return self.url


class BusyTime(models.Model):
    """An event from an external calendar: the provider cannot be booked then."""

    calendar = models.ForeignKey(ExternalCalendar, on_delete=models.CASCADE, related_name="busy")
    provider = models.ForeignKey("providers.ProviderProfile", on_delete=models.CASCADE, related_name="+")
    period = DateTimeRangeField()

    class Meta:
        indexes = [models.Index(fields=["provider"])]

    def __str__(self) -> str:
        return f"busy {self.period}"


class Booking(TimeStampedModel):
    """A client's booking of a listing's package, moved through its workflow (`workflows.py`).

    `period` is the time the booking takes from the provider's calendar (the session plus buffers);
    while `holds_time` is true PostgreSQL refuses any other booking of the same provider and seat whose
    period overlaps. Seats 1..capacity let group sessions take several bookings at once."""

    public_id = PublicIdField("bkg")
    listing = models.ForeignKey("catalogue.Listing", on_delete=models.PROTECT, related_name="bookings")
    package = models.ForeignKey("catalogue.Package", null=True, on_delete=models.SET_NULL, related_name="+")
    package_name = models.CharField(max_length=60)
    provider = models.ForeignKey("providers.ProviderProfile", on_delete=models.PROTECT, related_name="bookings")
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    workflow = models.CharField(max_length=20)
    state = models.CharField(max_length=30)
    holds_time = models.BooleanField(default=False)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    period = DateTimeRangeField(null=True, blank=True)
    seat = models.PositiveSmallIntegerField(default=1)
    capacity = models.PositiveSmallIntegerField(default=1)
    # The deal, fixed when booked so later edits to the listing or category never change it.
    price = models.BigIntegerField()  # minor units: the package's price plus the add-ons'
    currency = models.CharField(max_length=3)
    # The add-ons chosen, copied from the listing when booked: [{"name", "price", "extra_minutes", "extra_days"}].
    add_ons = models.JSONField(default=list, blank=True)
    commission_bps = models.PositiveIntegerField()
    # The platform's fee on releases, from the marketplace's plan when the booking was made: later plan
    # changes do not change past deals.
    platform_fee_bps = models.PositiveIntegerField(default=200)
    cancellation_policy = models.JSONField(default=dict)
    timer_settings = models.JSONField(default=dict)  # the category's timer tuning when booked
    client_time_zone = models.CharField(max_length=64, default="UTC")
    message = models.TextField(blank=True)  # the client's note or inquiry
    terms = models.JSONField(default=dict, blank=True)  # workflow data: quote, counter offer
    meeting_url = models.URLField(blank=True)
    # The next timer: `due_action` fires at `due_at` unless a transition moves the booking first.
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    due_action = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["provider", "starts_at"]), models.Index(fields=["client", "created_at"])]
        constraints = [
            ExclusionConstraint(
                name="booking_no_double_booking",
                expressions=[
                    ("provider", RangeOperators.EQUAL),
                    ("seat", RangeOperators.EQUAL),
                    ("period", RangeOperators.OVERLAPS),
                ],
                condition=Q(holds_time=True),
            ),
            models.CheckConstraint(condition=Q(seat__gte=1) & Q(seat__lte=F("capacity")), name="booking_seat"),
            models.CheckConstraint(condition=Q(holds_time=False) | Q(period__isnull=False), name="booking_period"),
            models.CheckConstraint(condition=Q(price__gte=0), name="booking_price"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.state})"


class BookingEvent(models.Model):
    """One line of a booking's timeline: who did what, from which state to which, and why."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(max_length=20)  # client | provider | admin | system
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30)
    reason = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} -> {self.to_state}"


class MoneyIntent(models.Model):
    """A money action a transition asked for (hold, capture, void, release, refund), recorded once per
    booking and transition; the payments engine carries them out."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="money_intents")
    event = models.ForeignKey(BookingEvent, on_delete=models.CASCADE, related_name="money_intents")
    kind = models.CharField(max_length=20)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    idempotency_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(max_length=20, default="recorded")  # recorded | done | nothing_to_do
    reference = models.CharField(max_length=60, blank=True)  # the payment processor's charge or refund id
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="intent_amount")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"


class MilestoneState(models.TextChoices):
    PENDING = "pending", "Not delivered yet"
    DELIVERED = "delivered", "Delivered, waiting for the client"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    ACCEPTED = "accepted", "Accepted"


class Milestone(TimeStampedModel):
    """A part of a milestone project: its share of the price is released when the client accepts it
    (or automatically some days after delivery)."""

    public_id = PublicIdField("mst")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=120)
    amount = models.BigIntegerField()  # minor units; the milestones of a booking add up to its price
    due_date = models.DateField()
    state = models.CharField(max_length=20, choices=MilestoneState.choices, default=MilestoneState.PENDING)
    delivery_note = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    auto_accept_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "position"], name="milestone_position_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="milestone_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.state})"


class CalendarFeed(models.Model):
    """A user's private calendar feed of their bookings: the token in the URL is the only key;
    revoking replaces it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"
