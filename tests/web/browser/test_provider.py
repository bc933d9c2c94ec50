"""A provider's first day, in a real browser at the demo agency (open to anyone): they register
offering services, apply with a document, are approved by the marketplace's team, create a listing
with two packages and a picture, submit it, set their hours and find the listing live. Every
dashboard page is checked with axe-core and photographed at desktop and phone width
(tests/screenshots/provider-*.png)."""

from __future__ import annotations

import re
import threading

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EMAIL = "nova.browser-provider@brightside.example.com"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _png() -> bytes:
    import io

    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (960, 640), (36, 99, 235))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((280, 120, 680, 520), fill=(250, 204, 21))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def _committed(work):
    """Run `work` on a connection of its own, so what it writes is committed for the server (the
    test's own connection is inside a transaction that is rolled back)."""
    outcome = {}

    def run():
        from django.db import connection

        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _approve(email: str) -> None:
    from accounts.models import User
    from marketplace.providers.models import ProviderProfile
    from marketplace.providers.services import provider_review
    from tenants.context import tenant_context
    from tenants.models import Tenant

    with tenant_context(Tenant.objects.get(schema_name="agency")):
        admin = User.objects.get(email="admin@brightside.example.com")
        profile = ProviderProfile.objects.get(user__email=email)
        provider_review(actor=admin, profile=profile, decision="approve", badges=["identity_verified"])


def _category_id(slug: str) -> str:
    from marketplace.catalogue.models import Category
    from tenants.context import tenant_context
    from tenants.models import Tenant

    with tenant_context(Tenant.objects.get(schema_name="agency")):
        return Category.objects.get(slug=slug).public_id


def test_a_new_provider_joins_gets_approved_and_publishes_a_listing(page, site, demo_world, axe, shots):
    # given: a visitor registers at the agency, offering services
    page.goto(site("agency", "/accounts/register/"))
    page.fill("input[name=full_name]", "Nova Lindgren")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", "Nova-provider-2026")
    page.check("input[name=roles][value=provider]")
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    # when: they open the provider pages, they are sent to apply first
    page.goto(site("agency", "/provider/"))
    page.wait_for_url(re.compile(r"/provider/apply/$"))
    axe()
    shots("provider-apply")
    page.fill("input[name=headline]", "Illustrator for children's books and brands")
    page.fill("textarea[name=bio]", "Fifteen years of picture books, packaging and mascots, in watercolour and vector.")
    page.fill("input[name=skills]", "Illustration, Watercolour, Character design")
    page.fill("input[name=languages]", "English, Swedish")
    page.fill("input[name=location]", "Stockholm")
    page.set_input_files("input[name=identity]", {"name": "passport.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.click("main form button[type=submit]")

    # then: the application waits for the team
    page.wait_for_selector("text=Waiting for review")
    assert "passport.pdf" in page.inner_text("main")
    shots("provider-apply-pending")

    # when: an admin approves it
    _committed(lambda: _approve(EMAIL))
    page.goto(site("agency", "/provider/"))

    # then: the dashboard opens
    page.wait_for_selector("h1:has-text('Hello, Nova Lindgren')")
    axe()
    shots("provider-overview")

    # when: they create a listing with two packages
    page.goto(site("agency", "/provider/listings/new/"))
    page.fill("input[name=title]", "Picture-book illustration, cover to cover")
    page.fill(
        "textarea[name=description]",
        "Thirty-two illustrated pages in watercolour: sketches first, two rounds of changes, print-ready files.",
    )
    page.select_option("select[name=category]", _category_id("illustration"))
    page.wait_for_selector("input[name=attr_deliverable_formats][value=PDF]")
    page.check("input[name=attr_deliverable_formats][value=PDF]")
    page.check("input[name=attr_deliverable_formats][value=PNG]")
    page.fill("input[name=packages-0-name]", "Cover only")
    page.fill("input[name=packages-0-price]", "450")
    page.fill("input[name=packages-0-delivery_days]", "10")
    page.fill("input[name=packages-1-name]", "Whole book")
    page.fill("input[name=packages-1-price]", "3200.50")
    page.fill("input[name=packages-1-delivery_days]", "60")
    axe()
    shots("provider-listing-new")
    page.click("form#listing-form .sticky-actions button[type=submit]")
    page.wait_for_selector("text=Listing saved as a draft")
    listing_id = re.search(r"/provider/listings/([^/]+)/$", page.url).group(1)

    # and a picture, whose thumbnail the background task makes
    page.set_input_files("input[name=file]", {"name": "cover.png", "mimeType": "image/png", "buffer": _png()})
    page.click("form.upload-form button[type=submit]")
    page.wait_for_selector("text=Picture added")
    page.wait_for_selector("#listing-images img")
    axe()
    shots("provider-listing-edit")

    # when: submitted
    page.click(".listing-status button:has-text('Submit')")

    # then: it is live (the agency does not moderate listings)
    page.wait_for_selector("text=the listing is now “Active”")
    page.goto(site("agency", "/provider/listings/"))
    assert "Active" in page.inner_text("main")
    axe()
    shots("provider-listings")

    # when: they set their hours (Monday to Friday are suggested) and save
    page.goto(site("agency", "/provider/availability/"))
    page.fill("input[name=time_zone]", "Europe/Stockholm")
    page.fill("input[name=min_notice_minutes]", "0")
    page.fill("input[name=w5_0_start]", "10:00")
    page.fill("input[name=w5_0_end]", "13:00")
    page.click("#schedule-form > .actions button[type=submit]")
    page.wait_for_selector("text=Availability saved")

    # then: the preview shows free slots
    assert page.locator(".slots li").count() > 5
    axe()
    shots("provider-availability")

    # and the other dashboard pages are there for them
    for path, name in (
        ("/provider/calendar/", "provider-calendar"),
        ("/provider/calendar/?view=month", "provider-calendar-month"),
        ("/provider/bookings/", "provider-bookings"),
        ("/provider/earnings/", "provider-earnings"),
        ("/provider/profile/", "provider-profile"),
    ):
        page.goto(site("agency", path))
        axe()
        shots(name)

    # finally: the listing is live for clients
    page.goto(site("agency", f"/listings/{listing_id}/"))
    assert "Picture-book illustration, cover to cover" in page.inner_text("main")
    shots("provider-listing-live")
