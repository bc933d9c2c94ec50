"""The branding and domains pages speak the marketplace's language (German, French and Spanish carry the
product's own translations): bad input is shown next to its field in that language, while the other
marketplace keeps its own language at the same time and the API stays in English."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from branding.models import Branding
from tenants.context import tenant_context
from tenants.models import Domain
from tests.bookings.test_booking_api import _auth
from tests.tenants.test_domains_verification import added, admin_of

pytestmark = pytest.mark.django_db

BRANDING = "/manage/branding/"
DOMAINS = "/manage/domains/"
LOOK = {
    "primary_color": "#14532d",
    "accent_color": "#854d0e",
    "text_color": "#1c1917",
    "background_color": "#faf7f0",
    "heading_font": "merriweather",
    "body_font": "source-serif",
}
UNREADABLE = {**LOOK, "text_color": "#999999", "background_color": "#aaaaaa"}  # 1.2:1


def speaks(tenant, locale: str, run_on_commit) -> None:
    from marketplace.configuration.services import marketplace_settings_update

    with tenant_context(tenant), run_on_commit():
        marketplace_settings_update(actor=admin_of(tenant), changes={"locale": locale})


def field_errors(response, name: str) -> str:
    """The text of the errors shown next to field `name` ("" when there are none)."""
    found = re.search(rf'<ul class="field-errors" id="id_{name}_errors">(.*?)</ul>', response.content.decode(), re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)) if found else ""


def label(response, name: str) -> str:
    found = re.search(rf'<label for="id_{name}">(.*?)</label>', response.content.decode(), re.S)
    return found.group(1) if found else ""


def drafted_colours(tenant) -> bool:
    with tenant_context(tenant):
        return Branding.objects.filter(draft__has_key="text_color").exists()


def test_an_unreadable_combination_is_refused_in_german_while_the_other_marketplace_reads_english(
    tenant_a, tenant_b, web, run_on_commit
):
    # given: alpha speaks German, beta keeps English
    speaks(tenant_a, "de", run_on_commit)
    alpha = web(tenant_a, admin_of(tenant_a))
    beta = web(tenant_b, admin_of(tenant_b))

    # when: both admins save grey text on a grey background, one right after the other
    german = alpha.post(BRANDING, UNREADABLE)
    english = beta.post(BRANDING, UNREADABLE)
    german_again = alpha.post(BRANDING, UNREADABLE)

    # then: alpha's page is German, the error next to the colour fields with the ratio as German writes it
    assert german.status_code == 400
    html = german.content.decode()
    assert '<html lang="de">' in html
    expected = "Text auf diesem Hintergrund hat einen Kontrast von 1,2:1; nötig sind mindestens 4,5:1."
    assert expected in field_errors(german, "text_color")
    assert expected in field_errors(german, "background_color")
    assert label(german, "text_color") == "Textfarbe" and label(german, "background_color") == "Hintergrundfarbe"
    assert "Bitte korrigieren Sie die unten markierten Felder." in html
    assert "Entwurf speichern" in html and "Save draft" not in html
    assert field_errors(german_again, "text_color") == field_errors(german, "text_color")
    # and beta's, at the same time, is English
    assert english.status_code == 400
    assert '<html lang="en">' in english.content.decode()
    assert "Text on this background has a contrast of 1.2:1; it needs at least 4.5:1." in field_errors(
        english, "text_color"
    )
    assert label(english, "text_color") == "Text colour"
    assert "Kontrast" not in english.content.decode()
    # and nothing was saved at either
    assert not drafted_colours(tenant_a) and not drafted_colours(tenant_b)


def test_a_file_that_is_not_a_picture_is_refused_in_spanish(tenant_a, web, run_on_commit):
    # given: alpha speaks Spanish
    speaks(tenant_a, "es", run_on_commit)
    alpha = web(tenant_a, admin_of(tenant_a))
    fake = SimpleUploadedFile("logo.png", b"%PDF-1.4 not a picture", content_type="image/png")

    # when: a PDF named like a picture is uploaded as the logo
    page = alpha.post(BRANDING, {**LOOK, "logo": fake})

    # then: the reason, in Spanish, is next to the logo field; no draft is stored
    assert page.status_code == 400
    errors = field_errors(page, "logo")
    assert "El contenido del archivo no es de un tipo aceptado, diga lo que diga su nombre." in errors
    assert "Suba un archivo de uno de estos tipos: JPEG, PNG, WEBP." in errors
    assert label(page, "logo") == "Logotipo"
    with tenant_context(tenant_a):
        row = Branding.objects.first()
        assert row is None or row.draft == {}


def test_a_domain_of_another_marketplace_is_refused_in_french_and_in_english_at_the_other(
    tenant_a, tenant_b, web, run_on_commit
):
    # given: alpha speaks French; each marketplace has a domain of its own; beta keeps English
    speaks(tenant_a, "fr", run_on_commit)
    added(tenant_a, "market.alpha-uni.edu")
    added(tenant_b, "market.beta-agency.com")
    alpha = web(tenant_a, admin_of(tenant_a))
    beta = web(tenant_b, admin_of(tenant_b))

    # when: each admin tries to add the other's domain
    french = alpha.post(DOMAINS, {"domain": "market.beta-agency.com"})
    english = beta.post(DOMAINS, {"domain": "market.alpha-uni.edu"})

    # then: alpha's page says why in French, next to the domain field
    assert french.status_code == 400
    html = french.content.decode()
    assert '<html lang="fr">' in html
    assert "Utilisé par une autre place de marché\u00a0; choisissez-en un autre." in field_errors(french, "domain")
    assert label(french, "domain") == "Nom de domaine"
    assert "Ajouter le domaine" in html and "Veuillez corriger les champs signalés ci-dessous." in html
    # and beta's says it in English
    assert english.status_code == 400
    assert "Used by another marketplace; choose another." in field_errors(english, "domain")
    assert label(english, "domain") == "Domain name"
    # and neither domain changed hands
    assert Domain.objects.get(domain="market.beta-agency.com").tenant_id == tenant_b.pk
    assert Domain.objects.get(domain="market.alpha-uni.edu").tenant_id == tenant_a.pk


def test_a_bad_domain_name_is_explained_in_german(tenant_a, web, run_on_commit):
    # given
    speaks(tenant_a, "de", run_on_commit)
    alpha = web(tenant_a, admin_of(tenant_a))

    # when
    page = alpha.post(DOMAINS, {"domain": "http://market.example.edu"})

    # then
    assert page.status_code == 400
    assert "Verwenden Sie einen vollständigen Domainnamen" in field_errors(page, "domain")
    assert not Domain.objects.filter(tenant=tenant_a, kind="custom").exists()


def test_the_api_answers_in_english_whatever_the_marketplace_language(tenant_a, tenant_b, api_a, run_on_commit):
    # given: alpha speaks German, and beta has a domain
    speaks(tenant_a, "de", run_on_commit)
    added(tenant_b, "market.beta-agency.com")
    admin = _auth(api_a, "admin@alpha.test")

    # when: the same bad input arrives through the API
    colours = api_a.patch(
        "/api/v1/marketplace/branding/",
        {"text_color": "#999999", "background_color": "#aaaaaa"},
        format="json",
        **admin,
    )
    domain = api_a.post("/api/v1/marketplace/domains/", {"domain": "market.beta-agency.com"}, format="json", **admin)

    # then: the errors are English
    assert colours.status_code == 400
    assert colours.json()["error"]["fields"]["text_color"] == [
        "Text on this background has a contrast of 1.2:1; it needs at least 4.5:1. Make one of them darker or lighter."
    ]
    assert domain.status_code == 409
    assert domain.json()["error"]["fields"]["domain"] == ["Used by another marketplace; choose another."]
    assert not drafted_colours(tenant_a)
