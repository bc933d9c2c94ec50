"""Becoming a provider through /provider/apply/: profile and documents together, every problem
next to its field and nothing saved half-way, the application's status and sending it again."""

import pytest

from marketplace.configuration.models import MarketplaceSettings
from marketplace.providers.models import ProviderProfile, ProviderStatus, VerificationDocument
from marketplace.providers.services import provider_review
from tenants.context import tenant_context
from tests.factories import UserFactory
from tests.web.provider.conftest import PDF, make_provider, png_bytes, upload

pytestmark = pytest.mark.django_db


def _application(**extra):
    return {
        "headline": "Brand designer for early-stage startups",
        "bio": "Ten years of logos, palettes and type systems.",
        "skills": "Branding, Figma, Typography",
        "languages": "English, German",
        "location": "Berlin",
        "remote": "on",
        **extra,
    }


def test_a_member_who_is_not_a_provider_is_sent_to_apply(tenant_b, web):
    # given
    with tenant_context(tenant_b):
        client = UserFactory(email="client@example.org")

    # when
    response = web(tenant_b, client).get("/provider/listings/")

    # then
    assert response.status_code == 302
    assert response["Location"] == "/provider/apply/"


def test_a_visitor_is_asked_to_sign_in(tenant_b, web):
    response = web(tenant_b).get("/provider/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_application_form_is_shown_to_a_member(tenant_b, web):
    with tenant_context(tenant_b):
        client = UserFactory(email="client@example.org")

    response = web(tenant_b, client).get("/provider/apply/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="identity"' in page and 'name="credential"' in page and 'name="licence"' in page
    assert "data-progress" in page


def test_applying_with_documents_waits_for_review(tenant_b, web):
    # given
    with tenant_context(tenant_b):
        member = UserFactory(email="new-pro@example.org")
    data = _application(
        identity=upload("passport.pdf", PDF, "application/pdf"),
        credential=upload("diploma.png", png_bytes(), "image/png"),
    )

    # when
    response = web(tenant_b, member).post("/provider/apply/", data)

    # then
    assert response.status_code == 302
    assert response["Location"] == "/provider/apply/"
    with tenant_context(tenant_b):
        profile = ProviderProfile.objects.get(user=member)
        assert profile.status == ProviderStatus.PENDING
        assert profile.skills == ["Branding", "Figma", "Typography"]
        assert sorted(profile.documents.values_list("kind", "content_type")) == [
            ("credential", "image/png"),
            ("identity", "application/pdf"),
        ]
    page = web(tenant_b, member).get("/provider/apply/").content.decode()
    assert "Waiting for review" in page and "passport.pdf" in page


def test_an_executable_named_like_a_pdf_is_refused_next_to_its_field_and_nothing_is_saved(tenant_b, web):
    # given
    with tenant_context(tenant_b):
        member = UserFactory(email="sneaky@example.org")
    data = _application(
        identity=upload("passport.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "application/pdf"),
        credential=upload("diploma.pdf", PDF, "application/pdf"),
    )

    # when
    response = web(tenant_b, member).post("/provider/apply/", data)

    # then
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_identity_errors"' in page
    assert "Windows executable" in page
    assert 'aria-invalid="true"' in page
    with tenant_context(tenant_b):
        assert not ProviderProfile.objects.filter(user=member).exists()
        assert not VerificationDocument.objects.exists()


def test_a_missing_headline_is_shown_next_to_it(tenant_b, web):
    with tenant_context(tenant_b):
        member = UserFactory(email="brief@example.org")

    response = web(tenant_b, member).post("/provider/apply/", _application(headline="Hi"))

    assert response.status_code == 400
    assert 'id="id_headline_errors"' in response.content.decode()
    with tenant_context(tenant_b):
        assert not ProviderProfile.objects.filter(user=member).exists()


def test_without_verification_the_provider_is_approved_at_once(tenant_b, web):
    # given
    with tenant_context(tenant_b):
        MarketplaceSettings.objects.update(provider_verification_required=False)
        member = UserFactory(email="quick@example.org")

    # when
    response = web(tenant_b, member).post("/provider/apply/", _application())

    # then
    assert response.status_code == 302
    assert response["Location"] == "/provider/"
    with tenant_context(tenant_b):
        assert ProviderProfile.objects.get(user=member).status == ProviderStatus.APPROVED


def test_more_information_requested_shows_the_reason_and_an_update_goes_back_to_review(tenant_b, web):
    # given
    applicant = make_provider(tenant_b, email="applicant@example.org", status="pending")
    with tenant_context(tenant_b):
        admin = type(applicant).objects.get(email="admin@beta.test")
        provider_review(
            actor=admin,
            profile=ProviderProfile.objects.get(user=applicant),
            decision="request_info",
            reason="Please add your design diploma.",
        )
    browser = web(tenant_b, applicant)
    page = browser.get("/provider/apply/").content.decode()
    assert "More information requested" in page and "Please add your design diploma." in page

    # when
    response = browser.post("/provider/apply/", _application(credential=upload("diploma.pdf", PDF, "application/pdf")))

    # then
    assert response.status_code == 302
    with tenant_context(tenant_b):
        profile = ProviderProfile.objects.get(user=applicant)
        assert profile.status == ProviderStatus.PENDING
        assert profile.documents.filter(kind="credential").exists()


def test_approved_shows_badges_and_the_dashboard(tenant_b, web):
    applicant = make_provider(tenant_b, email="approved@example.org", status="pending")
    with tenant_context(tenant_b):
        admin = type(applicant).objects.get(email="admin@beta.test")
        provider_review(
            actor=admin,
            profile=ProviderProfile.objects.get(user=applicant),
            decision="approve",
            badges=["identity_verified"],
        )

    page = web(tenant_b, applicant).get("/provider/apply/").content.decode()

    assert "Identity verified" in page
    assert 'href="/provider/"' in page


def test_a_rejected_applicant_may_apply_again(tenant_b, web):
    applicant = make_provider(tenant_b, email="again@example.org", status="rejected")

    response = web(tenant_b, applicant).post(
        "/provider/apply/", _application(headline="Brand designer, now with a portfolio")
    )

    assert response.status_code == 302
    with tenant_context(tenant_b):
        profile = ProviderProfile.objects.get(user=applicant)
        assert profile.status == ProviderStatus.PENDING
        assert profile.headline == "Brand designer, now with a portfolio"


def test_a_provider_of_one_marketplace_is_not_one_at_the_other(tenant_a, tenant_b, web):
    # given: the same email is a provider at alpha and only a client at beta
    make_provider(tenant_a, email="both@example.org")
    with tenant_context(tenant_b):
        member = UserFactory(email="both@example.org")

    # when
    response = web(tenant_b, member).get("/provider/")

    # then
    assert response.status_code == 302 and response["Location"] == "/provider/apply/"
