"""Two plan gates outside bookings: custom domains need a plan with them, and file storage is counted
per marketplace (every upload and delete, corrected by the nightly measurement) against the plan's
storage_mb."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from billing.models import StorageUsage
from billing.storage import MB, storage_measure
from marketplace.catalogue.models import ListingImage
from tenants.context import tenant_context
from tenants.models import Domain
from tenants.selectors import route_for_host
from tests.bookings.test_booking_api import _auth
from tests.catalogue.test_listing_images import _png
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _add(api, email, domain):
    return api.post("/api/v1/marketplace/domains/", {"domain": domain}, format="json", **_auth(api, email))


def test_custom_domains_need_a_plan_that_has_them(api_a, api_b, tenant_a, tenant_b, put_on_plan):
    # given alpha on a plan without custom domains; beta on Enterprise
    put_on_plan(tenant_a)

    refused = _add(api_a, "admin@alpha.test", "market.alpha-uni.edu")
    allowed = _add(api_b, "admin@beta.test", "market.beta-agency.com")

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "feature_not_in_plan"
    assert refused.json()["error"]["message"] == (
        "Custom domains are not part of this marketplace's plan. Upgrade to Growth to use them."
    )
    assert not Domain.objects.filter(tenant=tenant_a, kind="custom").exists()
    assert allowed.status_code == 201


def test_an_added_domain_is_pending_with_the_records_to_create_and_routes_nowhere(api_b, tenant_b):
    response = _add(api_b, "admin@beta.test", " Market.Beta-Agency.com. ")

    body = response.json()
    domain = Domain.objects.get(domain="market.beta-agency.com")
    assert (body["domain"], body["kind"], body["verification"], body["is_primary"]) == (
        "market.beta-agency.com",
        "custom",
        "pending",
        False,
    )
    assert body["dns_records"] == [
        {"type": "CNAME", "name": "market.beta-agency.com", "value": "beta.localhost"},
        {"type": "TXT", "name": "_mkt-verify.market.beta-agency.com", "value": domain.verification_token},
    ]
    assert route_for_host("market.beta-agency.com") is None
    listed = api_b.get("/api/v1/marketplace/domains/", **_auth(api_b, "admin@beta.test")).json()
    assert [d["domain"] for d in listed] == ["market.beta-agency.com"]


@pytest.mark.parametrize(
    "name",
    ["http://market.example.edu", "localhost", "market", "shop.alpha.localhost", "-bad-.example.com", "a" * 300],
)
def test_names_that_are_not_a_domain_of_ones_own_are_refused(api_b, tenant_b, name):
    response = _add(api_b, "admin@beta.test", name)

    assert response.status_code == 400
    assert "domain" in response.json()["error"]["fields"]
    assert not Domain.objects.filter(tenant=tenant_b, kind="custom").exists()


def test_a_domain_belongs_to_one_marketplace(api_a, api_b, tenant_a, tenant_b):
    assert _add(api_a, "admin@alpha.test", "learn.example.edu").status_code == 201

    taken = _add(api_b, "admin@beta.test", "learn.example.edu")
    twice = _add(api_a, "admin@alpha.test", "learn.example.edu")

    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "domain_taken")
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "domain_exists")
    assert list(Domain.objects.filter(domain="learn.example.edu").values_list("tenant", flat=True)) == [tenant_a.pk]


def test_only_admins_manage_domains_and_only_their_own(api_a, api_b, tenant_a, tenant_b):
    _add(api_a, "admin@alpha.test", "learn.example.edu")
    with tenant_context(tenant_a):
        UserFactory(email="member@example.org")

    by_member = _add(api_a, "member@example.org", "x.example.edu")
    other_removes = api_b.delete("/api/v1/marketplace/domains/learn.example.edu/", **_auth(api_b, "admin@beta.test"))
    removed = api_a.delete("/api/v1/marketplace/domains/learn.example.edu/", **_auth(api_a, "admin@alpha.test"))

    assert by_member.status_code == 403
    assert other_removes.status_code == 404
    assert removed.status_code == 204
    assert not Domain.objects.filter(domain__in=["learn.example.edu", "x.example.edu"]).exists()


# --- storage ------------------------------------------------------------------------------------------


def _upload(api, listing_id, email="pat@example.org", name="a.png", content=None):
    return api.post(
        f"/api/v1/listings/{listing_id}/images/",
        {"file": SimpleUploadedFile(name, content or _png())},
        **_auth(api, email),
    )


def _bytes(tenant) -> int:
    return StorageUsage.objects.filter(tenant=tenant).values_list("bytes", flat=True).first() or 0


def _on_disk(settings, tenant) -> int:
    root = settings.MEDIA_ROOT / tenant.schema_name
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file()) if root.exists() else 0


def test_uploads_and_deletes_move_the_marketplaces_storage_count(
    api_a,
    tenant_a,
    tenant_b,
    listing,
    settings,
    run_on_commit,
):
    # when a provider uploads an image (its thumbnail is made after commit)
    with run_on_commit():
        image = _upload(api_a, listing).json()

    # then alpha counts exactly what is on disk; beta counts nothing
    assert _bytes(tenant_a) == _on_disk(settings, tenant_a) > 0
    assert _bytes(tenant_b) == 0
    usage = api_a.get("/api/v1/billing/", **_auth(api_a, "admin@alpha.test")).json()["usage"]["storage_mb"]
    assert usage["used"] == 1  # megabytes begun

    # when it is removed (its files go once that commits), so are its bytes
    with run_on_commit():
        api_a.delete(f"/api/v1/listings/{listing}/images/{image['id']}/", **_auth(api_a, "pat@example.org"))
    assert _bytes(tenant_a) == _on_disk(settings, tenant_a) == 0


def test_an_upload_past_the_plans_storage_is_refused_and_nothing_is_stored(
    api_a,
    tenant_a,
    listing,
    settings,
    put_on_plan,
):
    # given alpha's plan allows 1 MB and it uses all but 100 bytes of it
    put_on_plan(tenant_a, limits={"storage_mb": 1})
    StorageUsage.objects.create(tenant=tenant_a, bytes=MB - 100)

    response = _upload(api_a, listing)

    assert response.status_code == 402
    assert response.json()["error"]["code"] == "plan_limit_reached"
    assert "MB of storage" in response.json()["error"]["message"]
    assert _bytes(tenant_a) == MB - 100
    assert _on_disk(settings, tenant_a) == 0
    with tenant_context(tenant_a):
        assert not ListingImage.objects.exists()


def test_the_nightly_measurement_sets_the_count_to_what_is_stored(
    api_a, tenant_a, tenant_b, listing, settings, tmp_path
):
    # given alpha's counter drifted (a file written by a transaction that rolled back, say)
    _upload(api_a, listing)
    StorageUsage.objects.filter(tenant=tenant_a).update(bytes=123)
    StorageUsage.objects.create(tenant=tenant_b, bytes=456)

    with tenant_context(tenant_a):
        measured = storage_measure()

    assert measured.bytes == _bytes(tenant_a) == _on_disk(settings, tenant_a) > 0
    assert measured.measured_at is not None
    assert _bytes(tenant_b) == 456
