"""The marketplaces' own pages in a real browser: the three demo home pages (a university, an agency,
a law firm) at desktop and phone width, a content page and the help centre, each checked with axe;
then the university's admin changes the hero's heading in the page editor, publishes, and the home
page shows it (tests/screenshots/cms-*.png).

The server sees committed data only: the demo marketplaces (`demo_world`); the edit is made through
the editor itself, with a heading no other test uses."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

NEW_HEADING = "Revision week: drop-in help with every exam (editor journey)"
HOMES = {
    "uni": ("Northbridge University Tutoring", "Study help from students who sat the same exams", "Student questions"),
    "agency": (
        "Brightside Creative Agency",
        "Design, development and marketing from people who ship",
        "From brief to launch",
    ),
    "lawfirm": ("Hartwell & Co Legal Advice", "Clear legal advice, booked in minutes", "Practice areas"),
}


def test_the_three_demo_home_pages_are_three_products(page, site, shots, axe, demo_world):
    for slug, (name, heading, section) in HOMES.items():
        # when
        page.goto(site(slug))

        # then
        assert page.locator("h1").count() == 1
        assert page.text_content(".hero-eyebrow") == f"Welcome to {name}"
        if slug != "uni":  # the university's heading is the one the editor journey changes
            assert page.inner_text("h1") == heading
        assert page.is_visible(f"h2:has-text('{section}')")
        assert page.locator(".listing-card, .provider-card").count() >= 2  # live demo listings and providers
        shots(f"cms-home-{slug}")
        axe()
    # the law firm's approval policy is explained to visitors
    assert page.is_visible("text=Anyone can apply to join; the team reviews every application.")


def test_content_page_and_help_centre(page, site, shots, axe, demo_world):
    # a content page
    page.goto(site("agency", "/about/"))
    assert page.inner_text("h1") == "About the studio"
    shots("cms-about-agency")
    axe()

    # the help centre, grouped by topic, then searched
    page.goto(site("lawfirm", "/help/"))
    assert page.inner_text("h1") == "Help centre"
    assert page.is_visible("h2:has-text('Consultations')") and page.is_visible("h2:has-text('Fees')")
    shots("cms-help-lawfirm")
    axe()
    page.fill("#help-q", "conflict")
    page.press("#help-q", "Enter")
    page.wait_for_selector("text=Conflict checks explained")
    page.click("text=Conflict checks explained")
    page.wait_for_selector("h1:has-text('Conflict checks explained')")
    shots("cms-help-article-lawfirm")
    axe()

    # the university's footer links lead to its pages
    page.goto(site("uni"))
    page.click("footer >> text=Student support")
    assert page.inner_text("h1") == "Help centre"
    assert page.is_visible("text=What tutors can and cannot help with")


def test_an_admin_changes_the_hero_in_the_editor_and_publishes(page, site, sign_in, shots, demo_world):
    from cms.models import HomePage
    from tenants.context import tenant_context
    from tenants.models import Tenant

    with tenant_context(Tenant.objects.get(schema_name="uni")):
        home_id = HomePage.objects.get().pk

    # given the university's admin in the page editor
    sign_in("uni", "admin@northbridge.example.edu")
    page.goto(site("uni", "/cms/"))
    page.wait_for_selector("text=Northbridge University Tutoring pages")
    shots("cms-admin-dashboard-uni")

    # when they change the hero's heading and publish
    page.goto(site("uni", f"/cms/pages/{home_id}/edit/"))
    heading = page.locator("input[name='body-0-value-heading']")
    heading.wait_for()
    heading.fill(NEW_HEADING)
    shots("cms-admin-editor-uni")
    page.locator("footer").get_by_role("button", name="More actions").click()
    page.click("button[name='action-publish']")
    page.wait_for_selector("text=has been published")

    # then the home page shows it
    page.goto(site("uni"))
    assert page.inner_text("h1") == NEW_HEADING
    shots("cms-home-uni-edited")


def test_other_members_cannot_open_the_editor(page, site, sign_in, demo_world):
    sign_in("uni", "amira@northbridge.example.edu")

    response = page.goto(site("uni", "/cms/"))

    assert response.status == 403
    assert page.is_visible("text=Only marketplace admins can edit the marketplace's pages.")
