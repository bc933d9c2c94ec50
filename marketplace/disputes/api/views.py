from __future__ import annotations

from django.db.models import Q
from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Allowed, can
from config.api import MoneyField, json_object
from marketplace.common.errors import NotFound, ValidationFailed
from marketplace.disputes import selectors, services
from marketplace.disputes.models import Dispute, DisputeReason, DisputeState, Outcome


class EntrySerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    kind = serializers.CharField()
    role = serializers.CharField()
    author = serializers.CharField(source="author.get_full_name", default=None)
    text = serializers.CharField()
    private = serializers.BooleanField()
    outcome = serializers.CharField()
    refund_amount = serializers.IntegerField(allow_null=True)
    file_name = serializers.CharField(source="original_name")
    created_at = serializers.DateTimeField()


class DisputeSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    booking = serializers.CharField(source="booking.public_id")
    milestone = serializers.CharField(source="milestone.public_id", default=None)
    opened_by_role = serializers.CharField()
    reason = serializers.CharField()
    desired_outcome = serializers.CharField()
    description = serializers.CharField()
    amount = MoneyField()
    state = serializers.CharField()
    respond_by = serializers.DateTimeField()
    escalate_at = serializers.DateTimeField()
    appeal_by = serializers.DateTimeField()
    outcome = serializers.CharField()
    refunded = serializers.IntegerField()
    released = serializers.IntegerField()
    resolution = serializers.CharField()
    your_role = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField()

    def get_your_role(self, dispute) -> str:
        return self.context["role"]

    def get_timeline(self, dispute) -> list[dict]:
        entries = dispute.entries.select_related("author")
        if self.context["role"] != services.MEDIATOR:
            entries = entries.filter(private=False)  # mediators' notes are theirs
        return EntrySerializer(entries, many=True).data


class OpenSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DisputeReason.choices)
    desired_outcome = serializers.ChoiceField(choices=Outcome.choices)
    description = serializers.CharField()
    milestone = serializers.CharField(required=False, help_text="Dispute one milestone of a project")


class EntryWriteSerializer(serializers.Serializer):
    text = serializers.CharField(required=False)
    file = serializers.FileField(required=False, help_text="Evidence: PDF, PNG or JPEG")
    private = serializers.BooleanField(required=False, help_text="Mediators only: a note the parties never see")


class ActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["propose", "accept", "escalate", "decide", "appeal", "withdraw"])
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)
    refund_amount = serializers.IntegerField(required=False)
    proposal = serializers.CharField(required=False, help_text="accept: the id of the proposal accepted")
    text = serializers.CharField(required=False)
    reason = serializers.CharField(required=False, help_text="decide: the decision's reasons")


def _detail(dispute, role) -> Response:
    return Response(DisputeSerializer(dispute, context={"role": role}).data)


class OpenDisputeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=OpenSerializer, responses={201: DisputeSerializer}, summary="Open a dispute")
    def post(self, request, booking_id: str):
        data = json_object(request)
        dispute = services.dispute_open(
            user=request.user,
            booking_id=booking_id,
            reason=data.get("reason"),
            desired_outcome=data.get("desired_outcome"),
            description=data.get("description"),
            milestone_id=data.get("milestone"),
        )
        response = _detail(dispute, services.role_in(dispute, request.user))
        response.status_code = status.HTTP_201_CREATED
        return response


class DisputeListView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]

    def get_serializer(self, *args, **kwargs):
        return _ListSerializer(*args, **kwargs)

    def get_queryset(self):
        user = self.request.user
        disputes = Dispute.objects.select_related("booking", "milestone").order_by("-id")
        if not can(user, "disputes.mediate"):
            disputes = disputes.filter(Q(booking__client=user) | Q(booking__provider__user=user))
        state = self.request.query_params.get("state")
        if state:
            if state not in DisputeState.values:
                raise ValidationFailed(
                    "Unknown state.", fields={"state": [f"One of {', '.join(DisputeState.values)}."]}
                )
            disputes = disputes.filter(state=state)
        return disputes

    @extend_schema(
        parameters=[OpenApiParameter("state", str, enum=list(DisputeState.values))],
        summary="Your disputes (mediators: all of the marketplace's)",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class _ListSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    booking = serializers.CharField(source="booking.public_id")
    reason = serializers.CharField()
    state = serializers.CharField()
    amount = serializers.IntegerField()
    currency = serializers.CharField()
    created_at = serializers.DateTimeField()


class DisputeDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: DisputeSerializer}, summary="A dispute with its timeline")
    def get(self, request, public_id: str):
        return _detail(*services.visible_dispute(request.user, public_id))


class DisputeEntriesView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={"application/json": EntryWriteSerializer, "multipart/form-data": EntryWriteSerializer},
        responses={201: EntrySerializer},
        summary="Add a message, evidence (a file) or a mediator's private note",
    )
    def post(self, request, public_id: str):
        dispute, _ = services.visible_dispute(request.user, public_id)
        private = request.data.get("private") in (True, "true", "1", "on")
        entry = services.dispute_post(
            user=request.user,
            dispute=dispute,
            text=str(request.data.get("text", "")),
            upload=request.FILES.get("file"),
            private=private,
        )
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class EvidenceFileView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/octet-stream"): bytes}, summary="Download a piece of evidence")
    def get(self, request, public_id: str, entry_id: str):
        dispute, role = services.visible_dispute(request.user, public_id)
        entries = dispute.entries.exclude(file="")
        if role != services.MEDIATOR:
            entries = entries.filter(private=False)
        entry = entries.filter(public_id=entry_id).first()
        if entry is None:
            raise NotFound("No such file in this dispute.")
        return FileResponse(
            entry.file.open("rb"), content_type=entry.content_type, as_attachment=True, filename=entry.original_name
        )


class DisputeActionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ActionSerializer,
        responses={200: DisputeSerializer},
        summary="Propose, accept, escalate, decide (mediators), appeal or withdraw",
    )
    def post(self, request, public_id: str):
        dispute, _ = services.visible_dispute(request.user, public_id)
        data = json_object(request)
        action, user = data.get("action"), request.user
        if action == "propose":
            services.dispute_propose(
                user=user,
                dispute=dispute,
                outcome=data.get("outcome"),
                refund_amount=data.get("refund_amount"),
                text=str(data.get("text", "")),
            )
        elif action == "accept":
            services.dispute_accept(user=user, dispute=dispute, proposal_id=str(data.get("proposal", "")))
        elif action == "escalate":
            services.dispute_escalate(user=user, dispute=dispute, text=str(data.get("text", "")))
        elif action == "decide":
            services.dispute_decide(
                user=user,
                dispute=dispute,
                outcome=data.get("outcome"),
                refund_amount=data.get("refund_amount"),
                reason=data.get("reason", ""),
            )
        elif action == "appeal":
            services.dispute_appeal(user=user, dispute=dispute, text=data.get("text", ""))
        elif action == "withdraw":
            services.dispute_withdraw(user=user, dispute=dispute)
        else:
            raise ValidationFailed(
                "Unknown action.", fields={"action": ["propose, accept, escalate, decide, appeal or withdraw."]}
            )
        return _detail(*services.visible_dispute(user, public_id))


class DisputeMetricsView(APIView):
    permission_classes = [Allowed("disputes.mediate")]

    @extend_schema(
        responses={
            200: inline_serializer(
                "DisputeMetrics",
                {
                    "open": serializers.DictField(),
                    "closed": serializers.IntegerField(),
                    "hours_to_resolution": serializers.DictField(),
                    "resolutions": serializers.DictField(),
                    "outcomes": serializers.DictField(),
                    "providers": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
        summary="Open disputes, time to resolution, outcomes, dispute rate per provider",
    )
    def get(self, request):
        return Response(selectors.dispute_metrics())
