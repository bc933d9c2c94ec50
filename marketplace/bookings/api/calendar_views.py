"""Calendars: a member's private feed address, providers' external calendars, and the feed itself
(a public address whose token is the only key)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import json_object
from marketplace.bookings import calendars


class FeedUrlSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="your private feed: add it to a calendar app as a subscription")


class ExternalCalendarSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id", read_only=True)
    url = serializers.URLField()
    last_synced_at = serializers.DateTimeField(read_only=True, allow_null=True)
    last_error = serializers.CharField(read_only=True, help_text="why the last import failed; empty when it worked")
    created_at = serializers.DateTimeField(read_only=True)


class MyCalendarFeedView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Your private calendar feed of your bookings", responses={200: FeedUrlSerializer})
    def get(self, request):
        return Response({"url": calendars.feed_url_for(user=request.user)})


class MyCalendarFeedRotateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Replace your calendar feed's address (the old one stops working)",
        request=None,
        responses={200: FeedUrlSerializer},
    )
    def post(self, request):
        return Response({"url": calendars.feed_rotate(user=request.user)})


class MyCalendarsView(generics.ListAPIView):
    """External calendars (ICS addresses) whose busy times block your availability."""

    serializer_class = ExternalCalendarSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return calendars.calendars_of(user=self.request.user)

    @extend_schema(
        summary="Connect an external calendar (its ICS address); its busy times are imported",
        request=ExternalCalendarSerializer,
        responses={201: ExternalCalendarSerializer},
    )
    def post(self, request):
        calendar = calendars.calendar_add(user=request.user, url=json_object(request).get("url"))
        return Response(ExternalCalendarSerializer(calendar).data, status=status.HTTP_201_CREATED)


class MyCalendarDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Disconnect an external calendar and drop its busy times", responses={204: None})
    def delete(self, request, public_id: str):
        calendars.calendar_remove(user=request.user, calendar_id=public_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


@require_GET
def calendar_feed(request, token: str) -> HttpResponse:
    """The feed behind a private address, for calendar apps (no sign-in: the token is the key)."""
    body = calendars.feed_ics(token)
    if body is None:
        raise Http404("No such calendar feed.")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="bookings.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
