"""A student's booking, in a real browser at the demo university: they search, narrow the results
with the filters (htmx updates the results and the address), open a tutor's listing, pick a time in
the slot picker, pay with the test card and land on their booking. The search, listing and checkout
pages are checked with axe-core and photographed at desktop and phone width
(tests/screenshots/discovery-*.png)."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

PRIYA = "priya@northbridge.example.edu"


def test_a_student_searches_filters_picks_a_time_and_pays(page, site, sign_in, shots, axe, demo_world):
    # given
    sign_in("uni", PRIYA)
    page.goto(site("uni", "/search/"))
    page.wait_for_selector("text=Calculus I exam preparation")
    axe()
    shots("discovery-search")

    # when: searching (results follow the typing, the address can be shared)
    page.fill("#id_q", "calculus")
    page.wait_for_url(re.compile(r"/search/\?.*q=calculus"))
    page.wait_for_selector(".results-count:has-text('2 results')")  # the calculus tutor's statistics too
    assert page.is_visible("text=Calculus I exam preparation")

    # and: choosing the category, then one of its attribute filters
    page.locator("#search-body input[name=category] + label", has_text="Calculus").click()
    page.wait_for_url(re.compile(r"category=cat_"))
    page.locator("input[name='attr.level'] + label", has_text="Introductory").click()
    page.wait_for_url(re.compile(r"attr\.level=Introductory"))
    page.wait_for_selector(".results-count:has-text('1 result')")
    assert page.locator("input[name='attr.level'][value=Introductory]").is_checked()
    shots("discovery-search-filtered")

    # and: opening the listing and picking the first free time
    page.click("text=Calculus I exam preparation")
    page.wait_for_selector("h1:has-text('Calculus I exam preparation')")
    page.wait_for_selector("#slot-picker .slot-time")
    axe()
    shots("discovery-listing")
    week = page.inner_text("#slot-picker .slot-range")
    page.locator("#slot-picker button:has-text('Later')").click()  # another week, through htmx
    page.wait_for_function("w => document.querySelector('#slot-picker .slot-range').innerText !== w", arg=week)
    page.wait_for_selector("#slot-picker .slot-time")
    first = page.locator("#slot-picker .slot-time").first
    first.click()
    chosen = page.locator("#slot-picker input[name=starts_at]:checked").get_attribute("value")
    page.click("text=Continue to checkout")

    # then: the checkout shows the chosen time, the price and the escrow
    page.wait_for_selector("h1:has-text('Book and pay')")
    assert page.locator(f"#slot-picker input[value='{chosen}']").is_checked()
    assert "escrow" in page.inner_text("#price-summary")
    axe()
    shots("discovery-checkout")

    # when: paying with the test card
    page.fill("input[name=card_number]", "4242 4242 4242 4242")
    page.fill("input[name=card_expiry]", "12/30")
    page.fill("input[name=card_cvc]", "123")
    page.click("#checkout-submit")

    # then
    page.wait_for_url(re.compile(r"/bookings/bkg_[a-z0-9]+/$"))
    assert "held in escrow" in page.inner_text("main")
    shots("discovery-booked")


def test_a_declined_card_is_explained_next_to_the_card_and_can_be_retried(page, site, sign_in, shots, demo_world):
    # given
    sign_in("uni", "tom@northbridge.example.edu")
    page.goto(site("uni", "/search/?q=python"))
    page.click("text=Python from zero to first project")
    page.wait_for_selector("#slot-picker .slot-time")
    page.locator("#slot-picker .slot-time").last.click()
    page.click("text=Continue to checkout")
    page.wait_for_selector("h1:has-text('Book and pay')")

    # when
    page.fill("input[name=card_number]", "4000 0000 0000 0002")
    page.fill("input[name=card_expiry]", "12/30")
    page.fill("input[name=card_cvc]", "123")
    page.click("#checkout-submit")

    # then
    page.wait_for_selector("#id_card_number_errors:has-text('Your card was declined.')")
    assert "is not paid yet" in page.inner_text("main")
    shots("discovery-checkout-declined")
    page.fill("input[name=card_number]", "4242 4242 4242 4242")
    page.fill("input[name=card_cvc]", "123")
    page.click("#checkout-submit")
    page.wait_for_url(re.compile(r"/bookings/bkg_[a-z0-9]+/$"))
