import re

import pytest
from django.test import Client

from accounts.services import email_verification_token
from accounts.tokens import password_reset_tokens
from tenants.context import tenant_context
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _login(api, email, password=PASSWORD):
    return api.post("/api/v1/auth/login/", {"email": email, "password": password}, format="json")


def test_token_works_only_at_the_marketplace_that_minted_it(api_a, api_b):
    # given
    token = _login(api_a, "admin@alpha.test").json()["token"]

    # when
    at_a = api_a.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    at_b = api_b.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")

    # then
    assert at_a.status_code == 200 and at_a.json()["email"] == "admin@alpha.test"
    assert at_b.status_code == 401
    assert at_b.json()["error"]["code"] in {"authentication_failed", "not_authenticated"}


def test_wrong_password_is_a_clear_400(api_a):
    response = _login(api_a, "admin@alpha.test", "nope")

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_credentials",
        "message": "The email or password is not right.",
        "fields": {},
    }


def test_logout_revokes_only_the_token_used(api_a):
    first = _login(api_a, "admin@alpha.test").json()["token"]
    second = _login(api_a, "admin@alpha.test").json()["token"]

    assert api_a.post("/api/v1/auth/logout/", HTTP_AUTHORIZATION=f"Token {first}").status_code == 204

    assert api_a.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {first}").status_code == 401
    assert api_a.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {second}").status_code == 200


def test_web_session_of_one_marketplace_means_nothing_at_another(tenant_a, tenant_b):
    # given
    browser = Client(HTTP_HOST="alpha.localhost")
    signed_in = browser.post("/accounts/login/", {"email": "admin@alpha.test", "password": PASSWORD})
    assert signed_in.status_code == 302
    session_cookie = browser.cookies["sessionid"]
    assert session_cookie["domain"] == ""  # host-only

    # when: the same cookie is presented at beta
    other = Client(HTTP_HOST="beta.localhost")
    other.cookies["sessionid"] = session_cookie.value
    page = other.get("/accounts/me/")

    # then
    assert browser.get("/accounts/me/").status_code == 200
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_password_reset_by_email(api_a, tenant_a, run_on_commit, mailoutbox):
    # given
    with tenant_context(tenant_a):
        UserFactory(email="forgetful@example.org")
    old_token = _login(api_a, "forgetful@example.org").json()["token"]

    # when
    with run_on_commit():
        asked = api_a.post("/api/v1/auth/password-reset/", {"email": "forgetful@example.org"}, format="json")
    uid, token = re.search(r"/accounts/reset/([^/]+)/([^/\s]+)/", mailoutbox[-1].body).groups()
    done = api_a.post(
        "/api/v1/auth/password-reset/confirm/",
        {"uid": uid, "token": token, "new_password": "Brand-new-pass-42"},
        format="json",
    )
    reused = api_a.post(
        "/api/v1/auth/password-reset/confirm/",
        {"uid": uid, "token": token, "new_password": "Another-pass-43"},
        format="json",
    )

    # then
    assert asked.status_code == 202
    assert done.status_code == 200
    assert reused.status_code == 400 and reused.json()["error"]["code"] == "invalid_token"
    assert _login(api_a, "forgetful@example.org", "Brand-new-pass-42").status_code == 200
    assert api_a.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {old_token}").status_code == 401


def test_password_reset_for_unknown_email_says_the_same_and_sends_nothing(api_a, run_on_commit, mailoutbox):
    with run_on_commit():
        response = api_a.post("/api/v1/auth/password-reset/", {"email": "ghost@example.org"}, format="json")

    assert response.status_code == 202
    assert mailoutbox == []


def test_reset_and_verification_tokens_are_bound_to_their_marketplace(tenant_a, tenant_b, api_b):
    # given: a token minted at alpha
    with tenant_context(tenant_a):
        user = UserFactory(email="twin@example.org", email_verified_at=None)
        reset = password_reset_tokens.make_token(user)
        verify = email_verification_token(user)

    # then: checked in beta's context, for the very same user object, it fails
    with tenant_context(tenant_b):
        assert password_reset_tokens.check_token(user, reset) is False
    with tenant_context(tenant_a):
        assert password_reset_tokens.check_token(user, reset) is True
    response = api_b.post("/api/v1/auth/verify-email/", {"token": verify}, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_token"
