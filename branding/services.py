"""Changing a marketplace's look: admins edit a draft, preview it, then publish it (or discard it).

Every value is checked before anything is stored — colours must parse and stay readable together,
fonts come from the bundled set, images are real pictures within their size — and a refused change
stores nothing, files included."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import require
from branding import colors, fonts
from branding.models import COLOR_FIELDS, FONT_FIELDS, IMAGE_FIELDS, LOOK_FIELDS, Branding
from branding.selectors import DEFAULTS, forget
from marketplace.audit.services import audit_record
from marketplace.common.errors import ValidationFailed
from marketplace.common.images import EXTENSIONS, image_checked

MAX_FOOTER_LINKS = 8


# Per image: (largest file in bytes, smallest and largest width/height in pixels, what it is for).
IMAGE_RULES: dict[str, tuple[int, int, int, object]] = {
    "logo": (1024 * 1024, 32, 2000, gettext_lazy("the logo")),
    "favicon": (256 * 1024, 16, 512, gettext_lazy("the favicon")),
    "social_image": (2 * 1024 * 1024, 200, 4000, gettext_lazy("the link preview image")),
    "email_logo": (1024 * 1024, 32, 2000, gettext_lazy("the email logo")),
}


def _branding_locked() -> Branding:
    row = Branding.objects.select_for_update().first()
    return row or Branding.objects.create()


def _check_footer_links(value) -> tuple[list[dict], list[str]]:
    if value in (None, ""):
        return [], []
    if not isinstance(value, list):
        return [], [_("Give a list of links, each with a label and an address.")]
    if len(value) > MAX_FOOTER_LINKS:
        return [], [_("Use at most %(count)s footer links.") % {"count": MAX_FOOTER_LINKS}]
    links, errors = [], []
    for number, item in enumerate(value, start=1):
        label = str((item or {}).get("label", "")).strip() if isinstance(item, dict) else ""
        url = str((item or {}).get("url", "")).strip() if isinstance(item, dict) else ""
        if not label and not url:
            continue
        parts = urlsplit(url)
        if not label or len(label) > 40:
            errors.append(_("Link %(number)s: give a label of at most 40 characters.") % {"number": number})
        elif not (url.startswith("/") and not url.startswith("//")) and not (
            parts.scheme in ("http", "https", "mailto") and (parts.netloc or parts.scheme == "mailto")
        ):
            errors.append(
                _("Link %(number)s: use an address starting with https://, http://, mailto: or /.") % {"number": number}
            )
        else:
            links.append({"label": label, "url": url})
    return links, errors


def _checked_changes(changes: dict, current: dict) -> dict:
    """The changes as they will be stored, or ValidationFailed naming every bad field at once."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    unknown = sorted(set(changes) - set(LOOK_FIELDS) - set(IMAGE_FIELDS))
    for key in unknown:
        errors[key] = [_("Not a branding setting.")]
    for key in COLOR_FIELDS:
        if key in changes:
            parsed = colors.parse(changes[key])
            if parsed is None:
                errors[key] = [_("Use a colour written as #RRGGBB, for example #1d4ed8.")]
            else:
                clean[key] = parsed
    for key in FONT_FIELDS:
        if key in changes:
            if changes[key] not in fonts.FONTS:
                errors[key] = [_("Choose one of: %(fonts)s.") % {"fonts": ", ".join(fonts.FONTS)}]
            else:
                clean[key] = changes[key]
    for key, limit in (("tagline", 140), ("email_sender_name", 80)):
        if key in changes:
            text = " ".join(str(changes[key] or "").split())
            if len(text) > limit:
                errors[key] = [_("Use at most %(limit)s characters.") % {"limit": limit}]
            elif any(ch in text for ch in '<>"@'):
                errors[key] = [_('Leave out <, >, " and @.')]
            else:
                clean[key] = text
    if "footer_links" in changes:
        links, problems = _check_footer_links(changes["footer_links"])
        if problems:
            errors["footer_links"] = problems
        else:
            clean["footer_links"] = links
    for key in IMAGE_FIELDS:
        if key in changes and changes[key] not in ("", None):
            errors[key] = [_("Upload the picture as a file.")]
        elif key in changes:
            clean[key] = ""  # removing the image
    if not any(key in errors for key in COLOR_FIELDS):
        merged = {key: clean.get(key, current.get(key) or DEFAULTS[key]) for key in COLOR_FIELDS}
        for key, messages in colors.problems(
            primary=merged["primary_color"],
            accent=merged["accent_color"],
            text=merged["text_color"],
            background=merged["background_color"],
        ).items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationFailed(_("Some branding settings need changing; nothing was saved."), fields=errors)
    return clean


def _checked_image(key: str, upload) -> str:
    """The extension to store `upload` under, or a field error on `key`."""
    max_bytes, smallest, largest, what = IMAGE_RULES[key]
    if upload.size > max_bytes:
        raise ValidationFailed(
            _("The file for %(what)s is too large.") % {"what": what},
            fields={key: [_("Use a file of at most %(size)s KB.") % {"size": max_bytes // 1024}]},
        )
    try:
        content_type, width, height = image_checked(upload)
    except ValidationFailed as exc:
        detail = " ".join([exc.message, *exc.fields.get("file", [])])
        raise ValidationFailed(exc.message, fields={key: [detail]}) from exc
    if min(width, height) < smallest or max(width, height) > largest:
        raise ValidationFailed(
            _("The picture for %(what)s is %(width)s×%(height)s pixels.")
            % {"what": what, "width": width, "height": height},
            fields={
                key: [
                    _("Use a picture between %(smallest)s and %(largest)s pixels on each side.")
                    % {"smallest": smallest, "largest": largest}
                ]
            },
        )
    if key == "favicon" and content_type != "image/png":
        raise ValidationFailed(_("A favicon must be a PNG."), fields={key: [_("Upload a square PNG.")]})
    return EXTENSIONS[content_type]


def branding_draft_update(*, actor, changes: dict, files: dict | None = None) -> Branding:
    """Change the draft. `changes` maps look fields to values (an image to "" removes it); `files`
    maps image fields to uploads. All or nothing: one bad value and nothing is stored."""
    require(actor, "branding.manage")
    files = {key: f for key, f in (files or {}).items() if f is not None}
    with transaction.atomic():
        row = _branding_locked()
        current = row.draft_values()
        clean = _checked_changes(changes, current)
        errors: dict[str, list[str]] = {}
        extensions = {}
        for key, upload in files.items():
            if key not in IMAGE_FIELDS:
                errors[key] = [_("Not a branding picture.")]
                continue
            try:
                extensions[key] = _checked_image(key, upload)
            except ValidationFailed as exc:
                errors.update(exc.fields)
        if errors:
            raise ValidationFailed(_("Some branding settings need changing; nothing was saved."), fields=errors)
        published = {row.published_values()[key] for key in IMAGE_FIELDS}
        replaced = [
            row.draft[key]
            for key in IMAGE_FIELDS
            if key in clean and row.draft.get(key) and row.draft[key] not in published
        ]
        stored: list[str] = []
        try:
            for key, upload in files.items():
                name = default_storage.save(f"branding/{key}-{secrets.token_hex(6)}{extensions[key]}", upload)
                stored.append(name)
                clean[key] = name
            row.draft = row.draft | clean
            row.draft_updated_at = timezone.now()
            row.save(update_fields=["draft", "draft_updated_at", "updated_at"])
        except Exception:
            for name in stored:  # a refused or failed save leaves no file behind
                default_storage.delete(name)
            raise
        transaction.on_commit(lambda: [default_storage.delete(name) for name in replaced])
    return row


def branding_publish(*, actor) -> Branding:
    """Make the draft what visitors see; audited with what changed."""
    require(actor, "branding.manage")
    with transaction.atomic():
        row = _branding_locked()
        before = row.published_values()
        after = row.draft_values()
        changed = {key for key in LOOK_FIELDS if before.get(key) != after.get(key)}
        for key in changed:
            if key in IMAGE_FIELDS:
                getattr(row, key).name = after[key]
            else:
                setattr(row, key, after[key])
        row.draft = {}
        row.published_at = timezone.now()
        row.published_by = actor if getattr(actor, "pk", None) else None
        row.save()
        if changed:
            audit_record(
                actor=actor,
                action="branding.published",
                target=row,
                before={key: before[key] for key in sorted(changed)},
                after={key: after[key] for key in sorted(changed)},
            )
        old_files = [before[key] for key in changed & set(IMAGE_FIELDS) if before[key]]
        transaction.on_commit(lambda: [default_storage.delete(name) for name in old_files])
        transaction.on_commit(forget)
    return row


def branding_draft_discard(*, actor) -> Branding:
    """Drop the draft (and the pictures uploaded only for it)."""
    require(actor, "branding.manage")
    with transaction.atomic():
        row = _branding_locked()
        published = {row.published_values()[key] for key in IMAGE_FIELDS}
        uploaded = [row.draft[key] for key in IMAGE_FIELDS if row.draft.get(key) and row.draft[key] not in published]
        row.draft = {}
        row.draft_updated_at = None
        row.save(update_fields=["draft", "draft_updated_at", "updated_at"])
        transaction.on_commit(lambda: [default_storage.delete(name) for name in uploaded])
    return row
