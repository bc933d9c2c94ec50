"""The platform's public pages: the landing page and pricing show the plans as the database has them
(a change of terms shows at once, a retired plan is gone), sign-up preselects the plan chosen on
pricing, checks the address as you type and, once the marketplace is ready, lands the operator in its
admin through a one-time link that works once, only at that marketplace."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import User
from billing.models import Plan, Subscription
from billing.services import plan_retire, plan_update
from tenants.context import tenant_context
from tenants.models import MarketplaceSignup, SignInLink, Tenant

pytestmark = pytest.mark.django_db

SIGNUP = {
    "full_name": "Gina Growth",
    "email": "gina@studio.example.com",
    "password": "Operator-pass-2026",
    "name": "Gina Design Studio",
    "slug": "gina-studio",
    "kind": "agency",
    "plan": "growth",
    "interval": "month",
}


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- landing -----------------------------------------------------------------------------------------


def test_landing_page_shows_the_plans_on_offer_from_the_database(platform, staff):
    # given: Growth's monthly price changed (a new version)
    plan_update(actor=staff, plan=Plan.objects.get(code="growth"), monthly_price=15_900)

    # when
    page = platform().get("/")

    # then
    assert page.status_code == 200
    text = _text(page)
    assert "White-label marketplace platform" in text
    assert "159.00 USD" in text and "149.00 USD" not in text  # the current version's price
    assert "49.00 USD" in text and "499.00 USD" in text  # Starter and Enterprise
    assert 'href="/signup/?plan=growth"' in text
    assert "Your marketplaces" not in text  # nobody signed in


def test_landing_page_lists_a_signed_in_operators_marketplaces(platform, operator, tenant_a, tenant_b):
    # given: alpha belongs to the operator, beta to nobody
    tenant_a.owner = operator
    tenant_a.save(update_fields=["owner"])

    # when
    text = _text(platform(operator).get("/"))

    # then
    assert "Your marketplaces" in text
    assert "Alpha University" in text and "http://alpha.localhost:8000/" in text
    assert "Beta Agency" not in text
    assert f"/marketplaces/{tenant_a.public_id}/admin/" in text


# --- pricing -----------------------------------------------------------------------------------------


def test_pricing_compares_prices_fees_limits_and_features_of_the_current_versions(platform):
    page = platform().get("/pricing/")

    assert page.status_code == 200
    text = _text(page)
    table = text.split('id="compare"')[1]
    assert "Price, billed monthly" in table and "Price, billed yearly" in table
    assert "4,900" not in table  # amounts are money, not raw minor units
    for price in ("49.00 USD", "149.00 USD", "499.00 USD", "490.00 USD", "1,490.00 USD", "4,990.00 USD"):
        assert price in table
    assert "5%" in table and "3%" in table and "2%" in table  # the platform fee of each plan
    assert "250" in table and "10 GB" in table and "Unlimited" in table  # Growth's providers, storage; Enterprise
    assert "Your own domain" in table and "Not included" in table
    assert "/signup/?plan=growth&amp;interval=year" in text and "/signup/?plan=growth&amp;interval=month" in text


def test_pricing_opens_on_the_interval_asked_for_and_leaves_out_retired_plans(platform, staff):
    plan_retire(actor=staff, plan=Plan.objects.get(code="enterprise"))

    text = _text(platform().get("/pricing/?interval=year"))

    assert 'id="billed-year" value="year" checked' in text
    assert 'data-plan="enterprise"' not in text and "499.00 USD" not in text


# --- sign-up -----------------------------------------------------------------------------------------


def test_signup_preselects_the_plan_and_interval_chosen_on_pricing(platform):
    text = _text(platform().get("/signup/?plan=growth&interval=year"))

    assert 'value="growth" id="plan-growth" checked' in text
    assert re.search(r'value="year"[^>]*checked', text)
    assert "149.00 USD a month or 1,490.00 USD a year" in text


def test_address_check_says_whether_the_address_is_free(platform, tenant_a):
    taken = _text(platform().get("/signup/check/address/", {"slug": "alpha"}))
    free = _text(platform().get("/signup/check/address/", {"slug": "fresh-name"}))
    reserved = _text(platform().get("/signup/check/address/", {"slug": "admin"}))

    assert "already taken" in taken
    assert "fresh-name.localhost</strong> is available" in free
    assert "reserved" in reserved


def test_an_invalid_signup_is_shown_with_400_and_creates_nothing(platform, tenant_a):
    page = platform().post("/signup/", {**SIGNUP, "slug": "alpha", "plan": "growth"})

    assert page.status_code == 400
    assert "already taken" in _text(page)
    assert not User.objects.filter(email=SIGNUP["email"]).exists()
    assert not MarketplaceSignup.objects.exists()


def _sign_up(run_on_commit) -> tuple[Client, Tenant, str]:
    """Sign up on the platform host (provisioned at once here) and follow to the progress page."""
    browser = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    with run_on_commit():
        submitted = browser.post("/signup/", SIGNUP)
    assert submitted.status_code == 302
    progress = browser.get(submitted["Location"])
    return browser, Tenant.objects.get(schema_name="gina-studio"), _text(progress)


def test_signup_lands_the_operator_in_the_new_marketplaces_admin_with_a_one_time_link(run_on_commit):
    # given: signed up for Growth, monthly; the progress page is ready
    browser, tenant, progress = _sign_up(run_on_commit)
    assert Subscription.objects.get(tenant=tenant).plan_version.plan.code == "growth"
    assert "Gina Design Studio is ready" in progress
    assert f'action="/marketplaces/{tenant.public_id}/admin/"' in progress

    # when: the page opens the admin (a POST that answers with the marketplace's one-time link)
    opened = browser.post(f"/marketplaces/{tenant.public_id}/admin/")
    link = opened["Location"]
    assert re.fullmatch(r"http://gina-studio\.localhost:8000/welcome/[^/]+/", link)
    marketplace = Client(HTTP_HOST="gina-studio.localhost")
    landed = marketplace.get(link.split(":8000")[1])

    # then: signed in at the marketplace as its admin, on /manage/
    assert landed.status_code == 302 and landed["Location"] == "/manage/"
    home = marketplace.get("/")
    with tenant_context(tenant):
        admin = User.objects.get(email=SIGNUP["email"])
    assert int(marketplace.session["_auth_user_id"]) == admin.pk and admin.is_marketplace_admin
    assert SIGNUP["email"] in _text(home)
    assert SignInLink.objects.get().used_at is not None


def test_the_admin_link_works_once_and_only_at_its_marketplace(run_on_commit, tenant_a):
    # given
    browser, tenant, _progress = _sign_up(run_on_commit)
    path = browser.post(f"/marketplaces/{tenant.public_id}/admin/")["Location"].split(":8000")[1]

    # when: first at another marketplace, then twice at the right one
    elsewhere = Client(HTTP_HOST="alpha.localhost").get(path)
    first = Client(HTTP_HOST="gina-studio.localhost").get(path)
    second_browser = Client(HTTP_HOST="gina-studio.localhost")
    second = second_browser.get(path)

    # then: refused with a page and a sign-in link, never an error; the second browser is not signed in
    assert elsewhere.status_code == 400 and "not valid here" in _text(elsewhere)
    assert first.status_code == 302
    assert second.status_code == 400 and "used already" in _text(second)
    assert 'href="/accounts/login/"' in _text(second)
    assert "_auth_user_id" not in second_browser.session


def test_an_expired_admin_link_shows_a_page_with_a_sign_in_link(run_on_commit):
    browser, tenant, _progress = _sign_up(run_on_commit)
    path = browser.post(f"/marketplaces/{tenant.public_id}/admin/")["Location"].split(":8000")[1]
    SignInLink.objects.update(expires_at=timezone.now())

    page = Client(HTTP_HOST="gina-studio.localhost").get(path)

    assert page.status_code == 400
    assert "has expired" in _text(page) and 'href="/accounts/login/"' in _text(page)
    assert SignInLink.objects.get().used_at is None


def test_only_the_owner_can_open_a_marketplaces_admin(platform, operator, tenant_a):
    # given: alpha has no owner; the operator is someone else
    page = platform(operator).post(f"/marketplaces/{tenant_a.public_id}/admin/")
    anonymous = platform().post(f"/marketplaces/{tenant_a.public_id}/admin/")

    assert page.status_code == 404
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert not SignInLink.objects.exists()


def test_an_operator_with_the_password_still_signs_in_at_the_marketplace(run_on_commit):
    """The one-time link is a shortcut; the account works with its password as before."""
    _browser, tenant, _progress = _sign_up(run_on_commit)

    signed_in = Client(HTTP_HOST="gina-studio.localhost").post(
        "/accounts/login/", {"email": SIGNUP["email"], "password": SIGNUP["password"]}
    )

    assert signed_in.status_code == 302
