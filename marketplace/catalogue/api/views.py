from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Allowed
from config.api import json_object
from marketplace.catalogue import selectors, services
from marketplace.catalogue.models import AttributeDefinition, AttributeType, Category
from marketplace.common.errors import NotFound
from marketplace.configuration.models import BookingWorkflow


class AttributeSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttributeDefinition
        fields = [
            "key",
            "label",
            "type",
            "required",
            "filterable",
            "unit",
            "min_value",
            "max_value",
            "choices",
            "position",
        ]


class CategorySerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    parent = serializers.SerializerMethodField()
    depth = serializers.IntegerField(read_only=True)

    class Meta:
        model = Category
        fields = [
            "id",
            "parent",
            "name",
            "slug",
            "icon",
            "position",
            "is_active",
            "commission_bps",
            "workflow",
            "booking_settings",
            "depth",
        ]

    def get_parent(self, category: Category) -> str | None:
        return category.parent.public_id if category.parent_id else None


class CategoryDetailSerializer(CategorySerializer):
    effective_commission_bps = serializers.SerializerMethodField()
    effective_workflow = serializers.SerializerMethodField()
    effective_booking_settings = serializers.SerializerMethodField()
    attributes = serializers.SerializerMethodField()

    class Meta(CategorySerializer.Meta):
        fields = [
            *CategorySerializer.Meta.fields,
            "effective_commission_bps",
            "effective_workflow",
            "effective_booking_settings",
            "attributes",
        ]

    def get_effective_commission_bps(self, category: Category) -> int:
        return selectors.category_commission_bps(category)

    def get_effective_workflow(self, category: Category) -> str | None:
        return selectors.category_workflow(category)

    def get_effective_booking_settings(self, category: Category) -> dict:
        return selectors.category_booking_settings(category)

    def get_attributes(self, category: Category) -> list[dict]:
        return AttributeSerializer(selectors.category_attribute_definitions(category), many=True).data


class CategoryWriteSerializer(serializers.Serializer):
    """Documents the accepted fields; values are validated by the service, which names each bad field."""

    parent = serializers.CharField(required=False, allow_null=True)
    name = serializers.CharField(required=False)
    slug = serializers.CharField(required=False)
    icon = serializers.CharField(required=False)
    position = serializers.IntegerField(required=False)
    is_active = serializers.BooleanField(required=False)
    commission_bps = serializers.IntegerField(required=False, allow_null=True)
    workflow = serializers.ChoiceField(choices=BookingWorkflow.choices, required=False, allow_null=True)
    booking_settings = serializers.DictField(
        required=False,
        help_text='timers (e.g. {"accept_within_hours": 12}) and cancellation_policy '
        "(flexible, moderate, strict, or [[notice hours, refund percent], ...])",
    )


class AttributeWriteSerializer(serializers.Serializer):
    key = serializers.CharField(required=False)
    label = serializers.CharField(required=False)
    type = serializers.ChoiceField(choices=AttributeType.choices, required=False)
    required = serializers.BooleanField(required=False)
    filterable = serializers.BooleanField(required=False)
    unit = serializers.CharField(required=False)
    min_value = serializers.DecimalField(max_digits=14, decimal_places=4, required=False, allow_null=True)
    max_value = serializers.DecimalField(max_digits=14, decimal_places=4, required=False, allow_null=True)
    choices = serializers.ListField(child=serializers.CharField(), required=False)
    position = serializers.IntegerField(required=False)


def _category_or_404(public_id: str) -> Category:
    category = selectors.category_by_public_id(public_id)
    if category is None:
        raise NotFound("No such category.")
    return category


class CategoryListView(generics.ListAPIView):
    """Everyone can browse the category tree; only admins see inactive categories."""

    serializer_class = CategorySerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        admin = Allowed("marketplace.configure")().has_permission(self.request, self)
        return selectors.categories_list(parent=self.request.query_params.get("parent"), active_only=not admin)

    @extend_schema(
        request=CategoryWriteSerializer, responses={201: CategoryDetailSerializer}, summary="Create a category (admins)"
    )
    def post(self, request):
        category = services.category_create(actor=request.user, **json_object(request))
        return Response(CategoryDetailSerializer(category).data, status=status.HTTP_201_CREATED)


class CategoryDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: CategoryDetailSerializer},
        summary="A category with its effective commission, workflow and attributes",
    )
    def get(self, request, public_id: str):
        category = _category_or_404(public_id)
        if not category.is_active and not Allowed("marketplace.configure")().has_permission(request, self):
            raise NotFound("No such category.")
        return Response(CategoryDetailSerializer(category).data)

    @extend_schema(
        request=CategoryWriteSerializer,
        responses={200: CategoryDetailSerializer},
        summary="Change or move a category (admins)",
    )
    def patch(self, request, public_id: str):
        category = services.category_update(
            actor=request.user, category=_category_or_404(public_id), **json_object(request)
        )
        return Response(CategoryDetailSerializer(category).data)


class AttributeListView(APIView):
    permission_classes = [Allowed("marketplace.configure")]

    @extend_schema(
        request=AttributeWriteSerializer,
        responses={201: AttributeSerializer},
        summary="Define a custom attribute for listings in this category (admins)",
    )
    def post(self, request, public_id: str):
        definition = services.attribute_define(
            actor=request.user, category=_category_or_404(public_id), **json_object(request)
        )
        return Response(AttributeSerializer(definition).data, status=status.HTTP_201_CREATED)


class AttributeDetailView(APIView):
    permission_classes = [Allowed("marketplace.configure")]

    def _definition(self, public_id: str, key: str) -> AttributeDefinition:
        definition = AttributeDefinition.objects.filter(category__public_id=public_id, key=key).first()
        if definition is None:
            raise NotFound("No such attribute in this category.")
        return definition

    @extend_schema(
        request=AttributeWriteSerializer,
        responses={200: AttributeSerializer},
        summary="Change an attribute definition (admins)",
    )
    def patch(self, request, public_id: str, key: str):
        definition = services.attribute_update(
            actor=request.user, definition=self._definition(public_id, key), **json_object(request)
        )
        return Response(AttributeSerializer(definition).data)

    @extend_schema(responses={204: None}, summary="Remove an attribute definition (admins)")
    def delete(self, request, public_id: str, key: str):
        services.attribute_remove(actor=request.user, definition=self._definition(public_id, key))
        return Response(status=status.HTTP_204_NO_CONTENT)
