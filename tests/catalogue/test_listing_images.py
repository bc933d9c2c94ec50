import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from marketplace.catalogue.models import Category, ListingImage
from marketplace.providers.models import ProviderProfile
from tenants.context import tenant_context
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _png(width=1200, height=900) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 90, 200)).save(out, format="PNG")
    return out.getvalue()


def _auth(api, email):
    token = api.post("/api/v1/auth/login/", {"email": email, "password": PASSWORD}, format="json").json()["token"]
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def listing(api_a, tenant_a):
    return listing_made(api_a, tenant_a)


def listing_made(api_a, tenant_a) -> str:
    """A listing by pat@example.org (other@example.org is another approved provider); its id."""
    with tenant_context(tenant_a):
        for email in ("pat@example.org", "other@example.org"):
            user = UserFactory(email=email, is_provider=True)
            ProviderProfile.objects.create(user=user, headline="Experienced tutor here", status="approved")
        category = Category.objects.get(slug="calculus").public_id
    body = {
        "category": category,
        "title": "Calculus with pictures",
        "description": "Diagrams for every theorem and plenty of practice.",
        "attributes": {"level": "Advanced", "format": "Online"},
        "packages": [{"name": "Session", "price": 5000}],
    }
    return api_a.post("/api/v1/listings/", body, format="json", **_auth(api_a, "pat@example.org")).json()["id"]


def test_image_upload_makes_a_thumbnail_in_the_background(api_a, tenant_a, listing, run_on_commit):
    me = _auth(api_a, "pat@example.org")

    with run_on_commit():
        uploaded = api_a.post(
            f"/api/v1/listings/{listing}/images/", {"file": SimpleUploadedFile("a.png", _png())}, **me
        )

    assert uploaded.status_code == 201, uploaded.content
    assert (uploaded.json()["width"], uploaded.json()["height"]) == (1200, 900)
    detail = api_a.get(f"/api/v1/listings/{listing}/", **me).json()
    image = detail["images"][0]
    assert image["url"].startswith("/media/alpha/listing-images/")
    assert image["thumbnail_url"].startswith("/media/alpha/listing-images/")
    with tenant_context(tenant_a):
        stored = ListingImage.objects.get()
        with stored.thumbnail.open("rb") as thumb, Image.open(thumb) as picture:
            assert picture.size == (427, 320) and picture.format == "JPEG"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "damaged"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "SVG"),
        (b"%PDF-1.7 not an image", "not an accepted type"),
    ],
)
def test_bad_images_are_refused_and_nothing_is_stored(api_a, tenant_a, listing, content, message):
    response = api_a.post(
        f"/api/v1/listings/{listing}/images/",
        {"file": SimpleUploadedFile("x.png", content)},
        **_auth(api_a, "pat@example.org"),
    )

    assert response.status_code == 400 and message in response.json()["error"]["message"]
    with tenant_context(tenant_a):
        assert not ListingImage.objects.exists()


def test_only_the_owner_adds_or_removes_images(api_a, tenant_a, listing):
    me = _auth(api_a, "pat@example.org")
    other = _auth(api_a, "other@example.org")
    image = api_a.post(
        f"/api/v1/listings/{listing}/images/", {"file": SimpleUploadedFile("a.png", _png())}, **me
    ).json()

    intruder_add = api_a.post(
        f"/api/v1/listings/{listing}/images/", {"file": SimpleUploadedFile("b.png", _png())}, **other
    )
    intruder_delete = api_a.delete(f"/api/v1/listings/{listing}/images/{image['id']}/", **other)
    owner_delete = api_a.delete(f"/api/v1/listings/{listing}/images/{image['id']}/", **me)

    assert intruder_add.status_code == 404 and intruder_delete.status_code == 404
    assert owner_delete.status_code == 204
    with tenant_context(tenant_a):
        assert not ListingImage.objects.exists()


def test_a_listing_holds_at_most_ten_images(api_a, tenant_a, listing):
    me = _auth(api_a, "pat@example.org")
    png = _png(40, 30)
    for index in range(10):
        assert (
            api_a.post(
                f"/api/v1/listings/{listing}/images/", {"file": SimpleUploadedFile(f"{index}.png", png)}, **me
            ).status_code
            == 201
        )

    eleventh = api_a.post(f"/api/v1/listings/{listing}/images/", {"file": SimpleUploadedFile("x.png", png)}, **me)

    assert eleventh.status_code == 409 and eleventh.json()["error"]["code"] == "too_many_images"
    with tenant_context(tenant_a):
        assert ListingImage.objects.count() == 10
