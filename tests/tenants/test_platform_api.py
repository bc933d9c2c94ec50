import pytest
from django_tenants.utils import schema_exists

from accounts.models import User
from tenants.models import Tenant, TenantStatus
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return User.objects.create_user("staff@platform.test", PASSWORD, is_staff=True)


@pytest.fixture
def operator(db):
    return User.objects.create_user("op@platform.test", PASSWORD, is_operator=True)


def test_staff_creates_a_marketplace_through_the_api(api_platform, staff):
    # given
    api_platform.force_authenticate(staff)

    # when
    response = api_platform.post(
        "/api/v1/tenants/",
        {"name": "Omicron Tutors", "slug": "omicron", "kind": "university", "admin_email": "a@omicron.test"},
        format="json",
    )

    # then
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "omicron"
    assert response.json()["url"].startswith("http://omicron.localhost")
    assert schema_exists("omicron")


def test_bad_slug_through_the_api_is_a_400_naming_the_field(api_platform, staff):
    api_platform.force_authenticate(staff)
    before = Tenant.objects.count()

    response = api_platform.post(
        "/api/v1/tenants/", {"name": "Dup", "slug": "beta", "kind": "agency", "admin_email": "a@x.test"}, format="json"
    )

    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "validation_failed"
    assert "already taken" in body["fields"]["slug"][0]
    assert Tenant.objects.count() == before


def test_operator_cannot_create_directly_or_suspend(api_platform, operator, tenant_a):
    api_platform.force_authenticate(operator)

    created = api_platform.post(
        "/api/v1/tenants/", {"name": "Mine", "slug": "mine", "kind": "agency", "admin_email": "a@x.test"}, format="json"
    )
    suspended = api_platform.post(f"/api/v1/tenants/{tenant_a.public_id}/suspend/", {}, format="json")

    assert created.status_code == 403 and created.json()["error"]["code"] == "permission_denied"
    assert suspended.status_code == 403
    assert not schema_exists("mine")
    tenant_a.refresh_from_db()
    assert tenant_a.status == TenantStatus.TRIAL


def test_operator_sees_only_their_own_marketplaces(api_platform, operator, tenant_a, tenant_b):
    tenant_a.owner = operator
    tenant_a.save(update_fields=["owner"])
    api_platform.force_authenticate(operator)

    listed = api_platform.get("/api/v1/tenants/").json()
    other = api_platform.get(f"/api/v1/tenants/{tenant_b.public_id}/")

    assert [t["slug"] for t in listed["results"]] == ["alpha"]
    assert listed["count"] == 1
    assert other.status_code == 404


def test_slug_availability(api_platform):
    free = api_platform.get("/api/v1/slugs/brand-new/").json()
    taken = api_platform.get("/api/v1/slugs/alpha/").json()

    assert free["available"] is True and free["host"] == "brand-new.localhost"
    assert taken["available"] is False and "already taken" in taken["errors"][0]


def test_platform_api_is_not_served_on_marketplace_hosts(api_a, staff):
    api_a.force_authenticate(staff)
    assert api_a.get("/api/v1/tenants/").status_code == 404
