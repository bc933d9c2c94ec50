from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Allowed
from marketplace.configuration.models import BookingWorkflow, MarketplaceSettings
from marketplace.configuration.selectors import marketplace_settings
from marketplace.configuration.services import marketplace_settings_update


class SettingsSerializer(serializers.ModelSerializer):
    allowed_workflows = serializers.ListField(child=serializers.ChoiceField(choices=BookingWorkflow.choices))

    class Meta:
        model = MarketplaceSettings
        fields = [
            "display_name",
            "currency",
            "time_zone",
            "locale",
            "default_commission_bps",
            "listing_moderation",
            "provider_verification_required",
            "min_price",
            "max_price",
            "allowed_workflows",
            "review_window_days",
            "dispute_window_days",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class SettingsPatchSerializer(serializers.Serializer):
    """Any subset of the settings. Values are checked by the service, which names each bad field."""

    display_name = serializers.JSONField(required=False)
    currency = serializers.JSONField(required=False)
    time_zone = serializers.JSONField(required=False)
    locale = serializers.JSONField(required=False)
    default_commission_bps = serializers.JSONField(required=False)
    listing_moderation = serializers.JSONField(required=False)
    provider_verification_required = serializers.JSONField(required=False)
    min_price = serializers.JSONField(required=False)
    max_price = serializers.JSONField(required=False)
    allowed_workflows = serializers.JSONField(required=False)
    review_window_days = serializers.JSONField(required=False)
    dispute_window_days = serializers.JSONField(required=False)


class MarketplaceSettingsView(APIView):
    permission_classes = [Allowed("marketplace.configure")]

    @extend_schema(responses={200: SettingsSerializer}, summary="This marketplace's settings (admins)")
    def get(self, request):
        return Response(SettingsSerializer(marketplace_settings()).data)

    @extend_schema(
        request=SettingsPatchSerializer,
        responses={200: SettingsSerializer},
        summary="Change settings (admins); every change is audit-logged",
    )
    def patch(self, request):
        if not isinstance(request.data, dict):
            return Response(
                {"error": {"code": "validation_failed", "message": "Send a JSON object of settings.", "fields": {}}},
                status=400,
            )
        updated = marketplace_settings_update(actor=request.user, changes=dict(request.data))
        return Response(SettingsSerializer(updated).data)
