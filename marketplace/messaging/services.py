"""Starting conversations, posting and reading messages, blocking and reporting.

Who is in a conversation:
- an inquiry: the client who asked about a listing and the listing's provider (one per client and
  listing, reused; only while the marketplace allows inquiries);
- a booking thread: the booking's client and provider (one per booking, made on first access);
- a dispute thread: the dispute's client and provider; the marketplace's admins and moderators may
  read it too, as admin-observers.
Staff (admins and moderators) may also read any thread one of its messages was reported from. Every
such read by someone who is not a party is written to the audit trail. Observers read; they do not
write."""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.permissions import can
from marketplace.audit.services import audit_record
from marketplace.bookings.models import Booking
from marketplace.catalogue.models import Listing, ListingStatus
from marketplace.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from marketplace.common.uploads import check_upload
from marketplace.configuration.selectors import marketplace_settings
from marketplace.disputes.models import Dispute
from marketplace.live import events as live
from marketplace.messaging.errors import TooManyMessages
from marketplace.messaging.models import (
    Block,
    Conversation,
    ConversationKind,
    ConversationMember,
    MemberRole,
    Message,
    MessageReport,
)
from marketplace.notifications.services import notify

BODY_MAX_CHARS = 5_000
REASON_MAX_CHARS = 1_000
ATTACHMENT_TYPES = {"application/pdf", "image/png", "image/jpeg"}
HIDDEN = "[hidden until booked]"
PARTIES = (MemberRole.CLIENT, MemberRole.PROVIDER)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# A run of digits with the separators people type in phone numbers; masked from 9 digits up, so
# dates (2026-11-22), times and prices stay readable.
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().\-/]{5,}\d(?!\w)")
_RATE_LOCK = 0x6D736721  # pg_advisory_xact_lock namespace: one sender's posts are counted one at a time


def mask_contact_details(body: str) -> str:
    """`body` with e-mail addresses and phone numbers replaced by HIDDEN."""
    body = _EMAIL.sub(HIDDEN, body)
    return _PHONE.sub(lambda m: HIDDEN if sum(c.isdigit() for c in m.group()) >= 9 else m.group(), body)


# --- access ---------------------------------------------------------------------------------------


def staff_may_read(user, conversation: Conversation) -> bool:
    """Admins and moderators read dispute threads and threads a message was reported from."""
    if not can(user, "disputes.mediate"):
        return False
    return (
        conversation.kind == ConversationKind.DISPUTE
        or MessageReport.objects.filter(message__conversation=conversation).exists()
    )


def conversation_open(*, user, conversation_id: str) -> tuple[Conversation, str]:
    """The conversation and the user's role in it (client, provider or admin-observer).

    A party opens their own conversations. Staff open dispute threads and reported threads as
    admin-observers, and each such opening is audited; any other thread is refused to staff. To
    everyone else the conversation does not exist."""
    conversation = (
        Conversation.objects.select_related("listing", "booking", "dispute").filter(public_id=conversation_id).first()
    )
    if conversation is None:
        raise NotFound("No such conversation among yours.")
    member = conversation.members.filter(user=user).first()
    if member is not None and member.role in PARTIES:
        return conversation, member.role
    if staff_may_read(user, conversation):
        _staff_viewed(user, conversation)
        return conversation, MemberRole.ADMIN_OBSERVER
    if can(user, "disputes.mediate"):
        raise PermissionDenied(
            "Staff may read dispute threads and threads with a reported message; this conversation is private "
            "to its members."
        )
    raise NotFound("No such conversation among yours.")


@transaction.atomic
def _staff_viewed(user, conversation: Conversation) -> None:
    ConversationMember.objects.get_or_create(
        conversation=conversation, user=user, defaults={"role": MemberRole.ADMIN_OBSERVER}
    )
    audit_record(
        actor=user,
        action="conversation.viewed_by_staff",
        target=conversation,
        after={
            "kind": conversation.kind,
            "why": "dispute" if conversation.kind == ConversationKind.DISPUTE else "reported",
        },
    )


# --- starting conversations -----------------------------------------------------------------------


def _get_or_create(lookup: dict, defaults: dict, members: dict) -> Conversation:
    """One conversation per `lookup` (a database constraint keeps it so under concurrency)."""
    conversation = Conversation.objects.filter(**lookup).first()
    if conversation is None:
        try:
            with transaction.atomic():
                conversation = Conversation.objects.create(**lookup, **defaults)
        except IntegrityError:
            conversation = Conversation.objects.get(**lookup)
    for user, role in members.items():
        ConversationMember.objects.get_or_create(conversation=conversation, user=user, defaults={"role": role})
    return conversation


@transaction.atomic
def inquiry_start(*, client, listing_id: str, body: str, attachment=None) -> tuple[Conversation, Message]:
    """A client's message to a provider about a listing, before booking; the same client asking
    about the same listing again writes in the same conversation."""
    if not marketplace_settings().allow_inquiries:
        raise PermissionDenied(
            "This marketplace does not take messages before booking: book the listing to talk to its provider.",
            code="inquiries_off",
        )
    listing = Listing.objects.select_related("provider__user").filter(public_id=listing_id).first()
    if listing is None or listing.status != ListingStatus.ACTIVE:
        raise NotFound("No such listing open for inquiries: check the listing id.", fields={"listing": ["Not found."]})
    if listing.provider.user_id == client.pk:
        raise ValidationFailed(
            "This is your own listing; you cannot send an inquiry to yourself.", fields={"listing": ["Your own."]}
        )
    _check_body(body, attachment)
    conversation = _get_or_create(
        {"kind": ConversationKind.INQUIRY, "listing": listing, "client": client},
        {"subject": listing.title[:200]},
        {client: MemberRole.CLIENT, listing.provider.user: MemberRole.PROVIDER},
    )
    message = message_post(sender=client, conversation=conversation, body=body, attachment=attachment)
    return conversation, message


@transaction.atomic
def booking_thread(*, booking: Booking) -> Conversation:
    """The booking's conversation between its client and provider, made the first time it is needed
    (continuing the client's inquiry about the listing when there is one)."""
    return inquiry_continued(booking=booking) or _get_or_create(
        {"kind": ConversationKind.BOOKING, "booking": booking},
        {"client": booking.client, "listing": booking.listing, "subject": f"Booking: {booking.listing.title}"[:200]},
        {booking.client: MemberRole.CLIENT, booking.provider.user: MemberRole.PROVIDER},
    )


def inquiry_continued(*, booking: Booking) -> Conversation | None:
    """The client asked about the listing before booking it: that conversation becomes the booking's
    thread, so the inquiry, the quote and everything after read as one conversation. None when there
    was no inquiry (or the booking has its thread already)."""
    if Conversation.objects.filter(kind=ConversationKind.BOOKING, booking=booking).exists():
        return None
    inquiry = (
        Conversation.objects.select_for_update()
        .filter(kind=ConversationKind.INQUIRY, listing_id=booking.listing_id, client_id=booking.client_id)
        .first()
    )
    if inquiry is None:
        return None
    inquiry.kind, inquiry.booking = ConversationKind.BOOKING, booking
    inquiry.subject = f"Booking: {booking.listing.title}"[:200]
    inquiry.save(update_fields=["kind", "booking", "subject"])
    return inquiry


@transaction.atomic
def dispute_thread(*, dispute: Dispute) -> Conversation:
    """The dispute's conversation between the parties; staff read it as admin-observers."""
    booking = dispute.booking
    return _get_or_create(
        {"kind": ConversationKind.DISPUTE, "dispute": dispute},
        {
            "client": booking.client,
            "listing": booking.listing,
            "subject": f"Dispute: {booking.listing.title}"[:200],
        },
        {booking.client: MemberRole.CLIENT, booking.provider.user: MemberRole.PROVIDER},
    )


def booking_conversation_open(*, user, booking_id: str) -> Conversation:
    """The booking's thread for its client or provider (made on first access); no one else's."""
    booking = Booking.objects.select_related("listing", "provider__user", "client").filter(public_id=booking_id).first()
    if booking is None or user.pk not in (booking.client_id, booking.provider.user_id):
        raise NotFound("No such booking among yours.")
    return booking_thread(booking=booking)


def dispute_conversation_open(*, user, dispute_id: str) -> tuple[Conversation, str]:
    """The dispute's thread for its parties, or for staff as audited admin-observers."""
    dispute = Dispute.objects.select_related("booking__listing", "booking__provider__user", "booking__client")
    dispute = dispute.filter(public_id=dispute_id).first()
    parties = (dispute.booking.client_id, dispute.booking.provider.user_id) if dispute is not None else ()
    if dispute is None or (user.pk not in parties and not can(user, "disputes.mediate")):
        raise NotFound("No such dispute among yours.")
    conversation = dispute_thread(dispute=dispute)
    return conversation_open(user=user, conversation_id=conversation.public_id)


# --- messages -------------------------------------------------------------------------------------


def _check_body(body, attachment) -> None:
    if not isinstance(body, str):
        raise ValidationFailed("The message must be text.", fields={"body": ["Send plain text."]})
    if not body.strip() and attachment is None:
        raise ValidationFailed("Write a message or attach a file.", fields={"body": ["Required without a file."]})
    if len(body) > BODY_MAX_CHARS:
        raise ValidationFailed(
            f"The message is too long ({len(body):,} characters).",
            fields={"body": [f"Use at most {BODY_MAX_CHARS:,} characters, or send it in parts."]},
        )


def _blocked_between(user, others: list[int]) -> bool:
    return Block.objects.filter(Q(blocker=user, blocked__in=others) | Q(blocker__in=others, blocked=user)).exists()


def _rate_limit(sender) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_RATE_LOCK, sender.pk])
    limit = settings.MESSAGES_PER_MINUTE
    recent = Message.objects.filter(sender=sender, created_at__gte=timezone.now() - timedelta(minutes=1)).count()
    if recent >= limit:
        raise TooManyMessages(f"You have sent {limit} messages in the last minute; wait a minute and send it again.")


@transaction.atomic
def message_post(*, sender, conversation: Conversation, body: str, attachment=None) -> Message:
    """A party's message (text, a file, or both). Inquiry messages lose contact details when the
    marketplace masks them. Nothing is stored when anything is refused."""
    members = list(conversation.members.filter(role__in=PARTIES).select_related("user"))
    if sender.pk not in {m.user_id for m in members}:
        if conversation.members.filter(user=sender).exists():
            raise PermissionDenied("Staff read this thread as observers; only its client and provider write in it.")
        raise NotFound("No such conversation among yours.")
    _check_body(body, attachment)
    if _blocked_between(sender, [m.user_id for m in members if m.user_id != sender.pk]):
        raise PermissionDenied("You cannot message this person: one of you has blocked the other.", code="blocked")
    if conversation.kind == ConversationKind.INQUIRY:
        current = marketplace_settings()
        if not current.allow_inquiries:
            raise PermissionDenied(
                "This marketplace no longer takes messages before booking: book the listing to keep talking.",
                code="inquiries_off",
            )
        if current.mask_contact_details:
            body = mask_contact_details(body)
    _rate_limit(sender)
    content_type = ""
    if attachment is not None:  # checked by its content before anything is stored
        content_type = check_upload(attachment, allowed=ATTACHMENT_TYPES, max_bytes=settings.DOCUMENT_MAX_BYTES)
    message = Message(conversation=conversation, sender=sender, body=body, attachment_type=content_type)
    if attachment is not None:
        message.attachment_name = str(attachment.name)[:255]
        message.attachment.save(message.attachment_name, attachment, save=False)
    message.save()
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
    ConversationMember.objects.filter(conversation=conversation, user=sender).update(last_read_at=message.created_at)
    others = [m for m in members if m.user_id != sender.pk]
    live.publish(  # the other side's open pages fetch the thread and their unread counts
        [m.user_id for m in others], "message.created", {"conversation": conversation.public_id}
    )
    for member in others:  # in the app, and by email as each one chose (a daily digest, say)
        notify(
            member.user,
            "message.received",
            event_id=f"message:{message.public_id}",
            context={"sender": sender.full_name or sender.email},
            url=f"/messages/{conversation.public_id}/",
        )
    return message


def booking_note_post(*, booking: Booking, author, body: str) -> Message:
    """A step of the booking worth discussing (a quote, a counter-offer) written into its thread by
    the party who took it, so question, quote and answer read as one conversation. The booking step
    itself notifies the other side; this only announces the new message to their open pages."""
    conversation = booking_thread(booking=booking)
    message = Message.objects.create(conversation=conversation, sender=author, body=body[:BODY_MAX_CHARS])
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=message.created_at)
    ConversationMember.objects.filter(conversation=conversation, user=author).update(last_read_at=message.created_at)
    others = ConversationMember.objects.filter(conversation=conversation).exclude(user=author)
    live.publish(
        list(others.values_list("user_id", flat=True)), "message.created", {"conversation": conversation.public_id}
    )
    return message


@transaction.atomic
def conversation_read(*, user, conversation: Conversation) -> ConversationMember:
    """Everything in the conversation up to now counts as read by `user`."""
    member = conversation.members.filter(user=user).first()
    if member is None:
        raise NotFound("No such conversation among yours.")
    member.last_read_at = timezone.now()
    member.save(update_fields=["last_read_at"])
    return member


# --- blocks and reports ---------------------------------------------------------------------------


def _user(user_id) -> User:
    found = User.objects.filter(public_id=user_id, is_active=True).first() if isinstance(user_id, str) else None
    if found is None:
        raise ValidationFailed("No such member of this marketplace.", fields={"user": ["Send a user id (usr_…)."]})
    return found


@transaction.atomic
def block_create(*, blocker, user_id: str) -> Block:
    """`blocker` stops all messages with the user, in both directions (idempotent)."""
    blocked = _user(user_id)
    if blocked.pk == blocker.pk:
        raise ValidationFailed("You cannot block yourself.", fields={"user": ["Another member's id."]})
    block, _ = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    return block


@transaction.atomic
def block_remove(*, blocker, user_id: str) -> None:
    Block.objects.filter(blocker=blocker, blocked=_user(user_id)).delete()


@transaction.atomic
def message_report(*, reporter, message_id: str, reason: str) -> MessageReport:
    """A party flags a message to the marketplace's staff, who may then read its thread (audited)."""
    message = Message.objects.select_related("conversation").filter(public_id=message_id).first()
    if message is None or not message.conversation.members.filter(user=reporter, role__in=PARTIES).exists():
        raise NotFound("No such message in your conversations.")
    if message.sender_id == reporter.pk:
        raise ValidationFailed("You cannot report your own message.", fields={"message": ["Someone else's."]})
    if not isinstance(reason, str) or not 5 <= len(reason.strip()) <= REASON_MAX_CHARS:
        raise ValidationFailed(
            "Say what is wrong with the message.", fields={"reason": [f"5 to {REASON_MAX_CHARS:,} characters."]}
        )
    try:
        with transaction.atomic():
            report = MessageReport.objects.create(message=message, reporter=reporter, reason=reason.strip())
    except IntegrityError:
        raise Conflict("You have reported this message already; staff will look at it.", code="reported") from None
    audit_record(
        actor=reporter,
        action="message.reported",
        target=message,
        after={"conversation": message.conversation.public_id, "sender": message.sender_id},
        reason=report.reason,
    )
    return report
