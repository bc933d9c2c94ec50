from __future__ import annotations

import zoneinfo
from datetime import date, timedelta

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import can
from config.api import json_object
from marketplace.bookings import selectors, services
from marketplace.bookings.models import AvailabilitySchedule, Booking
from marketplace.catalogue.selectors import listings_public
from marketplace.common.errors import NotFound, ValidationFailed
from marketplace.common.money import Money
from marketplace.providers.models import ProviderProfile

MAX_SLOT_DAYS = 62


class WindowSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(required=False, help_text="0 = Monday … 6 = Sunday (weekly rules)")
    date = serializers.DateField(required=False, help_text="the date (overrides)")
    start = serializers.TimeField(allow_null=True)
    end = serializers.TimeField(allow_null=True)


class ScheduleSerializer(serializers.Serializer):
    time_zone = serializers.CharField()
    slot_minutes = serializers.IntegerField()
    step_minutes = serializers.IntegerField()
    buffer_before_minutes = serializers.IntegerField()
    buffer_after_minutes = serializers.IntegerField()
    min_notice_minutes = serializers.IntegerField()
    horizon_days = serializers.IntegerField()
    capacity = serializers.IntegerField()
    weekly = serializers.SerializerMethodField()
    overrides = serializers.SerializerMethodField()

    def get_weekly(self, schedule) -> list[dict]:
        return [
            {"weekday": r.weekday, "start": r.start.isoformat("minutes"), "end": r.end.isoformat("minutes")}
            for r in schedule.rules.all()
        ]

    def get_overrides(self, schedule) -> list[dict]:
        return [
            {
                "date": o.date.isoformat(),
                "start": o.start and o.start.isoformat("minutes"),
                "end": o.end and o.end.isoformat("minutes"),
            }
            for o in schedule.overrides.all()
        ]


class SlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    seats_left = serializers.IntegerField()


class SlotsResponseSerializer(serializers.Serializer):
    time_zone = serializers.CharField()
    package = serializers.CharField()
    slots = SlotSerializer(many=True)


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField()
    role = serializers.CharField()
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    reason = serializers.CharField()
    data = serializers.DictField()

    def get_actor(self, event) -> str | None:
        return event.actor.public_id if event.actor_id else None


class IntentSerializer(serializers.Serializer):
    kind = serializers.CharField()
    amount = serializers.SerializerMethodField()
    status = serializers.CharField()

    def get_amount(self, intent) -> dict:
        return Money(intent.amount, intent.currency).as_dict()


class MilestoneSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    position = serializers.IntegerField()
    title = serializers.CharField()
    amount = serializers.SerializerMethodField()
    due_date = serializers.DateField()
    state = serializers.CharField()
    delivery_note = serializers.CharField()
    delivered_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField()
    auto_accept_at = serializers.DateTimeField()

    def get_amount(self, milestone) -> dict:
        return Money(milestone.amount, milestone.booking.currency).as_dict()


class ChosenAddOnSerializer(serializers.Serializer):
    """An add-on as chosen when booking (its price is part of the booking's)."""

    name = serializers.CharField()
    price = serializers.IntegerField(help_text="minor units of the booking's currency")
    extra_minutes = serializers.IntegerField()
    extra_days = serializers.IntegerField()


class BookingSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    listing = serializers.CharField(source="listing.public_id")
    listing_title = serializers.CharField(source="listing.title")
    provider = serializers.CharField(source="provider.public_id")
    client = serializers.CharField(source="client.public_id")
    price = serializers.SerializerMethodField()
    add_ons = ChosenAddOnSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    timeline = EventSerializer(source="events", many=True)
    money = IntentSerializer(source="money_intents", many=True)
    milestones = MilestoneSerializer(many=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "listing",
            "listing_title",
            "package_name",
            "provider",
            "client",
            "workflow",
            "state",
            "starts_at",
            "ends_at",
            "client_time_zone",
            "seat",
            "price",
            "add_ons",
            "commission_bps",
            "cancellation_policy",
            "message",
            "terms",
            "meeting_url",
            "due_at",
            "due_action",
            "allowed_actions",
            "timeline",
            "money",
            "milestones",
            "created_at",
        ]

    def get_price(self, booking) -> dict:
        return Money(booking.price, booking.currency).as_dict()

    def get_allowed_actions(self, booking) -> list[str]:
        request = self.context.get("request")
        return services.allowed_actions(booking, request.user) if request else []


class BookingCreateSerializer(serializers.Serializer):
    listing = serializers.CharField()
    package = serializers.CharField(help_text="the package's name")
    starts_at = serializers.DateTimeField(required=False, help_text="a free slot's start (slot workflows)")
    time_zone = serializers.CharField(required=False, help_text="the client's IANA time zone")
    message = serializers.CharField(required=False, help_text="a note, or the inquiry (quote workflow)")
    payment_method = serializers.CharField(
        required=False, help_text="the card to hold the price on (request to book); test card 4242 4242 4242 4242"
    )
    add_ons = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="names of the listing's add-ons: their prices are added, their minutes lengthen the session",
    )


class BookingActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    reason = serializers.CharField(required=False)
    data = serializers.DictField(
        required=False,
        help_text="send_quote: price (or milestones: [{title, amount, due_date}]), terms, valid_days; "
        "counter: message; deliver: note; milestone actions: milestone (its id) and, to deliver, note; "
        "pay and accept_quote: payment_method (a card; test card 4242 4242 4242 4242)",
    )


def _provider(user) -> ProviderProfile:
    profile = ProviderProfile.objects.filter(user=user).first()
    if profile is None:
        raise NotFound("You have no provider profile; apply first.")
    return profile


def _schedule_response(schedule) -> Response:
    schedule = AvailabilitySchedule.objects.prefetch_related("rules", "overrides").get(pk=schedule.pk)
    return Response(ScheduleSerializer(schedule).data)


class MyAvailabilityView(APIView):
    """Your default weekly availability (or a listing's override with `?listing=<id>`)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: ScheduleSerializer},
        summary="Read your availability",
        parameters=[OpenApiParameter("listing", str, description="a listing's own schedule")],
    )
    def get(self, request):
        provider = _provider(request.user)
        schedules = AvailabilitySchedule.objects.filter(provider=provider)
        listing = request.query_params.get("listing")
        schedule = (
            schedules.filter(listing__public_id=listing) if listing else schedules.filter(listing__isnull=True)
        ).first()
        if schedule is None:
            raise NotFound("No availability saved yet.")
        return _schedule_response(schedule)

    @extend_schema(
        request=ScheduleSerializer,
        responses={200: ScheduleSerializer},
        summary="Replace your availability (weekly rules, date overrides, slot settings)",
        parameters=[OpenApiParameter("listing", str, description="save as this listing's own schedule")],
    )
    def put(self, request):
        schedule = services.schedule_set(
            user=request.user, listing_id=request.query_params.get("listing"), **json_object(request)
        )
        return _schedule_response(schedule)


class TimeOffSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    note = serializers.CharField(required=False)


class MyTimeOffView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Add time off (no bookings then)", request=TimeOffSerializer, responses={201: TimeOffSerializer}
    )
    def post(self, request):
        body = json_object(request)
        off = services.time_off_add(
            user=request.user, starts_at=body.get("starts_at"), ends_at=body.get("ends_at"), note=body.get("note", "")
        )
        return Response(
            {"starts_at": off.period.lower, "ends_at": off.period.upper, "note": off.note},
            status=status.HTTP_201_CREATED,
        )


class ListingSlotsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Free slots of a listing's package between two dates, in the client's time zone",
        parameters=[
            OpenApiParameter("package", str, required=True, description="the package's name"),
            OpenApiParameter("from", str, required=True, description="first date, YYYY-MM-DD (in `tz`)"),
            OpenApiParameter("to", str, required=True, description=f"last date, at most {MAX_SLOT_DAYS} days on"),
            OpenApiParameter("tz", str, description="the client's IANA time zone (default UTC)"),
            OpenApiParameter(
                "add_ons", str, many=True, description="add-on names (repeat it): their minutes lengthen slots"
            ),
        ],
        responses={200: SlotsResponseSerializer},
    )
    def get(self, request, public_id: str):
        listing = listings_public().filter(public_id=public_id).first()
        if listing is None:
            raise NotFound("No such listing.")
        params, errors = request.query_params, {}
        package = listing.packages.filter(name=params.get("package", "")).first()
        if package is None:
            errors["package"] = [f"Choose one of: {', '.join(listing.packages.values_list('name', flat=True))}."]
        extras, problems = selectors.listing_add_ons(listing, params.getlist("add_ons"))
        if problems:
            errors["add_ons"] = problems
        try:
            zone = zoneinfo.ZoneInfo(params.get("tz") or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors["tz"] = ["Use an IANA time zone such as Europe/London."]
            zone = None
        first = last = None
        try:
            first, last = date.fromisoformat(params.get("from", "")), date.fromisoformat(params.get("to", ""))
        except ValueError:
            errors["from"] = ["Use dates such as 2026-12-01 for from and to."]
        if first and last and not 0 <= (last - first).days <= MAX_SLOT_DAYS:
            errors["to"] = [f"Use a range of 0 to {MAX_SLOT_DAYS} days, not ending before from."]
        if errors:
            raise ValidationFailed("Some parameters are invalid: " + ", ".join(sorted(errors)) + ".", fields=errors)
        # The client's dates, widened by a day each side for the provider's zone, then cut back.
        slots = selectors.listing_free_slots(
            listing,
            package,
            first - timedelta(days=1),
            last + timedelta(days=1),
            extra_minutes=sum(a.extra_minutes for a in extras),
        )
        shown = [s for s in slots if first <= s.start.astimezone(zone).date() <= last]
        return Response(
            {
                "time_zone": zone.key,
                "package": package.name,
                "slots": [
                    {
                        "starts_at": s.start.astimezone(zone).isoformat(),
                        "ends_at": s.end.astimezone(zone).isoformat(),
                        "seats_left": s.seats_left,
                    }
                    for s in shown
                ],
            }
        )


def _detail(booking_id: str, request) -> Response:
    booking = _visible(request.user).filter(public_id=booking_id).first()
    return Response(BookingSerializer(booking, context={"request": request}).data)


def _visible(user):
    bookings = Booking.objects.all() if can(user, "bookings.intervene") else selectors.bookings_visible_to(user)
    return bookings.select_related("listing", "provider__user", "client").prefetch_related(
        "events__actor", "money_intents", "milestones__booking"
    )


class BookingListView(generics.ListAPIView):
    """Your bookings as client or provider (admins and moderators: every booking, `?state=` to filter)."""

    serializer_class = BookingSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        bookings = _visible(self.request.user).order_by("-created_at", "-id")
        if state := self.request.query_params.get("state"):
            bookings = bookings.filter(state=state)
        return bookings

    @extend_schema(
        request=BookingCreateSerializer,
        responses={201: BookingSerializer},
        summary="Book a free slot, or send an inquiry (quote workflow)",
    )
    def post(self, request):
        body = json_object(request)
        booking = services.booking_create(
            client=request.user,
            listing_id=body.get("listing"),
            package=body.get("package"),
            starts_at=body.get("starts_at"),
            time_zone=body.get("time_zone", "UTC"),
            message=body.get("message", ""),
            payment_method=body.get("payment_method"),
            add_ons=body.get("add_ons", []),
        )
        response = _detail(booking.public_id, request)
        response.status_code = status.HTTP_201_CREATED
        return response


class BookingDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: BookingSerializer}, summary="A booking with its timeline and the actions allowed now"
    )
    def get(self, request, public_id: str):
        if not _visible(request.user).filter(public_id=public_id).exists():
            raise NotFound("No such booking.")
        return _detail(public_id, request)


class BookingActionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=BookingActionSerializer,
        responses={200: BookingSerializer},
        summary="Apply a workflow action; 409 lists the actions allowed now",
    )
    def post(self, request, public_id: str):
        booking = _visible(request.user).filter(public_id=public_id).first()
        if booking is None:
            raise NotFound("No such booking.")
        body = json_object(request)
        services.booking_act(
            user=request.user,
            booking=booking,
            action=str(body.get("action", "")),
            reason=body.get("reason", ""),
            data=body.get("data"),
        )
        return _detail(public_id, request)
