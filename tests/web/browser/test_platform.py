"""The platform host in a real browser.

1. An operator reads the landing page and pricing, starts a Growth trial billed monthly, watches the
   address being checked as they type, submits, and lands signed in at the new marketplace's admin
   (`/manage/`) through the one-time link.
2. Platform staff open the console, find the demo university, start a support session as one of its
   clients, see the marketplace with the support banner, and end it.

Every page is checked with axe-core and photographed at desktop and phone width
(tests/screenshots/platform-*.png, console-*.png).
"""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

OPERATOR = "gwen.browser-operator@studio.example.com"
SLUG = "gwen-browser-studio"


def test_an_operator_signs_up_for_growth_monthly_and_lands_in_the_admin(page, site, axe, shots):
    # given: the landing page and pricing
    page.goto(site(None, "/"))
    assert "Your own marketplace" in page.inner_text("h1")
    assert page.locator("#pricing-teaser [data-plan=growth]").count() == 1
    axe()
    shots("platform-landing")
    page.click("text=See pricing")
    page.wait_for_url(re.compile(r"/pricing/$"))
    assert "149.00 USD" in page.inner_text("[data-plan=growth]")
    axe()
    shots("platform-pricing")
    page.click("label[for=billed-year]")  # the switch shows yearly prices ...
    assert page.is_visible("[data-plan=growth] .year-only.price")
    assert not page.is_visible("[data-plan=growth] .month-only.price")
    page.click("label[for=billed-month]")  # ... and back to monthly

    # when: Growth, monthly
    page.click("[data-plan=growth] a.month-only")
    page.wait_for_url(re.compile(r"/signup/\?plan=growth&interval=month$"))
    assert page.is_checked("#plan-growth") and page.is_checked("input[name=interval][value=month]")
    page.fill("input[name=full_name]", "Gwen Operator")
    page.fill("input[name=email]", OPERATOR)
    page.fill("input[name=password]", "Operator-pass-2026")
    page.fill("input[name=name]", "Gwen Browser Studio")
    page.type("input[name=slug]", "alpha", delay=20)  # taken by the session's marketplace
    page.wait_for_selector("#slug-check .slug-taken")
    assert "already taken" in page.inner_text("#slug-check")
    page.fill("input[name=slug]", "")
    page.type("input[name=slug]", SLUG, delay=10)
    page.wait_for_selector("#slug-check .slug-free")
    assert f"{SLUG}.localhost is available" in page.inner_text("#slug-check")
    page.select_option("select[name=kind]", "agency")
    axe()
    shots("platform-signup")
    page.click("#create-marketplace", no_wait_after=True)

    # then: the marketplace is created, and the browser lands signed in at its admin
    page.wait_for_url(re.compile(rf"http://{SLUG}\.localhost:\d+/manage/"), timeout=90_000)
    page.wait_for_load_state()
    assert OPERATOR in page.text_content(".menu-who")
    shots("platform-signup-landed")

    # and the progress page, seen again, says it is ready (it does not sign in twice)
    from tenants.models import MarketplaceSignup

    signup = MarketplaceSignup.objects.get(slug=SLUG)
    page.goto(site(None, f"/signup/{signup.public_id}/"))
    page.wait_for_selector("text=Gwen Browser Studio is ready")
    assert page.url.endswith(f"/signup/{signup.public_id}/")
    assert page.locator(".progress-steps li.step-done").count() == 3
    axe()
    shots("platform-signup-ready")


def test_staff_support_a_client_of_the_demo_university_from_the_console(page, site, demo_world, sign_in, axe, shots):
    from tenants.demo import DEMO_PASSWORD, PLATFORM_STAFF

    # given: platform staff signed in on the platform host
    sign_in(None, PLATFORM_STAFF, DEMO_PASSWORD)
    page.goto(site(None, "/console/"))
    assert "Platform console" in page.inner_text("h1")
    axe()
    shots("console-overview")

    # when: they find the university among the marketplaces
    page.goto(site(None, "/console/tenants/"))
    page.fill("input[name=q]", "Northbridge")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"q=Northbridge"))
    row = page.locator("tr[data-slug=uni]")
    assert "Northbridge University Tutoring" in row.inner_text()
    axe()
    shots("console-tenants")
    row.locator("a").first.click()
    page.wait_for_selector("#support")
    assert "Northbridge University Tutoring" in page.inner_text("h1")
    axe()
    shots("console-tenant")

    # and start a support session as Priya, a client, with a reason
    page.type("#member-q", "priya@", delay=20)
    page.wait_for_selector("#member-results input[type=radio]")
    page.check("#member-results input[type=radio]")
    page.fill("textarea[name=reason]", "Ticket 2026-118: Priya cannot see her booking")
    page.click("text=Start support session")

    # then: at the university, as Priya, with the banner on every page
    page.wait_for_url(re.compile(r"http://uni\.localhost:\d+/$"))
    banner = page.locator("#support-banner")
    assert "Support session: you are viewing as Priya Raman" in banner.inner_text()
    page.goto(site("uni", "/bookings/"))
    assert page.locator("#support-banner").count() == 1
    axe()
    shots("support-session-banner")

    # when: they end it
    page.click("#support-banner button")

    # then: back in the console, the session recorded as ended
    page.wait_for_url(re.compile(r"http://localhost:\d+/console/tenants/[^/]+/#support"))
    sessions = page.inner_text("#support-sessions")
    assert "staff@platform.example.com" in sessions and "priya@northbridge.example.edu" in sessions
    assert "Ended" in sessions
    page.goto(site("uni", "/"))
    assert page.locator("#support-banner").count() == 0


def test_staff_pages_of_the_console_pass_the_accessibility_checks(page, site, demo_world, sign_in, axe, shots):
    from tenants.demo import DEMO_PASSWORD, PLATFORM_STAFF

    sign_in(None, PLATFORM_STAFF, DEMO_PASSWORD)
    for path, name in (
        ("/console/plans/", "console-plans"),
        ("/console/plans/growth/", "console-plan-edit"),
        ("/console/subscriptions/", "console-subscriptions"),
        ("/console/invoices/", "console-invoices"),
        ("/console/support/", "console-support-sessions"),
        ("/console/billing/", "console-billing"),
    ):
        page.goto(site(None, path))
        assert page.locator("nav.sidebar a[aria-current=page]").count() == 1, path
        axe()
        shots(name)
