"""The page editor in the marketplace's colours: Wagtail's admin reads its colours from custom
properties (`--w-color-primary-*` for the sidebar, `--w-color-secondary-*` for buttons, links and
focus), given as hue, saturation and lightness; we set them from the marketplace's look, keeping
Wagtail's white text readable on both."""

from __future__ import annotations

import colorsys

from branding import colors

BLACK = "#000000"


def _hsl(color: str) -> tuple[float, float, float]:
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    return round(hue * 360, 1), round(saturation * 100, 1), round(lightness * 100, 1)


def _custom_properties(name: str, color: str) -> str:
    hue, saturation, lightness = _hsl(color)
    return (
        f"--w-color-{name}-hue:{hue};--w-color-{name}-saturation:{saturation}%;--w-color-{name}-lightness:{lightness}%;"
    )


def admin_css(palette: colors.Palette) -> str:
    """`:root` rules giving Wagtail's admin the marketplace's primary colour: the accent (buttons,
    links) is the primary darkened until white text reads on it (4.5:1), the sidebar a deep shade
    of it."""
    accent = colors.readable_towards(palette.primary, (colors.WHITE,), BLACK)
    sidebar = colors.readable_towards(colors.mix(palette.primary, BLACK, 0.55), (colors.WHITE,), BLACK)
    return ":root,:host{" + _custom_properties("secondary", accent) + _custom_properties("primary", sidebar) + "}"
