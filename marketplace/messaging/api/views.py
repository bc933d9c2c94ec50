"""Conversations API: the inbox, inquiries, threads, messages with attachments, read receipts,
reports and blocks. Message bodies are returned as plain text, never as HTML."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import Pagination
from marketplace.common.errors import NotFound
from marketplace.messaging import selectors, services
from marketplace.messaging.models import Conversation


class ConversationMessageSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    sender = serializers.CharField(source="sender.public_id")
    sender_name = serializers.CharField(source="sender.get_full_name")
    body = serializers.CharField(help_text="Plain text as typed; show it as text, never as HTML")
    attachment = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.DictField(allow_null=True, help_text="name and content_type, or null"))
    def get_attachment(self, message) -> dict | None:
        if not message.attachment:
            return None
        return {"name": message.attachment_name, "content_type": message.attachment_type}


class ConversationSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    kind = serializers.CharField()
    subject = serializers.CharField()
    listing = serializers.CharField(source="listing.public_id", default=None)
    booking = serializers.CharField(source="booking.public_id", default=None)
    dispute = serializers.CharField(source="dispute.public_id", default=None)
    created_at = serializers.DateTimeField()
    last_message_at = serializers.DateTimeField()


class InboxEntrySerializer(serializers.Serializer):
    conversation = ConversationSerializer()
    your_role = serializers.CharField(source="role")
    last_read_at = serializers.DateTimeField()
    last_message = serializers.SerializerMethodField()
    unread = serializers.IntegerField()

    @extend_schema_field(serializers.DictField(allow_null=True, help_text="body (first 200 characters), sender"))
    def get_last_message(self, member) -> dict | None:
        if member.last_sender is None:
            return None
        return {"body": member.last_body[:200], "sender": member.last_sender, "attachment": member.last_attachment}


class ConversationThreadSerializer(ConversationSerializer):
    your_role = serializers.CharField()
    members = serializers.ListField(child=serializers.DictField())
    messages = ConversationMessageSerializer(many=True)
    next_before = serializers.CharField(allow_null=True, help_text="Pass as ?before= for older messages")


class InquiryStartSerializer(serializers.Serializer):
    listing = serializers.CharField(help_text="The listing's id (lst_…)")
    body = serializers.CharField(help_text=f"Plain text, at most {services.BODY_MAX_CHARS:,} characters")


class ConversationMessageWriteSerializer(serializers.Serializer):
    body = serializers.CharField(required=False)
    file = serializers.FileField(required=False, help_text="PDF, PNG or JPEG")


class MessageReportSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="What is wrong with the message (5 to 1,000 characters)")


class UserBlockSerializer(serializers.Serializer):
    user = serializers.CharField(help_text="The user's id (usr_…)")


def _thread(request, conversation: Conversation, role: str) -> Response:
    page = selectors.thread(
        request.user, conversation, before=request.query_params.get("before"), q=request.query_params.get("q")
    )
    members = conversation.members.select_related("user").order_by("id")
    data = {
        **ConversationSerializer(conversation).data,
        "your_role": role,
        "members": [
            {"user": m.user.public_id, "name": m.user.get_full_name(), "role": m.role, "last_read_at": m.last_read_at}
            for m in members
        ],
        "messages": ConversationMessageSerializer(page.messages, many=True).data,
        "next_before": page.next_before,
    }
    return Response(data)


THREAD_PARAMETERS = [
    OpenApiParameter("before", str, description="Older messages than this message id (cursor)"),
    OpenApiParameter("q", str, description="Only messages containing this text (case-insensitive)"),
]


class ConversationListView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        responses={200: InboxEntrySerializer(many=True)},
        summary="Your conversations, latest first, with the last message and unread counts",
    )
    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.inbox(request.user), request, view=self)
        response = paginator.get_paginated_response(InboxEntrySerializer(page, many=True).data)
        response.data["unread_total"] = selectors.unread_total(request.user)
        return response

    @extend_schema(
        request=InquiryStartSerializer,
        responses={201: ConversationThreadSerializer},
        summary="Ask a provider about a listing before booking (reuses your earlier inquiry about it)",
    )
    def post(self, request):
        conversation, _ = services.inquiry_start(
            client=request.user,
            listing_id=str(request.data.get("listing", "")),
            body=request.data.get("body", ""),
            attachment=request.FILES.get("file"),
        )
        response = _thread(request, conversation, "client")
        response.status_code = status.HTTP_201_CREATED
        return response


class ConversationDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=THREAD_PARAMETERS,
        responses={200: ConversationThreadSerializer},
        summary="A conversation with a page of its messages, newest first (staff reads are audited)",
    )
    def get(self, request, public_id: str):
        return _thread(request, *services.conversation_open(user=request.user, conversation_id=public_id))


class MessagesView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={
            "application/json": ConversationMessageWriteSerializer,
            "multipart/form-data": ConversationMessageWriteSerializer,
        },
        responses={201: ConversationMessageSerializer},
        summary="Send a message (text, a file, or both)",
    )
    def post(self, request, public_id: str):
        conversation = _party_conversation(request.user, public_id)
        message = services.message_post(
            sender=request.user,
            conversation=conversation,
            body=request.data.get("body", ""),
            attachment=request.FILES.get("file"),
        )
        return Response(ConversationMessageSerializer(message).data, status=status.HTTP_201_CREATED)


def _party_conversation(user, public_id: str) -> Conversation:
    """A conversation the user is a member of, without the staff path (which audits a read)."""
    conversation = Conversation.objects.filter(public_id=public_id, members__user=user).first()
    if conversation is None:
        raise NotFound("No such conversation among yours.")
    return conversation


class ReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: inline_serializer("ReadReceipt", {"last_read_at": serializers.DateTimeField()})},
        summary="Mark the conversation read up to now",
    )
    def post(self, request, public_id: str):
        member = services.conversation_read(
            user=request.user, conversation=_party_conversation(request.user, public_id)
        )
        return Response({"last_read_at": member.last_read_at})


class AttachmentView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/octet-stream"): bytes}, summary="Download a message's attachment")
    def get(self, request, public_id: str, message_id: str):
        conversation, _ = services.conversation_open(user=request.user, conversation_id=public_id)
        message = conversation.messages.exclude(attachment="").filter(public_id=message_id).first()
        if message is None:
            raise NotFound("No such attachment in this conversation.")
        return FileResponse(
            message.attachment.open("rb"),
            content_type=message.attachment_type,
            as_attachment=True,
            filename=message.attachment_name,
        )


class ReportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=MessageReportSerializer,
        responses={201: inline_serializer("MessageReportCreated", {"message": serializers.CharField()})},
        summary="Report a message to the marketplace's staff (who may then read the thread, audited)",
    )
    def post(self, request, message_id: str):
        report = services.message_report(
            reporter=request.user, message_id=message_id, reason=request.data.get("reason", "")
        )
        return Response(
            {"message": message_id, "reason": report.reason, "created_at": report.created_at},
            status=status.HTTP_201_CREATED,
        )


class BlockView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=UserBlockSerializer,
        responses={201: inline_serializer("BlockCreated", {"user": serializers.CharField()})},
        summary="Block a member: no messages either way until unblocked",
    )
    def post(self, request):
        block = services.block_create(blocker=request.user, user_id=request.data.get("user"))
        return Response({"user": block.blocked.public_id, "created_at": block.created_at}, status=201)

    @extend_schema(request=UserBlockSerializer, responses={204: None}, summary="Unblock a member")
    def delete(self, request):
        services.block_remove(blocker=request.user, user_id=request.data.get("user"))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BookingConversationView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=THREAD_PARAMETERS,
        responses={200: ConversationThreadSerializer},
        summary="The booking's conversation (made on first access by its client or provider)",
    )
    def get(self, request, booking_id: str):
        conversation = services.booking_conversation_open(user=request.user, booking_id=booking_id)
        return _thread(request, *services.conversation_open(user=request.user, conversation_id=conversation.public_id))


class DisputeConversationView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=THREAD_PARAMETERS,
        responses={200: ConversationThreadSerializer},
        summary="The dispute's conversation (its parties; staff read it as observers, audited)",
    )
    def get(self, request, dispute_id: str):
        return _thread(request, *services.dispute_conversation_open(user=request.user, dispute_id=dispute_id))
