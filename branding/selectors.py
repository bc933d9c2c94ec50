"""The look of the current host, resolved once per request and cached per marketplace.

`site_look()` reads one cache entry (keys carry the schema through the tenant-aware key function);
on a miss it reads the branding row and the marketplace's settings and stores the result until the
branding or the settings change (`forget()`, called by their services after commit). Within
`once_per_request()` (opened by the web middleware around each page) the entry is read once and
remembered for the rest of the request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from branding import colors, fonts
from branding.models import COLOR_FIELDS, Branding

CACHE_KEY = "branding:look:v1"
CACHE_SECONDS = 24 * 3600
DEFAULTS = {f.name: f.get_default() for f in Branding._meta.concrete_fields if f.has_default()}


@dataclass(frozen=True)
class Look:
    name: str
    locale: str
    palette: colors.Palette
    body_font: fonts.Font
    heading_font: fonts.Font
    tagline: str = ""
    logo_url: str = ""
    favicon_url: str = ""
    social_image_url: str = ""
    email_logo_url: str = ""
    email_sender_name: str = ""
    footer_links: tuple[dict, ...] = field(default_factory=tuple)
    is_draft: bool = False

    @property
    def sender_name(self) -> str:
        return self.email_sender_name or self.name

    def css(self) -> str:
        """`:root` custom properties and the @font-face rules of the chosen fonts (from our static files)."""
        faces = {font.key: fonts.face_rules(font) for font in (self.body_font, self.heading_font)}
        root = (
            f":root{{{self.palette.css_variables()}"
            f"--font-body:{self.body_font.stack};--font-heading:{self.heading_font.stack};}}"
        )
        return "".join(faces.values()) + root


def image_url(name: str) -> str:
    if not name:
        return ""
    from django.core.files.storage import default_storage

    return default_storage.url(name)


def look_from(values: dict, *, name: str, locale: str, is_draft: bool = False) -> Look:
    """A Look from branding values (published or draft), assumed valid."""
    parsed = {key: colors.parse(values[key]) or DEFAULTS[key] for key in COLOR_FIELDS}
    return Look(
        name=name,
        locale=locale,
        palette=colors.palette(
            primary=parsed["primary_color"],
            accent=parsed["accent_color"],
            text=parsed["text_color"],
            background=parsed["background_color"],
        ),
        body_font=fonts.font(values.get("body_font") or fonts.DEFAULT_FONT),
        heading_font=fonts.font(values.get("heading_font") or fonts.DEFAULT_FONT),
        tagline=values.get("tagline") or "",
        logo_url=image_url(values.get("logo") or ""),
        favicon_url=image_url(values.get("favicon") or ""),
        social_image_url=image_url(values.get("social_image") or ""),
        email_logo_url=image_url(values.get("email_logo") or values.get("logo") or ""),
        email_sender_name=values.get("email_sender_name") or "",
        footer_links=tuple(values.get("footer_links") or ()),
        is_draft=is_draft,
    )


def branding_row() -> Branding | None:
    return Branding.objects.first()


def _is_marketplace() -> bool:
    tenant = getattr(connection, "tenant", None)
    return bool(tenant is not None and getattr(tenant, "pk", None) and connection.schema_name != "public")


def platform_look() -> Look:
    defaults = {key: DEFAULTS[key] for key in (*COLOR_FIELDS, "body_font", "heading_font")}
    return look_from(defaults, name=settings.PLATFORM_NAME, locale=settings.LANGUAGE_CODE)


# schema -> published look, for the request being served (None outside one).
_request_looks: ContextVar[dict[str, Look] | None] = ContextVar("request_looks", default=None)


def site_look(*, draft: bool = False) -> Look:
    """The current marketplace's look (the platform's on the platform host). `draft=True` shows the
    unpublished draft (for the admin previewing it; never cached)."""
    if not _is_marketplace():
        return platform_look()
    remembered = _request_looks.get()
    if not draft:
        if remembered is not None and connection.schema_name in remembered:
            return remembered[connection.schema_name]
        found = cache.get(CACHE_KEY)
        if found is not None:
            if remembered is not None:
                remembered[connection.schema_name] = found
            return found
    from marketplace.configuration.selectors import marketplace_settings

    market = marketplace_settings()
    row = branding_row()
    values = DEFAULTS | ((row.draft_values() if draft else row.published_values()) if row else {})
    look = look_from(
        values,
        name=market.display_name or connection.tenant.name,
        locale=market.locale or settings.LANGUAGE_CODE,
        is_draft=draft and bool(row and row.draft),
    )
    if not draft:
        cache.set(CACHE_KEY, look, CACHE_SECONDS)
        if remembered is not None:
            remembered[connection.schema_name] = look
    return look


@contextmanager
def once_per_request() -> Iterator[None]:
    """Within: `site_look()` reads the cache at most once per marketplace."""
    token = _request_looks.set({})
    try:
        yield
    finally:
        _request_looks.reset(token)


def forget() -> None:
    """Drop the current marketplace's cached look (after its branding or settings changed)."""
    cache.delete(CACHE_KEY)
    remembered = _request_looks.get()
    if remembered is not None:
        remembered.pop(connection.schema_name, None)


def sender_address() -> str:
    """The From of the current marketplace's emails: its sender name (or name) and the platform's
    sending address (the platform's name on the platform host)."""
    from email.utils import formataddr

    return formataddr((site_look().sender_name, settings.DEFAULT_FROM_EMAIL))
