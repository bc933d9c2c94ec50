import pytest
import yaml

pytestmark = pytest.mark.django_db


def _paths(client) -> set[str]:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return set(yaml.safe_load(response.content)["paths"])


def test_each_host_publishes_its_own_api(api_a, api_platform):
    marketplace, platform = _paths(api_a), _paths(api_platform)

    assert {"/api/v1/users/", "/api/v1/invitations/", "/api/v1/auth/login/", "/api/v1/marketplace/"} <= marketplace
    assert "/api/v1/tenants/" not in marketplace
    assert {"/api/v1/tenants/", "/api/v1/signups/", "/api/v1/auth/login/"} <= platform
    assert "/api/v1/users/" not in platform


def test_docs_page_is_served(api_a):
    assert api_a.get("/api/docs/").status_code == 200


def test_unexpected_errors_use_the_same_shape(api_a):
    response = api_a.post("/api/v1/auth/login/", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_committed_openapi_files_match_the_code():
    from django.core.management import call_command

    call_command("export_openapi", "--check")  # raises SystemExit naming the stale file
