"""The admin console's operations pages in a real browser, at the demo university (uni) as its admin:
the overview with its charts and the CSV download, a category made with an attribute, a category's
cancellation policy changed (and a timer the card hold cannot honour refused), notification wording
previewed, the audit log, API keys, settings and billing. axe-core on every page; screenshots at
desktop and phone width in tests/screenshots/manage-ops-*.png.

The server only sees committed data: the demo marketplaces, and what these tests make through the
browser (names no other test uses)."""

from __future__ import annotations

import re

import pytest

from marketplace.notifications.kinds import configurable

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

ADMIN = "admin@northbridge.example.edu"
CATEGORY = "Topology Reading Circle"


def _open(page, site, path):
    page.goto(site("uni", path))
    page.wait_for_load_state()


def test_overview_with_charts_and_the_csv_download(page, site, sign_in, shots, axe, demo_world):
    # given
    sign_in("uni", ADMIN)

    # when
    _open(page, site, "/manage/?period=30d")

    # then: the key numbers, four charts drawn as SVG with a title each, the numbers in a table
    assert page.inner_text("h1") == "Overview"
    for stat in ("gmv", "bookings", "commission", "fee", "disputes", "providers", "listings", "escrow"):
        assert page.locator(f"#stat-{stat}").count() == 1
    assert page.locator("figure.chart-card").count() == 4
    assert page.locator(".chart-wide svg > title").count() == 4  # each chart is named (bars carry their own)
    assert page.locator(".chart-wide svg").first.is_visible()
    assert int(page.inner_text("#stat-providers .stat")) >= 1
    page.click("#numbers summary")
    assert page.locator("#numbers-table tbody tr").count() == 30
    axe()
    shots("manage-ops-overview")

    # when: the CSV
    with page.expect_download() as download:
        page.click("text=Download CSV")

    # then
    file = download.value
    assert re.fullmatch(r"uni-report-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d-per-day\.csv", file.suggested_filename)
    lines = open(file.path(), encoding="utf-8").read().splitlines()
    assert lines[0] == "period_start,bookings,disputes,dispute_rate_percent,currency,gmv,commission,platform_fee"
    assert len(lines) == 31

    # when: per month over a custom period
    page.select_option("select[name=period]", "custom")
    page.fill("input[name=from]", "2025-01-01")
    page.fill("input[name=to]", "2025-06-30")
    page.select_option("select[name=per]", "month")
    page.click("form.report-filters button[type=submit]")
    page.wait_for_url(re.compile(r"per=month"))

    # then
    assert "GMV per month" in page.inner_text("#chart-gmv")
    page.set_viewport_size({"width": 390, "height": 844})
    assert (
        page.locator(".chart-narrow svg").first.is_visible() and not page.locator(".chart-wide svg").first.is_visible()
    )
    page.set_viewport_size({"width": 1200, "height": 800})


def test_a_category_with_an_attribute_and_its_cancellation_policy(page, site, sign_in, shots, axe, demo_world):
    sign_in("uni", ADMIN)

    # given: the tree
    _open(page, site, "/manage/categories/")
    assert page.locator("[data-category=mathematics] [data-category=calculus]").count() == 1
    axe()
    shots("manage-ops-categories")

    # when: a category inside Mathematics, 7.5 % commission
    page.fill("#id_name", CATEGORY)
    page.select_option("#id_parent", label="Mathematics")
    page.fill("#id_commission", "7.5")
    page.click("#new button[type=submit]")

    # then: its page, with what it inherits
    page.wait_for_selector(f"text=Category “{CATEGORY}” created.")
    assert page.inner_text("h1").startswith(CATEGORY)
    assert "7.5% · set here" in page.inner_text("#effective-commission")
    assert "from Mathematics" in page.inner_text("#effective-workflow")
    category_url = page.url

    # when: an attribute
    page.fill("#attribute-form #id_label", "Reading pace")
    page.fill("#attribute-form #id_key", "reading_pace")
    page.select_option("#attribute-form #id_type", "choice")
    page.fill("#attribute-form #id_choices", "Slow\nSteady\nBrisk")
    page.check("#attribute-form #id_filterable")
    page.click("#attribute-form button[type=submit]")

    # then: listed with the ones it inherits
    page.wait_for_selector("text=Attribute added.")
    table = page.inner_text("#attributes-table")
    assert "Reading pace" in table and "Slow, Steady, Brisk" in table and "Level" in table
    axe()
    shots("manage-ops-category")

    # when: a bad commission
    page.fill("#terms #id_commission", "120")
    page.click("#terms button[type=submit]")
    page.wait_for_selector("#terms .field-errors")
    assert "less than or equal to 100" in page.inner_text("#terms .field-errors")
    axe()

    # and: the attribute's own page explains what never changes
    page.goto(category_url)
    page.click("[data-attribute=reading_pace] a:has-text('Edit')")
    page.wait_for_load_state()
    assert "What never changes" in page.inner_text("main")
    axe()
    shots("manage-ops-attribute")

    # when: its booking settings; a request expiry longer than a card hold
    page.goto(category_url)
    page.click("text=Booking settings")
    page.wait_for_load_state()
    axe()
    assert page.locator("#id_accept_within_hours").is_hidden()  # instant booking here: another workflow's timer
    page.click(".other-timers summary")
    page.fill("#id_accept_within_hours", "200")
    page.click("#policies-form > .actions button[type=submit]")

    # then: refused next to the field, with the reason
    page.wait_for_selector("#id_accept_within_hours_errors")
    assert "card holds lapse after about 7 days" in page.inner_text("#id_accept_within_hours_errors")
    axe()
    shots("manage-ops-policies-refused")

    # when: the strict policy instead
    page.fill("#id_accept_within_hours", "")
    page.select_option("#id_policy", "strict")
    page.click("#policies-form > .actions button[type=submit]")

    # then
    page.wait_for_selector(f"text=Saved: the booking settings of “{CATEGORY}” and below.")
    assert "In effect: Strict" in page.inner_text("#cancellation")
    shots("manage-ops-policies")

    # and: the overview of workflows shows it, set here
    _open(page, site, "/manage/workflows/")
    row = page.locator("#workflows-table tr", has_text=CATEGORY)
    assert "Strict" in row.inner_text() and "set here" in row.inner_text()
    axe()
    shots("manage-ops-workflows")


def test_notifications_audit_keys_settings_and_billing(page, site, sign_in, shots, axe, demo_world):
    sign_in("uni", ADMIN)

    # notifications: the list, then wording with a placeholder that does not exist, previewed as typed
    _open(page, site, "/manage/notifications/")
    assert page.locator("#notifications-table tbody tr").count() == len(configurable())
    axe()
    shots("manage-ops-notifications")
    page.click("[data-kind='quote.received'] a:has-text('Edit wording')")
    page.wait_for_load_state()
    page.fill("#id_subject", "A quote from {provider} for {listin}")
    page.wait_for_selector("#preview .alert-error")
    assert "unknown placeholder {listin}" in page.inner_text("#preview")
    page.fill("#id_subject", "A quote from {provider} for {listing}")
    page.wait_for_selector("#preview-subject:has-text('A quote from Amira Haddad for Calculus tutoring')")
    axe()
    shots("manage-ops-notification")

    # the audit log: the category made by the other test is told as a sentence (when it ran first)
    _open(page, site, "/manage/audit/?action=category")
    axe()
    shots("manage-ops-audit")
    if page.locator(".audit-entry").count():
        assert "created category" in page.inner_text("#audit-list") or "changed category" in page.inner_text(
            "#audit-list"
        )
        page.locator(".audit-entry details summary").first.click()

    # API keys: made (shown once), copied, revoked
    _open(page, site, "/manage/api-keys/")
    axe()
    page.fill("#id_name", "Browser warehouse sync")
    page.click("#new-key button[type=submit]")
    page.wait_for_selector("#key-made")
    assert len(page.input_value("#new-secret")) > 20
    page.click("[data-copy]")
    page.wait_for_selector("#copy-status:has-text('Copied.')")
    axe()
    shots("manage-ops-api-keys")
    page.locator("#keys-table tr", has_text="Browser warehouse sync").locator("button:has-text('Revoke')").click()
    page.wait_for_selector("text=Revoked “Browser warehouse sync”: it no longer works.")

    # settings and billing, in the console's layout
    _open(page, site, "/manage/settings/")
    assert page.inner_text("h1") == "Marketplace settings"
    axe()
    shots("manage-ops-settings")
    _open(page, site, "/manage/billing/")
    assert page.locator("#plan h1").count() == 1
    axe()
    shots("manage-ops-billing")
