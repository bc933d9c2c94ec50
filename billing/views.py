"""Billing pages: the platform staff's billing console (platform host) and a marketplace's own
billing page for its admins (marketplace host: plan, status, usage, invoices, card, plan changes).
Both read through billing/console.py and billing/selectors.py and write through the same services as
the API; expected failures (a refused card, a blocked downgrade) are shown next to their form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import POLICY, can
from billing import console, invoices, selectors, services
from billing.entitlements import FEATURE_NAMES, LIMIT_NAMES
from billing.models import (
    LIMITS,
    BillingAccount,
    BillingProviderName,
    Collection,
    Interval,
    InvoiceStatus,
    Plan,
    PlanVersion,
    Subscription,
    SubscriptionStatus,
)
from billing.pdf import invoice_pdf
from billing.providers import default_provider_name
from marketplace.common.errors import DomainError, NotFound
from marketplace.common.money import CURRENCY_EXPONENTS, Money
from web.console.charts import bar_chart
from web.permissions import allowed, forbidden

# --- the platform staff's console -------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float  # the bar's centre (labels)
    left: float  # the bar's left edge
    y: float
    width: float
    height: float
    month: str  # e.g. "Mar"
    year: str  # under the month on the first bar and in January, else ""
    value: str  # above the bar, whole units ("" for 0)
    title: str  # the exact amount (the tooltip)


@dataclass(frozen=True)
class Chart:
    """An inline SVG bar chart of MRR in one currency (geometry in viewBox units). Drawn twice: wide
    for screens, narrow (compact numbers, drawn for ~360 px) for phones; CSS shows one."""

    currency: str
    size: str  # "wide" or "narrow"
    width: int
    height: int
    left: float
    baseline: float
    bars: list[Bar]
    gridlines: list[tuple[float, str]]  # (y, label)


CHART_SIZES = {  # width, height, left margin (axis labels), top margin (values), bottom margin (months)
    "wide": (900, 280, 64, 28, 44),
    "narrow": (360, 240, 34, 24, 40),
}


def _whole_units(amount: int, currency: str, *, compact: bool = False) -> str:
    whole = amount // 10 ** CURRENCY_EXPONENTS[currency]
    if not compact or whole < 1_000:
        return f"{whole:,}"
    for divisor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if whole >= divisor:
            shown = whole / divisor
            return f"{shown:.1f}".removesuffix(".0") + suffix if shown < 10 else f"{whole // divisor}{suffix}"
    return f"{whole:,}"  # unreachable


def _nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ at or above `value` (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step >= value:
                return factor * step
        step *= 10


def mrr_chart(history: list[console.MrrPoint], currency: str, *, size: str = "wide") -> Chart:
    width, height, left, top_margin, bottom_margin = CHART_SIZES[size]
    compact = size == "narrow"
    amounts = [point.mrr.amount(currency) for point in history]
    unit = 10 ** CURRENCY_EXPONENTS[currency]
    top = _nice_ceiling(-(-max(amounts, default=0) // unit)) * unit  # minor units, a round number of whole units
    plot_height = height - top_margin - bottom_margin
    baseline = top_margin + plot_height
    slot = (width - left - 4) / max(len(history), 1)
    bars = []
    for index, (point, amount) in enumerate(zip(history, amounts, strict=True)):
        bar_height = plot_height * amount / top
        month, year = point.label.split()
        bars.append(
            Bar(
                x=round(left + (index + 0.5) * slot, 1),
                left=round(left + (index + 0.15) * slot, 1),
                y=round(baseline - bar_height, 1),
                width=round(slot * 0.7, 1),
                height=round(bar_height, 1),
                month=month,
                year=year if index == 0 or month == "Jan" else "",
                value=_whole_units(amount, currency, compact=compact) if amount else "",
                title=f"{point.label}: {Money(amount, currency).format()}",
            )
        )
    gridlines = [
        (round(baseline - plot_height * half / 2, 1), _whole_units(top * half // 2, currency, compact=compact))
        for half in (0, 1, 2)
    ]
    return Chart(currency, size, width, height, left, baseline, bars, gridlines)


def _staff(user) -> bool:
    return can(user, "platform.tenants.view_all") and can(user, "platform.billing.manage")


@login_required
def console_view(request: HttpRequest) -> HttpResponse:
    if not _staff(request.user):
        return forbidden(request, _("Only platform staff can open the billing console."))
    plans = list(Plan.objects.order_by("rank").values_list("code", "name"))
    plan = request.GET.get("plan", "")
    status = request.GET.get("status", "")
    plan = plan if plan in {code for code, _ in plans} else ""
    status = status if status in SubscriptionStatus.values else ""
    figures = console.console_overview(plan=plan, status=status)
    currencies = (
        sorted(
            {m.currency for point in figures.mrr_history for m in point.mrr.paying}
            | {m.currency for m in figures.mrr.paying}
        )
        or sorted(set(PlanVersion.objects.values_list("currency", flat=True)))[:1]
    )
    churn_history = console.churn_history(months=12)
    return render(
        request,
        "billing/console.html",
        {
            "figures": figures,
            "charts": [
                mrr_chart(figures.mrr_history, currency, size=size) for currency in currencies for size in CHART_SIZES
            ],
            "currencies": currencies,
            "churn_history": churn_history,
            "churn_chart": bar_chart(
                [(point.label.split()[0], 100 * (point.churn.rate or 0)) for point in churn_history],
                description=_("Churn per month, the last 12 months, in percent of the marketplaces paying"),
                shown=lambda value: f"{value:.1f}".removesuffix(".0") + " %",
            ),
            "plans": plans,
            "statuses": SubscriptionStatus.choices,
            "plan": plan,
            "status": status,
        },
    )


# --- a marketplace's billing page -------------------------------------------------------------------


class CardForm(forms.Form):
    card = forms.CharField(
        label="Card number",
        max_length=40,
        help_text="Test card that pays: 4242 4242 4242 4242 (4000 0000 0000 0002 is declined).",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "cc-number", "placeholder": "4242 4242 4242 4242"}
        ),
    )


class PlanForm(forms.Form):
    plan = forms.SlugField(max_length=40)
    interval = forms.ChoiceField(choices=Interval.choices)


@dataclass(frozen=True)
class UsageRow:
    key: str
    name: str
    used: int | None  # None: not measured
    limit: int | None  # None: unlimited
    shown: str  # "6 of 25", "3 · unlimited", "not measured yet · unlimited"
    percent: int  # of the limit, capped at 100 (0 when unlimited)
    level: str  # "ok", "near" (80 % or more) or "full"


@dataclass(frozen=True)
class PlanChoice:
    interval: str
    price: Money
    label: str  # the button: "Upgrade · monthly", "Switch to yearly"…; "" for the current plan
    when: str  # when it applies
    upgrade: bool


@dataclass(frozen=True)
class PlanOffer:
    plan: Plan
    version: PlanVersion
    current: bool
    features: list[str]
    limits: list[str]
    choices: list[PlanChoice]


def _usage_rows(subscription: Subscription) -> tuple[dict, list[UsageRow]]:
    usage = selectors.usage_against_limits(subscription)
    rows = []
    for key in LIMITS:
        used, limit = usage["limits"][key]["used"], usage["limits"][key]["limit"]
        percent = min(100, round(100 * (used or 0) / limit)) if limit else (100 if limit == 0 and used else 0)
        level = "ok"
        if limit is not None and (used or 0) >= limit:
            level = "full"  # nothing more can be added
        elif limit and (used or 0) * 5 >= limit * 4:
            level = "near"  # 80 % or more
        shown = _("not measured yet") if used is None else f"{used:,}"
        shown += _(" · unlimited") if limit is None else _(" of %(limit)s") % {"limit": f"{limit:,}"}
        rows.append(UsageRow(key, LIMIT_NAMES[key], used, limit, shown, percent, level))
    return usage["period"], rows


def _change(subscription: Subscription, version: PlanVersion, interval: str) -> PlanChoice:
    """Moving to `version` paid every `interval` (no label when that is the current plan). Mirrors
    services._is_upgrade: yearly to monthly waits for the end of the paid year."""
    current, plan = subscription.plan_version, version.plan
    if plan.pk == current.plan_id and interval == subscription.interval:
        return PlanChoice(interval, version.price(interval), "", "", False)
    if plan.pk == current.plan_id:
        label = _("Switch to yearly") if interval == Interval.YEAR else _("Switch to monthly")
        upgrade = interval == Interval.YEAR
    else:
        upgrade = plan.rank > current.plan.rank and not (
            subscription.interval == Interval.YEAR and interval == Interval.MONTH
        )
        label = f"{'Upgrade' if plan.rank > current.plan.rank else 'Downgrade'} · {interval}ly"
    if subscription.status == SubscriptionStatus.TRIALING:
        when = _("Applies now; the trial goes on.")
    elif upgrade:
        when = _("Applies now; the rest of the period is charged to the card.")
    else:
        when = _("Applies at the end of the period.")
    return PlanChoice(interval, version.price(interval), label, when, upgrade)


def _offers(subscription: Subscription) -> list[PlanOffer]:
    offers = []
    for plan in selectors.plans_offered():
        version = max(plan.versions.all(), key=lambda v: v.number)
        limits = [
            f"{version.limit(key):,} {LIMIT_NAMES[key]}"
            if version.limit(key) is not None
            else f"Unlimited {LIMIT_NAMES[key]}"
            for key in LIMITS
        ]
        choices = [_change(subscription, version, interval) for interval in Interval.values]
        offers.append(
            PlanOffer(
                plan=plan,
                version=version,
                current=plan.pk == subscription.plan_version.plan_id,
                features=[FEATURE_NAMES[f] for f in version.features if f in FEATURE_NAMES],
                limits=limits,
                choices=choices,
            )
        )
    return offers


def _billing_context(request: HttpRequest, subscription: Subscription) -> dict:
    tenant = request.tenant
    period, usage = _usage_rows(subscription)
    account = BillingAccount.objects.filter(tenant=tenant).first()
    open_invoice = invoices.open_period_invoice(subscription)
    suspends_at = None
    if subscription.status == SubscriptionStatus.PAST_DUE and subscription.collection == Collection.AUTOMATIC:
        suspends_at = subscription.status_changed_at + timedelta(days=settings.BILLING_GRACE_DAYS)
    suspended_reason = ""
    if subscription.status == SubscriptionStatus.SUSPENDED:
        event = (
            subscription.events.filter(to_status=SubscriptionStatus.SUSPENDED).order_by("-created_at", "-id").first()
        )
        suspended_reason = event.reason if event else tenant.status_reason
    return {
        "subscription": subscription,
        "current_price": subscription.plan_version.price(subscription.interval),
        "usage_period": period,
        "usage": usage,
        "invoices": list(selectors.invoices_of(tenant)),
        "open_invoice": open_invoice,
        "suspends_at": suspends_at,
        "suspended_reason": suspended_reason,
        "grace_days": settings.BILLING_GRACE_DAYS,
        "account": account if account and account.has_payment_method else None,
        "local_provider": (account.provider if account else default_provider_name()) == BillingProviderName.LOCAL,
        "offers": _offers(subscription),
        "can_manage": can(request.user, "billing.manage"),
        "card_form": CardForm(),
        "pay_errors": {},
        "plan_error": None,
    }


def _card_save(request: HttpRequest, context: dict) -> HttpResponse | None:
    form = CardForm(request.POST)
    context["card_form"] = form
    if not form.is_valid():
        return None
    try:
        account = invoices.card_save(tenant=request.tenant, token=form.cleaned_data["card"])
    except DomainError as exc:
        for field, errors in exc.fields.items():
            for error in errors:
                form.add_error("card" if field in ("card", "payment_method") else None, error)
        if not exc.fields:
            form.add_error(None, exc.message)
        return None
    messages.success(
        request,
        _("Card saved: %(brand)s •••• %(last4)s.") % {"brand": account.card_brand.title(), "last4": account.card_last4},
    )
    return redirect("billing-page")


def _invoice_pay(request: HttpRequest, context: dict) -> HttpResponse | None:
    try:
        invoice = selectors.invoice_for(request.tenant, request.POST.get("invoice", ""))
    except NotFound:
        raise Http404 from None
    try:
        invoice = invoices.invoice_pay_now(invoice=invoice)
    except DomainError as exc:
        context["pay_errors"] = {invoice.public_id: exc.message}
        return None
    if invoice.status != InvoiceStatus.PAID:  # refused: the attempt is kept on the invoice
        context["pay_errors"] = {invoice.public_id: _("The payment failed: %(why)s") % {"why": invoice.last_failure}}
        return None
    messages.success(
        request,
        _("Invoice %(number)s is paid (%(amount)s). Thank you!")
        % {"number": invoice.number, "amount": invoice.amount_due().format()},
    )
    return redirect("billing-page")


def _plan_change(request: HttpRequest, context: dict, subscription: Subscription) -> HttpResponse | None:
    form = PlanForm(request.POST)
    code = request.POST.get("plan", "")
    if not form.is_valid():
        context["plan_error"] = {"plan": code, "message": _("Choose a plan and how often to pay."), "details": []}
        return None
    try:
        changed = services.subscription_change(
            actor=request.user,
            subscription=subscription,
            plan_code=form.cleaned_data["plan"],
            interval=form.cleaned_data["interval"],
        )
    except DomainError as exc:
        details = [
            f"{LIMIT_NAMES.get(field) or FEATURE_NAMES.get(field) or field.replace('_', ' ').capitalize()}: {error}"
            for field, errors in exc.fields.items()
            for error in errors
            if field != "allowed" and error not in exc.message
        ]
        context["plan_error"] = {"plan": code, "message": exc.message, "details": details}
        return None
    messages.success(request, _changed_message(changed))
    return redirect("billing-page")


def _changed_message(subscription: Subscription) -> str:
    if subscription.scheduled_version_id:
        name, interval = subscription.scheduled_version.plan.name, subscription.scheduled_interval
        return (
            f"{name}, paid {interval}ly, starts at the end of the period ({subscription.current_period_end:%d %b %Y})."
        )
    message = f"You are now on {subscription.plan_version.plan.name}, paid {subscription.interval}ly."
    event = subscription.events.order_by("-created_at", "-id").first()
    if event is not None and event.action == "upgraded" and event.data.get("prorated_amount"):
        charged = Money(event.data["prorated_amount"], event.data["currency"]).format()
        message += f" {charged} (before tax) for the rest of the period: invoice {event.data['invoice']}."
    return message


@allowed("billing.view")
@require_http_methods(["GET", "POST"])
def billing_view(request: HttpRequest) -> HttpResponse:
    try:
        subscription = selectors.subscription_for(request.tenant)
    except NotFound:
        raise Http404 from None
    context = _billing_context(request, subscription)
    if request.method == "POST":
        if not context["can_manage"]:
            return forbidden(request, POLICY["billing.manage"][1])
        action = request.POST.get("action")
        if action == "card":
            done = _card_save(request, context)
        elif action == "pay":
            done = _invoice_pay(request, context)
        elif action == "plan":
            done = _plan_change(request, context, subscription)
        else:
            return HttpResponse("Unknown action.", status=400)
        if done is not None:
            return done
        # the failed attempt may have changed what the page shows (an invoice's attempts)
        context |= {"invoices": list(selectors.invoices_of(request.tenant))}
    return render(request, "billing/manage.html", context)


@allowed("billing.view")
def invoice_pdf_view(request: HttpRequest, public_id: str) -> HttpResponse:
    """The marketplace's own invoice as PDF; any other id is a 404."""
    try:
        invoice = selectors.invoice_for(request.tenant, public_id)
    except NotFound:
        raise Http404 from None
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slugify(invoice.number)}.pdf"'
    return response
