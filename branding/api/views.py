"""The branding API for admins: read the published look and the draft, change the draft (JSON, or
multipart with pictures), publish or discard it. The same services as the branding page."""

from __future__ import annotations

import json

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Allowed
from branding import fonts
from branding.models import IMAGE_FIELDS, LOOK_FIELDS
from branding.selectors import DEFAULTS, branding_row, image_url, look_from
from branding.services import branding_draft_discard, branding_draft_update, branding_publish


class LinkSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField()


class LookSerializer(serializers.Serializer):
    primary_color = serializers.CharField(help_text="#RRGGBB")
    accent_color = serializers.CharField(help_text="#RRGGBB")
    text_color = serializers.CharField(help_text="#RRGGBB")
    background_color = serializers.CharField(help_text="#RRGGBB")
    body_font = serializers.ChoiceField(choices=list(fonts.FONTS))
    heading_font = serializers.ChoiceField(choices=list(fonts.FONTS))
    tagline = serializers.CharField(allow_blank=True)
    email_sender_name = serializers.CharField(allow_blank=True)
    footer_links = LinkSerializer(many=True)
    logo = serializers.CharField(allow_blank=True, help_text="URL of the picture, empty when none")
    favicon = serializers.CharField(allow_blank=True)
    social_image = serializers.CharField(allow_blank=True)
    email_logo = serializers.CharField(allow_blank=True)


BrandingSerializer = inline_serializer(
    "Branding",
    {
        "published": LookSerializer(),
        "draft": LookSerializer(allow_null=True, help_text="What publishing would show; null when nothing is pending"),
        "published_at": serializers.DateTimeField(allow_null=True),
        "palette": serializers.DictField(child=serializers.CharField(), help_text="Derived colours of the draft"),
    },
)


def _as_api(values: dict) -> dict:
    out = {key: values.get(key, DEFAULTS.get(key)) for key in LOOK_FIELDS if key not in IMAGE_FIELDS}
    out.update({key: image_url(values.get(key) or "") for key in IMAGE_FIELDS})
    return out


def _body(row) -> dict:
    published = DEFAULTS | (row.published_values() if row else {})
    draft = DEFAULTS | (row.draft_values() if row else {})
    palette = look_from(draft, name="", locale="").palette
    return {
        "published": _as_api(published),
        "draft": _as_api(draft) if row and row.draft else None,
        "published_at": row.published_at if row else None,
        "palette": vars(palette),
    }


class BrandingView(APIView):
    permission_classes = [Allowed("branding.manage")]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses={200: BrandingSerializer}, summary="The marketplace's look: published and draft (admins)")
    def get(self, request):
        return Response(_body(branding_row()))

    @extend_schema(
        request={
            "application/json": LookSerializer(partial=True),
            "multipart/form-data": inline_serializer(
                "BrandingUpload",
                {
                    **{key: serializers.ImageField(required=False) for key in IMAGE_FIELDS},
                    "changes": serializers.CharField(required=False, help_text="The other fields as a JSON object"),
                },
            ),
        },
        responses={200: BrandingSerializer},
        summary='Change the draft: any subset of fields (an image field set to "" removes it); every value is '
        "checked (colours must read well together) and a refused change stores nothing",
    )
    def patch(self, request):
        if request.content_type.startswith("multipart/"):
            files = {key: request.FILES[key] for key in request.FILES}
            try:
                changes = json.loads(request.data.get("changes") or "{}")
            except ValueError:
                changes = None
        else:
            files, changes = {}, request.data
        if not isinstance(changes, dict):
            return Response(
                {"error": {"code": "validation_failed", "message": "Send the changes as a JSON object.", "fields": {}}},
                status=400,
            )
        branding_draft_update(actor=request.user, changes=dict(changes), files=files)
        return Response(_body(branding_row()))


class BrandingPublishView(APIView):
    permission_classes = [Allowed("branding.manage")]

    @extend_schema(request=None, responses={200: BrandingSerializer}, summary="Publish the draft (audited)")
    def post(self, request):
        return Response(_body(branding_publish(actor=request.user)))


class BrandingDiscardView(APIView):
    permission_classes = [Allowed("branding.manage")]

    @extend_schema(request=None, responses={200: BrandingSerializer}, summary="Drop the draft and its pictures")
    def post(self, request):
        return Response(_body(branding_draft_discard(actor=request.user)))
