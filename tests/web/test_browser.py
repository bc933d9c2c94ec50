"""What people see, in a real browser, served by a real gunicorn process.

The server reads data committed by the session setup (the `alpha` and `beta` marketplaces and
their admins). What it creates itself is committed too and lives until the test database is
dropped at the end of the session, so these tests use names no other test uses.
"""

import re

import pytest

from tests.factories import PASSWORD

# django_db makes pytest-django create the test database even when only these tests run.
pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_member_signs_in_at_their_marketplace_and_not_at_another(page, site, shot):
    # given
    page.goto(site("alpha"))
    assert "Welcome to Alpha University" in page.text_content(".hero-eyebrow")
    shot("marketplace-home")

    # when
    page.click("text=Sign in")
    page.fill("input[name=email]", "admin@alpha.test")
    page.fill("input[name=password]", PASSWORD)
    shot("sign-in")
    page.click("button[type=submit]")

    # then
    page.wait_for_selector("text=You are signed in as admin@alpha.test")
    shot("signed-in")
    page.goto(site("beta"))
    assert page.is_visible("text=Sign in")  # the alpha session is not valid at beta
    assert "Beta Agency" in page.text_content(".hero-eyebrow")


def test_wrong_password_is_shown_on_the_form(page, site, shot):
    page.goto(site("alpha", "/accounts/login/"))
    page.fill("input[name=email]", "admin@alpha.test")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")

    page.wait_for_selector("text=The email or password is not right.")
    shot("sign-in-error")


def test_unknown_host_shows_the_neutral_page(page, site, shot):
    response = page.goto(site("no-such-market"))

    assert response.status == 404
    assert "No marketplace lives at this address" in page.inner_text("body")
    shot("unknown-host")


def test_operator_signs_up_and_watches_the_marketplace_being_created(page, site, shot):
    # given
    page.goto(site(None, "/signup/"))
    page.fill("input[name=full_name]", "Rita Operator")
    page.fill("input[name=email]", "rita@browser.example.com")
    page.fill("input[name=password]", "Operator-pass-2026")
    page.fill("input[name=name]", "Rita Design Collective")
    page.fill("input[name=slug]", "rita-design")
    page.select_option("select[name=kind]", "agency")
    shot("signup-form")

    # when
    page.click("#create-marketplace", no_wait_after=True)

    # then: once ready, a one-time link signs the operator in at the new marketplace's admin
    page.wait_for_url(re.compile(r"http://rita-design\.localhost:\d+/manage/"), timeout=90_000)
    assert "rita@browser.example.com" in page.text_content(".menu-who")
    shot("new-marketplace-signed-in")


def test_layout_is_accessible_signed_out_and_in(page, site, axe, sign_in, shots):
    # given a marketplace's home page, signed out
    page.goto(site("alpha"))

    # then
    axe()

    # and signed in, with the account menu open
    sign_in("alpha", "admin@alpha.test")
    page.click("details.menu > summary")
    axe()
    shots("layout-signed-in")
