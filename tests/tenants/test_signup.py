import pytest
from django.test import Client
from django_tenants.utils import schema_exists

from accounts.models import User
from tenants.context import tenant_context
from tenants.models import MarketplaceSignup, SignupStatus, Tenant
from tenants.services.signup import signup_process
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

FORM = {
    "full_name": "Olga Operator",
    "email": "olga@law.example.com",
    "password": "Operator-pass-2026",
    "name": "Olga Legal Help",
    "slug": "olga-legal",
    "kind": "law_firm",
}


def test_self_service_signup_provisions_in_the_background_and_shows_progress(run_on_commit):
    # given
    browser = Client(HTTP_HOST="localhost")

    # when
    with run_on_commit():
        submitted = browser.post("/signup/", FORM)

    # then: the job ran (eagerly here) and the progress page shows the result
    assert submitted.status_code == 302
    progress = browser.get(submitted["Location"])
    polled = browser.get(submitted["Location"], HTTP_ACCEPT="application/json").json()
    assert b"Olga Legal Help is ready" in progress.content
    assert polled == {"status": "ready", "error": "", "url": "http://olga-legal.localhost:8000/"}

    tenant = Tenant.objects.get(schema_name="olga-legal")
    operator = User.objects.get(email="olga@law.example.com")
    assert tenant.owner == operator and operator.is_operator and tenant.kind == "law_firm"
    assert MarketplaceSignup.objects.get(owner=operator).admin_password_hash == ""  # not kept once used
    with tenant_context(tenant):
        admin = User.objects.get()
        assert admin.email == "olga@law.example.com" and admin.is_marketplace_admin
        assert admin.check_password("Operator-pass-2026")


def test_signup_with_a_taken_address_shows_the_error_and_creates_nothing():
    browser = Client(HTTP_HOST="localhost")

    page = browser.post("/signup/", {**FORM, "slug": "alpha"})

    assert page.status_code == 400
    assert b"already taken" in page.content
    assert not User.objects.filter(email="olga@law.example.com").exists()
    assert not MarketplaceSignup.objects.filter(slug="alpha").exists()


def test_signup_that_fails_while_provisioning_reports_why_and_leaves_nothing(run_on_commit):
    # given: a sign-up whose address is taken by someone else before the job runs
    owner = User.objects.create_user("late@example.com", PASSWORD, is_operator=True)
    signup = MarketplaceSignup.objects.create(
        owner=owner, name="Late", slug="alpha", kind="agency", admin_email=owner.email, admin_password_hash="x"
    )

    # when
    signup_process(signup_id=signup.pk)

    # then
    signup.refresh_from_db()
    assert signup.status == SignupStatus.FAILED
    assert "already taken" in signup.error
    assert Tenant.objects.filter(schema_name="alpha").count() == 1


def test_signup_api_for_a_signed_in_operator(api_platform, run_on_commit):
    operator = User.objects.create_user("op@example.com", PASSWORD, is_operator=True)
    api_platform.force_authenticate(operator)

    with run_on_commit():
        created = api_platform.post(
            "/api/v1/signups/", {"name": "Op Studio", "slug": "op-studio", "kind": "agency"}, format="json"
        )
    status = api_platform.get(f"/api/v1/signups/{created.json()['id']}/").json()

    assert created.status_code == 202 and created.json()["status"] == "queued"
    assert status["status"] == "ready" and status["marketplace"]["slug"] == "op-studio"
    assert schema_exists("op-studio")


def test_signup_api_rejects_a_reserved_address(api_platform):
    operator = User.objects.create_user("op@example.com", PASSWORD, is_operator=True)
    api_platform.force_authenticate(operator)

    response = api_platform.post("/api/v1/signups/", {"name": "Www", "slug": "www", "kind": "agency"}, format="json")

    assert response.status_code == 400
    assert "reserved" in response.json()["error"]["fields"]["slug"][0]
    assert not MarketplaceSignup.objects.filter(owner=operator).exists()


def test_operator_registration_on_the_platform(api_platform):
    response = api_platform.post(
        "/api/v1/auth/register/", {"email": "new-op@example.com", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 201
    assert User.objects.get(email="new-op@example.com").is_operator
