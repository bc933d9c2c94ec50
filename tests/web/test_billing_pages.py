"""Billing in a real browser: platform staff read the billing console; a marketplace's admin reads
the plan, usage and invoices, saves a card, pays an open invoice and upgrades, and sees a refused card
next to what it refused, with nothing changed.

The server is a separate process, so what these tests set up must be committed: module fixtures
(`committed`) create it before any test transaction begins, each test in marketplaces of its own,
purged when the module is done. The tests themselves only read (their transaction sees what the
server commits).
Screenshots: tests/screenshots/billing-*.png, at 1200 px and at a phone's 390 px.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import User
from billing import console
from billing.dunning import subscription_dun
from billing.invoices import card_save, tax_on
from billing.models import BillingAccount, Subscription, SubscriptionEvent, SubscriptionPayment, TenantInvoice
from billing.services import amount_due, subscription_payment_record
from tenants.context import tenant_context
from tenants.models import Tenant, TenantStatus
from tests.factories import PASSWORD, UserFactory

# django_db makes pytest-django create the test database even when only these tests run.
pytestmark = [pytest.mark.django_db, pytest.mark.integration]

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def committed(django_db_setup, django_db_blocker):
    """Database access outside any test transaction: what is written is committed, so the server sees it."""
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


@contextmanager
def marketplace(slug: str, name: str, *, plan: str = "starter", interval: str = "month"):
    """A self-service marketplace (its card is charged) on a trial of `plan`, purged afterwards."""
    from tenants.services import tenant_provision
    from tenants.services.lifecycle import tenant_purge

    tenant = tenant_provision(
        name=name,
        slug=slug,
        kind="agency",
        admin_email=f"admin@{slug}.test",
        admin_password=PASSWORD,
        plan=plan,
        interval=interval,
        collection="automatic",
    )
    try:
        yield tenant
    finally:
        connection.set_schema_to_public()
        Tenant.objects.filter(pk=tenant.pk).update(
            status=TenantStatus.CLOSED, purge_after=timezone.now() - timedelta(seconds=1)
        )
        tenant_purge(tenant=Tenant.objects.get(pk=tenant.pk))


def _subscription(tenant) -> Subscription:
    return Subscription.objects.select_related("plan_version__plan").get(tenant=tenant)


def _past_due(tenant) -> TenantInvoice:
    """The trial ended an hour ago unpaid: the dunning job invoices the first month (charging the
    saved card, if any) and the subscription is past due. Returns the open invoice."""
    end = timezone.now() - timedelta(hours=1)
    Subscription.objects.filter(tenant=tenant).update(
        trial_ends_at=end, current_period_start=end - timedelta(days=14), current_period_end=end
    )
    subscription_dun(subscription_id=_subscription(tenant).pk)
    assert _subscription(tenant).status == "past_due"
    return TenantInvoice.objects.get(tenant=tenant, status="open")


def _paid(tenant, staff) -> None:
    """Platform staff record the transfer that pays the next period: the subscription is active."""
    due = amount_due(_subscription(tenant)).amount
    total = due + tax_on(due, rate_bps=settings.BILLING_TAX_RATE_BPS)
    subscription_payment_record(actor=staff, tenant=tenant, amount=total, reference=f"wire-{tenant.schema_name}")


def _backdate(tenant, days: int, **event) -> None:
    SubscriptionEvent.objects.filter(subscription__tenant=tenant, **event).update(
        created_at=timezone.now() - timedelta(days=days)
    )


def _sign_in(page, site, slug: str | None, path: str, email: str) -> None:
    page.goto(site(slug, path))  # the login page, which comes back here once signed in
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(path) + r"$"))


def _fetch(page, path: str) -> list:
    """[status, content type] of a GET from the page (its host and session)."""
    script = "async (path) => { const r = await fetch(path); return [r.status, r.headers.get('content-type')]; }"
    return page.evaluate(script, path)


def _shoot_both(page, shot, name: str) -> None:
    shot(name)
    page.set_viewport_size(PHONE)
    shot(f"{name}-phone")
    page.set_viewport_size({"width": 1200, "height": 800})


# --- the platform staff's console -------------------------------------------------------------------


@pytest.fixture(scope="module")
def staff(committed):
    """A platform staff account (kept until the test database is dropped, like the session's own)."""
    return User.objects.create_user("staff@console.test", PASSWORD, is_staff=True)


@pytest.fixture(scope="module")
def harbour_and_quay(staff):
    """Harbour pays Growth yearly, for 4 months now; Quay's Starter trial ended and its card was refused."""
    with (
        marketplace("harbour-billing", "Harbour Tutors", plan="growth", interval="year") as harbour,
        marketplace("quay-billing", "Quay Legal") as quay,
    ):
        _paid(harbour, staff)
        Subscription.objects.filter(tenant=harbour).update(created_at=timezone.now() - timedelta(days=150))
        _backdate(harbour, 150, action="started")
        _backdate(harbour, 120, action="paid")
        card_save(tenant=quay, token="4000 0000 0000 0002")
        _past_due(quay)
        yield harbour, quay


def test_staff_see_every_marketplace_and_the_mrr_on_the_console(page, site, shot, staff, harbour_and_quay):
    # given
    expected = console.mrr_now()

    # when
    _sign_in(page, site, None, "/console/billing/", staff.email)

    # then
    assert "Billing console" in page.inner_text("h1")
    assert expected.paying[0].format() in page.inner_text("#mrr-now")
    table = page.inner_text("#tenants-table")
    assert "Harbour Tutors" in table and "Quay Legal" in table
    assert "124.16 USD" in page.inner_text("tr[data-slug=harbour-billing]")  # 1,490.00 a year / 12
    assert "Past due" in page.inner_text("tr[data-slug=quay-billing]")
    failed = page.inner_text("#failed-payments")
    assert "Quay Legal" in failed and "Your card was declined." in failed
    assert page.locator("#mrr-history .chart.wide rect.bar").count() == 12
    _shoot_both(page, shot, "billing-console")

    # and when: only Growth
    page.select_option("select[name=plan]", "growth")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"plan=growth"))
    assert page.locator("tr[data-slug=harbour-billing]").count() == 1
    assert page.locator("tr[data-slug=quay-billing]").count() == 0


# --- a marketplace's billing page -------------------------------------------------------------------


def _providers(tenant, count: int) -> None:
    from marketplace.providers.models import ProviderProfile

    with tenant_context(tenant):
        for n in range(count):
            user = UserFactory(email=f"pro{n}@{tenant.schema_name}.test", is_provider=True)
            ProviderProfile.objects.create(user=user, status="approved")


@pytest.fixture(scope="module")
def pier(committed):
    """Pier Tutors: Starter, its trial ended unpaid with no card saved; 6 approved providers."""
    with marketplace("pier-billing", "Pier Tutors") as tenant:
        invoice = _past_due(tenant)
        _providers(tenant, 6)
        yield tenant, invoice


def test_an_admin_saves_a_card_pays_the_open_invoice_and_upgrades(page, site, shot, pier):
    tenant, invoice = pier

    # when: the admin opens the billing page
    _sign_in(page, site, "pier-billing", "/manage/billing/", "admin@pier-billing.test")

    # then: plan, status and what it means, usage, the open invoice
    assert "Starter" in page.inner_text("#plan h1") and page.inner_text("#status") == "Past due"
    explained = page.inner_text("#status-explained")
    assert "Past due since" in explained and f"invoice {invoice.number}" in explained
    assert "suspended on" in explained
    assert "6 of 25" in page.inner_text("[data-limit=active_providers]")
    assert "unlimited" not in page.inner_text("#usage")  # Starter limits everything
    assert "Open" in page.inner_text(f"#invoice-{invoice.number}")
    assert page.inner_text("#card-on-file") == "No card saved."
    _shoot_both(page, shot, "billing-manage")

    # when: a card that pays is saved
    page.fill("input[name=card]", "4242 4242 4242 4242")
    page.click("#payment-method button[type=submit]")

    # then
    page.wait_for_selector("text=Card saved: Visa •••• 4242.")
    assert BillingAccount.objects.get(tenant=tenant).card_last4 == "4242"

    # when: the open invoice is paid
    page.click(f"#invoice-{invoice.number} button:has-text('Pay now')")

    # then
    page.wait_for_selector(f"text=Invoice {invoice.number} is paid")
    invoice.refresh_from_db()
    assert (invoice.status, _subscription(tenant).status) == ("paid", "active")
    assert page.inner_text("#status") == "Active" and "Paid until" in page.inner_text("#status-explained")
    assert _fetch(page, f"/manage/billing/invoices/{invoice.public_id}.pdf") == [200, "application/pdf"]
    assert _fetch(page, "/manage/billing/invoices/inv_nope.pdf")[0] == 404

    # when: Growth, monthly
    page.click("[data-plan=growth] button:has-text('Upgrade · monthly')")

    # then: upgraded now, the rest of the period charged to the card
    page.wait_for_selector("text=You are now on Growth")
    subscription = _subscription(tenant)
    assert (subscription.plan_version.plan.code, subscription.interval) == ("growth", "month")
    upgrade = TenantInvoice.objects.get(tenant=tenant, kind="upgrade")
    assert upgrade.status == "paid" and upgrade.total > 0
    assert "Growth" in page.inner_text("#plan h1")
    assert page.locator(f"#invoice-{upgrade.number}").count() == 1
    shot("billing-manage-upgraded")


def _state(tenant) -> tuple:
    subscription = _subscription(tenant)
    return (
        subscription.status,
        subscription.plan_version_id,
        subscription.interval,
        subscription.current_period_end,
        list(TenantInvoice.objects.filter(tenant=tenant).order_by("id").values_list("number", "status")),
        SubscriptionPayment.objects.filter(subscription=subscription).count(),
    )


@pytest.fixture(scope="module")
def dock(committed):
    """Dock Legal: Starter, past due with an open invoice, no card."""
    with marketplace("dock-billing", "Dock Legal") as tenant:
        yield tenant, _past_due(tenant)


def test_a_refused_card_is_shown_next_to_what_it_refused_and_nothing_changes(page, site, shot, dock):
    tenant, invoice = dock
    _sign_in(page, site, "dock-billing", "/manage/billing/", "admin@dock-billing.test")

    # when: a number that is no card
    page.fill("input[name=card]", "1234 5678 9012 3456")
    page.click("#payment-method button[type=submit]")

    # then: the error is next to the field, no card is saved
    page.wait_for_selector("#payment-method .errorlist")
    assert "Use one of the test cards" in page.inner_text("#payment-method .errorlist")
    assert page.inner_text("#card-on-file") == "No card saved."
    assert not BillingAccount.objects.get(tenant=tenant).has_payment_method

    # when: the test card that is declined (the local provider takes it; its bank refuses charges)
    page.fill("input[name=card]", "4000 0000 0000 0002")
    page.click("#payment-method button[type=submit]")
    page.wait_for_selector("text=Card saved: Visa •••• 0002.")
    before = _state(tenant)
    page.click(f"#invoice-{invoice.number} button:has-text('Pay now')")

    # then: the refusal is shown in the invoice's row; it stays open and the marketplace past due
    row = f"#invoice-{invoice.number}"
    page.wait_for_selector(f"{row} .error")
    assert "The payment failed: Your card was declined." in page.inner_text(f"{row} .error")
    assert page.inner_text("#status") == "Past due"
    assert _state(tenant) == before
    invoice.refresh_from_db()
    assert (invoice.attempts, invoice.last_failure) == (1, "Your card was declined.")  # the attempt is kept
    shot("billing-manage-declined-invoice")

    # when: an upgrade to Growth, yearly, while the invoice is unpaid
    page.click("[data-plan=growth] button:has-text('Upgrade · yearly')")

    # then: it is refused on Growth's card (pay first); the plan, the invoices and the payments are as they were
    page.wait_for_selector("[data-plan=growth] .error")
    assert "Pay the open invoice before changing plans." in page.inner_text("[data-plan=growth] .error")
    assert "Starter" in page.inner_text("#plan h1")
    assert _state(tenant) == before
    _shoot_both(page, shot, "billing-manage-declined")
