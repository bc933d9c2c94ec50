"""The demo marketplaces' looks: colours, fonts, footer links and a logo mark drawn here (so the
demo needs no image files), applied through the same services an admin uses."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from branding import colors
from branding.models import Branding
from branding.services import branding_draft_update, branding_publish

LOOKS: dict[str, dict] = {
    "university": {
        "primary_color": "#1e3a8a",
        "accent_color": "#9a3412",
        "text_color": "#0f172a",
        "background_color": "#f5f7fb",
        "heading_font": "source-serif",
        "body_font": "inter",
        "tagline": "Book a tutor who has sat the same exams.",
        "footer_links": [
            {"label": "Student support", "url": "/help/"},
            {"label": "Academic integrity", "url": "/about/"},
        ],
        "mark": "crest",
    },
    "agency": {
        "primary_color": "#6d28d9",
        "accent_color": "#be185d",
        "text_color": "#1c1917",
        "background_color": "#fffaf5",
        "heading_font": "nunito",
        "body_font": "nunito",
        "tagline": "Design, development and marketing from people who ship.",
        "footer_links": [{"label": "How it works", "url": "/help/"}, {"label": "About us", "url": "/about/"}],
        "mark": "sun",
    },
    "law_firm": {
        "primary_color": "#14532d",
        "accent_color": "#854d0e",
        "text_color": "#1c1917",
        "background_color": "#faf7f0",
        "heading_font": "merriweather",
        "body_font": "source-serif",
        "tagline": "Clear legal advice, booked in minutes.",
        "footer_links": [
            {"label": "Client care", "url": "/help/"},
            {"label": "About the firm", "url": "/about/"},
        ],
        "mark": "pillars",
    },
}


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def draw_mark(kind: str, primary: str, accent: str, size: int = 160):
    """A square logo mark: a crest, a sun or a row of pillars in the brand's colours."""
    from PIL import Image, ImageDraw

    scale = 4  # drawn large, then scaled down for smooth edges
    s = size * scale
    image = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    p, a, white = _rgb(primary), _rgb(accent), (255, 255, 255)
    if kind == "crest":
        draw.polygon(
            [(s * 0.12, s * 0.08), (s * 0.88, s * 0.08), (s * 0.88, s * 0.5), (s * 0.5, s * 0.95), (s * 0.12, s * 0.5)],
            fill=p,
        )
        draw.polygon(
            [
                (s * 0.2, s * 0.42),
                (s * 0.5, s * 0.24),
                (s * 0.8, s * 0.42),
                (s * 0.8, s * 0.54),
                (s * 0.5, s * 0.36),
                (s * 0.2, s * 0.54),
            ],
            fill=a,
        )
        draw.rectangle([s * 0.3, s * 0.58, s * 0.7, s * 0.64], fill=white)
    elif kind == "sun":
        draw.rounded_rectangle([0, 0, s - 1, s - 1], radius=s * 0.24, fill=p)
        draw.ellipse([s * 0.26, s * 0.26, s * 0.74, s * 0.74], fill=a)
        draw.pieslice([s * 0.26, s * 0.26, s * 0.74, s * 0.74], 180, 360, fill=white)
    else:  # pillars
        draw.ellipse([0, 0, s - 1, s - 1], fill=p)
        draw.polygon([(s * 0.2, s * 0.36), (s * 0.5, s * 0.18), (s * 0.8, s * 0.36)], fill=a)
        for left in (0.27, 0.45, 0.63):
            draw.rectangle([s * left, s * 0.42, s * (left + 0.1), s * 0.7], fill=white)
        draw.rectangle([s * 0.2, s * 0.74, s * 0.8, s * 0.8], fill=a)
    return image.resize((size, size), Image.LANCZOS)


def draw_social(primary: str, accent: str, mark):
    """A 1200×630 link-preview picture: the brand gradient with the mark."""
    from PIL import Image

    width, height = 1200, 630
    start, end = _rgb(primary), _rgb(accent)
    image = Image.new("RGB", (width, height))
    for x in range(width):
        t = x / (width - 1)
        column = tuple(round(s + (e - s) * t) for s, e in zip(start, end, strict=True))
        image.paste(column, (x, 0, x + 1, height))
    big = mark.resize((260, 260))
    image.paste(big, ((width - 260) // 2, (height - 260) // 2), big)
    return image


MOTIFS = ("book", "chart", "code", "pen", "scales", "house", "megaphone", "people")


def draw_cover(motif: str, primary: str, accent: str, *, seed: int = 0):
    """A 1200×800 listing picture: the brand's gradient, soft shapes and a simple white motif."""
    import random

    from PIL import Image, ImageDraw, ImageFilter

    width, height = 1200, 800
    start, end = _rgb(primary), _rgb(accent)
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):  # the gradient, drawn line by line
        t = 0.2 + 0.6 * y / height
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(start, end, strict=True)))
    shapes = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    soft = ImageDraw.Draw(shapes)
    rng = random.Random(seed)  # noqa: S311 - decoration, not security
    for _ in range(7):
        r = rng.randint(80, 260)
        x, y = rng.randint(-100, width), rng.randint(-100, height)
        soft.ellipse([x - r, y - r, x + r, y + r], fill=(255, 255, 255, rng.randint(18, 40)))
    shapes = shapes.filter(ImageFilter.GaussianBlur(6))
    image.paste(shapes, (0, 0), shapes)
    mark = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    m = ImageDraw.Draw(mark)
    white, cx, cy, u = (255, 255, 255, 235), width // 2, height // 2, 34
    line = dict(fill=white, width=16)
    if motif == "book":
        m.polygon(
            [(cx - 7 * u, cy - 4 * u), (cx, cy - 3 * u), (cx, cy + 5 * u), (cx - 7 * u, cy + 4 * u)],
            outline=white,
            width=16,
        )
        m.polygon(
            [(cx + 7 * u, cy - 4 * u), (cx, cy - 3 * u), (cx, cy + 5 * u), (cx + 7 * u, cy + 4 * u)],
            outline=white,
            width=16,
        )
    elif motif == "chart":
        for i, h in enumerate((3, 5, 4, 7)):
            m.rounded_rectangle(
                [cx - 6 * u + i * 3 * u, cy + 4 * u - h * u, cx - 4 * u + i * 3 * u, cy + 4 * u], 10, fill=white
            )
    elif motif == "code":
        m.line([(cx - 3 * u, cy - 4 * u), (cx - 7 * u, cy), (cx - 3 * u, cy + 4 * u)], **line, joint="curve")
        m.line([(cx + 3 * u, cy - 4 * u), (cx + 7 * u, cy), (cx + 3 * u, cy + 4 * u)], **line, joint="curve")
        m.line([(cx + u, cy - 5 * u), (cx - u, cy + 5 * u)], **line)
    elif motif == "pen":
        m.polygon(
            [
                (cx - 5 * u, cy + 5 * u),
                (cx - 4 * u, cy + 2 * u),
                (cx + 4 * u, cy - 6 * u),
                (cx + 6 * u, cy - 4 * u),
                (cx - 2 * u, cy + 4 * u),
            ],
            fill=white,
        )
    elif motif == "scales":
        m.line([(cx, cy - 5 * u), (cx, cy + 5 * u)], **line)
        m.line([(cx - 6 * u, cy - 3 * u), (cx + 6 * u, cy - 3 * u)], **line)
        for side in (-1, 1):
            m.pieslice([cx + side * 6 * u - 3 * u, cy - u, cx + side * 6 * u + 3 * u, cy + 3 * u], 0, 180, fill=white)
        m.rectangle([cx - 3 * u, cy + 5 * u, cx + 3 * u, cy + 6 * u], fill=white)
    elif motif == "house":
        m.polygon([(cx - 6 * u, cy - u), (cx, cy - 6 * u), (cx + 6 * u, cy - u)], fill=white)
        m.rectangle([cx - 4 * u, cy - u, cx + 4 * u, cy + 5 * u], outline=white, width=16)
    elif motif == "megaphone":
        m.polygon(
            [(cx - 5 * u, cy - 2 * u), (cx + 4 * u, cy - 6 * u), (cx + 4 * u, cy + 6 * u), (cx - 5 * u, cy + 2 * u)],
            fill=white,
        )
    else:  # people
        for dx in (-3, 3):
            m.ellipse([cx + dx * u - 2 * u, cy - 5 * u, cx + dx * u + 2 * u, cy - u], fill=white)
            m.pieslice([cx + dx * u - 4 * u, cy, cx + dx * u + 4 * u, cy + 8 * u], 180, 360, fill=white)
    image.paste(mark, (0, 0), mark)
    return image


def cover_upload(title: str, kind: str, motif: str, seed: int) -> SimpleUploadedFile:
    """A JPEG upload of a demo listing's picture in the marketplace kind's colours."""
    spec = LOOKS[kind]
    out = io.BytesIO()
    draw_cover(motif, spec["primary_color"], spec["accent_color"], seed=seed).save(out, format="JPEG", quality=86)
    return SimpleUploadedFile(f"{seed}.jpg", out.getvalue(), content_type="image/jpeg")


def ensure_demo_branding(*, kind: str, admin) -> Branding | None:
    """Give a demo marketplace its look once (an admin's later changes are kept)."""
    spec = LOOKS.get(kind)
    row = Branding.objects.first()
    if spec is None or (row is not None and row.published_at is not None):
        return row
    mark = draw_mark(spec["mark"], spec["primary_color"], spec["accent_color"])
    favicon = mark.resize((64, 64))
    files = {
        "logo": SimpleUploadedFile("logo.png", _png(mark), content_type="image/png"),
        "favicon": SimpleUploadedFile("favicon.png", _png(favicon), content_type="image/png"),
        "social_image": SimpleUploadedFile(
            "social.png", _png(draw_social(spec["primary_color"], spec["accent_color"], mark)), content_type="image/png"
        ),
    }
    changes = {key: value for key, value in spec.items() if key != "mark"}
    assert not colors.problems(
        primary=spec["primary_color"],
        accent=spec["accent_color"],
        text=spec["text_color"],
        background=spec["background_color"],
    ), kind
    branding_draft_update(actor=admin, changes=changes, files=files)
    return branding_publish(actor=admin)
