"""Notifying people: the one entry point (`notify`), their preferences, the marketplace's settings,
unsubscribing by a signed link, sending one e-mail delivery, and the daily digest.

The same event never notifies someone twice (a unique key on user, kind and event id); an e-mail is
queued in the caller's transaction and sent by a task after it commits, in the marketplace's schema;
the task locks the delivery row and sends only a queued one."""

from __future__ import annotations

import hashlib
import logging
import smtplib
from datetime import timedelta

from django.core import signing
from django.db import connection, transaction
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.utils import timezone

from marketplace.audit.services import audit_record
from marketplace.common.errors import ValidationFailed
from marketplace.live import events as live
from marketplace.notifications import kinds as registry
from marketplace.notifications.models import (
    DeliveryStatus,
    EmailDelivery,
    MarketplaceNotificationSetting,
    Notification,
    NotificationPreference,
)
from marketplace.notifications.selectors import effective_preference, marketplace_setting

logger = logging.getLogger("marketplace.notifications")

SEND_ERRORS = (OSError, smtplib.SMTPException)  # the mail server is away or refused: retry later
TEMPLATE_ERRORS = (TemplateSyntaxError, TemplateDoesNotExist, KeyError, ValueError)  # retrying will not help


# --- notifying --------------------------------------------------------------------------------------


def wording(kind: registry.Kind, values: dict, setting: MarketplaceNotificationSetting | None) -> tuple[str, str]:
    """Title and body: the marketplace's wording when it renders with these values, else the default."""
    if setting is not None and (setting.subject_template or setting.body_template):
        try:
            return (
                registry.render_wording(setting.subject_template or kind.title, values),
                registry.render_wording(setting.body_template or kind.body, values),
            )
        except (KeyError, ValueError):
            logger.warning("notification wording of %s does not render; the default is used", kind.slug)
    return registry.render_wording(kind.title, values), registry.render_wording(kind.body, values)


@transaction.atomic
def notify(user, kind: str, *, event_id: str, context: dict, url: str = "", email: bool = True) -> Notification | None:
    """Tell `user` about an event: in the app, and by e-mail (at once or in the digest) as they chose.

    Repeated calls for the same event do nothing. Returns the notification, or None when the
    marketplace switched the kind off or the person cannot receive it. `email=False`: in the app
    only, for events whose app still sends its own e-mail (disputes, until theirs are retired)."""
    spec = registry.kind(kind)
    setting = marketplace_setting(kind)
    if (setting is not None and not setting.enabled and not spec.essential) or not getattr(user, "is_active", False):
        return None
    values = {key: "" if value is None else str(value) for key, value in context.items()}
    title, body = wording(spec, values, setting)
    notification, created = Notification.objects.get_or_create(
        user=user,
        kind=kind,
        event_id=_event_key(event_id),
        defaults={"title": title[:300], "body": body, "url": url[:500], "context": values},
    )
    if not created:
        return notification
    live.publish([user.pk], "notification.created", {"kind": kind, "notification": notification.public_id})
    wants_email, digest = effective_preference(user, spec)
    if email and wants_email and not digest and user.email:
        _queue_email(notification)
    return notification


def _event_key(event_id: str) -> str:
    """The event id as stored (200 characters): a longer one keeps its start and a digest of the
    whole, so two long ids that differ only at the end stay two events."""
    if len(event_id) <= 200:
        return event_id
    return f"{event_id[:150]}#{hashlib.sha256(event_id.encode()).hexdigest()[:40]}"


def _queue_email(notification: Notification) -> EmailDelivery:
    from marketplace.notifications.tasks import send_email

    delivery = EmailDelivery.objects.create(notification=notification)
    transaction.on_commit(lambda: send_email.delay(delivery_id=delivery.pk))
    return delivery


@transaction.atomic
def notifications_mark_read(*, user, public_id: str | None = None) -> int:
    """Mark one notification (or, without an id, all of them) read; returns how many changed."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if public_id is not None:
        unread = unread.filter(public_id=public_id)
    return unread.update(read_at=timezone.now())


# --- preferences ------------------------------------------------------------------------------------


def _flag(item: dict, name: str, errors: list[str]) -> bool | None:
    value = item.get(name)
    if value is None:
        return None
    if not isinstance(value, bool):
        errors.append(f"{name} is true or false.")
    return value if isinstance(value, bool) else None


@transaction.atomic
def preferences_set(*, user, items: list) -> None:
    """Change a person's e-mail and digest choices, kind by kind, all or nothing. Essential kinds
    cannot be switched off; only digestible kinds can wait for the digest."""
    if not isinstance(items, list):
        raise ValidationFailed("Send a list of preferences.", fields={"preferences": ["A list is expected."]})
    errors: dict[str, list[str]] = {}
    changes: list[tuple[registry.Kind, bool | None, bool | None]] = []
    for item in items:
        slug = item.get("kind") if isinstance(item, dict) else None
        spec = registry.KINDS.get(slug) if isinstance(slug, str) else None
        if spec is None or spec.internal:
            errors[str(slug)] = ["Unknown notification kind."]
            continue
        problems: list[str] = []
        email, digest = _flag(item, "email", problems), _flag(item, "digest", problems)
        if spec.essential and email is False:
            problems.append(f"{spec.slug} e-mails are essential (receipts, security) and cannot be turned off.")
        if digest and not spec.digestible:
            problems.append(f"{spec.slug} is sent at once; it cannot wait for the daily digest.")
        if problems:
            errors[spec.slug] = problems
        changes.append((spec, email, digest))
    if errors:
        essential = any("essential" in m for messages in errors.values() for m in messages)
        raise ValidationFailed(
            "Essential e-mails cannot be turned off." if essential else "Some preferences are invalid.",
            code="essential_kind" if essential else None,
            fields=errors,
        )
    for spec, email, digest in changes:
        current_email, current_digest = effective_preference(user, spec)
        NotificationPreference.objects.update_or_create(
            user=user,
            kind=spec.slug,
            defaults={
                "email": current_email if email is None else email,
                "digest": current_digest if digest is None else digest,
            },
        )


# --- unsubscribing ----------------------------------------------------------------------------------


def _salt() -> str:
    # One purpose, one marketplace: a link from another marketplace (or another kind of token) fails.
    return f"notifications.unsubscribe:{connection.schema_name}"


def unsubscribe_token(*, user, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=_salt(), compress=True)


def unsubscribe_read(token: str) -> tuple[int, str]:
    """(user id, kind) of a token; ValidationFailed when it is not one of this marketplace's."""
    try:
        payload = signing.loads(token, salt=_salt())
    except signing.BadSignature:
        raise ValidationFailed("This unsubscribe link is not valid.", code="bad_token") from None
    spec = registry.KINDS.get(payload.get("k"))
    if spec is None or spec.essential:
        raise ValidationFailed("This unsubscribe link is not valid.", code="bad_token")
    return int(payload["u"]), spec.slug


@transaction.atomic
def unsubscribe(*, token: str):
    """Turn e-mail off for the token's kind (for the digest: every kind collected into it)."""
    from accounts.models import User

    user_id, kind = unsubscribe_read(token)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise ValidationFailed("This unsubscribe link is not valid.", code="bad_token")
    if kind == registry.DIGEST:
        NotificationPreference.objects.filter(user=user, digest=True).update(email=False)
    else:
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": False})
    return user, kind


# --- the marketplace's settings ---------------------------------------------------------------------


@transaction.atomic
def marketplace_settings_set(*, actor, items: list) -> None:
    """Switch kinds on or off and change their wording, all or nothing (audited). A wording must
    render with the kind's placeholders; essential kinds stay on."""
    if not isinstance(items, list):
        raise ValidationFailed("Send a list of kinds.", fields={"settings": ["A list is expected."]})
    errors: dict[str, list[str]] = {}
    changes = []
    for item in items:
        slug = item.get("kind") if isinstance(item, dict) else None
        spec = registry.KINDS.get(slug) if isinstance(slug, str) else None
        if spec is None or spec.internal:
            errors[str(slug)] = ["Unknown notification kind."]
            continue
        problems = []
        enabled = _flag(item, "enabled", problems)
        if spec.essential and enabled is False:
            problems.append(f"{spec.slug} is essential and cannot be switched off.")
        wordings = {}
        for field in ("subject", "body"):
            text = item.get(field)
            if text is None:
                continue
            if problem := registry.wording_problem(spec, field, text):
                problems.append(problem)
                continue
            wordings[f"{field}_template"] = text.strip()
        if problems:
            errors[spec.slug] = problems
        changes.append((spec, enabled, wordings))
    if errors:
        raise ValidationFailed("Some notification settings are invalid: fix the kinds listed.", fields=errors)
    for spec, enabled, wordings in changes:
        setting, _ = MarketplaceNotificationSetting.objects.get_or_create(kind=spec.slug)
        before = {"enabled": setting.enabled, "subject": setting.subject_template, "body": setting.body_template}
        if enabled is not None:
            setting.enabled = enabled
        for field, text in wordings.items():
            setattr(setting, field, text)
        setting.save()
        after = {"enabled": setting.enabled, "subject": setting.subject_template, "body": setting.body_template}
        if before != after:
            audit_record(
                actor=actor, action="notifications.setting_changed", target=setting, before=before, after=after
            )


# --- sending ----------------------------------------------------------------------------------------


def email_delivery_send(*, delivery_id: int, final_attempt: bool) -> EmailDelivery | None:
    """Send one queued e-mail. The row stays locked while the mail server is talked to, so two
    workers never both send it; a sent or failed one is left alone. A template that does not render
    fails the delivery at once; a mail server error is recorded and re-raised for the task to retry
    (on the last attempt the delivery fails)."""
    from marketplace.notifications.emails import build_message

    error: Exception | None = None
    with transaction.atomic():
        delivery = (
            EmailDelivery.objects.select_for_update(of=("self",))
            .select_related("notification__user")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.QUEUED:
            return delivery
        delivery.attempts += 1
        try:
            message = build_message(delivery.notification)
        except TEMPLATE_ERRORS as exc:
            logger.exception("notification e-mail %s does not render", delivery.pk)
            delivery.status, delivery.last_error = DeliveryStatus.FAILED, f"template: {exc!r}"[:2000]
            delivery.save(update_fields=["status", "attempts", "last_error", "updated_at"])
            return delivery
        try:
            message.send()
        except SEND_ERRORS as exc:
            error = exc
            delivery.last_error = repr(exc)[:2000]
            if final_attempt:
                delivery.status = DeliveryStatus.FAILED
            delivery.save(update_fields=["status", "attempts", "last_error", "updated_at"])
        else:
            delivery.status, delivery.sent_at, delivery.last_error = DeliveryStatus.SENT, timezone.now(), ""
            delivery.save(update_fields=["status", "attempts", "last_error", "sent_at", "updated_at"])
    if error is not None and not final_attempt:
        raise error  # after the attempt was recorded: the task retries with backoff
    return delivery


# --- the daily digest -------------------------------------------------------------------------------


@transaction.atomic
def _digest_for(user, now) -> Notification | None:
    digest_kinds = NotificationPreference.objects.filter(user=user, email=True, digest=True).values_list(
        "kind", flat=True
    )
    pending = list(
        Notification.objects.select_for_update(of=("self",))
        .filter(user=user, kind__in=list(digest_kinds), digested_at__isnull=True, created_at__lte=now)
        .filter(email_delivery__isnull=True)  # e-mailed on its own before the digest was chosen
        .order_by("created_at", "id")
    )
    if not pending:
        return None
    Notification.objects.filter(pk__in=[n.pk for n in pending]).update(digested_at=now)
    unread = [n for n in pending if n.read_at is None]
    if not unread:
        return None
    lines = "\n".join(f"- {n.title}" for n in unread)
    spec = registry.kind(registry.DIGEST)
    title, body = wording(spec, {"count": str(len(unread))}, None)
    digest = Notification.objects.create(
        user=user,
        kind=registry.DIGEST,
        event_id=f"digest:{now:%Y-%m-%dT%H:%M:%S}:{pending[-1].pk}",
        title=title,
        body=f"{body}\n\n{lines}",
        url="/",
        context={"count": str(len(unread)), "items": [{"title": n.title, "url": n.url} for n in unread]},
        read_at=now,  # the digest is an e-mail; its items are in the app already
    )
    if user.email and user.is_active:
        _queue_email(digest)
    return digest


def digests_send(*, now=None) -> int:
    """Collect each person's undigested notifications of the kinds they chose for the digest into one
    e-mail. Idempotent: collected notifications are marked, so a second run sends nothing new."""
    from accounts.models import User

    now = now or timezone.now()
    since = now - timedelta(days=7)  # older ones are stale: marked without being sent
    users = (
        User.objects.filter(
            notifications__digested_at__isnull=True,
            notifications__created_at__lte=now,
        )
        .filter(pk__in=NotificationPreference.objects.filter(email=True, digest=True).values("user_id"))
        .distinct()
    )
    Notification.objects.filter(digested_at__isnull=True, created_at__lt=since).exclude(kind=registry.DIGEST).update(
        digested_at=now
    )
    return sum(_digest_for(user, now) is not None for user in users)
