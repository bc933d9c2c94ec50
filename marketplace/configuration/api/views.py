from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Allowed
from marketplace.configuration.models import BookingWorkflow, MarketplaceSettings
from marketplace.configuration.selectors import marketplace_settings
from marketplace.configuration.services import EDITABLE, marketplace_settings_update


class SettingsSerializer(serializers.ModelSerializer):
    allowed_workflows = serializers.ListField(child=serializers.ChoiceField(choices=BookingWorkflow.choices))

    class Meta:
        model = MarketplaceSettings
        fields = [*sorted(EDITABLE), "updated_at"]
        read_only_fields = ["updated_at"]


class MarketplaceSettingsView(APIView):
    permission_classes = [Allowed("marketplace.configure")]

    @extend_schema(responses={200: SettingsSerializer}, summary="This marketplace's settings (admins)")
    def get(self, request):
        return Response(SettingsSerializer(marketplace_settings()).data)

    @extend_schema(
        request=SettingsSerializer,
        responses={200: SettingsSerializer},
        summary="Change any subset of the settings (admins): checked field by field, all or nothing, audited",
    )
    def patch(self, request):
        if not isinstance(request.data, dict):
            return Response(
                {"error": {"code": "validation_failed", "message": "Send a JSON object of settings.", "fields": {}}},
                status=400,
            )
        updated = marketplace_settings_update(actor=request.user, changes=dict(request.data))
        return Response(SettingsSerializer(updated).data)
