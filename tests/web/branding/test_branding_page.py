"""The branding page: an admin edits a draft, previews it on the whole site, publishes it; bad input
is shown next to its field with nothing saved."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from branding.models import Branding
from tenants.context import tenant_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FORM = {
    "primary_color": "#14532d",
    "accent_color": "#854d0e",
    "text_color": "#1c1917",
    "background_color": "#faf7f0",
    "heading_font": "merriweather",
    "body_font": "source-serif",
    "tagline": "Clear advice, booked in minutes.",
    "email_sender_name": "Alpha Help Desk",
    "footer_links": "Help | /help/\nAbout | https://alpha.example.edu/about",
}


def _png() -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 120), (20, 83, 45)).save(out, format="PNG")
    return SimpleUploadedFile("logo.png", out.getvalue(), content_type="image/png")


@pytest.fixture
def admin_a(tenant_a):
    with tenant_context(tenant_a):
        return UserFactory(email="brand-admin@alpha.test", is_marketplace_admin=True)


def test_admin_saves_previews_and_publishes_a_new_look(tenant_a, admin_a, web, run_on_commit):
    browser = web(tenant_a, admin_a)
    visitor = web(tenant_a)

    # when: the draft is saved with a logo
    with run_on_commit():
        saved = browser.post("/manage/branding/", {**FORM, "logo": _png()})

    # then: visitors still see the old look; the admin previews the draft on the home page
    assert saved.status_code == 302
    assert "--color-primary:#14532d" not in visitor.get("/").content.decode()
    assert browser.post("/manage/branding/preview/").status_code == 302
    preview = browser.get("/").content.decode()
    assert "--color-primary:#14532d" in preview and "You are previewing branding" in preview
    assert "--color-primary:#14532d" not in visitor.get("/").content.decode()

    # when published
    with run_on_commit():
        assert browser.post("/manage/branding/publish/").status_code == 302

    # then everyone sees it: colours, fonts, logo, footer links; the preview banner is gone
    home = visitor.get("/").content.decode()
    assert "--color-primary:#14532d" in home and '"Merriweather"' in home
    assert 'class="brand-logo"' in home and "/media/alpha/branding/logo-" in home
    assert '<a href="/help/">Help</a>' in home
    assert "You are previewing" not in browser.get("/").content.decode()


def test_an_unreadable_combination_is_shown_next_to_the_fields_and_nothing_is_saved(tenant_a, admin_a, web):
    browser = web(tenant_a, admin_a)

    page = browser.post("/manage/branding/", {**FORM, "text_color": "#999999", "background_color": "#aaaaaa"})

    assert page.status_code == 400
    html = page.content.decode()
    assert 'id="id_text_color_errors"' in html and "needs at least 4.5:1" in html
    assert 'aria-invalid="true"' in html
    with tenant_context(tenant_a):
        assert not Branding.objects.filter(draft__has_key="text_color").exists()


def test_a_file_that_is_not_a_picture_is_refused_next_to_its_field(tenant_a, admin_a, web):
    browser = web(tenant_a, admin_a)
    fake = SimpleUploadedFile("logo.png", b"%PDF-1.4 not a picture", content_type="image/png")

    page = browser.post("/manage/branding/", {**FORM, "logo": fake})

    assert page.status_code == 400
    assert 'id="id_logo_errors"' in page.content.decode()
    with tenant_context(tenant_a):
        row = Branding.objects.first()
        assert row is None or row.draft == {}


def test_errors_speak_the_marketplace_language(tenant_a, admin_a, web, run_on_commit):
    from marketplace.configuration.services import marketplace_settings_update

    with tenant_context(tenant_a), run_on_commit():
        marketplace_settings_update(actor=admin_a, changes={"locale": "fr"})
    browser = web(tenant_a, admin_a)

    page = browser.post("/manage/branding/", {**FORM, "primary_color": ""})

    assert page.status_code == 400
    html = page.content.decode()
    assert '<html lang="fr">' in html and "Ce champ est obligatoire." in html


def test_only_admins_open_the_branding_page(tenant_a, web):
    with tenant_context(tenant_a):
        provider = UserFactory(is_provider=True)

    assert web(tenant_a).get("/manage/branding/").status_code == 302  # to sign in
    refused = web(tenant_a, provider).post("/manage/branding/", FORM)
    assert refused.status_code == 403 and b"Only marketplace admins can change" in refused.content
    with tenant_context(tenant_a):
        assert not Branding.objects.exists()


def test_publishing_at_one_marketplace_changes_nothing_at_another(tenant_a, tenant_b, admin_a, web, run_on_commit):
    browser = web(tenant_a, admin_a)
    with run_on_commit():
        browser.post("/manage/branding/", FORM)
        browser.post("/manage/branding/publish/")

    beta = web(tenant_b).get("/").content.decode()

    assert "--color-primary:#14532d" not in beta and "Alpha Help Desk" not in beta
    with tenant_context(tenant_b):
        assert not Branding.objects.exists()
