"""Checking uploads by their content, not their name."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.common.errors import ValidationFailed

# What the first bytes of each accepted type look like.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/webp": (b"RIFF",),  # followed by size and "WEBP", checked below
}
DANGEROUS = (
    (b"MZ", gettext_lazy("a Windows executable")),
    (b"\x7fELF", gettext_lazy("an executable")),
    (b"#!", gettext_lazy("a script")),
)


def detect_content_type(head: bytes) -> str | None:
    for content_type, prefixes in SIGNATURES.items():
        if any(head.startswith(prefix) for prefix in prefixes):
            if content_type == "image/webp" and head[8:12] != b"WEBP":
                continue
            return content_type
    return None


def check_upload(upload, *, allowed: set[str], max_bytes: int, field: str = "file") -> str:
    """The upload's real content type, or a field error saying what to send instead."""
    if upload is None:
        raise ValidationFailed(_("Attach a file."), fields={field: [_("Attach a file.")]})
    if upload.size > max_bytes:
        raise ValidationFailed(
            _("The file is too large."),
            fields={field: [_("Use a file of at most %(size)s MB.") % {"size": max_bytes // (1024 * 1024)}]},
        )
    head = upload.read(64)
    upload.seek(0)
    kinds = ", ".join(sorted(t.split("/")[1].upper() for t in allowed))
    upload_these = _("Upload %(kinds)s.") % {"kinds": kinds}
    for prefix, what in DANGEROUS:
        if head.startswith(prefix):
            raise ValidationFailed(
                _("This file is %(what)s; it is not accepted.") % {"what": what}, fields={field: [upload_these]}
            )
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<?xml", b"<svg", b"<!doctype", b"<html")):
        raise ValidationFailed(
            _("SVG and HTML files can carry scripts; they are not accepted."), fields={field: [upload_these]}
        )
    content_type = detect_content_type(head)
    if content_type not in allowed:
        raise ValidationFailed(
            _("The file's content is not an accepted type, whatever its name says."),
            fields={field: [upload_these]},
        )
    return content_type
