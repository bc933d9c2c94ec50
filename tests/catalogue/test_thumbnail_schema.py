"""Thumbnails are made in the marketplace the picture was saved in, even when the transaction
commits after the caller has left that marketplace's schema (as a seeding script does)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from PIL import Image

from marketplace.catalogue.images import listing_image_add
from marketplace.catalogue.listings import listing_create
from marketplace.catalogue.models import Category, ListingImage
from marketplace.providers.models import PortfolioItem, ProviderProfile
from marketplace.providers.services import portfolio_item_add
from tenants.context import tenant_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _png(name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (900, 600), (40, 90, 200)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def test_thumbnails_queued_at_a_commit_outside_the_schema_are_made_in_the_marketplace(tenant_a, run_on_commit):
    # given
    with tenant_context(tenant_a):
        user = UserFactory(email="pat@example.org", is_provider=True)
        ProviderProfile.objects.create(user=user, headline="Pat", status="approved")
        listing = listing_create(
            user=user,
            category=Category.objects.get(slug="calculus").public_id,
            title="Thumbnails",
            description="A listing with a picture.",
            attributes={"level": "Advanced", "format": "Online"},
            packages=[{"name": "Hour", "price": 5000, "duration_minutes": 60}],
        )

    # when: the outer transaction commits once the marketplace's schema has been left
    with run_on_commit(), transaction.atomic():
        with tenant_context(tenant_a):
            listing_image_add(user=user, listing=listing, upload=_png("cover.png"))
            portfolio_item_add(user=user, title="Past work", image=_png("work.png"))
        assert connection.schema_name == "public"

    # then
    with tenant_context(tenant_a):
        assert ListingImage.objects.get().thumbnail
        assert PortfolioItem.objects.get().thumbnail
