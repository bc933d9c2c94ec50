"""What Wagtail keeps outside the page tables stays per marketplace: its search index, its cached
site root paths, and the files of its images and documents."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Page, Site
from wagtail.models.sites import SITE_ROOT_PATHS_CACHE_KEY, SITE_ROOT_PATHS_CACHE_VERSION

from cms.models import HelpArticlePage, HelpIndexPage, HomePage
from cms.sites import site_hostname_sync
from tenants.context import tenant_context
from tenants.models import Domain, DomainKind

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    from PIL import Image as Picture

    out = io.BytesIO()
    Picture.new("RGB", (64, 48), (30, 58, 138)).save(out, format="PNG")
    return out.getvalue()


def test_a_search_at_one_marketplace_never_finds_anothers_pages(tenant_a, tenant_b, web):
    # given an article only alpha has
    with tenant_context(tenant_a):
        HelpIndexPage.objects.get().add_child(
            instance=HelpArticlePage(title="Zebrafish lab safety", slug="zebrafish", topic="Labs", summary="Zebrafish.")
        )

    # when
    at_alpha = web(tenant_a).get("/help/", {"q": "zebrafish"}).content.decode()
    at_beta = web(tenant_b).get("/help/", {"q": "zebrafish"}).content.decode()

    # then
    assert "Zebrafish lab safety" in at_alpha
    assert "Zebrafish lab safety" not in at_beta and "Nothing found" in at_beta
    with tenant_context(tenant_b):
        assert list(Page.objects.live().search("zebrafish")) == []
    with tenant_context(tenant_a):
        assert [page.title for page in Page.objects.live().search("zebrafish")] == ["Zebrafish lab safety"]


def test_cached_site_root_paths_are_per_marketplace(tenant_a, tenant_b, web):
    # given alpha's site root paths were cached by a request there (its links are pages' URLs)
    web(tenant_a).get("/help/")
    with tenant_context(tenant_a):
        alpha_paths = cache.get(SITE_ROOT_PATHS_CACHE_KEY, version=SITE_ROOT_PATHS_CACHE_VERSION)
    assert alpha_paths and "alpha.localhost" in alpha_paths[0][2]

    # then beta has none cached, computes its own, and links to its own host
    with tenant_context(tenant_b):
        assert cache.get(SITE_ROOT_PATHS_CACHE_KEY, version=SITE_ROOT_PATHS_CACHE_VERSION) is None
        assert "beta.localhost" in Site.get_site_root_paths()[0].root_url
        assert HelpIndexPage.objects.get().full_url.startswith("http://beta.localhost")
    beta_home = web(tenant_b).get("/help/").content.decode()
    assert "Writing a good brief" in beta_home and "alpha.localhost" not in beta_home


def test_a_new_primary_domain_moves_the_pages_links_at_once(tenant_a, settings):
    # given alpha's links were cached with its subdomain
    settings.PUBLIC_PORT = ""
    settings.PUBLIC_SCHEME = "https"
    with tenant_context(tenant_a):
        site_hostname_sync(tenant=tenant_a)
        assert HomePage.objects.get().full_url == "https://alpha.localhost/"

    # when a custom domain becomes primary
    tenant_a.domains.update(is_primary=False)
    Domain.objects.create(domain="tutoring.alpha.example", tenant=tenant_a, is_primary=True, kind=DomainKind.CUSTOM)
    site_hostname_sync(tenant=tenant_a)

    # then
    with tenant_context(tenant_a):
        assert Site.objects.get().hostname == "tutoring.alpha.example"
        assert HelpIndexPage.objects.get().full_url == "https://tutoring.alpha.example/help/"


def test_images_and_documents_live_under_the_marketplaces_prefix(tenant_a, tenant_b, web):
    # given an image (with a rendition) and a document uploaded at alpha
    with tenant_context(tenant_a):
        image = Image.objects.create(title="Campus", file=ImageFile(io.BytesIO(_png()), name="campus.png"))
        rendition = image.get_rendition("fill-32x32")
        document = Document.objects.create(
            title="Exam rules", file=SimpleUploadedFile("exam-rules.pdf", b"%PDF-1.4 rules", "application/pdf")
        )
        names = [image.file.name, rendition.file.name, document.file.name]
        document_url = document.url

    # then every file is stored under alpha's prefix
    media = Path(settings.MEDIA_ROOT)
    for name in names:
        assert name.startswith("alpha/"), name
        assert (media / name).exists(), name
    # and beta can neither open alpha's files by name nor fetch the document
    with tenant_context(tenant_b):
        assert not any(default_storage.exists(name) for name in names)
        assert not Document.objects.filter(pk=document.pk, title="Exam rules").exists()
    assert document_url.startswith(f"/cms-documents/{document.pk}/exam-rules")
    assert web(tenant_a).get(document_url).status_code == 200
    assert web(tenant_b).get(document_url).status_code == 404
