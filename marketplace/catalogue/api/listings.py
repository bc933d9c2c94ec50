from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Allowed
from config.api import FileUploadSerializer, json_object
from marketplace.catalogue import images, selectors
from marketplace.catalogue import listings as services
from marketplace.catalogue.models import AddOn, Listing, ListingImage, LocationType, Package, PricingModel
from marketplace.common.errors import NotFound
from marketplace.common.money import Money


class PackageSerializer(serializers.ModelSerializer):
    price = serializers.SerializerMethodField()

    class Meta:
        model = Package
        fields = ["name", "description", "price", "duration_minutes", "delivery_days", "includes", "revisions"]

    def get_price(self, package) -> dict:
        return Money(package.price, package.listing.currency).as_dict()


class AddOnSerializer(serializers.ModelSerializer):
    price = serializers.SerializerMethodField()

    class Meta:
        model = AddOn
        fields = ["name", "price", "extra_minutes", "extra_days"]

    def get_price(self, add_on) -> dict:
        return Money(add_on.price, add_on.listing.currency).as_dict()


class ImageSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()

    def get_url(self, image) -> str:
        return image.image.url

    def get_thumbnail_url(self, image) -> str | None:
        return image.thumbnail.url if image.thumbnail else None


class ListingCardSerializer(serializers.ModelSerializer):
    """A listing as a search result: enough for a card; the detail endpoint has the rest."""

    id = serializers.CharField(source="public_id", read_only=True)
    summary = serializers.SerializerMethodField()
    category = serializers.CharField(source="category.public_id", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    provider = serializers.CharField(source="provider.public_id", read_only=True)
    provider_name = serializers.CharField(source="provider.user.get_full_name", read_only=True)
    provider_verified = serializers.BooleanField(read_only=True)
    provider_level = serializers.CharField(source="provider.level", read_only=True)
    price_from = serializers.SerializerMethodField()
    rating_average = serializers.FloatField(read_only=True, help_text="visible client reviews; null before the first")
    images = ImageSerializer(many=True, read_only=True)

    class Meta:
        model = Listing
        fields = [
            "id",
            "title",
            "summary",
            "category",
            "category_name",
            "provider",
            "provider_name",
            "provider_verified",
            "provider_level",
            "attributes",
            "pricing_model",
            "location_type",
            "currency",
            "price_from",
            "review_count",
            "rating_average",
            "images",
            "published_at",
        ]

    def get_summary(self, listing) -> str:
        return card_summary(listing.description)

    def get_price_from(self, listing) -> dict | None:
        return _price(listing)


SUMMARY_LENGTH = 200


def card_summary(description: str) -> str:
    """The start of a description for a result card: whitespace folded, cut at a word."""
    text = " ".join(description.split())
    if len(text) <= SUMMARY_LENGTH:
        return text
    return text[:SUMMARY_LENGTH].rsplit(" ", 1)[0] + "…"


def image_urls(image: dict) -> dict:
    """An image's public data from its stored file names (what `ImageSerializer` gives)."""
    storage = ListingImage._meta.get_field("image").storage
    return {
        "id": image["public_id"],
        "url": storage.url(image["image"]),
        "thumbnail_url": storage.url(image["thumbnail"]) if image["thumbnail"] else None,
        "width": image["width"],
        "height": image["height"],
    }


def _price(listing) -> dict | None:
    return Money(listing.price_from, listing.currency).as_dict() if listing.price_from is not None else None


class ListingSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    category = serializers.CharField(source="category.public_id", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    provider = serializers.CharField(source="provider.public_id", read_only=True)
    provider_name = serializers.CharField(source="provider.user.get_full_name", read_only=True)
    price_from = serializers.SerializerMethodField()
    packages = PackageSerializer(many=True, read_only=True)
    add_ons = AddOnSerializer(many=True, read_only=True)
    images = ImageSerializer(many=True, read_only=True)

    class Meta:
        model = Listing
        fields = [
            "id",
            "title",
            "description",
            "category",
            "category_name",
            "provider",
            "provider_name",
            "attributes",
            "attribute_problems",
            "pricing_model",
            "location_type",
            "address",
            "currency",
            "price_from",
            "status",
            "status_reason",
            "packages",
            "add_ons",
            "images",
            "published_at",
            "created_at",
        ]

    def get_price_from(self, listing) -> dict | None:
        return _price(listing)


class PackageWriteSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField(required=False)
    price = serializers.IntegerField(help_text="minor units of the marketplace currency")
    duration_minutes = serializers.IntegerField(required=False)
    delivery_days = serializers.IntegerField(required=False)
    includes = serializers.ListField(child=serializers.CharField(), required=False)
    revisions = serializers.IntegerField(required=False)


class AddOnWriteSerializer(serializers.Serializer):
    name = serializers.CharField()
    price = serializers.IntegerField()
    extra_minutes = serializers.IntegerField(required=False)
    extra_days = serializers.IntegerField(required=False)


class ListingWriteSerializer(serializers.Serializer):
    """Documents the fields; the service validates them and names each bad one."""

    category = serializers.CharField(required=False)
    title = serializers.CharField(required=False)
    description = serializers.CharField(required=False)
    attributes = serializers.DictField(required=False)
    pricing_model = serializers.ChoiceField(choices=PricingModel.choices, required=False)
    location_type = serializers.ChoiceField(choices=LocationType.choices, required=False)
    address = serializers.CharField(required=False)
    packages = PackageWriteSerializer(many=True, required=False)
    add_ons = AddOnWriteSerializer(many=True, required=False)


class ActionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def _detail(request, listing: Listing) -> Response:
    fresh = selectors.listing_visible_to(request.user, listing.public_id)
    return Response(ListingSerializer(fresh).data)


class ListingListView(generics.ListAPIView):
    """Public, active listings (newest first); `?category=<id>` includes its descendants."""

    serializer_class = ListingSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        listings = selectors.listings_public()
        category = self.request.query_params.get("category")
        if category:
            found = selectors.category_by_public_id(category)
            ids = selectors.category_descendant_ids(found) if found else []
            listings = listings.filter(category_id__in=ids)
        return (
            listings.select_related("category", "provider__user")
            .prefetch_related("packages", "add_ons", "images")
            .order_by("-published_at", "-id")
        )

    @extend_schema(
        request=ListingWriteSerializer,
        responses={201: ListingSerializer},
        summary="Create a listing (providers); it starts as a draft",
    )
    def post(self, request):
        listing = services.listing_create(user=request.user, **json_object(request))
        return Response(
            ListingSerializer(selectors.listing_visible_to(request.user, listing.public_id)).data,
            status=status.HTTP_201_CREATED,
        )


class MyListingsView(generics.ListAPIView):
    serializer_class = ListingSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.listing_with_details().filter(provider__user=self.request.user).order_by("-created_at")


class ModerationQueueView(generics.ListAPIView):
    serializer_class = ListingSerializer
    permission_classes = [Allowed("listings.moderate")]

    def get_queryset(self):
        return selectors.listing_with_details().filter(status="pending_review").order_by("created_at")


class ListingDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ListingSerializer}, summary="A listing with its packages and add-ons")
    def get(self, request, public_id: str):
        listing = selectors.listing_visible_to(request.user, public_id)
        if listing is None:
            raise NotFound("No such listing.")
        return Response(ListingSerializer(listing).data)

    @extend_schema(
        request=ListingWriteSerializer,
        responses={200: ListingSerializer},
        summary="Edit your listing (packages and add-ons are replaced when sent)",
    )
    def patch(self, request, public_id: str):
        listing = services.listing_update(
            user=request.user, listing=services.listing_for_owner(request.user, public_id), **json_object(request)
        )
        return _detail(request, listing)


class ListingActionView(APIView):
    """submit / pause / resume / archive (provider) and approve / reject (moderators)."""

    permission_classes = [IsAuthenticated]
    action_name = ""

    @extend_schema(request=ActionSerializer, responses={200: ListingSerializer})
    def post(self, request, public_id: str):
        listing = selectors.listing_visible_to(request.user, public_id)
        if listing is None:
            raise NotFound("No such listing.")
        data = ActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        listing = services.listing_transition(
            user=request.user, listing=listing, action=self.action_name, reason=data.validated_data["reason"]
        )
        return _detail(request, listing)


class ListingDuplicateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: ListingSerializer}, summary="Copy your listing as a new draft")
    def post(self, request, public_id: str):
        copy = services.listing_duplicate(
            user=request.user, listing=services.listing_for_owner(request.user, public_id)
        )
        return Response(
            ListingSerializer(selectors.listing_visible_to(request.user, copy.public_id)).data,
            status=status.HTTP_201_CREATED,
        )


def action_view(name: str):
    return type(f"Listing{name.title()}View", (ListingActionView,), {"action_name": name}).as_view()


class ListingImagesView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": FileUploadSerializer},
        responses={201: ImageSerializer},
        summary="Add an image to your listing (PNG, JPEG or WEBP); the thumbnail follows shortly",
    )
    def post(self, request, public_id: str):
        listing = services.listing_for_owner(request.user, public_id)
        image = images.listing_image_add(user=request.user, listing=listing, upload=request.FILES.get("file"))
        image.refresh_from_db()
        return Response(ImageSerializer(image).data, status=status.HTTP_201_CREATED)


class ListingImageDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, summary="Remove an image from your listing")
    def delete(self, request, public_id: str, image_id: str):
        image = (
            ListingImage.objects.select_related("listing__provider")
            .filter(public_id=image_id, listing__public_id=public_id)
            .first()
        )
        if image is None:
            raise NotFound("No such image.")
        images.listing_image_remove(user=request.user, image=image)
        return Response(status=status.HTTP_204_NO_CONTENT)
