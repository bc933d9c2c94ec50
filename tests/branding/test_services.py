"""Branding: a draft checked before anything is stored, published with an audit row, resolved per
marketplace and cached under the marketplace's own key."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from branding import colors
from branding.models import Branding
from branding.selectors import CACHE_KEY, once_per_request, site_look
from branding.services import branding_draft_discard, branding_draft_update, branding_publish
from marketplace.audit.models import AuditEvent
from marketplace.common.errors import PermissionDenied, ValidationFailed
from tenants.context import tenant_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _png(width=64, height=64, color=(30, 58, 138)) -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return SimpleUploadedFile("logo.png", out.getvalue(), content_type="image/png")


def _admin():
    return UserFactory(is_marketplace_admin=True)


def _stored(tenant) -> set[str]:
    """Every branding file stored for the marketplace."""
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.MEDIA_ROOT) / tenant.schema_name / "branding"
    return {p.name for p in folder.glob("*")} if folder.exists() else set()


# --- colours -----------------------------------------------------------------------------------------


def test_contrast_follows_wcag():
    assert colors.contrast("#ffffff", "#000000") == pytest.approx(21.0)
    assert colors.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert colors.parse("1D4ED8") == "#1d4ed8"
    assert colors.parse("#abc") == "#aabbcc"
    assert colors.parse("blue") is None and colors.parse("#12345g") is None


def test_the_derived_palette_stays_readable_for_light_and_dark_looks():
    for primary, accent, text, background in (
        ("#1e3a8a", "#9a3412", "#0f172a", "#f5f7fb"),
        ("#fbbf24", "#22d3ee", "#f8fafc", "#0b1220"),  # a dark look with pale brand colours
    ):
        palette = colors.palette(primary=primary, accent=accent, text=text, background=background)
        for foreground, surface in (
            (palette.text, palette.background),
            (palette.text, palette.surface),
            (palette.muted, palette.background),
            (palette.muted, palette.surface),
            (palette.link, palette.background),
            (palette.link, palette.surface),
            (palette.on_primary, palette.primary),
            (palette.on_accent, palette.accent),
        ):
            assert colors.contrast(foreground, surface) >= 4.5, (foreground, surface)


# --- the draft ------------------------------------------------------------------------------------------


def test_admin_saves_a_draft_that_visitors_do_not_see_until_published(tenant_a, run_on_commit):
    with tenant_context(tenant_a):
        admin = _admin()
        before = site_look()

        # when
        branding_draft_update(
            actor=admin,
            changes={"primary_color": "#14532D", "heading_font": "merriweather", "tagline": "  Clear   advice "},
            files={"logo": _png()},
        )

        # then: visitors still see the published look; the draft keeps the new values
        row = Branding.objects.get()
        assert site_look() == before
        assert row.draft["primary_color"] == "#14532d" and row.draft["tagline"] == "Clear advice"
        assert default_storage.exists(row.draft["logo"])
        draft = site_look(draft=True)
        assert draft.is_draft and draft.palette.primary == "#14532d" and draft.heading_font.key == "merriweather"

        # when published
        with run_on_commit():
            branding_publish(actor=admin)

        # then
        look = site_look()
        row.refresh_from_db()
        assert look.palette.primary == "#14532d" and look.logo_url.endswith(".png") and not look.is_draft
        assert row.draft == {} and row.published_by == admin and row.logo.name.startswith("alpha/branding/logo-")
        event = AuditEvent.objects.get(action="branding.published")
        assert event.after["primary_color"] == "#14532d" and "logo" in event.after
        assert event.before["primary_color"] == "#3346d3"


def test_a_request_reads_the_look_once_and_a_publish_within_it_is_seen(tenant_a, tenant_b, run_on_commit):
    from django.core.cache import cache

    with tenant_context(tenant_a):
        admin = _admin()
        with once_per_request():
            # given: the look read once in a request
            first = site_look()

            # when: the cached entry changes behind the request's back (as another process would)
            cache.set(CACHE_KEY, "not a look")

            # then: the request keeps the look it read; beta's is its own
            assert site_look() is first
            with tenant_context(tenant_b):
                assert site_look().name == tenant_b.name
            assert site_look() is first

            # when: the branding is published within the request
            branding_draft_update(actor=admin, changes={"primary_color": "#14532d"})
            with run_on_commit():
                branding_publish(actor=admin)

            # then: the rest of the request sees the new look
            assert site_look().palette.primary == "#14532d"

        # and outside a request nothing is remembered: each call reads the cache
        cache.set(CACHE_KEY, "read from the cache")
        assert site_look() == "read from the cache"
        cache.delete(CACHE_KEY)


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"primary_color": "navy"}, "primary_color", "#RRGGBB"),
        ({"text_color": "#999999", "background_color": "#aaaaaa"}, "text_color", "needs at least 4.5:1"),
        ({"accent_color": "#7a7a7a"}, "accent_color", "Neither white nor dark text"),
        ({"heading_font": "comic-sans"}, "heading_font", "Choose one of"),
        ({"footer_links": [{"label": "Help", "url": "javascript:alert(1)"}]}, "footer_links", "https://"),
        ({"footer_links": [{"label": "x", "url": "/a/"}] * 9}, "footer_links", "at most 8"),
        ({"tagline": "x" * 141}, "tagline", "at most 140"),
        ({"email_sender_name": "Support <evil@example.com>"}, "email_sender_name", "Leave out"),
    ],
)
def test_bad_values_are_refused_with_the_field_and_nothing_is_stored(tenant_a, changes, field, words):
    with tenant_context(tenant_a):
        admin = _admin()
        files_before = _stored(tenant_a)
        with pytest.raises(ValidationFailed) as refused:
            branding_draft_update(actor=admin, changes=changes, files={"logo": _png()})

        assert words in " ".join(refused.value.fields[field])
        row = Branding.objects.first()
        assert row is None or row.draft == {}
        assert _stored(tenant_a) == files_before  # the logo that came with the bad values was not kept


@pytest.mark.parametrize(
    "key, upload, words",
    [
        ("logo", SimpleUploadedFile("logo.png", b"MZ\x90\x00" + b"\x00" * 100), "executable"),
        ("logo", SimpleUploadedFile("logo.svg", b"<svg onload='alert(1)'></svg>"), "SVG"),
        ("logo", SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), "damaged"),
        ("favicon", "tiny", "between 16 and 512"),
        ("logo", "huge-bytes", "at most 1024 KB"),
    ],
)
def test_bad_pictures_are_refused_next_to_their_field(tenant_a, key, upload, words):
    if upload == "tiny":
        upload = _png(8, 8)
    elif upload == "huge-bytes":
        upload = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024 + 1))
    with tenant_context(tenant_a):
        admin = _admin()
        with pytest.raises(ValidationFailed) as refused:
            branding_draft_update(actor=admin, changes={"tagline": "New"}, files={key: upload})

        assert words in " ".join(refused.value.fields[key])
        assert Branding.objects.filter(draft__has_key="tagline").count() == 0


def test_only_admins_change_branding(tenant_a):
    with tenant_context(tenant_a):
        provider = UserFactory(is_provider=True)
        with pytest.raises(PermissionDenied):
            branding_draft_update(actor=provider, changes={"primary_color": "#000000"})
        with pytest.raises(PermissionDenied):
            branding_publish(actor=provider)
        assert not Branding.objects.exists()


def test_discarding_drops_the_draft_and_its_pictures_but_keeps_the_published_ones(tenant_a, run_on_commit):
    with tenant_context(tenant_a):
        admin = _admin()
        with run_on_commit():
            branding_draft_update(actor=admin, changes={}, files={"logo": _png()})
            branding_publish(actor=admin)
        published_logo = Branding.objects.get().logo.name
        with run_on_commit():
            branding_draft_update(
                actor=admin, changes={"primary_color": "#000000"}, files={"logo": _png(color=(0, 0, 0))}
            )
        draft_logo = Branding.objects.get().draft["logo"]

        # when
        with run_on_commit():
            branding_draft_discard(actor=admin)

        # then
        row = Branding.objects.get()
        assert row.draft == {} and row.logo.name == published_logo
        assert default_storage.exists(published_logo) and not default_storage.exists(draft_logo)


# --- per marketplace ----------------------------------------------------------------------------------------


def test_each_marketplace_has_its_own_look_and_cache_entry(tenant_a, tenant_b, run_on_commit):
    with tenant_context(tenant_b):
        beta_before = site_look()  # cached for beta
    with tenant_context(tenant_a):
        admin = _admin()
        with run_on_commit():
            branding_draft_update(actor=admin, changes={"primary_color": "#14532d"})
            branding_publish(actor=admin)
        assert site_look().palette.primary == "#14532d"
        assert site_look().name == "Alpha University"

    with tenant_context(tenant_b):
        beta = site_look()
        assert beta == beta_before and beta.palette.primary == "#3346d3" and beta.name == "Beta Agency"
    connection.set_schema_to_public()
    assert site_look().name != "Alpha University"  # the platform's own look


def test_the_cached_look_is_dropped_when_the_name_or_language_changes(tenant_a, run_on_commit):
    from marketplace.configuration.services import marketplace_settings_update

    with tenant_context(tenant_a):
        admin = _admin()
        assert site_look().name == "Alpha University"
        with run_on_commit():
            marketplace_settings_update(actor=admin, changes={"display_name": "Alpha Tutoring", "locale": "fr"})
        assert (site_look().name, site_look().locale) == ("Alpha Tutoring", "fr")


# --- the API ---------------------------------------------------------------------------------------------


def test_admins_change_and_publish_the_look_through_the_api(api_a, api_b, tenant_a, run_on_commit):
    from tests.bookings.test_booking_api import _auth

    admin = _auth(api_a, "admin@alpha.test")

    bad = api_a.patch(
        "/api/v1/marketplace/branding/", {"text_color": "#999", "background_color": "#aaa"}, format="json", **admin
    )
    logo = api_a.patch(
        "/api/v1/marketplace/branding/",
        {"logo": _png(), "changes": '{"primary_color": "#14532d"}'},
        format="multipart",
        **admin,
    )
    with run_on_commit():
        published = api_a.post("/api/v1/marketplace/branding/publish/", **admin)

    assert bad.status_code == 400 and "text_color" in bad.json()["error"]["fields"]
    assert logo.status_code == 200, logo.content
    assert logo.json()["draft"]["primary_color"] == "#14532d" and logo.json()["published"]["logo"] == ""
    assert logo.json()["draft"]["logo"].startswith("/media/alpha/branding/logo-")
    assert published.status_code == 200 and published.json()["draft"] is None
    assert published.json()["published"]["primary_color"] == "#14532d"
    # a provider may not, and the other marketplace's admin reads only their own look
    with tenant_context(tenant_a):
        UserFactory(email="pro@example.org", is_provider=True)
    assert api_a.get("/api/v1/marketplace/branding/", **_auth(api_a, "pro@example.org")).status_code == 403
    beta = api_b.get("/api/v1/marketplace/branding/", **_auth(api_b, "admin@beta.test")).json()
    assert beta["published"]["primary_color"] == "#3346d3" and beta["published"]["logo"] == ""
