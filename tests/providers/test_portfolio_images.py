"""Pictures on portfolio items: checked by content, public under the tenant's media prefix, a
thumbnail made in the background, replaced and removed with their files."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from marketplace.providers.models import PortfolioItem, ProviderProfile
from tenants.context import tenant_context
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _png(width=900, height=600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 90, 40)).save(out, format="PNG")
    return out.getvalue()


def _auth(api, email):
    token = api.post("/api/v1/auth/login/", {"email": email, "password": PASSWORD}, format="json").json()["token"]
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def item(api_a, tenant_a, media):
    with tenant_context(tenant_a):
        for email in ("designer@example.org", "other@example.org"):
            user = UserFactory(email=email, is_provider=True)
            ProviderProfile.objects.create(user=user, headline="Designer with a portfolio", status="approved")
    me = _auth(api_a, "designer@example.org")
    added = api_a.post("/api/v1/providers/me/portfolio/", {"title": "Poster series"}, format="json", **me)
    assert added.status_code == 201, added.content
    return added.json()["id"]


def _files(media: Path) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def test_picture_upload_makes_a_thumbnail_and_shows_on_the_profile(api_a, tenant_a, item, media, run_on_commit):
    me = _auth(api_a, "designer@example.org")

    with run_on_commit():
        uploaded = api_a.put(
            f"/api/v1/providers/me/portfolio/{item}/image/", {"file": SimpleUploadedFile("p.png", _png())}, **me
        )

    assert uploaded.status_code == 200, uploaded.content
    assert uploaded.json()["image_url"].startswith("/media/alpha/portfolio/")
    with tenant_context(tenant_a):
        stored = PortfolioItem.objects.get(public_id=item)
        profile_id = stored.profile.public_id
        assert stored.thumbnail.name.endswith("-thumb.jpg")
        with stored.thumbnail.open("rb") as thumb, Image.open(thumb) as picture:
            assert picture.size == (480, 320)
    public = api_a.get(f"/api/v1/providers/{profile_id}/").json()["portfolio"][0]
    assert public["image_url"].endswith(".png") and public["thumbnail_url"].endswith("-thumb.jpg")


def test_replacing_and_removing_the_picture_deletes_the_old_files(api_a, item, media, run_on_commit):
    me = _auth(api_a, "designer@example.org")
    url = f"/api/v1/providers/me/portfolio/{item}/image/"
    with run_on_commit():
        api_a.put(url, {"file": SimpleUploadedFile("a.png", _png())}, **me)
    first = _files(media)

    with run_on_commit():
        api_a.put(url, {"file": SimpleUploadedFile("b.png", _png(300, 300))}, **me)
    second = _files(media)
    with run_on_commit():
        removed = api_a.delete(url, **me)

    old_image = next(name for name in first if name.endswith(".png"))
    assert len(first) == 2 and len(second) == 2 and old_image not in second
    assert removed.status_code == 200 and removed.json()["image_url"] is None
    assert _files(media) == []


def test_pictures_are_checked_by_content(api_a, tenant_a, item, media):
    me = _auth(api_a, "designer@example.org")
    url = f"/api/v1/providers/me/portfolio/{item}/image/"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

    disguised = api_a.put(url, {"file": SimpleUploadedFile("x.png", svg, content_type="image/png")}, **me)
    missing = api_a.put(url, {}, **me)

    assert disguised.status_code == 400 and "file" in disguised.json()["error"]["fields"]
    assert missing.status_code == 400 and "file" in missing.json()["error"]["fields"]
    with tenant_context(tenant_a):
        assert not PortfolioItem.objects.get(public_id=item).image
    assert _files(media) == []


def test_only_the_owner_can_set_a_picture(api_a, api_b, tenant_a, item, media):
    other = _auth(api_a, "other@example.org")
    url = f"/api/v1/providers/me/portfolio/{item}/image/"

    foreign = api_a.put(url, {"file": SimpleUploadedFile("a.png", _png())}, **other)
    anonymous = api_a.put(url, {"file": SimpleUploadedFile("a.png", _png())})
    other_tenant = api_b.put(url, {"file": SimpleUploadedFile("a.png", _png())}, **_auth(api_b, "admin@beta.test"))

    assert foreign.status_code == 404
    assert anonymous.status_code == 401
    assert other_tenant.status_code == 404
    with tenant_context(tenant_a):
        assert not PortfolioItem.objects.get(public_id=item).image
    assert _files(media) == []
