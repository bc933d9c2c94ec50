"""The billing console (platform staff): MRR counts active and past-due subscriptions at their monthly
equivalent (a yearly price / 12), trials apart; MRR in the past is rebuilt from the subscription
events; churn, failed payments, counts by plan and status, and each marketplace's GMV and fees read
from its own ledger. Only platform staff see any of it. Also the marketplace's own billing page as
the server answers it (the browser walk-through is in tests/web/test_billing_pages.py)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import User
from billing import console
from billing.dunning import subscription_dun
from billing.invoices import card_save
from billing.models import (
    BillingAccount,
    Plan,
    Subscription,
    SubscriptionEvent,
    TenantInvoice,
)
from billing.services import subscription_change, subscription_payment_record, subscription_transition
from marketplace.common.money import Money
from marketplace.payments.escrow import escrow_capture, escrow_release
from tenants.context import tenant_context
from tests.factories import PASSWORD, UserFactory
from tests.payments.conftest import make_booking

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def only_alpha_and_beta(tenant_a, tenant_b):
    """Browser tests of the session commit marketplaces of their own: leave them out of these figures
    (removed inside this test's transaction, so they come back afterwards)."""
    Subscription.objects.exclude(tenant__in=[tenant_a, tenant_b]).delete()


@pytest.fixture
def staff(db):
    return User.objects.create_user("staff@platform.test", PASSWORD, is_staff=True)


def _on(tenant, plan: str, *, interval: str = "month", status: str = "active", collection: str | None = None):
    """Put the marketplace's subscription in a state directly (MRR now reads the rows as they are)."""
    changes = {"plan_version": Plan.objects.get(code=plan).current_version, "interval": interval, "status": status}
    if collection:
        changes["collection"] = collection
    Subscription.objects.filter(tenant=tenant).update(**changes)


def _usd(amount: int) -> list[Money]:
    return [Money(amount, "USD")] if amount else []


def _row(rows, tenant) -> console.TenantRow:
    return next(row for row in rows if row.slug == tenant.schema_name)


# --- MRR now ----------------------------------------------------------------------------------------


def test_mrr_counts_active_and_past_due_at_their_monthly_equivalent(tenant_a, tenant_b):
    # given: alpha pays Growth yearly (149,000 / 12), beta is past due on Starter monthly
    _on(tenant_a, "growth", interval="year", status="active")
    _on(tenant_b, "starter", interval="month", status="past_due")

    # when
    mrr = console.mrr_now()
    rows = console.tenant_rows()

    # then
    assert mrr.paying == _usd(12_416 + 4_900)
    assert (mrr.paying_count, mrr.trial, mrr.trial_count) == (2, [], 0)
    assert _row(rows, tenant_a).mrr == Money(12_416, "USD")
    assert _row(rows, tenant_b).mrr == Money(4_900, "USD")


@pytest.mark.parametrize("lost", ["suspended", "closed"])
def test_trials_are_trial_mrr_and_suspended_or_closed_count_nothing(tenant_a, tenant_b, lost):
    # given
    _on(tenant_a, "growth", interval="month", status="trialing")
    _on(tenant_b, "enterprise", interval="month", status=lost)

    # when
    mrr = console.mrr_now()
    rows = console.tenant_rows()

    # then
    assert (mrr.paying, mrr.paying_count) == ([], 0)
    assert (mrr.trial, mrr.trial_count) == (_usd(14_900), 1)
    assert _row(rows, tenant_a).mrr == Money(0, "USD")
    assert _row(rows, tenant_a).monthly_equivalent == Money(14_900, "USD")
    assert _row(rows, tenant_b).mrr == Money(0, "USD")


# --- MRR in the past, from the events ---------------------------------------------------------------


def _backdate(tenant, days: float, **event) -> None:
    """Move the marketplace's matching events `days` into the past."""
    SubscriptionEvent.objects.filter(subscription__tenant=tenant, **event).update(
        created_at=timezone.now() - timedelta(days=days)
    )


@pytest.fixture
def history(tenant_a, tenant_b, staff):
    """Both marketplaces started 100 days ago on an Enterprise trial (as provisioned).
    alpha: moved its trial to Starter (95 days ago), paid (80), upgraded to Growth (40).
    beta: missed its payment (70 days ago: past due), suspended unpaid (10)."""
    alpha = Subscription.objects.get(tenant=tenant_a)
    subscription_change(actor=staff, subscription=alpha, plan_code="starter")
    subscription_payment_record(actor=staff, tenant=tenant_a, amount=4_900, reference="wire-history-1")
    subscription_change(actor=staff, subscription=alpha, plan_code="growth")
    beta = Subscription.objects.get(tenant=tenant_b)
    subscription_transition(
        subscription=beta, to="past_due", action="payment_missed", reason="Unpaid.", sync_tenant=False
    )
    subscription_transition(
        subscription=beta, to="suspended", action="suspended_unpaid", reason="Unpaid 7 days.", sync_tenant=False
    )
    Subscription.objects.filter(tenant__in=[tenant_a, tenant_b]).update(created_at=timezone.now() - timedelta(days=100))
    for tenant in (tenant_a, tenant_b):
        _backdate(tenant, 100, action="started")
    _backdate(tenant_a, 95, action="plan_changed")
    _backdate(tenant_a, 80, action="paid")
    _backdate(tenant_a, 40, action="upgraded")
    _backdate(tenant_b, 70, action="payment_missed")
    _backdate(tenant_b, 10, action="suspended_unpaid")


def test_mrr_in_the_past_is_rebuilt_from_status_and_plan_changes(history):
    now = timezone.now()

    # when
    before, trial_enterprise, trial_starter, both_paying, upgraded, one_suspended, today = console.mrr_at_points(
        [now - timedelta(days=days) for days in (101, 97, 90, 60, 20, 5, 0)]
    )

    # then
    assert (before.paying, before.trial, before.paying_count, before.trial_count) == ([], [], 0, 0)
    assert (trial_enterprise.paying, trial_enterprise.trial) == ([], _usd(2 * 49_900))
    assert (trial_starter.paying, trial_starter.trial) == ([], _usd(4_900 + 49_900))
    assert (both_paying.paying, both_paying.paying_count, both_paying.trial) == (_usd(4_900 + 49_900), 2, [])
    assert upgraded.paying == _usd(14_900 + 49_900)
    assert (one_suspended.paying, one_suspended.paying_count) == (_usd(14_900), 1)
    assert (today.paying, today.trial) == (console.mrr_now().paying, console.mrr_now().trial) == (_usd(14_900), [])


def test_the_history_has_twelve_month_ends_the_last_one_now(history):
    now = timezone.now()

    points = console.mrr_history(months=12, now=now)

    assert len(points) == 12
    assert points[-1].mrr.at == now and points[-1].label == f"{now:%b %Y}"
    assert [p.mrr.at for p in points] == sorted(p.mrr.at for p in points)
    assert all(p.mrr.at.day == 1 and p.mrr.at.hour == 0 for p in points[:-1])
    assert points[-1].mrr.paying == _usd(14_900)
    assert points[0].mrr.paying == points[0].mrr.trial == []  # nobody had a subscription 11 months ago


def test_churn_counts_paying_marketplaces_suspended_or_closed_in_the_period(history):
    now = timezone.now()

    # when
    last_month = console.churn(since=now - timedelta(days=30), until=now)
    earlier = console.churn(since=now - timedelta(days=100), until=now - timedelta(days=50))

    # then: beta (past due) was suspended 10 days ago; alpha and beta were paying 30 days ago
    assert (last_month.paying_at_start, last_month.churned_count, last_month.rate) == (2, 1, 0.5)
    assert [(c.slug, c.to_status) for c in last_month.churned] == [("beta", "suspended")]
    assert (earlier.paying_at_start, earlier.churned_count, earlier.rate) == (0, 0, None)


def test_a_trial_closed_unpaid_is_not_churn(tenant_a, tenant_b):
    # given: alpha's trial is closed, beta pays
    _on(tenant_b, "starter", status="active")
    subscription_transition(
        subscription=Subscription.objects.get(tenant=tenant_a), to="closed", reason="Closed.", sync_tenant=False
    )

    result = console.churn(since=timezone.now() - timedelta(days=1), until=timezone.now() + timedelta(seconds=1))

    assert (result.churned_count, result.churned) == (0, [])


# --- failed payments --------------------------------------------------------------------------------


def _trial_ended(tenant) -> None:
    end = timezone.now() - timedelta(hours=1)
    Subscription.objects.filter(tenant=tenant).update(
        trial_ends_at=end, current_period_start=end - timedelta(days=14), current_period_end=end, collection="automatic"
    )


def test_failed_payments_list_refused_cards_and_past_due_marketplaces(tenant_a, tenant_b):
    # given: alpha's trial ended and its saved card was refused; beta's ended with no card saved
    card_save(tenant=tenant_a, token="4000 0000 0000 0002")
    for tenant in (tenant_a, tenant_b):
        _trial_ended(tenant)
        subscription_dun(subscription_id=Subscription.objects.get(tenant=tenant).pk)

    # when
    rows = {row.slug: row for row in console.failed_payments()}

    # then
    alpha, beta = rows["alpha"], rows["beta"]
    alpha_invoice = TenantInvoice.objects.get(tenant=tenant_a, status="open")
    assert alpha.status == beta.status == "past_due"
    assert (alpha.attempts, alpha.last_failure) == (1, "Your card was declined.")
    assert alpha.invoices == [alpha_invoice.number]
    assert alpha.open_total == Money(alpha_invoice.total, "USD") and alpha.last_attempt_at is not None
    subscription = Subscription.objects.get(tenant=tenant_a)
    assert alpha.past_due_since == subscription.status_changed_at
    assert alpha.suspends_at == subscription.status_changed_at + timedelta(days=settings.BILLING_GRACE_DAYS)
    assert (beta.attempts, beta.last_failure, beta.last_attempt_at) == (0, "", None)
    assert _row(console.tenant_rows(), tenant_a).failed_attempts == 1


def test_paid_and_unattempted_invoices_are_not_failed_payments(tenant_a, tenant_b, staff):
    # given: beta's trial was paid for; alpha's open invoice was never attempted (a contract)
    subscription_payment_record(actor=staff, tenant=tenant_b, amount=49_900, reference="wire-ok-1")
    _trial_ended(tenant_a)
    Subscription.objects.filter(tenant=tenant_a).update(collection="invoiced")
    subscription_dun(subscription_id=Subscription.objects.get(tenant=tenant_a).pk)

    rows = console.failed_payments()

    assert TenantInvoice.objects.filter(tenant=tenant_a, status="open", attempts=0).count() == 1
    assert rows == []


# --- by plan and status, and a row per marketplace --------------------------------------------------


def test_marketplaces_are_counted_by_plan_and_status(tenant_a, tenant_b):
    _on(tenant_a, "growth", status="active")
    _on(tenant_b, "growth", status="past_due")

    rows = {row.plan: row for row in console.counts_by_plan_and_status()}

    assert rows["growth"].counts == {"trialing": 0, "active": 1, "past_due": 1, "suspended": 0, "closed": 0}
    assert rows["growth"].total == 2
    assert rows["starter"].total == rows["enterprise"].total == 0
    assert rows[""].plan_name == "All plans" and rows[""].total == 2 and rows[""].counts["active"] == 1


def test_each_marketplace_shows_its_own_gmv_and_fees_this_month(tenant_a, tenant_b):
    # given: alpha captured and released 100.00 (2 % platform fee); beta captured 30.00, released nothing
    alpha_booking = make_booking(tenant_a, price=10_000)
    beta_booking = make_booking(tenant_b, price=3_000, tag="b")
    with tenant_context(tenant_a):
        escrow_capture(booking=alpha_booking, amount=10_000, key="console-capture-a")
        escrow_release(booking=alpha_booking, amount=10_000, key="console-release-a")
    with tenant_context(tenant_b):
        escrow_capture(booking=beta_booking, amount=3_000, key="console-capture-b")

    # when
    rows = console.tenant_rows()

    # then
    alpha, beta = _row(rows, tenant_a), _row(rows, tenant_b)
    assert (alpha.gmv, alpha.platform_fee) == (Money(10_000, "USD"), Money(200, "USD"))
    assert (beta.gmv, beta.platform_fee) == (Money(3_000, "USD"), Money(0, "USD"))


def test_the_marketplaces_can_be_filtered_by_plan_and_status(tenant_a, tenant_b):
    _on(tenant_a, "growth", status="active")
    _on(tenant_b, "starter", status="active")

    by_plan = console.tenant_rows(plan="growth")
    by_status = console.tenant_rows(status="active")
    neither = console.tenant_rows(plan="growth", status="past_due")

    assert [row.slug for row in by_plan] == ["alpha"]
    assert [row.slug for row in by_status] == ["alpha", "beta"]
    assert neither == []


# --- the console API --------------------------------------------------------------------------------


def test_staff_read_the_console_figures(api_platform, staff, tenant_a, tenant_b):
    # given
    _on(tenant_a, "growth", interval="year", status="active")
    _on(tenant_b, "starter", status="trialing")
    api_platform.force_authenticate(staff)

    # when
    response = api_platform.get("/api/v1/billing/console/")
    filtered = api_platform.get("/api/v1/billing/console/", {"plan": "starter"})

    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["mrr"]["paying"] == [{"amount": 12_416, "currency": "USD", "formatted": "124.16 USD"}]
    assert body["mrr"]["trial"] == [{"amount": 4_900, "currency": "USD", "formatted": "49.00 USD"}]
    assert len(body["mrr_history"]) == 12 and body["mrr_history"][-1]["mrr"]["at"] == body["at"]
    assert {row["slug"]: row["mrr"]["amount"] for row in body["tenants"]} == {"alpha": 12_416, "beta": 0}
    assert body["by_plan_and_status"][-1]["total"] == 2
    assert set(body) >= {"mrr_30_days_ago", "mrr_change", "churn", "failed_payments"}
    assert [row["slug"] for row in filtered.json()["tenants"]] == ["beta"]


def test_a_bad_filter_is_refused(api_platform, staff):
    api_platform.force_authenticate(staff)

    response = api_platform.get("/api/v1/billing/console/", {"status": "sleeping", "plan": "nope"})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"status", "plan"}


def test_only_platform_staff_read_the_console(api_platform, api_a, tenant_a):
    # given: an operator (owns marketplaces), a platform account flagged as a marketplace admin
    operator = User.objects.create_user("operator@platform.test", PASSWORD, is_operator=True)
    admin_flag = User.objects.create_user("admin-flag@platform.test", PASSWORD, is_marketplace_admin=True)

    # when
    anonymous = api_platform.get("/api/v1/billing/console/")
    api_platform.force_authenticate(operator)
    as_operator = api_platform.get("/api/v1/billing/console/")
    api_platform.force_authenticate(admin_flag)
    as_admin_flag = api_platform.get("/api/v1/billing/console/")
    with tenant_context(tenant_a):
        alpha_admin = User.objects.get(email="admin@alpha.test")
    api_a.force_authenticate(alpha_admin)
    on_marketplace = api_a.get("/api/v1/billing/console/")

    # then
    assert anonymous.status_code == 401
    assert as_operator.status_code == as_admin_flag.status_code == 403
    assert "mrr" not in as_operator.json()
    assert on_marketplace.status_code == 404  # the console lives on the platform host only


# --- the console page -------------------------------------------------------------------------------


def _platform_client(email: str | None = None) -> Client:
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    if email:
        assert client.post("/accounts/login/", {"email": email, "password": PASSWORD}).status_code == 302
    return client


def test_staff_open_the_console_page(staff, tenant_a, tenant_b):
    _on(tenant_a, "growth", interval="year", status="active")
    _on(tenant_b, "starter", status="past_due")
    client = _platform_client("staff@platform.test")

    page = client.get("/console/billing/")
    filtered = client.get("/console/billing/", {"plan": "starter", "status": "past_due"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "Billing console" in html and "173.16 USD" in html  # 124.16 + 49.00
    assert "Alpha University" in html and "Beta Agency" in html and "<svg" in html
    listed = filtered.content.decode().split('id="tenants-table"')[1]
    assert "Beta Agency" in listed and "Alpha University" not in listed


def test_others_cannot_open_the_console_page(tenant_a):
    User.objects.create_user("operator@platform.test", PASSWORD, is_operator=True)

    anonymous = _platform_client().get("/console/billing/")
    operator = _platform_client("operator@platform.test").get("/console/billing/")

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert operator.status_code == 403


# --- the marketplace's billing page (server side) ---------------------------------------------------


def _marketplace_client(tenant, email: str) -> Client:
    client = Client(HTTP_HOST=f"{tenant.schema_name}.{settings.PLATFORM_DOMAIN}")
    assert client.post("/accounts/login/", {"email": email, "password": PASSWORD}).status_code == 302
    return client


def test_only_admins_open_the_billing_page(tenant_a):
    with tenant_context(tenant_a):
        UserFactory(email="member@example.org")

    member = _marketplace_client(tenant_a, "member@example.org")
    anonymous = Client(HTTP_HOST=f"alpha.{settings.PLATFORM_DOMAIN}").get("/manage/billing/")

    assert member.get("/manage/billing/").status_code == 403
    assert member.post("/manage/billing/", {"action": "card", "card": "4242424242424242"}).status_code == 403
    assert not BillingAccount.objects.filter(tenant=tenant_a).exists()
    assert anonymous.status_code == 302


def test_a_blocked_downgrade_is_shown_next_to_the_plan_and_changes_nothing(tenant_a):
    # given: alpha pays Growth; Starter allows 25 providers and alpha has 26
    _on(tenant_a, "growth", status="active")
    with tenant_context(tenant_a):
        from marketplace.providers.models import ProviderProfile

        for n in range(26):
            ProviderProfile.objects.create(user=UserFactory(email=f"pro{n}@example.org"), status="approved")
    client = _marketplace_client(tenant_a, "admin@alpha.test")
    before = Subscription.objects.values().get(tenant=tenant_a)

    # when
    page = client.post("/manage/billing/", {"action": "plan", "plan": "starter", "interval": "month"})

    # then
    html = page.content.decode()
    assert page.status_code == 200
    starter_card = html.split('data-plan="starter"')[1].split('data-plan="growth"')[0]
    assert "uses more than Starter allows" in starter_card and "26 in use; Starter allows 25" in starter_card
    assert Subscription.objects.values().get(tenant=tenant_a) == before


def test_an_invoice_pdf_is_served_to_its_own_marketplace_only(tenant_a, tenant_b, staff):
    subscription_payment_record(actor=staff, tenant=tenant_a, amount=49_900, reference="wire-pdf-1")
    invoice = TenantInvoice.objects.get(tenant=tenant_a)

    own = _marketplace_client(tenant_a, "admin@alpha.test").get(f"/manage/billing/invoices/{invoice.public_id}.pdf")
    other = _marketplace_client(tenant_b, "admin@beta.test").get(f"/manage/billing/invoices/{invoice.public_id}.pdf")

    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"
    assert own.content.startswith(b"%PDF")
    assert other.status_code == 404


def test_the_billing_page_says_what_the_status_means(tenant_a):
    # given: alpha (paying by card) missed a payment two days ago
    since = timezone.now() - timedelta(days=2)
    Subscription.objects.filter(tenant=tenant_a).update(
        status="past_due", status_changed_at=since, collection="automatic"
    )
    client = _marketplace_client(tenant_a, "admin@alpha.test")

    # when
    past_due = client.get("/manage/billing/").content.decode()
    subscription_transition(
        subscription=Subscription.objects.get(tenant=tenant_a),
        to="suspended",
        action="suspended_unpaid",
        reason="Unpaid 7 days after the payment of 499.00 USD was missed.",
        sync_tenant=False,
    )
    suspended = client.get("/manage/billing/").content.decode()

    # then
    suspends_at = since + timedelta(days=settings.BILLING_GRACE_DAYS)
    assert f"Past due since <strong>{since.day} {since:%b %Y}</strong>" in past_due
    assert f"suspended on {suspends_at.day} {suspends_at:%b %Y, %H:%M}" in past_due
    assert "Suspended since" in suspended and "Unpaid 7 days after the payment of 499.00 USD" in suspended
