"""Colour arithmetic for branding: parsing, WCAG 2 contrast, and the palette derived from the four
colours an admin chooses. Readability is checked here, so an unreadable combination is refused
before it is saved, never discovered by a visitor."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

HEX = re.compile(r"^#[0-9a-f]{6}$")
WHITE = "#ffffff"
INK = "#111827"  # the dark text used on light brand colours
MIN_TEXT_CONTRAST = 4.5  # WCAG 2 AA for normal text


def parse(value) -> str | None:
    """`#RRGGBB` in lower case, from `#rgb`/`#rrggbb` with or without the hash; None when it is not a colour."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if not text.startswith("#"):
        text = f"#{text}"
    if re.fullmatch(r"#[0-9a-f]{3}", text):
        text = "#" + "".join(ch * 2 for ch in text[1:])
    return text if HEX.match(text) else None


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def luminance(color: str) -> float:
    """Relative luminance (WCAG 2)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(a: str, b: str, amount: float) -> str:
    """`a` moved `amount` (0..1) of the way towards `b`."""
    ra, ga, ba = _rgb(a)
    rb, gb, bb = _rgb(b)
    return "#" + "".join(f"{round(x + (y - x) * amount):02x}" for x, y in ((ra, rb), (ga, gb), (ba, bb)))


def on_color(background: str) -> str:
    """White or ink, whichever reads better on `background`."""
    return WHITE if contrast(WHITE, background) >= contrast(INK, background) else INK


def readable_towards(color: str, backgrounds: tuple[str, ...], goal: str) -> str:
    """`color` moved towards `goal` in small steps until it reads on every one of `backgrounds` (links
    in the brand colour on a background it is too pale for)."""
    for step in range(21):
        candidate = mix(color, goal, step / 20)
        if min(contrast(candidate, b) for b in backgrounds) >= MIN_TEXT_CONTRAST:
            return candidate
    return goal


@dataclass(frozen=True)
class Palette:
    primary: str
    on_primary: str
    accent: str
    on_accent: str
    text: str
    muted: str
    background: str
    surface: str
    border: str
    link: str

    def css_variables(self) -> str:
        names = {
            "primary": self.primary,
            "primary-text": self.on_primary,
            "accent": self.accent,
            "accent-text": self.on_accent,
            "text": self.text,
            "muted": self.muted,
            "background": self.background,
            "surface": self.surface,
            "border": self.border,
            "link": self.link,
        }
        return "".join(f"--color-{name}:{value};" for name, value in names.items())


def problems(*, primary: str, accent: str, text: str, background: str) -> dict[str, list[str]]:
    """Field errors for combinations people could not read (all four colours already parsed)."""
    errors: dict[str, list[str]] = {}
    ratio = contrast(text, background)
    if ratio < MIN_TEXT_CONTRAST:
        message = _(
            "Text on this background has a contrast of %(ratio)s:1; it needs at least 4.5:1. "
            "Make one of them darker or lighter."
        ) % {"ratio": _ratio(ratio)}
        errors["text_color"] = [message]
        errors["background_color"] = [message]
    for field, color in (("primary_color", primary), ("accent_color", accent)):
        best = contrast(on_color(color), color)
        if best < MIN_TEXT_CONTRAST:
            errors[field] = [
                _(
                    "Neither white nor dark text is readable on %(color)s (best %(ratio)s:1, needs 4.5:1): "
                    "choose a darker or a lighter shade."
                )
                % {"color": color, "ratio": _ratio(best)}
            ]
    return errors


def _ratio(value: float) -> str:
    """A contrast ratio with one decimal, written the way the active language writes numbers."""
    return number_format(Decimal(f"{value:.1f}"), decimal_pos=1)


def palette(*, primary: str, accent: str, text: str, background: str) -> Palette:
    """Every colour the pages use, derived from the four an admin chose (assumed readable)."""
    light = luminance(background) > 0.5
    surface = mix(background, WHITE, 0.75) if light else mix(background, text, 0.07)
    if contrast(text, surface) < MIN_TEXT_CONTRAST:
        surface = background
    muted = text
    for step in range(9, -1, -1):  # as far towards the background as stays readable, at most 45%
        candidate = mix(text, background, step * 0.05)
        if min(contrast(candidate, background), contrast(candidate, surface)) >= MIN_TEXT_CONTRAST:
            muted = candidate
            break
    return Palette(
        primary=primary,
        on_primary=on_color(primary),
        accent=accent,
        on_accent=on_color(accent),
        text=text,
        muted=muted,
        background=background,
        surface=surface,
        border=mix(background, text, 0.16),
        link=readable_towards(primary, (background, surface), text),
    )
