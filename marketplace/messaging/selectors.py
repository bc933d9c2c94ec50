"""Reading conversations: the inbox, a thread page, unread counts — each in a fixed number of queries
however many conversations or messages there are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from marketplace.common.errors import ValidationFailed
from marketplace.messaging.models import Conversation, ConversationMember, Message

PAGE_SIZE = 30
SEARCH_MAX_CHARS = 200
_NEVER = datetime(1970, 1, 1, tzinfo=UTC)  # stands for "never read"


def _unread(user) -> Subquery:
    """Messages from others after the member's last read, for a ConversationMember queryset."""
    counted = (
        Message.objects.filter(
            conversation=OuterRef("conversation_id"),
            created_at__gt=Coalesce(OuterRef("last_read_at"), Value(_NEVER)),
        )
        .exclude(sender=user)
        .order_by()
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def inbox(user, *, q: str | None = None) -> QuerySet[ConversationMember]:
    """The user's memberships, most recent conversation first, each with the conversation, the last
    message's preview (`last_body`, `last_sender`, `last_attachment`) and `unread`. `q` keeps the
    conversations whose subject or any message contains it (case-insensitive)."""
    last = Message.objects.filter(conversation=OuterRef("conversation_id")).order_by("-created_at", "-id")
    members = ConversationMember.objects.filter(user=user)
    if q:
        if len(q) > SEARCH_MAX_CHARS:
            raise ValidationFailed("The search is too long.", fields={"q": [f"At most {SEARCH_MAX_CHARS} characters."]})
        matching = Message.objects.filter(conversation=OuterRef("conversation_id"), body__icontains=q)
        members = members.filter(Q(conversation__subject__icontains=q) | Q(Exists(matching)))
    return (
        members.select_related("conversation__listing", "conversation__booking", "conversation__dispute")
        .annotate(
            last_body=Subquery(last.values("body")[:1]),
            last_sender=Subquery(last.values("sender__public_id")[:1]),
            last_attachment=Subquery(last.values("attachment_name")[:1]),
            unread=_unread(user),
        )
        .order_by(F("conversation__last_message_at").desc(nulls_last=True), "-conversation_id")
    )


def unread_total(user) -> int:
    """Messages from others the user has not read yet, over all their conversations."""
    members = ConversationMember.objects.filter(user=user).annotate(unread=_unread(user))
    return members.aggregate(total=Sum("unread"))["total"] or 0


@dataclass(frozen=True)
class ThreadPage:
    messages: list[Message]  # newest first
    next_before: str | None  # pass as `before` for the older page; None on the last page


def thread(user, conversation: Conversation, *, before: str | None = None, q: str | None = None) -> ThreadPage:
    """One page of the conversation's messages, newest first. `before` is the id of the oldest message
    already shown; `q` keeps the messages containing it (case-insensitive). `user` has been checked
    by `conversation_open`."""
    messages = conversation.messages.select_related("sender").order_by("-created_at", "-id")
    if before:
        cursor = conversation.messages.filter(public_id=before).values("created_at", "id").first()
        if cursor is None:
            raise ValidationFailed(
                "Unknown cursor.", fields={"before": ["Use the next_before value of the previous page."]}
            )
        messages = messages.filter(
            Q(created_at__lt=cursor["created_at"]) | Q(created_at=cursor["created_at"], id__lt=cursor["id"])
        )
    if q:
        if len(q) > SEARCH_MAX_CHARS:
            raise ValidationFailed("The search is too long.", fields={"q": [f"At most {SEARCH_MAX_CHARS} characters."]})
        messages = messages.filter(body__icontains=q)
    page = list(messages[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return ThreadPage(messages=page, next_before=page[-1].public_id if more else None)


def messages_after(conversation: Conversation, after: str | None) -> list[Message]:
    """The conversation's messages newer than the message `after` (all of the latest page when
    `after` is empty or unknown), oldest first: what a page showing the thread has not shown yet."""
    messages = conversation.messages.select_related("sender")
    cursor = conversation.messages.filter(public_id=after).values("created_at", "id").first() if after else None
    if cursor is None:
        return list(reversed(messages.order_by("-created_at", "-id")[:PAGE_SIZE]))
    newer = Q(created_at__gt=cursor["created_at"]) | Q(created_at=cursor["created_at"], id__gt=cursor["id"])
    return list(messages.filter(newer).order_by("created_at", "id")[:PAGE_SIZE])


def blocked_by(user) -> QuerySet:
    """The people `user` has blocked, latest first."""
    from marketplace.messaging.models import Block

    return Block.objects.filter(blocker=user).select_related("blocked").order_by("-id")


def is_blocked(user, other) -> bool:
    """Whether `user` has blocked `other`."""
    from marketplace.messaging.models import Block

    return Block.objects.filter(blocker=user, blocked=other).exists()
