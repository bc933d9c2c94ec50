from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Allowed, can
from config.api import FileUploadSerializer, json_object
from marketplace.common.errors import NotFound
from marketplace.providers import selectors, services
from marketplace.providers.models import BadgeKind, DocumentKind, ProviderProfile, ReputationLevel, VerificationDocument


class BadgeSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField(source="get_kind_display")
    granted_at = serializers.DateTimeField(source="created_at")


class DocumentSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)

    class Meta:
        model = VerificationDocument
        fields = ["id", "kind", "original_name", "content_type", "size", "created_at"]


class PortfolioItemSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id", read_only=True)
    title = serializers.CharField()
    description = serializers.CharField(required=False, allow_blank=True)
    link = serializers.CharField(required=False, allow_blank=True)
    image_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    def get_image_url(self, item) -> str | None:
        return item.image.url if item.image else None

    def get_thumbnail_url(self, item) -> str | None:
        return item.thumbnail.url if item.thumbnail else None


class PublicProfileSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    badges = BadgeSerializer(many=True, read_only=True)
    portfolio = PortfolioItemSerializer(many=True, read_only=True)
    level = serializers.ChoiceField(choices=ReputationLevel.choices, read_only=True, help_text="reputation level")
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    rating_average = serializers.FloatField(read_only=True, allow_null=True, help_text="of published client reviews")
    rating_criteria = serializers.DictField(
        child=serializers.FloatField(), read_only=True, help_text="criterion key: average"
    )
    rating_score = serializers.FloatField(read_only=True, allow_null=True, help_text="Bayesian ranking score")

    class Meta:
        model = ProviderProfile
        fields = [
            "id",
            "name",
            "headline",
            "bio",
            "skills",
            "languages",
            "location",
            "remote",
            "status",
            "badges",
            "portfolio",
            "completed_bookings",
            "median_response_minutes",
            "level",
            "level_label",
            "review_count",
            "rating_average",
            "rating_criteria",
            "rating_score",
            "created_at",
        ]


class ReviewProfileSerializer(PublicProfileSerializer):
    email = serializers.CharField(source="user.email", read_only=True)
    decision_reason = serializers.CharField(read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta(PublicProfileSerializer.Meta):
        fields = [*PublicProfileSerializer.Meta.fields, "email", "decision_reason", "documents"]


class ProfileWriteSerializer(serializers.Serializer):
    headline = serializers.CharField(required=False)
    bio = serializers.CharField(required=False)
    skills = serializers.ListField(child=serializers.CharField(), required=False)
    languages = serializers.ListField(child=serializers.CharField(), required=False)
    location = serializers.CharField(required=False)
    remote = serializers.BooleanField(required=False)


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField()


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "reject", "request_info"])
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    badges = serializers.ListField(child=serializers.ChoiceField(choices=BadgeKind.choices), required=False)


class ApplyView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ProfileWriteSerializer, responses={201: ReviewProfileSerializer}, summary="Apply to become a provider"
    )
    def post(self, request):
        profile = services.provider_apply(user=request.user, **json_object(request))
        return Response(ReviewProfileSerializer(profile).data, status=status.HTTP_201_CREATED)


class MyProfileView(APIView):
    permission_classes = [IsAuthenticated]

    def _mine(self, request) -> ProviderProfile:
        profile = selectors.provider_for_user(request.user)
        if profile is None:
            raise NotFound("You have not applied as a provider yet.")
        return profile

    @extend_schema(responses={200: ReviewProfileSerializer}, summary="Your provider profile and its review state")
    def get(self, request):
        return Response(ReviewProfileSerializer(self._mine(request)).data)

    @extend_schema(
        request=ProfileWriteSerializer, responses={200: ReviewProfileSerializer}, summary="Update your provider profile"
    )
    def patch(self, request):
        services.provider_profile_update(user=request.user, **json_object(request))
        return Response(ReviewProfileSerializer(selectors.provider_for_user(request.user)).data)


class MyDocumentsView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
        summary="Upload a verification document (PDF, PNG or JPEG; stored privately)",
    )
    def post(self, request):
        document = services.provider_document_add(
            user=request.user, kind=request.data.get("kind", ""), upload=request.FILES.get("file")
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class ReviewQueueView(generics.ListAPIView):
    permission_classes = [Allowed("providers.review")]
    serializer_class = ReviewProfileSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, description="pending (default), info_requested, approved or rejected")
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.provider_review_queue(status=self.request.query_params.get("status"))


class ProviderDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: PublicProfileSerializer}, summary="A provider's public profile")
    def get(self, request, public_id: str):
        profile = selectors.provider_visible_to(request.user, public_id)
        if profile is None:
            raise NotFound("No such provider.")
        serializer = ReviewProfileSerializer if can(request.user, "providers.review") else PublicProfileSerializer
        return Response(serializer(profile).data)


class DecisionView(APIView):
    permission_classes = [Allowed("providers.review")]

    @extend_schema(
        request=DecisionSerializer,
        responses={200: ReviewProfileSerializer},
        summary="Approve, reject or ask for more information (reviewers)",
    )
    def post(self, request, public_id: str):
        profile = ProviderProfile.objects.filter(public_id=public_id).first()
        if profile is None:
            raise NotFound("No such provider.")
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile = services.provider_review(actor=request.user, profile=profile, **data.validated_data)
        return Response(ReviewProfileSerializer(selectors.provider_visible_to(request.user, profile.public_id)).data)


class DocumentDownloadView(APIView):
    """Streams a private document after checking that the viewer owns it or reviews providers."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/octet-stream"): bytes}, summary="Download a verification document")
    def get(self, request, public_id: str, document_id: str):
        document = selectors.provider_document_for(request.user, public_id, document_id)
        if document is None:
            raise NotFound("No such document.")
        response = FileResponse(
            document.file.open("rb"),
            content_type=document.content_type,
            as_attachment=True,
            filename=document.original_name,
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class MyPortfolioView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PortfolioItemSerializer,
        responses={201: PortfolioItemSerializer},
        summary="Add a portfolio item to your public profile",
    )
    def post(self, request):
        body = json_object(request)
        item = services.portfolio_item_add(
            user=request.user,
            title=body.get("title"),
            description=body.get("description", ""),
            link=body.get("link", ""),
        )
        return Response(PortfolioItemSerializer(item).data, status=status.HTTP_201_CREATED)


class MyPortfolioItemView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, summary="Remove a portfolio item")
    def delete(self, request, item_id: str):
        services.portfolio_item_remove(user=request.user, public_id=item_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyPortfolioImageView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": FileUploadSerializer},
        responses={200: PortfolioItemSerializer},
        summary="Set (or replace) a portfolio item's picture; its thumbnail follows in the background",
    )
    def put(self, request, item_id: str):
        item = services.portfolio_item_image_set(user=request.user, public_id=item_id, upload=request.FILES.get("file"))
        return Response(PortfolioItemSerializer(item).data)

    @extend_schema(responses={200: PortfolioItemSerializer}, summary="Remove a portfolio item's picture")
    def delete(self, request, item_id: str):
        item = services.portfolio_item_image_remove(user=request.user, public_id=item_id)
        return Response(PortfolioItemSerializer(item).data)
