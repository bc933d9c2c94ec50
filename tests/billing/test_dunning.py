"""Dunning and recording payments: an unpaid trial goes past due, is reminded, is suspended after the
grace period (offline, no bookings), and comes back at once when paid; the job changes nothing when
run again; the other marketplace is never touched."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.utils import timezone

from accounts.models import User
from billing import entitlements
from billing.dunning import dunning_run
from billing.models import Plan, Subscription, SubscriptionPayment, SubscriptionStatus
from billing.services import amount_due, subscription_payment_record
from billing.tasks import run_dunning
from marketplace.bookings.services import booking_create
from marketplace.common.errors import Conflict, PermissionDenied, ValidationFailed
from tenants.context import tenant_context
from tenants.models import Tenant, TenantStatus
from tests.bookings.test_booking_api import _book, _day, _slots, tutoring_listing
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return User.objects.create_user("staff@platform.test", PASSWORD, is_staff=True)


def _subscription(tenant) -> Subscription:
    return Subscription.objects.select_related("plan_version__plan", "scheduled_version").get(tenant=tenant)


def _trial_ended(tenant, *, hours_ago: int = 1, collection: str = "automatic") -> None:
    """The marketplace's trial ended `hours_ago`; by default it signed up itself (automatic collection)."""
    end = timezone.now() - timedelta(hours=hours_ago)
    Subscription.objects.filter(tenant=tenant).update(
        trial_ends_at=end, current_period_start=end - timedelta(days=14), current_period_end=end, collection=collection
    )


def _past_due_for(tenant, *, days: float) -> None:
    Subscription.objects.filter(tenant=tenant).update(status_changed_at=timezone.now() - timedelta(days=days))


def _snapshot(tenant) -> tuple:
    subscription = _subscription(tenant)
    tenant = Tenant.objects.get(pk=tenant.pk)
    return (
        subscription.status,
        subscription.plan_version_id,
        subscription.current_period_start,
        subscription.current_period_end,
        subscription.events.count(),
        subscription.payments.count(),
        list(subscription.invoices.values_list("number", "status")),
        tenant.status,
    )


def _pay(api, tenant, staff, **body):
    api.force_authenticate(staff)
    return api.post(f"/api/v1/billing/subscriptions/{tenant.public_id}/payments/", body, format="json")


def test_an_unpaid_trial_is_dunned_suspended_and_restored_at_once_by_paying(
    api_a, api_b, api_platform, tenant_a, tenant_b, staff, run_on_commit
):
    # given a bookable listing in alpha, whose trial ended an hour ago; beta's trial runs on
    tutoring = tutoring_listing(api_a, tenant_a)
    slots = _slots(api_a, tutoring, _day())
    _trial_ended(tenant_a)
    beta_before = _snapshot(tenant_b)

    # when the job runs: alpha is past due, still online, and its first admin is told
    with run_on_commit():
        assert run_dunning.apply(kwargs={"_schema": "public"}).get() == {"invoiced": 1, "past_due": 1}
    assert _subscription(tenant_a).status == SubscriptionStatus.PAST_DUE
    assert Tenant.objects.get(pk=tenant_a.pk).status == TenantStatus.PAST_DUE
    assert api_a.get("/api/v1/marketplace/").status_code == 200
    assert [(m.to, m.subject) for m in mail.outbox] == [(["admin@alpha.test"], "Payment due for Alpha University")]
    assert "without a payment of" in mail.outbox[0].body

    # when a day, then four days pass: one reminder each (day 1, day 3), none when run again
    _past_due_for(tenant_a, days=1.1)
    with run_on_commit():
        assert dunning_run() == {"reminded": 1}
        assert dunning_run() == {}
    _past_due_for(tenant_a, days=4)
    with run_on_commit():
        assert dunning_run() == {"reminded": 1}
        assert dunning_run() == {}
    assert [m.subject for m in mail.outbox[1:]] == ["Reminder: payment due for Alpha University"] * 2

    # when the grace period (7 days) is over
    _past_due_for(tenant_a, days=7.01)
    with run_on_commit():
        assert dunning_run() == {"suspended": 1}
    suspended = _snapshot(tenant_a)
    with run_on_commit():
        assert dunning_run() == {}

    # then alpha is offline and takes no bookings, the second run changed nothing, beta is untouched
    assert _snapshot(tenant_a) == suspended and suspended[0] == SubscriptionStatus.SUSPENDED
    assert Tenant.objects.get(pk=tenant_a.pk).status == TenantStatus.SUSPENDED
    assert api_a.post("/api/v1/auth/register/", {}, format="json").status_code == 503
    assert api_a.get("/api/v1/marketplace/").status_code == 200  # still readable
    with tenant_context(tenant_a), pytest.raises(entitlements.MarketplaceSuspended) as refused:
        booking_create(
            client=User.objects.get(email="client@example.org"),
            listing_id=tutoring,
            package="Hour",
            starts_at=slots[0]["starts_at"],
        )
    assert refused.value.message == "This marketplace is suspended and takes no new bookings."
    assert mail.outbox[-1].subject == "Alpha University is suspended until it is paid"
    assert _snapshot(tenant_b) == beta_before

    # when platform staff record the payment
    due = amount_due(_subscription(tenant_a))
    with run_on_commit():
        paid = _pay(api_platform, tenant_a, staff, amount=due.amount, reference="wire-2026-001", currency="USD")

    # then alpha is active and online at once, a month from now is paid, and it books again
    assert paid.status_code == 201, paid.content
    assert paid.json()["subscription"]["status"] == "active"
    subscription = _subscription(tenant_a)
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.current_period_end == subscription.current_period_start + relativedelta(months=1)
    assert abs(subscription.current_period_start - timezone.now()) < timedelta(minutes=1)
    assert Tenant.objects.get(pk=tenant_a.pk).status == TenantStatus.ACTIVE
    assert api_a.get("/api/v1/marketplace/").status_code == 200
    assert _book(api_a, tutoring, slots[0]["starts_at"]).status_code == 201
    with run_on_commit():
        assert dunning_run() == {}
    assert [(e.action, e.from_status, e.to_status) for e in subscription.events.all()] == [
        ("started", "", "trialing"),
        ("payment_missed", "trialing", "past_due"),
        ("payment_reminder", "past_due", "past_due"),
        ("payment_reminder", "past_due", "past_due"),
        ("suspended_unpaid", "past_due", "suspended"),
        ("paid", "suspended", "active"),
    ]
    assert all(e.reason for e in subscription.events.all())
    assert _snapshot(tenant_b) == beta_before


def test_paying_within_the_grace_period_continues_from_the_due_date(tenant_a, tenant_b, staff):
    # given alpha went past due two days ago
    _trial_ended(tenant_a, hours_ago=48)
    dunning_run()
    due_at = _subscription(tenant_a).current_period_end

    # when it pays
    payment = subscription_payment_record(actor=staff, tenant=tenant_a, amount=50_000, reference="inv-7")

    # then the paid month began when the payment was due (it stayed online meanwhile)
    subscription = _subscription(tenant_a)
    assert (payment.period_start, payment.period_end) == (due_at, due_at + relativedelta(months=1))
    assert (subscription.current_period_start, subscription.current_period_end) == (
        payment.period_start,
        payment.period_end,
    )
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert Tenant.objects.get(pk=tenant_a.pk).status == TenantStatus.ACTIVE
    assert _subscription(tenant_b).status == SubscriptionStatus.TRIALING


def test_paying_during_the_trial_keeps_what_is_left_of_it(tenant_a, staff):
    trial_end = _subscription(tenant_a).trial_ends_at
    due = amount_due(_subscription(tenant_a))

    payment = subscription_payment_record(actor=staff, tenant=tenant_a, amount=due.amount, reference="card-1")

    assert payment.period_end == trial_end + relativedelta(months=1)
    assert _subscription(tenant_a).status == SubscriptionStatus.ACTIVE
    assert Tenant.objects.get(pk=tenant_a.pk).status == TenantStatus.ACTIVE


def test_bad_payments_are_refused_and_change_nothing(api_platform, tenant_a, tenant_b, staff):
    # given alpha is past due
    _trial_ended(tenant_a)
    dunning_run()
    due = amount_due(_subscription(tenant_a))
    before = _snapshot(tenant_a)
    operator = User.objects.create_user("op@example.com", PASSWORD, is_operator=True)
    Tenant.objects.filter(pk=tenant_a.pk).update(owner=operator)

    # when less than is due, another currency, no reference, or by its operator
    short = _pay(api_platform, tenant_a, staff, amount=due.amount - 1, reference="short-1")
    euros = _pay(api_platform, tenant_a, staff, amount=due.amount, reference="eur-1", currency="EUR")
    blank = _pay(api_platform, tenant_a, staff, amount=due.amount, reference="  ")
    by_operator = _pay(api_platform, tenant_a, operator, amount=due.amount, reference="self-1")

    # then each is refused with what is wrong, and nothing changed
    assert short.status_code == 400
    assert short.json()["error"]["code"] == "amount_too_low"
    assert short.json()["error"]["message"] == (
        f"{due.format()} is due on invoice PLT-{timezone.now().year}-000001; a payment of at least that is needed."
    )
    assert (euros.status_code, euros.json()["error"]["fields"]) == (400, {"currency": ["Use USD."]})
    assert blank.status_code == 400
    assert by_operator.status_code == 403
    assert _snapshot(tenant_a) == before

    # when it pays, the same payment is recorded again, and a second one for the paid period
    first = subscription_payment_record(actor=staff, tenant=tenant_a, amount=due.amount, reference="inv-1")
    paid = _snapshot(tenant_a)
    again = subscription_payment_record(actor=staff, tenant=tenant_a, amount=due.amount, reference="inv-1")
    with pytest.raises(Conflict) as twice:
        subscription_payment_record(actor=staff, tenant=tenant_a, amount=due.amount, reference="inv-2")
    with pytest.raises(Conflict) as elsewhere:
        subscription_payment_record(actor=staff, tenant=tenant_b, amount=due.amount, reference="inv-1")

    # then the repeat is the same payment, the second is 409, the reference cannot pay for beta
    assert again.pk == first.pk and _snapshot(tenant_a) == paid
    assert (twice.value.status_code, twice.value.code) == (409, "period_already_paid")
    assert elsewhere.value.code == "payment_reference_used"
    assert SubscriptionPayment.objects.count() == 1
    assert _subscription(tenant_b).status == SubscriptionStatus.TRIALING


def test_only_platform_staff_record_payments(tenant_a):
    with pytest.raises(PermissionDenied):
        subscription_payment_record(actor=None, tenant=tenant_a, amount=10**9, reference="x")
    with pytest.raises(ValidationFailed):
        subscription_payment_record(
            actor=User.objects.create_user("s@platform.test", PASSWORD, is_staff=True),
            tenant=tenant_a,
            amount=-5,
            reference="neg",
        )
    assert not SubscriptionPayment.objects.exists()


def test_a_scheduled_downgrade_applies_at_the_end_of_the_period(tenant_a, tenant_b, staff):
    # given alpha paid for Growth, scheduled Starter, and the period just ended unpaid
    end = timezone.now() - timedelta(minutes=5)
    Subscription.objects.filter(tenant=tenant_a).update(
        plan_version=Plan.objects.get(code="growth").current_version,
        scheduled_version=Plan.objects.get(code="starter").current_version,
        scheduled_interval="month",
        status=SubscriptionStatus.ACTIVE,
        current_period_start=end - timedelta(days=30),
        current_period_end=end,
        collection="automatic",
    )
    beta_before = _snapshot(tenant_b)

    # when the job runs, twice
    assert dunning_run() == {"downgraded": 1, "invoiced": 1, "past_due": 1}
    assert dunning_run() == {}

    # then alpha is on Starter, owes Starter's price, and beta is untouched
    subscription = _subscription(tenant_a)
    assert (subscription.plan_version.plan.code, subscription.scheduled_version) == ("starter", None)
    assert subscription.status == SubscriptionStatus.PAST_DUE
    assert [e.action for e in subscription.events.all()][-2:] == ["downgraded", "payment_missed"]
    invoice = subscription.invoices.get()
    assert (invoice.plan_name, invoice.total, invoice.period_start) == ("Starter", 4_900, end)
    assert subscription.events.last().data == {"amount_due": 4_900, "currency": "USD", "invoice": invoice.number}
    assert _snapshot(tenant_b) == beta_before

    # and paying Starter's price is enough
    payment = subscription_payment_record(actor=staff, tenant=tenant_a, amount=4_900, reference="inv-starter")
    assert payment.plan_version.plan.code == "starter" and _subscription(tenant_a).status == "active"


def test_a_downgrade_scheduled_before_a_payment_applies_with_it(tenant_a, staff):
    # given alpha's Growth period ended, Starter scheduled, and staff record the payment before the job runs
    end = timezone.now() - timedelta(minutes=5)
    Subscription.objects.filter(tenant=tenant_a).update(
        plan_version=Plan.objects.get(code="growth").current_version,
        scheduled_version=Plan.objects.get(code="starter").current_version,
        scheduled_interval="month",
        status=SubscriptionStatus.ACTIVE,
        current_period_start=end - timedelta(days=30),
        current_period_end=end,
    )

    subscription_payment_record(actor=staff, tenant=tenant_a, amount=4_900, reference="inv-early")

    subscription = _subscription(tenant_a)
    assert (subscription.plan_version.plan.code, subscription.status) == ("starter", "active")
    assert subscription.current_period_start == end
    assert [e.action for e in subscription.events.all()][-2:] == ["downgraded", "paid"]
    assert dunning_run() == {}


def test_invoiced_marketplaces_are_never_dunned(tenant_a, tenant_b):
    # given: alpha signed up itself, beta was set up by staff under a contract; both periods ended
    _trial_ended(tenant_a)
    _trial_ended(tenant_b, hours_ago=24 * 30, collection="invoiced")
    before = _snapshot(tenant_b)

    # when
    done = dunning_run()

    assert done == {"invoiced": 2, "past_due": 1}
    assert _subscription(tenant_a).status == SubscriptionStatus.PAST_DUE
    # beta only gets its invoice, payable on the contract's terms; its status and events are untouched
    invoice = _subscription(tenant_b).invoices.get()
    assert invoice.status == "open"
    assert invoice.due_at - invoice.issued_at == timedelta(days=14)
    assert _snapshot(tenant_b)[:6] == before[:6] and _snapshot(tenant_b)[7:] == before[7:]
    assert dunning_run() == {}
