"""The platform console: staff only; marketplaces with status, plan, usage and health, filtered;
a marketplace's page and its lifecycle actions (suspend, reactivate, close: each recorded as tenant
and subscription events); plans (an edit adds a version, retiring); subscriptions, invoices, PDFs and
recording a payment; the billing console in the console's layout."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from billing.models import Plan, PlanVersion, Subscription, SubscriptionEvent, SubscriptionPayment, TenantInvoice
from billing.services import subscription_transition
from tenants.context import tenant_context
from tenants.models import Domain, Tenant, TenantEvent, TenantStatus

pytestmark = pytest.mark.django_db

CONSOLE_PAGES = [
    "/console/",
    "/console/tenants/",
    "/console/plans/",
    "/console/plans/growth/",
    "/console/subscriptions/",
    "/console/invoices/",
    "/console/support/",
    "/console/billing/",
]


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _rows(response) -> str:
    """The list's table body."""
    return _text(response).split("<tbody>")[1].split("</tbody>")[0]


# --- who may open it ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_console_pages_are_for_platform_staff_only(platform, operator, staff, path):
    anonymous = platform().get(path)
    as_operator = platform(operator).get(path)
    as_staff = platform(staff).get(path)

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert as_operator.status_code == 403
    assert as_staff.status_code == 200


def test_staff_of_a_marketplace_cannot_open_the_console_there(tenant_a, web):
    # the console lives on the platform host only; a marketplace admin is no platform staff
    with tenant_context(tenant_a):
        admin = User.objects.get(email="admin@alpha.test")

    assert web(tenant_a, admin).get("/console/").status_code == 404


def test_an_operator_cannot_act_on_a_marketplace(platform, operator, tenant_a):
    path = f"/console/tenants/{tenant_a.public_id}/"

    suspend = platform(operator).post(path + "suspend/", {"reason": "no"})
    close = platform(operator).post(path + "close/", {"reason": "no", "confirm": "alpha"})

    assert suspend.status_code == close.status_code == 403
    tenant_a.refresh_from_db()
    assert tenant_a.status == TenantStatus.TRIAL
    assert not TenantEvent.objects.filter(tenant=tenant_a, action__in=["suspended", "closed"]).exists()


# --- the list ----------------------------------------------------------------------------------------


def _routable(*tenants) -> None:
    """Each marketplace answers at its verified platform subdomain (other tests may commit changes)."""
    for tenant in tenants:
        Domain.objects.filter(tenant=tenant).update(is_primary=False)
        Domain.objects.filter(tenant=tenant, domain=f"{tenant.schema_name}.{settings.PLATFORM_DOMAIN}").update(
            is_primary=True, verification="verified"
        )


def test_the_list_shows_status_plan_usage_and_health(platform, staff, tenant_a, tenant_b):
    # given: alpha is on Growth (10 staff seats; its admin takes one)
    _routable(tenant_a)
    Subscription.objects.filter(tenant=tenant_a).update(plan_version=Plan.objects.get(code="growth").current_version)

    # when
    page = platform(staff).get("/console/tenants/", {"q": "alpha"})

    # then
    rows = _rows(page)
    assert "Alpha University" in rows and "Beta Agency" not in rows
    assert "Growth" in rows and "Trialing" in rows
    assert "Healthy" in rows
    assert "Staff seats (admins and moderators): 1 / 10" in rows


def test_the_list_filters_by_status_plan_subscription_and_health(platform, staff, tenant_a, tenant_b):
    # given: beta is suspended (and so has a routing warning); alpha is on Starter
    _routable(tenant_a, tenant_b)
    Tenant.objects.filter(pk=tenant_b.pk).update(status=TenantStatus.SUSPENDED)
    Subscription.objects.filter(tenant=tenant_a).update(plan_version=Plan.objects.get(code="starter").current_version)
    Subscription.objects.filter(tenant=tenant_b).update(plan_version=Plan.objects.get(code="growth").current_version)
    client = platform(staff)

    # when
    suspended = _rows(client.get("/console/tenants/", {"status": "suspended"}))
    starter = _rows(client.get("/console/tenants/", {"plan": "starter", "q": "a"}))
    attention = _rows(client.get("/console/tenants/", {"health": "attention"}))
    healthy = _rows(client.get("/console/tenants/", {"health": "ok"}))
    trialing = _rows(client.get("/console/tenants/", {"subscription": "trialing", "q": "beta"}))

    # then
    assert "Beta Agency" in suspended and "Alpha University" not in suspended
    assert "Alpha University" in starter and "Beta Agency" not in starter
    assert "Beta Agency" in attention and "Alpha University" not in attention
    assert "Offline (Suspended)" in attention
    assert "Alpha University" in healthy and "Beta Agency" not in healthy
    assert "Beta Agency" in trialing


def test_a_marketplace_without_a_routable_address_is_a_problem(platform, staff, tenant_a):
    Domain.objects.filter(tenant=tenant_a).update(verification="pending")

    rows = _rows(platform(staff).get("/console/tenants/", {"health": "problem"}))

    assert "Alpha University" in rows and "No verified primary address" in rows


def test_unknown_marketplace_is_a_404(platform, staff):
    assert platform(staff).get("/console/tenants/mkt_nosuchthing/").status_code == 404


# --- one marketplace ---------------------------------------------------------------------------------


def test_the_marketplace_page_shows_owner_domains_subscription_usage_and_history(platform, staff, operator, tenant_a):
    # given
    tenant_a.owner = operator
    tenant_a.save(update_fields=["owner"])

    # when
    page = platform(staff).get(f"/console/tenants/{tenant_a.public_id}/")

    # then
    text = _text(page)
    assert page.status_code == 200
    assert "operator@platform.test" in text and "alpha.localhost" in text
    assert 'id="subscription"' in text and "Enterprise" in text  # created by staff: sales-led
    assert 'data-limit="staff_seats"' in text
    assert "Started" in text and "Provisioned" in text  # subscription and marketplace events
    assert "Schema present, every migration applied." in text


def test_suspend_and_reactivate_from_the_console_are_recorded(platform, staff, tenant_a):
    client = platform(staff)
    path = f"/console/tenants/{tenant_a.public_id}/"

    # when: suspended for a reason, then reactivated
    suspended = client.post(path + "suspend/", {"reason": "Chargeback fraud under review"})
    tenant_a.refresh_from_db()
    status_while_suspended = tenant_a.status
    reactivated = client.post(path + "reactivate/", {"reason": "Review done"})

    # then
    assert suspended.status_code == reactivated.status_code == 302
    assert status_while_suspended == TenantStatus.SUSPENDED
    tenant_a.refresh_from_db()
    assert tenant_a.status == TenantStatus.ACTIVE
    events = {e.action: e for e in TenantEvent.objects.filter(tenant=tenant_a)}
    assert events["suspended"].data["reason"] == "Chargeback fraud under review"
    assert events["suspended"].actor_id == staff.pk
    assert events["reactivated"].data == {"from": "suspended", "reason": "Review done"}
    assert "is back online" in _text(client.get(path))


def test_closing_from_the_console_closes_the_subscription_and_reopening_reopens_it(platform, staff, tenant_a):
    client = platform(staff)
    path = f"/console/tenants/{tenant_a.public_id}/"

    closed = client.post(path + "close/", {"reason": "Contract ended", "confirm": "alpha"})
    subscription_status_closed = Subscription.objects.get(tenant=tenant_a).status
    reopened = client.post(path + "reactivate/", {"reason": "Renewed"})

    assert closed.status_code == reopened.status_code == 302
    assert subscription_status_closed == "closed"
    assert Subscription.objects.get(tenant=tenant_a).status == "active"
    moves = list(
        SubscriptionEvent.objects.filter(subscription__tenant=tenant_a, action="status_changed").values_list(
            "from_status", "to_status", "reason"
        )
    )
    assert moves == [("trialing", "closed", "Contract ended"), ("closed", "active", "Reactivated by platform staff.")]
    assert [e.action for e in TenantEvent.objects.filter(tenant=tenant_a).order_by("created_at", "id")][-2:] == [
        "closed",
        "reactivated",
    ]


def test_actions_without_a_reason_or_confirmation_are_refused_and_change_nothing(platform, staff, tenant_a):
    client = platform(staff)
    path = f"/console/tenants/{tenant_a.public_id}/"

    no_reason = client.post(path + "suspend/", {"reason": ""})
    wrong_confirm = client.post(path + "close/", {"reason": "Gone", "confirm": "beta"})

    assert no_reason.status_code == wrong_confirm.status_code == 400
    assert "This field is required." in _text(no_reason)
    assert "Type alpha exactly." in _text(wrong_confirm)
    tenant_a.refresh_from_db()
    assert tenant_a.status == TenantStatus.TRIAL
    assert not TenantEvent.objects.filter(tenant=tenant_a, action__in=["suspended", "closed"]).exists()


def test_a_refused_transition_is_a_message_not_an_error(platform, staff, tenant_a):
    # reactivating a marketplace that is online is refused by the lifecycle service
    response = platform(staff).post(
        f"/console/tenants/{tenant_a.public_id}/reactivate/", {"reason": "why not"}, follow=True
    )

    assert response.status_code == 200
    assert "Only a suspended or closed marketplace can be reactivated" in _text(response)
    assert not TenantEvent.objects.filter(tenant=tenant_a, action="reactivated").exists()


# --- plans -------------------------------------------------------------------------------------------


def _plan_form(plan_code: str, **changes) -> dict:
    version = Plan.objects.get(code=plan_code).current_version
    data = {
        "name": version.plan.name,
        "currency": version.currency,
        "monthly_price": f"{version.monthly_price / 100:.2f}",
        "yearly_price": f"{version.yearly_price / 100:.2f}",
        "trial_days": version.trial_days,
        "platform_fee_bps": version.platform_fee_bps,
        "features": version.features,
    }
    for key, value in version.limits.items():
        data[f"limit_{key}"] = "" if value is None else value
    return data | changes


def test_editing_a_plans_terms_adds_a_version_and_keeps_subscribers_on_theirs(platform, staff, tenant_a):
    # given: alpha subscribes to Growth v1
    growth = Plan.objects.get(code="growth")
    v1 = growth.current_version
    Subscription.objects.filter(tenant=tenant_a).update(plan_version=v1)

    # when: the monthly price and the providers limit change
    saved = platform(staff).post(
        "/console/plans/growth/", _plan_form("growth", monthly_price="159.00", limit_active_providers=300)
    )

    # then
    assert saved.status_code == 302
    v2 = growth.current_version
    assert (v2.number, v2.monthly_price, v2.limits["active_providers"], v2.created_by_id) == (2, 15_900, 300, staff.pk)
    assert v2.features == v1.features and v2.yearly_price == v1.yearly_price
    assert Subscription.objects.get(tenant=tenant_a).plan_version_id == v1.pk
    assert "159.00 USD" in _text(platform().get("/pricing/"))


def test_saving_unchanged_terms_adds_no_version(platform, staff):
    platform(staff).post("/console/plans/starter/", _plan_form("starter"))

    assert PlanVersion.objects.filter(plan__code="starter").count() == 1


def test_bad_terms_are_shown_next_to_their_fields_and_nothing_is_saved(platform, staff):
    page = platform(staff).post("/console/plans/growth/", _plan_form("growth", monthly_price="12.345", trial_days=400))

    assert page.status_code == 400
    text = _text(page)
    assert "Use at most 2 decimals." in text and "Ensure this value is less than or equal to 365." in text
    assert PlanVersion.objects.filter(plan__code="growth").count() == 1


def test_retiring_a_plan_takes_it_off_offer(platform, staff):
    retired = platform(staff).post("/console/plans/enterprise/retire/")

    assert retired.status_code == 302
    assert Plan.objects.get(code="enterprise").retired_at is not None
    assert 'data-plan="enterprise"' not in _text(platform().get("/pricing/"))


def test_staff_create_a_plan(platform, staff):
    form = _plan_form("starter", name="Campus", monthly_price="19.00", yearly_price="190.00") | {
        "code": "campus",
        "rank": 5,
    }

    created = platform(staff).post("/console/plans/new/", form)

    assert created.status_code == 302
    campus = Plan.objects.get(code="campus")
    assert (campus.name, campus.current_version.monthly_price) == ("Campus", 1_900)


# --- subscriptions, invoices, payments ---------------------------------------------------------------


def test_subscriptions_list_filters_by_status_and_plan(platform, staff, tenant_a, tenant_b):
    Subscription.objects.filter(tenant=tenant_b).update(status="past_due")

    past_due = _rows(platform(staff).get("/console/subscriptions/", {"status": "past_due"}))
    enterprise = _rows(platform(staff).get("/console/subscriptions/", {"plan": "enterprise", "q": "alpha"}))

    assert "Beta Agency" in past_due and "Alpha University" not in past_due
    assert "Alpha University" in enterprise


def _trial_ended_unpaid(tenant) -> TenantInvoice:
    """The trial ended yesterday without a payment: dunning invoices the first period; past due."""
    from billing.dunning import subscription_dun

    subscription = Subscription.objects.get(tenant=tenant)
    Subscription.objects.filter(pk=subscription.pk).update(
        collection="automatic",
        current_period_start=timezone.now() - timedelta(days=15),
        current_period_end=timezone.now() - timedelta(days=1),
        plan_version=Plan.objects.get(code="starter").current_version,
    )
    subscription_dun(subscription_id=subscription.pk)
    return TenantInvoice.objects.get(tenant=tenant, status="open")


def test_invoices_list_pdf_and_recording_a_payment(platform, staff, tenant_a, tenant_b):
    # given: alpha's trial ended unpaid
    invoice = _trial_ended_unpaid(tenant_a)
    client = platform(staff)

    # when: staff find the open invoice, open its PDF and record the transfer that paid it
    listed = _rows(client.get("/console/invoices/", {"status": "open", "q": "alpha"}))
    pdf = client.get(f"/console/invoices/{invoice.public_id}.pdf")
    form = client.get(f"/console/tenants/{tenant_a.public_id}/payment/")
    paid = client.post(
        f"/console/tenants/{tenant_a.public_id}/payment/", {"amount": "49.00", "reference": "BANK-2026-001"}
    )

    # then
    assert invoice.number in listed and "Record payment" in listed
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert f"Pays invoice {invoice.number}" in _text(form)
    assert paid.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "paid" and invoice.payment_reference == "BANK-2026-001"
    assert Subscription.objects.get(tenant=tenant_a).status == "active"
    assert SubscriptionPayment.objects.get(reference="BANK-2026-001").recorded_by_id == staff.pk


def test_a_payment_below_the_amount_due_is_refused_next_to_the_field(platform, staff, tenant_a):
    invoice = _trial_ended_unpaid(tenant_a)

    page = platform(staff).post(
        f"/console/tenants/{tenant_a.public_id}/payment/", {"amount": "10.00", "reference": "BANK-LOW"}
    )

    assert page.status_code == 400
    invoice.refresh_from_db()
    assert invoice.status == "open" and not SubscriptionPayment.objects.exists()


def test_operators_cannot_record_payments(platform, operator, tenant_a):
    _trial_ended_unpaid(tenant_a)

    page = platform(operator).post(
        f"/console/tenants/{tenant_a.public_id}/payment/", {"amount": "49.00", "reference": "X"}
    )

    assert page.status_code == 403 and not SubscriptionPayment.objects.exists()


def test_the_billing_console_is_drawn_in_the_console_with_mrr_and_churn_in_numbers(platform, staff, tenant_a):
    # given: alpha paid, then was lost this month
    subscription = Subscription.objects.get(tenant=tenant_a)
    subscription_transition(subscription=subscription, to="active", reason="paid")
    subscription_transition(subscription=subscription, to="past_due", reason="missed")
    subscription_transition(subscription=subscription, to="suspended", reason="unpaid", sync_tenant=False)

    # when
    text = _text(platform(staff).get("/console/billing/"))

    # then
    assert "Billing console" in text and 'aria-label="Console sections"' in text
    assert 'id="churn-table"' in text and 'id="mrr-numbers"' in text
    churn_rows = text.split('id="churn-table"')[1].split("</tbody>")[0]
    assert churn_rows.count("<tr>") == 12 + 1  # a header row and a row per month
    assert "<svg" in text.split('id="churn-history"')[1]
