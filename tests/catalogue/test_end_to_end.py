"""In each kind of marketplace: a new user applies as a provider, is approved by the admin, publishes a
listing with packages, and a client finds it by searching with a typo and a filter — all through the API."""

import pytest
from rest_framework.test import APIClient

from marketplace.catalogue.models import Category
from tenants.context import tenant_context
from tenants.services import tenant_provision

pytestmark = pytest.mark.django_db

PASSWORD = "Strong-pass-2026"
CASES = {
    "university": (
        "calculus",
        "Calculus tutoring for engineers",
        "calclus",
        "attr.level",
        "Advanced",
        {"level": "Advanced", "format": "Online"},
    ),
    "agency": (
        "web-applications",
        "Django development for startups",
        "devlopment",
        "attr.tech_stack",
        "Python",
        {"tech_stack": ["Python", "TypeScript"], "years_experience": 9},
    ),
    "law_firm": (
        "unfair-dismissal",
        "Employment tribunal representation",
        "tribunl",
        "attr.jurisdiction",
        "Scotland",
        {"conflict_check": "Acme Ltd", "jurisdiction": "Scotland"},
    ),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_apply_approve_publish_and_find(kind):
    slug, title, typo, attr_param, attr_value, attributes = CASES[kind]
    tenant = tenant_provision(
        name=f"E2E {kind}",
        slug=f"e2e-{kind.replace('_', '-')}",
        kind=kind,
        admin_email="boss@e2e.test",
        admin_password=PASSWORD,
    )
    tenant.join_policy = "open"
    tenant.save(update_fields=["join_policy"])
    api = APIClient(HTTP_HOST=f"{tenant.schema_name}.localhost")

    def login(email):
        response = api.post("/api/v1/auth/login/", {"email": email, "password": PASSWORD}, format="json")
        assert response.status_code == 200, response.content
        return {"HTTP_AUTHORIZATION": f"Token {response.json()['token']}"}

    # a new user applies as a provider
    assert (
        api.post("/api/v1/auth/register/", {"email": "pro@e2e.test", "password": PASSWORD}, format="json").status_code
        == 201
    )
    pro = login("pro@e2e.test")
    profile = api.post(
        "/api/v1/providers/apply/",
        {"headline": "Ten years in the field", "skills": ["Expertise"]},
        format="json",
        **pro,
    ).json()
    assert profile["status"] == "pending"

    # the admin approves
    admin = login("boss@e2e.test")
    decided = api.post(f"/api/v1/providers/{profile['id']}/decision/", {"decision": "approve"}, format="json", **admin)
    assert decided.json()["status"] == "approved"

    # the provider publishes a listing with packages
    with tenant_context(tenant):
        category = Category.objects.get(slug=slug).public_id
    created = api.post(
        "/api/v1/listings/",
        {
            "category": category,
            "title": title,
            "description": "Experienced, responsive and clear; see the packages for what is included.",
            "attributes": attributes,
            "packages": [{"name": "Basic", "price": 9000}, {"name": "Premium", "price": 25000, "revisions": 2}],
        },
        format="json",
        **pro,
    )
    assert created.status_code == 201, created.content
    assert (
        api.post(f"/api/v1/listings/{created.json()['id']}/submit/", {}, format="json", **pro).json()["status"]
        == "active"
    )

    # a client finds it with a typo and a filter
    assert (
        api.post(
            "/api/v1/auth/register/", {"email": "client@e2e.test", "password": PASSWORD}, format="json"
        ).status_code
        == 201
    )
    client = login("client@e2e.test")
    found = api.get(f"/api/v1/search/listings/?q={typo}&{attr_param}={attr_value}&category={category}", **client)
    assert found.status_code == 200, found.content
    assert [item["id"] for item in found.json()["results"]] == [created.json()["id"]]
    assert found.json()["results"][0]["price_from"]["amount"] == 9000
