from __future__ import annotations

from functools import cached_property

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Allowed, can
from config.api import Pagination, json_object
from marketplace.bookings.selectors import bookings_visible_to
from marketplace.catalogue.selectors import category_by_public_id, listing_visible_to
from marketplace.common.errors import NotFound, ValidationFailed
from marketplace.providers.selectors import provider_visible_to
from marketplace.reviews import reputation, selectors, services
from marketplace.reviews.models import FlagKind, ReputationSettings, ReviewDirection


class ReviewSerializer(serializers.Serializer):
    """A review as the viewer may see it: `status`, `moderation_reason` and `editable_until` only
    for its author and moderators."""

    id = serializers.CharField(source="public_id")
    booking = serializers.CharField(source="booking.public_id")
    direction = serializers.ChoiceField(choices=ReviewDirection.choices)
    author_name = serializers.CharField(source="author.get_short_name", help_text="the reviewer's first name")
    provider = serializers.CharField(source="provider.public_id")
    listing = serializers.CharField(source="listing.public_id")
    listing_title = serializers.CharField(source="listing.title")
    overall = serializers.IntegerField(help_text="1 to 5 stars")
    ratings = serializers.DictField(child=serializers.IntegerField(), help_text="criterion key: 1 to 5 stars")
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    revealed_at = serializers.DateTimeField(
        allow_null=True, help_text="when both sides could see it; null while it is blind"
    )
    response = serializers.CharField(help_text="the reviewed provider's public answer")
    responded_at = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField(required=False, help_text="visible or hidden (author and moderators)")
    moderation_reason = serializers.CharField(required=False, help_text="why it was hidden or restored")
    editable_until = serializers.SerializerMethodField(help_text="author only; null once it can no longer change")

    PRIVATE = ("status", "moderation_reason", "editable_until")

    def get_editable_until(self, review) -> str | None:
        until = services.review_editable_until(review)
        return until.isoformat() if until else None

    def to_representation(self, review):
        data = super().to_representation(review)
        request = self.context.get("request")
        viewer = request.user if request else None
        if viewer is None or not (review.author_id == viewer.pk or can(viewer, "reviews.moderate")):
            for name in self.PRIVATE:
                data.pop(name)
        return data


class ReviewWriteSerializer(serializers.Serializer):
    overall = serializers.IntegerField(help_text="1 to 5 stars")
    ratings = serializers.DictField(
        child=serializers.IntegerField(), required=False, help_text="each of the category's criteria: 1 to 5 stars"
    )
    text = serializers.CharField(required=False, allow_blank=True)


class CriterionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class BookingReviewsSerializer(serializers.Serializer):
    booking = serializers.CharField()
    can_review = serializers.BooleanField(help_text="whether you may still submit your review")
    window_closes_at = serializers.DateTimeField(allow_null=True)
    criteria = CriterionSerializer(many=True, help_text="what you rate besides the overall stars")
    reviews = ReviewSerializer(many=True, help_text="the booking's reviews you may see")


class RatingSummarySerializer(serializers.Serializer):
    review_count = serializers.IntegerField()
    rating_average = serializers.FloatField(allow_null=True)
    rating_criteria = serializers.DictField(child=serializers.FloatField(), help_text="criterion key: average")
    rating_score = serializers.FloatField(allow_null=True, help_text="the Bayesian ranking score search sorts by")


class TextSerializer(serializers.Serializer):
    text = serializers.CharField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ModerationSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["hide", "restore"])
    reason = serializers.CharField(help_text="shown to the author and written to the audit log")


class FlagSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FlagKind.choices)
    reason = serializers.CharField()
    reporter = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)

    def get_reporter(self, flag) -> str | None:
        return flag.reporter.public_id if flag.reporter_id else None


class FlaggedReviewSerializer(ReviewSerializer):
    author = serializers.CharField(source="author.public_id")
    flags = FlagSerializer(many=True)


class ReviewCriteriaSerializer(serializers.Serializer):
    criteria = CriterionSerializer(many=True, allow_null=True, help_text="this category's own; null = inherited")
    effective_criteria = CriterionSerializer(many=True, read_only=True)
    inherited_from = serializers.CharField(allow_null=True, read_only=True, help_text="the category they come from")


class ReputationSettingsSerializer(serializers.ModelSerializer):
    rising_average_rating = serializers.FloatField()
    top_average_rating = serializers.FloatField()

    class Meta:
        model = ReputationSettings
        fields = [*reputation.THRESHOLDS, "updated_at"]
        read_only_fields = ["updated_at"]


def _review(review, request, *, code=status.HTTP_200_OK) -> Response:
    fresh = selectors.reviews_visible_to(request.user).get(pk=review.pk)
    return Response(ReviewSerializer(fresh, context={"request": request}).data, status=code)


class BookingReviewView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: BookingReviewsSerializer},
        summary="A booking's reviews you may see, and whether (and on what) you may still review it",
    )
    def get(self, request, public_id: str):
        booking = bookings_visible_to(request.user).filter(public_id=public_id).select_related("listing").first()
        if booking is None:
            raise NotFound("No such booking.")
        form = selectors.review_form_for(request.user, booking)
        reviews = selectors.booking_reviews_visible_to(request.user, booking)
        return Response(
            {
                "booking": booking.public_id,
                **form,
                "reviews": ReviewSerializer(reviews, many=True, context={"request": request}).data,
            }
        )

    @extend_schema(
        request=ReviewWriteSerializer,
        responses={201: ReviewSerializer},
        summary="Review the other side of your completed booking (blind until both are in or the window closes)",
    )
    def post(self, request, public_id: str):
        body = json_object(request)
        review = services.review_submit(
            author=request.user,
            booking_id=public_id,
            overall=body.get("overall"),
            ratings=body.get("ratings"),
            text=body.get("text", ""),
        )
        return _review(review, request, code=status.HTTP_201_CREATED)


class SummaryPagination(Pagination):
    """Pages of reviews with the provider's or listing's ratings beside them (`summary`)."""

    def get_paginated_response_schema(self, schema):
        page = super().get_paginated_response_schema(schema)
        page["properties"]["summary"] = {
            "type": "object",
            "description": "review_count, rating_average, rating_criteria (criterion key: average) and "
            "rating_score (the Bayesian ranking score)",
        }
        return page


class _PublicReviewsView(generics.ListAPIView):
    """Published client reviews of one provider or listing, newest first, with their rating summary."""

    permission_classes = [AllowAny]
    serializer_class = ReviewSerializer
    pagination_class = SummaryPagination

    subject = None  # the provider or listing, found (or 404) once per request

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data["summary"] = RatingSummarySerializer(self.subject).data
        return response


class ProviderReviewsView(_PublicReviewsView):
    @cached_property
    def subject(self):
        profile = provider_visible_to(self.request.user, self.kwargs["public_id"])
        if profile is None:
            raise NotFound("No such provider.")
        return profile

    @extend_schema(
        summary="A provider's published reviews (and `summary`: count, averages, ranking score)",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.provider_reviews(self.subject)


class ListingReviewsView(_PublicReviewsView):
    @cached_property
    def subject(self):
        listing = listing_visible_to(self.request.user, self.kwargs["public_id"])
        if listing is None:
            raise NotFound("No such listing.")
        return listing

    @extend_schema(
        summary="A listing's published reviews (and `summary`: count, averages, ranking score)",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.listing_reviews(self.subject)


class ReviewDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ReviewSerializer}, summary="A review you may see")
    def get(self, request, public_id: str):
        review = selectors.reviews_visible_to(request.user).filter(public_id=public_id).first()
        if review is None:
            raise NotFound("No such review.")
        return Response(ReviewSerializer(review, context={"request": request}).data)

    @extend_schema(
        request=ReviewWriteSerializer,
        responses={200: ReviewSerializer},
        summary="Edit your review: within 48 hours of submitting it, while it is still blind",
    )
    def patch(self, request, public_id: str):
        if not request.user.is_authenticated:
            raise NotFound("No such review.")
        review = services.review_edit(actor=request.user, review_id=public_id, changes=json_object(request))
        return _review(review, request)


class ReviewResponseView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=TextSerializer,
        responses={201: ReviewSerializer},
        summary="Respond publicly to a published review of you (once; the reviewed provider)",
    )
    def post(self, request, public_id: str):
        body = json_object(request)
        review = services.review_respond(actor=request.user, review_id=public_id, text=body.get("text"))
        return _review(review, request, code=status.HTTP_201_CREATED)


class ReviewReportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ReasonSerializer,
        responses={201: FlagSerializer},
        summary="Report a review to the marketplace's moderators (once per member)",
    )
    def post(self, request, public_id: str):
        body = json_object(request)
        flag = services.review_report(actor=request.user, review_id=public_id, reason=body.get("reason"))
        return Response(FlagSerializer(flag).data, status=status.HTTP_201_CREATED)


class ReviewModerationView(APIView):
    permission_classes = [Allowed("reviews.moderate")]

    @extend_schema(
        request=ModerationSerializer,
        responses={200: ReviewSerializer},
        summary="Hide a review or restore it, with a reason its author sees (admins and moderators; audited)",
    )
    def post(self, request, public_id: str):
        body = json_object(request)
        review = services.review_moderate(
            actor=request.user, review_id=public_id, action=body.get("action"), reason=body.get("reason")
        )
        return _review(review, request)


class FlaggedReviewsView(generics.ListAPIView):
    permission_classes = [Allowed("reviews.moderate")]
    serializer_class = FlaggedReviewSerializer

    @extend_schema(
        summary="Reviews flagged for moderation (reports and suspicious patterns), each with why",
        parameters=[OpenApiParameter("resolved", bool, description="those already dealt with instead")],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.flagged_reviews(resolved=self.request.query_params.get("resolved") in ("1", "true"))


class ReputationSettingsView(APIView):
    permission_classes = [Allowed("reviews.configure")]

    @extend_schema(responses={200: ReputationSettingsSerializer}, summary="Reputation level thresholds (admins)")
    def get(self, request):
        return Response(ReputationSettingsSerializer(selectors.reputation_settings()).data)

    @extend_schema(
        request=ReputationSettingsSerializer,
        responses={200: ReputationSettingsSerializer},
        summary="Change any thresholds (admins): all or nothing, audited; levels follow at the next recompute",
    )
    def patch(self, request):
        updated = reputation.reputation_settings_update(actor=request.user, changes=json_object(request))
        return Response(ReputationSettingsSerializer(updated).data)


def _criteria(category) -> dict:
    effective, source = selectors.category_review_criteria(category)
    return {
        "criteria": category.review_criteria,
        "effective_criteria": effective,
        "inherited_from": source.public_id if source is not None and source.pk != category.pk else None,
    }


class CategoryReviewCriteriaView(APIView):
    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [Allowed("reviews.configure")()]

    @extend_schema(
        responses={200: ReviewCriteriaSerializer},
        summary="What clients rate in a category besides the overall stars (its own, or inherited)",
    )
    def get(self, request, public_id: str):
        category = category_by_public_id(public_id)
        if category is None:
            raise NotFound("No such category.")
        return Response(_criteria(category))

    @extend_schema(
        request=ReviewCriteriaSerializer,
        responses={200: ReviewCriteriaSerializer},
        summary="Set a category's rating criteria (admins); null inherits the parent's",
    )
    def put(self, request, public_id: str):
        body = json_object(request)
        if "criteria" not in body:
            raise ValidationFailed(
                "Send the criteria.", fields={"criteria": ["Send a list of {key, label}, or null to inherit."]}
            )
        category = services.review_criteria_set(
            actor=request.user, category_id=public_id, criteria=body.get("criteria")
        )
        return Response(_criteria(category))
