"""The application page's one step (`provider_application_submit`): profile and documents checked
together and saved together; a portfolio item with its picture; how complete a profile is."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.common.errors import Conflict, ValidationFailed
from marketplace.providers.models import PortfolioItem, ProviderProfile, VerificationDocument
from marketplace.providers.selectors import profile_completeness
from marketplace.providers.services import portfolio_item_add, provider_application_submit
from tenants.context import tenant_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def _file(name, content):
    return SimpleUploadedFile(name, content)


def test_profile_and_documents_are_saved_together(tenant_a):
    with tenant_context(tenant_a):
        user = UserFactory()

        profile = provider_application_submit(
            user=user, headline="Calculus tutor, PhD student", documents={"identity": _file("id.pdf", PDF)}
        )

        assert profile.status == "pending"
        assert list(profile.documents.values_list("kind", flat=True)) == ["identity"]


def test_every_problem_is_named_at_once_and_nothing_is_saved(tenant_a):
    with tenant_context(tenant_a):
        user = UserFactory()

        with pytest.raises(ValidationFailed) as refused:
            provider_application_submit(
                user=user,
                headline="Hi",
                documents={"identity": _file("id.pdf", b"\x7fELF..."), "licence": _file("l.pdf", PDF)},
            )

        assert set(refused.value.fields) == {"headline", "documents.identity"}
        assert not ProviderProfile.objects.exists() and not VerificationDocument.objects.exists()


def test_an_application_under_review_is_completed_and_a_rejected_one_sent_again(tenant_a):
    with tenant_context(tenant_a):
        user = UserFactory()
        provider_application_submit(user=user, headline="Calculus tutor, PhD student")
        ProviderProfile.objects.filter(user=user).update(status="info_requested")

        updated = provider_application_submit(
            user=user, headline="Calculus tutor", documents={"credential": _file("c.pdf", PDF)}
        )
        assert (updated.status, updated.headline, updated.documents.count()) == ("pending", "Calculus tutor", 1)

        ProviderProfile.objects.filter(user=user).update(status="rejected")
        again = provider_application_submit(user=user, headline="Calculus and statistics tutor")
        assert again.status == "pending"

        ProviderProfile.objects.filter(user=user).update(status="approved")
        with pytest.raises(Conflict):
            provider_application_submit(user=user, headline="Something else entirely")


def test_a_portfolio_item_with_a_bad_picture_saves_nothing(tenant_a):
    with tenant_context(tenant_a):
        user = UserFactory()
        provider_application_submit(user=user, headline="Calculus tutor, PhD student")

        with pytest.raises(ValidationFailed) as refused:
            portfolio_item_add(user=user, title="Past papers", image=_file("p.png", b"<svg/>"))

        assert "image" in refused.value.fields
        assert not PortfolioItem.objects.exists()


def test_completeness_counts_the_steps_done(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        user = UserFactory()
        profile = provider_application_submit(
            user=user, headline="Calculus tutor, PhD student", skills=["Calculus"], languages=["English"]
        )

        done = profile_completeness(profile)

        assert done["steps"]["headline"] and done["steps"]["skills"] and not done["steps"]["payouts"]
        assert (done["done"], done["total"], done["percent"]) == (3, 8, 38)
