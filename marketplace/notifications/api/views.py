from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Allowed
from config.api import Pagination, json_object
from marketplace.common.errors import NotFound
from marketplace.notifications import selectors, services


class NotificationSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField()


class NotificationPreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    audience = serializers.CharField(read_only=True)
    email = serializers.BooleanField()
    digest = serializers.BooleanField()
    essential = serializers.BooleanField(read_only=True)
    digestible = serializers.BooleanField(read_only=True)
    default_email = serializers.BooleanField(read_only=True)


class NotificationSettingSerializer(serializers.Serializer):
    kind = serializers.CharField()
    audience = serializers.CharField(read_only=True)
    essential = serializers.BooleanField(read_only=True)
    enabled = serializers.BooleanField()
    subject = serializers.CharField(help_text="Blank: the default. Placeholders in {braces}.")
    body = serializers.CharField(help_text="Blank: the default. Placeholders in {braces}.")
    default_subject = serializers.CharField(read_only=True)
    default_body = serializers.CharField(read_only=True)
    placeholders = serializers.ListField(child=serializers.CharField(), read_only=True)


_Preferences = inline_serializer(
    "NotificationPreferences", {"preferences": NotificationPreferenceSerializer(many=True)}
)
_Settings = inline_serializer("MarketplaceNotificationSettings", {"settings": NotificationSettingSerializer(many=True)})
_Count = inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()})


class NotificationPagination(Pagination):
    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["unread_count"] = {"type": "integer", "description": "all your unread ones"}
        return schema


class NotificationListView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    pagination_class = NotificationPagination

    def get_queryset(self):
        return selectors.notifications_of(self.request.user)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["unread_count"] = selectors.unread_count(self.request.user)
        return response

    @extend_schema(summary="Your notifications, newest first, with the number unread")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NotificationReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: NotificationSerializer}, summary="Mark one notification read")
    def post(self, request, public_id: str):
        notification = selectors.notifications_of(request.user).filter(public_id=public_id).first()
        if notification is None:
            raise NotFound("No such notification.")
        services.notifications_mark_read(user=request.user, public_id=public_id)
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: _Count}, summary="Mark all your notifications read")
    def post(self, request):
        return Response({"marked": services.notifications_mark_read(user=request.user)})


class PreferencesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: _Preferences}, summary="Every kind with your effective e-mail and digest choice")
    def get(self, request):
        return Response({"preferences": selectors.preferences_of(request.user)})

    @extend_schema(
        request=_Preferences,
        responses={200: _Preferences},
        summary="Change e-mail/digest per kind (all or nothing; essential kinds stay on)",
    )
    def put(self, request):
        services.preferences_set(user=request.user, items=json_object(request).get("preferences"))
        return Response({"preferences": selectors.preferences_of(request.user)})


class MarketplaceNotificationSettingsView(APIView):
    permission_classes = [Allowed("marketplace.configure")]

    @extend_schema(responses={200: _Settings}, summary="Notification kinds: on/off and wording (admins)")
    def get(self, request):
        return Response({"settings": selectors.marketplace_settings_of()})

    @extend_schema(
        request=_Settings,
        responses={200: _Settings},
        summary="Switch kinds on/off, change their wording (admins; checked, all or nothing, audited)",
    )
    def put(self, request):
        services.marketplace_settings_set(actor=request.user, items=json_object(request).get("settings"))
        return Response({"settings": selectors.marketplace_settings_of()})
