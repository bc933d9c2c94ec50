"""The fonts a marketplace can choose from. Every one is served from our own static files (no font
CDN): variable fonts as one file covering the weight range, the others one file per weight."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Font:
    key: str
    label: str
    family: str  # the CSS family name the @font-face rules declare ("" for the system font)
    fallback: str  # what the browser uses while the file loads, or when it cannot
    faces: tuple[tuple[str, str], ...] = ()  # (font-weight descriptor, file under static/vendor/fonts/)

    @property
    def face_css(self) -> str:
        return face_rules(self)

    @property
    def stack(self) -> str:
        return f'"{self.family}", {self.fallback}' if self.family else self.fallback


SANS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
SERIF = 'Georgia, "Times New Roman", serif'

FONTS: dict[str, Font] = {
    f.key: f
    for f in (
        Font("system", "System (the device's own)", "", SANS),
        Font("inter", "Inter (clean sans-serif)", "Inter", SANS, (("100 900", "inter-latin-wght.woff2"),)),
        Font(
            "ibm-plex-sans",
            "IBM Plex Sans (technical sans-serif)",
            "IBM Plex Sans",
            SANS,
            (
                ("400", "ibm-plex-sans-latin-400.woff2"),
                ("600", "ibm-plex-sans-latin-600.woff2"),
                ("700", "ibm-plex-sans-latin-700.woff2"),
            ),
        ),
        Font("nunito", "Nunito (rounded, friendly)", "Nunito", SANS, (("200 1000", "nunito-latin-wght.woff2"),)),
        Font(
            "source-serif",
            "Source Serif 4 (editorial serif)",
            "Source Serif 4",
            SERIF,
            (("200 900", "source-serif-4-latin-wght.woff2"),),
        ),
        Font("lora", "Lora (warm serif)", "Lora", SERIF, (("400 700", "lora-latin-wght.woff2"),)),
        Font(
            "merriweather",
            "Merriweather (sturdy serif)",
            "Merriweather",
            SERIF,
            (("400", "merriweather-latin-400.woff2"), ("700", "merriweather-latin-700.woff2")),
        ),
    )
}

DEFAULT_FONT = "inter"


def font(key: str) -> Font:
    return FONTS.get(key) or FONTS[DEFAULT_FONT]


def face_rules(font: Font) -> str:
    """The @font-face rules of one font, pointing at our static files."""
    from django.templatetags.static import static

    return "".join(
        f'@font-face{{font-family:"{font.family}";src:url("{static(f"vendor/fonts/{filename}")}") format("woff2");'
        f"font-weight:{weight};font-style:normal;font-display:swap}}"
        for weight, filename in font.faces
    )


def choices() -> list[tuple[str, str]]:
    return [(f.key, f.label) for f in FONTS.values()]
