"""Platform-wide billing figures for platform staff (read in the public schema): MRR now, at a past
date and month by month, churn, failed payments, marketplaces by plan and status, and a row per
marketplace with the money it moved this month (read in each marketplace's own schema).

MRR is the monthly equivalent of the plan version's price (the monthly price, or the yearly price
divided by 12, rounded down to a whole minor unit), per currency, over subscriptions that are active
or past due (a past-due marketplace is still online and is expected to pay). Trialing subscriptions
are counted apart as "trial MRR": what they would bring if they all converted. Suspended and closed
subscriptions count for nothing.

MRR at a past date is rebuilt from each subscription's events (no snapshots are kept):

- its status then is the `to_status` of its last event at or before that date (every event records
  the status after it);
- its plan version and interval then come from the plan changes: the `to`/`interval` of the last
  `plan_changed` (trial), `upgraded` or `downgraded` event at or before the date, else the `from` /
  `from_interval` of the first one after it, else the `plan_version` / `interval` of `started`,
  else what the subscription has now (`downgrade_scheduled` changes nothing until `downgraded`);
- a subscription created after the date did not exist then.

It is an approximation where the events are: dates are when a change was recorded (the hourly
dunning job records a missed payment up to an hour late); a marketplace that was purged took its
subscription and events with it, so past MRR leaves it out; subscriptions seeded when platform
billing launched start then, with the status and plan they were given; changes made outside the
billing services (the admin site, raw updates) are invisible.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from billing.models import (
    Collection,
    Interval,
    InvoiceStatus,
    Plan,
    PlanVersion,
    Subscription,
    SubscriptionEvent,
    SubscriptionStatus,
    TenantInvoice,
)
from marketplace.common.money import Money
from tenants.context import tenant_context
from tenants.models import Tenant, TenantRole

PAYING = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)  # counted in MRR
CHURNED = (SubscriptionStatus.CLOSED, SubscriptionStatus.SUSPENDED)  # lost: a move here from PAYING is churn
PLAN_CHANGES = ("plan_changed", "upgraded", "downgraded")  # events whose data holds from/to plan versions


def monthly_equivalent(version: PlanVersion, interval: str) -> int:
    """What one subscription brings in a month, minor units of `version.currency`: the monthly price,
    or the yearly price / 12 rounded down (an MRR figure never overstates by a fraction of a cent)."""
    return version.yearly_price // 12 if interval == Interval.YEAR else version.monthly_price


def _money(amounts: dict[str, int]) -> list[Money]:
    return [Money(amount, currency) for currency, amount in sorted(amounts.items())]


@dataclass(frozen=True)
class Mrr:
    """MRR at one moment, a Money per currency (empty when nothing counts)."""

    at: datetime
    paying: list[Money]  # active + past due
    trial: list[Money]  # trialing: potential, not revenue
    paying_count: int
    trial_count: int

    def amount(self, currency: str) -> int:
        return next((money.amount for money in self.paying if money.currency == currency), 0)


@dataclass(frozen=True)
class MrrChange:
    currency: str
    now: Money
    before: Money
    change: Money
    percent: float | None  # of `before`; None when it was 0


@dataclass(frozen=True)
class MrrPoint:
    label: str  # the month the point ends, e.g. "Mar 2026"
    mrr: Mrr


def _mrr(at: datetime, states) -> Mrr:
    """Sum (status, version, interval) states into MRR."""
    paying: dict[str, int] = defaultdict(int)
    trial: dict[str, int] = defaultdict(int)
    counts = {"paying": 0, "trial": 0}
    for status, version, interval in states:
        if status in PAYING:
            paying[version.currency] += monthly_equivalent(version, interval)
            counts["paying"] += 1
        elif status == SubscriptionStatus.TRIALING:
            trial[version.currency] += monthly_equivalent(version, interval)
            counts["trial"] += 1
    return Mrr(at, _money(paying), _money(trial), counts["paying"], counts["trial"])


def _subscriptions():
    return Subscription.objects.filter(tenant__role=TenantRole.MARKETPLACE)


def mrr_now(*, now: datetime | None = None) -> Mrr:
    """MRR from the subscriptions as they are (exact)."""
    subscriptions = _subscriptions().filter(status__in=[*PAYING, SubscriptionStatus.TRIALING])
    states = ((s.status, s.plan_version, s.interval) for s in subscriptions.select_related("plan_version"))
    return _mrr(now or timezone.now(), states)


# --- rebuilding the past from events ----------------------------------------------------------------


@dataclass(frozen=True)
class _Change:
    at: datetime
    status: str
    version: PlanVersion
    interval: str


def _timelines() -> list[list[_Change]]:
    """Each subscription's states, oldest first, from its creation (three queries in all)."""
    versions = {version.public_id: version for version in PlanVersion.objects.all()}
    by_pk = {version.pk: version for version in versions.values()}
    events: dict[int, list[SubscriptionEvent]] = defaultdict(list)
    for event in SubscriptionEvent.objects.filter(subscription__tenant__role=TenantRole.MARKETPLACE).order_by(
        "subscription_id", "created_at", "id"
    ):
        events[event.subscription_id].append(event)
    timelines = []
    for subscription in _subscriptions().only("pk", "created_at", "status", "plan_version_id", "interval"):
        trail = events.get(subscription.pk, [])
        first_change = next((e for e in trail if e.action in PLAN_CHANGES), None)
        started = next((e for e in trail if e.action == "started" and e.data.get("plan_version")), None)
        if first_change is not None:
            version = versions.get(first_change.data.get("from"))
            interval = first_change.data.get("from_interval")
        elif started is not None:
            version, interval = versions.get(started.data["plan_version"]), started.data.get("interval")
        else:
            version, interval = None, None
        version = version or by_pk[subscription.plan_version_id]
        interval = interval or subscription.interval
        status = (trail[0].from_status or trail[0].to_status) if trail else subscription.status
        timeline = [_Change(subscription.created_at, status, version, interval)]
        for event in trail:
            if event.action in PLAN_CHANGES:
                version = versions.get(event.data.get("to"), version)
                interval = event.data.get("interval") or interval
            timeline.append(_Change(event.created_at, event.to_status, version, interval))
        timelines.append(timeline)
    return timelines


def _state_at(timeline: list[_Change], at: datetime) -> _Change | None:
    current = None
    for change in timeline:
        if change.at > at:
            break
        current = change
    return current


def mrr_at_points(points: list[datetime]) -> list[Mrr]:
    """MRR at each of `points`, rebuilt from the events (see the module's docstring): three queries
    whatever the number of points."""
    timelines = _timelines()
    results = []
    for at in points:
        states = [state for timeline in timelines if (state := _state_at(timeline, at)) is not None]
        results.append(_mrr(at, ((s.status, s.version, s.interval) for s in states)))
    return results


def mrr_at(at: datetime) -> Mrr:
    return mrr_at_points([at])[0]


def month_end_points(*, months: int = 12, now: datetime | None = None) -> list[tuple[str, datetime]]:
    """(label, moment) for the end of each of the last `months` months, the current one ending now."""
    now = now or timezone.now()
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    points = []
    for back in range(months - 1, -1, -1):
        start = month_start - relativedelta(months=back)
        points.append((f"{start:%b %Y}", min(now, start + relativedelta(months=1))))
    return points


def mrr_history(*, months: int = 12, now: datetime | None = None) -> list[MrrPoint]:
    points = month_end_points(months=months, now=now)
    figures = mrr_at_points([at for _, at in points])
    return [MrrPoint(label, mrr) for (label, _), mrr in zip(points, figures, strict=True)]


def mrr_change(now: Mrr, before: Mrr) -> list[MrrChange]:
    currencies = sorted({m.currency for m in now.paying} | {m.currency for m in before.paying})
    changes = []
    for currency in currencies:
        current, earlier = now.amount(currency), before.amount(currency)
        percent = round((current - earlier) * 100 / earlier, 1) if earlier else None
        now_money, before_money = Money(current, currency), Money(earlier, currency)
        changes.append(MrrChange(currency, now_money, before_money, now_money - before_money, percent))
    return changes


# --- churn and failed payments ----------------------------------------------------------------------


@dataclass(frozen=True)
class Churned:
    marketplace: str  # public id
    name: str
    slug: str
    at: datetime
    to_status: str
    reason: str

    @property
    def status_label(self) -> str:
        return SubscriptionStatus(self.to_status).label


@dataclass(frozen=True)
class Churn:
    since: datetime
    until: datetime
    paying_at_start: int
    churned: list[Churned]
    rate: float | None  # churned / paying at start; None when nobody was paying

    @property
    def churned_count(self) -> int:
        return len(self.churned)


def churn(*, since: datetime, until: datetime, paying_at_start: int | None = None) -> Churn:
    """Marketplaces whose subscription moved from paying (active or past due) to suspended or closed
    during [since, until), each counted once, ÷ the marketplaces paying at `since`. Trials that end
    unpaid are not churn (they never paid); a suspended marketplace closing later is not counted
    again. The simple ratio: one that starts paying and leaves within the period counts too.
    `paying_at_start` when the caller rebuilt MRR at `since` already."""
    if paying_at_start is None:
        paying_at_start = mrr_at(since).paying_count
    moves = (
        SubscriptionEvent.objects.filter(
            subscription__tenant__role=TenantRole.MARKETPLACE,
            created_at__gte=since,
            created_at__lt=until,
            from_status__in=PAYING,
            to_status__in=CHURNED,
        )
        .select_related("subscription__tenant")
        .order_by("created_at", "id")
    )
    churned: dict[int, Churned] = {}
    for event in moves:
        tenant = event.subscription.tenant
        churned.setdefault(
            event.subscription_id,
            Churned(tenant.public_id, tenant.name, tenant.schema_name, event.created_at, event.to_status, event.reason),
        )
    rate = round(len(churned) / paying_at_start, 4) if paying_at_start else None
    return Churn(since, until, paying_at_start, list(churned.values()), rate)


@dataclass(frozen=True)
class ChurnPoint:
    label: str  # the month, e.g. "Mar 2026"
    churn: Churn


def churn_history(*, months: int = 12, now: datetime | None = None) -> list[ChurnPoint]:
    """Churn month by month for the last `months` months (the current one so far): marketplaces lost
    during the month ÷ those paying when it began (rebuilt from the events, like MRR). One query for
    the timelines and one per month for the moves."""
    points = month_end_points(months=months + 1, now=now)  # the first ends where the first month starts
    paying = mrr_at_points([at for _, at in points])
    history = []
    for index in range(1, len(points)):
        label, until = points[index]
        since, before = points[index - 1][1], paying[index - 1]
        history.append(ChurnPoint(label, churn(since=since, until=until, paying_at_start=before.paying_count)))
    return history


@dataclass(frozen=True)
class FailedPayment:
    marketplace: str  # public id
    name: str
    slug: str
    status: str
    collection: str
    past_due_since: datetime | None
    suspends_at: datetime | None  # automatic collection only; invoiced marketplaces are never suspended by the job
    invoices: list[str]  # open invoice numbers
    open_total: Money | None
    attempts: int  # failed collection attempts on the open invoices
    last_attempt_at: datetime | None
    last_failure: str

    @property
    def status_label(self) -> str:
        return SubscriptionStatus(self.status).label


def failed_payments() -> list[FailedPayment]:
    """Marketplaces with an open invoice the provider failed to collect (attempts > 0) or a past-due
    subscription, oldest problem first, with the last failure."""
    invoices = (
        TenantInvoice.objects.filter(status=InvoiceStatus.OPEN, tenant__role=TenantRole.MARKETPLACE)
        .filter(Q(attempts__gt=0) | Q(subscription__status=SubscriptionStatus.PAST_DUE))
        .order_by("issued_at", "id")
    )
    by_tenant: dict[int, list[TenantInvoice]] = defaultdict(list)
    for invoice in invoices:
        by_tenant[invoice.tenant_id].append(invoice)
    subscriptions = (
        _subscriptions()
        .filter(Q(status=SubscriptionStatus.PAST_DUE) | Q(tenant_id__in=list(by_tenant)))
        .select_related("tenant")
    )
    grace = timedelta(days=settings.BILLING_GRACE_DAYS)
    rows = []
    for subscription in subscriptions:
        tenant, open_invoices = subscription.tenant, by_tenant.get(subscription.tenant_id, [])
        past_due = subscription.status == SubscriptionStatus.PAST_DUE
        attempted = [i for i in open_invoices if i.last_attempt_at]
        last = max(attempted, key=lambda i: i.last_attempt_at, default=None)
        currencies = {i.currency for i in open_invoices}
        open_total = Money(sum(i.total for i in open_invoices), currencies.pop()) if len(currencies) == 1 else None
        rows.append(
            FailedPayment(
                marketplace=tenant.public_id,
                name=tenant.name,
                slug=tenant.schema_name,
                status=subscription.status,
                collection=subscription.collection,
                past_due_since=subscription.status_changed_at if past_due else None,
                suspends_at=subscription.status_changed_at + grace
                if past_due and subscription.collection == Collection.AUTOMATIC
                else None,
                invoices=[i.number for i in open_invoices],
                open_total=open_total,
                attempts=sum(i.attempts for i in open_invoices),
                last_attempt_at=last.last_attempt_at if last else None,
                last_failure=last.last_failure if last else "",
            )
        )
    return sorted(rows, key=lambda row: (row.past_due_since or row.last_attempt_at or timezone.now(), row.name))


# --- marketplaces by plan and status ----------------------------------------------------------------


@dataclass(frozen=True)
class PlanStatusCounts:
    plan: str  # code; "" for the totals row
    plan_name: str
    counts: dict[str, int]  # every status, 0 when none
    total: int

    @property
    def cells(self) -> list[tuple[str, int]]:
        """(status label, count) in the statuses' order."""
        return [(SubscriptionStatus(status).label, n) for status, n in self.counts.items()]


def counts_by_plan_and_status() -> list[PlanStatusCounts]:
    """Marketplaces per plan × subscription status, every plan that has (or had) subscribers or is
    on offer, in rank order, and a totals row last."""
    rows = _subscriptions().values("plan_version__plan_id", "status").annotate(n=Count("pk")).order_by()
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SubscriptionStatus.values, 0))
    for row in rows:
        counts[row["plan_version__plan_id"]][row["status"]] += row["n"]
    plans = Plan.objects.filter(Q(pk__in=list(counts)) | Q(retired_at__isnull=True)).order_by("rank")
    result = [PlanStatusCounts(plan.code, plan.name, counts[plan.pk], sum(counts[plan.pk].values())) for plan in plans]
    totals = {status: sum(row.counts[status] for row in result) for status in SubscriptionStatus.values}
    return [*result, PlanStatusCounts("", "All plans", totals, sum(totals.values()))]


# --- a row per marketplace --------------------------------------------------------------------------


@dataclass(frozen=True)
class TenantRow:
    marketplace: str  # public id
    name: str
    slug: str
    plan: str
    plan_name: str
    status: str
    collection: str
    interval: str
    trial_ends_at: datetime | None
    period_end: datetime
    mrr: Money  # its contribution to MRR now: 0 unless active or past due
    monthly_equivalent: Money  # what it would contribute paying (trial MRR for a trial)
    open_total: Money | None  # open invoices (None when there are none)
    failed_attempts: int  # collection attempts on invoices still open: each of them failed
    gmv: Money  # this month, in the marketplace's own currency
    platform_fee: Money

    @property
    def status_label(self) -> str:
        return SubscriptionStatus(self.status).label


def month_start(now: datetime) -> datetime:
    return timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def marketplace_money(tenant: Tenant, *, since: datetime, until: datetime) -> tuple[Money, Money]:
    """(GMV, platform fees) of one marketplace in [since, until), from its own ledger."""
    from marketplace.configuration.selectors import marketplace_settings
    from marketplace.payments.selectors import money_totals

    with tenant_context(tenant):
        currency = marketplace_settings().currency
        totals = money_totals(currency=currency, since=since, until=until)
    return Money(totals["gmv"], currency), Money(totals["platform_fee"], currency)


def tenant_rows(*, plan: str = "", status: str = "", now: datetime | None = None) -> list[TenantRow]:
    """Every marketplace (optionally of one plan and/or subscription status), by name. Two queries
    for the lot, then the month's GMV and fees read in each marketplace's schema (a settings read and
    `money_totals` each): fine for a console, not for a loop over thousands."""
    now = now or timezone.now()
    subscriptions = _subscriptions().select_related("tenant", "plan_version__plan").order_by("tenant__name", "pk")
    if plan:
        subscriptions = subscriptions.filter(plan_version__plan__code=plan)
    if status:
        subscriptions = subscriptions.filter(status=status)
    subscriptions = list(subscriptions)
    open_invoices: dict[int, dict] = {}
    for row in (
        TenantInvoice.objects.filter(status=InvoiceStatus.OPEN, tenant_id__in=[s.tenant_id for s in subscriptions])
        .values("tenant_id", "currency")
        .annotate(total=Sum("total"), attempts=Sum("attempts"))
        .order_by("tenant_id", "currency")
    ):
        open_invoices.setdefault(row["tenant_id"], row)  # one currency per subscription
    since = month_start(now)
    rows = []
    for subscription in subscriptions:
        tenant, version = subscription.tenant, subscription.plan_version
        equivalent = Money(monthly_equivalent(version, subscription.interval), version.currency)
        unpaid = open_invoices.get(tenant.pk)
        gmv, fee = marketplace_money(tenant, since=since, until=now)
        rows.append(
            TenantRow(
                marketplace=tenant.public_id,
                name=tenant.name,
                slug=tenant.schema_name,
                plan=version.plan.code,
                plan_name=version.plan.name,
                status=subscription.status,
                collection=subscription.collection,
                interval=subscription.interval,
                trial_ends_at=subscription.trial_ends_at,
                period_end=subscription.current_period_end,
                mrr=equivalent if subscription.status in PAYING else Money(0, version.currency),
                monthly_equivalent=equivalent,
                open_total=Money(unpaid["total"], unpaid["currency"]) if unpaid else None,
                failed_attempts=unpaid["attempts"] if unpaid else 0,
                gmv=gmv,
                platform_fee=fee,
            )
        )
    return rows


# --- everything the console shows -------------------------------------------------------------------


@dataclass(frozen=True)
class Console:
    at: datetime
    mrr: Mrr
    mrr_30_days_ago: Mrr
    mrr_change: list[MrrChange]
    mrr_history: list[MrrPoint]
    churn: Churn
    by_plan_and_status: list[PlanStatusCounts]
    failed_payments: list[FailedPayment]
    tenants: list[TenantRow]


def console_overview(*, plan: str = "", status: str = "", now: datetime | None = None) -> Console:
    """The billing console: MRR now and 30 days ago, 12 months of MRR, churn over the last 30 days,
    counts by plan and status, failed payments, and the marketplaces (filtered by plan/status)."""
    now = now or timezone.now()
    current = mrr_now(now=now)
    points = month_end_points(months=12, now=now)
    month_ago, *history = mrr_at_points([now - timedelta(days=30), *(at for _, at in points)])
    return Console(
        at=now,
        mrr=current,
        mrr_30_days_ago=month_ago,
        mrr_change=mrr_change(current, month_ago),
        mrr_history=[MrrPoint(label, mrr) for (label, _), mrr in zip(points, history, strict=True)],
        churn=churn(since=month_ago.at, until=now, paying_at_start=month_ago.paying_count),
        by_plan_and_status=counts_by_plan_and_status(),
        failed_payments=failed_payments(),
        tenants=tenant_rows(plan=plan, status=status, now=now),
    )
