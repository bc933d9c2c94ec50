"""Reading notifications, preferences and the marketplace's settings."""

from __future__ import annotations

from django.db.models import QuerySet

from marketplace.notifications import kinds as registry
from marketplace.notifications.models import MarketplaceNotificationSetting, Notification, NotificationPreference


def notifications_of(user) -> QuerySet[Notification]:
    """A person's notifications, newest first (the digest e-mails are not listed: their items are)."""
    return Notification.objects.filter(user=user).exclude(kind=registry.DIGEST).order_by("-created_at", "-id")


def unread_count(user) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()


def marketplace_setting(kind: str) -> MarketplaceNotificationSetting | None:
    return MarketplaceNotificationSetting.objects.filter(kind=kind).first()


def effective_preference(user, spec: registry.Kind) -> tuple[bool, bool]:
    """(email, digest) for one kind: the person's choice, else the kind's default. Essential kinds
    are always e-mailed at once."""
    if spec.essential:
        return True, False
    row = NotificationPreference.objects.filter(user=user, kind=spec.slug).first()
    if row is None:
        return spec.default_email, False
    return row.email, row.digest and spec.digestible


def preferences_of(user) -> list[dict]:
    """Every configurable kind with its effective values."""
    rows = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    out = []
    for spec in registry.configurable():
        row = rows.get(spec.slug)
        if spec.essential:
            email, digest = True, False
        elif row is None:
            email, digest = spec.default_email, False
        else:
            email, digest = row.email, row.digest and spec.digestible
        out.append(
            {
                "kind": spec.slug,
                "audience": spec.audience,
                "email": email,
                "digest": digest,
                "essential": spec.essential,
                "digestible": spec.digestible,
                "default_email": spec.default_email,
            }
        )
    return out


def marketplace_settings_of() -> list[dict]:
    """Every configurable kind as the marketplace has it (its wording, or the default's)."""
    rows = {s.kind: s for s in MarketplaceNotificationSetting.objects.all()}
    out = []
    for spec in registry.configurable():
        row = rows.get(spec.slug)
        out.append(
            {
                "kind": spec.slug,
                "audience": spec.audience,
                "essential": spec.essential,
                "enabled": True if row is None else row.enabled or spec.essential,
                "subject": row.subject_template if row else "",
                "body": row.body_template if row else "",
                "default_subject": spec.title,
                "default_body": spec.body,
                "placeholders": list(spec.placeholders),
            }
        )
    return out


# Made-up values for previews of a kind's wording.
PREVIEW_VALUES = {
    "listing": "Calculus tutoring",
    "client": "Priya Shah",
    "provider": "Amira Haddad",
    "booking": "bkg_7Hq2Lm",
    "dispute": "dsp_4Kx9Qa",
    "when": "Tue 3 Mar, 14:00",
    "amount": "£45.00",
    "reviewer": "Priya Shah",
    "outcome": "a full refund",
    "decision": "approved",
    "sender": "Amira Haddad",
    "count": "3",
    "badges": "Verified identity",
    "event": "Your card was declined",
    "grace_days": "7",
    "interval": "month",
    "invoice": "INV-2026-0042",
    "marketplace": "Northbridge Tutoring",
    "plan": "Growth",
    "reason": "The document was unreadable.",
    "step": "The provider answered",
}


def wording_preview(kind: str, *, subject: str = "", body: str = "") -> dict:
    """How a kind reads with a wording (blank: the default) and made-up values: `subject`, `body` and
    `problems` per field ("subject"/"body" → message) for wording that would not render — which the
    service refuses to save."""
    spec = registry.KINDS[kind]
    values = {name: PREVIEW_VALUES.get(name, f"<{name}>") for name in spec.placeholders}
    out: dict = {"problems": {}}
    for field, text, default in (("subject", subject, spec.title), ("body", body, spec.body)):
        text = (text or "").strip() or default
        problem = registry.wording_problem(spec, field, text)
        if problem:
            out["problems"][field] = problem
            out[field] = ""
        else:
            out[field] = registry.render_wording(text, values)
    return out
