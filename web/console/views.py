"""The platform console (platform host, /console/, platform staff only): marketplaces with their
health and usage, one marketplace in detail with its lifecycle actions and support sessions, plans,
subscriptions, invoices and support sessions. Reads through `tenants.console` and `billing`; writes
through the tenant lifecycle, billing and support services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from billing import console as billing_console
from billing import selectors as billing_selectors
from billing import services as billing_services
from billing.invoices import open_period_invoice
from billing.models import InvoiceStatus, Plan, TenantInvoice
from billing.pdf import invoice_pdf
from billing.services import amount_due
from marketplace.common.errors import DomainError
from marketplace.common.money import Money
from tenants import console
from tenants.models import MarketplaceSignup, SupportSession, Tenant, TenantStatus
from tenants.selectors import tenant_primary_url
from tenants.services import tenant_close, tenant_reactivate, tenant_suspend
from tenants.services.support import support_session_start
from web.console import forms
from web.console.charts import bar_chart
from web.console.support import client_ip
from web.forms import apply_domain_error
from web.permissions import allowed
from web.platform.plans import percent

PER_PAGE = 25


def _page(request: HttpRequest, items):
    return Paginator(items, PER_PAGE).get_page(request.GET.get("page"))


def _filters(form_class, request: HttpRequest, **kwargs):
    form = form_class(request.GET or None, **kwargs)
    return form, (form.cleaned_data if form.is_valid() else {})


# --- overview ----------------------------------------------------------------------------------------


@require_GET
@allowed("platform.tenants.view_all")
def overview(request: HttpRequest) -> HttpResponse:
    rows = console.tenant_list()
    by_status = {value: 0 for value in TenantStatus.values}
    for row in rows:
        by_status[row.tenant.status] += 1
    return render(
        request,
        "console/overview.html",
        {
            "total": len(rows),
            "by_status": [(TenantStatus(value).label, value, n) for value, n in by_status.items()],
            "attention": [row for row in rows if row.health.level != "ok"][:10],
            "attention_count": sum(1 for row in rows if row.health.level != "ok"),
            "mrr": billing_console.mrr_now(),
            "failed_payments": billing_console.failed_payments()[:5],
            "signups": MarketplaceSignup.objects.select_related("owner", "tenant").order_by("-created_at")[:6],
            "sessions": SupportSession.objects.order_by("-created_at")[:5],
        },
    )


# --- marketplaces ------------------------------------------------------------------------------------


@require_GET
@allowed("platform.tenants.view_all")
def tenants(request: HttpRequest) -> HttpResponse:
    form, data = _filters(forms.TenantFilterForm, request)
    rows = console.tenant_list(
        q=data.get("q", ""),
        status=data.get("status", ""),
        plan=data.get("plan", ""),
        subscription_status=data.get("subscription", ""),
        health=data.get("health", ""),
    )
    page = _page(request, rows)
    console.with_usage(list(page.object_list))
    return render(request, "console/tenants.html", {"form": form, "page_obj": page, "count": len(rows)})


def _tenant_row(public_id: str) -> console.ConsoleTenant:
    row = console.tenant_for_console(public_id)
    if row is None:
        raise Http404
    return row


def _detail(request: HttpRequest, row: console.ConsoleTenant, *, status: int = 200, **bound) -> HttpResponse:
    """The marketplace's page, with any bound (invalid) action form in place of the empty one."""
    tenant, subscription = row.tenant, row.subscription
    history = console.tenant_history(tenant)
    member_q = request.GET.get("member_q", "")
    chart = None
    if history.usage_records:
        chart = bar_chart(
            [(f"{record.period_start:%b}", record.bookings) for record in history.usage_records],
            description=_("Bookings per usage month, the last %(n)d months") % {"n": len(history.usage_records)},
        )
    context = {
        "row": row,
        "tenant": tenant,
        "subscription": subscription,
        "history": history,
        "usage_chart": chart,
        "open_invoice": open_period_invoice(subscription) if subscription else None,
        "domains": list(tenant.domains.all()),
        "subscription_events": [(e, _label(e.action)) for e in history.subscription_events],
        "tenant_events": [(e, _label(e.action)) for e in history.tenant_events],
        "support_minutes": settings.SUPPORT_SESSION_MINUTES,
        "member_q": member_q,
        "members": console.members_search(tenant, member_q) if member_q else None,
        "suspend_form": forms.SuspendForm(),
        "reactivate_form": forms.ReactivateForm(),
        "close_form": forms.CloseForm(slug=tenant.schema_name),
        "support_form": forms.SupportForm(initial={"member": request.GET.get("member", "")}),
    }
    return render(request, "console/tenant.html", context | bound, status=status)


def _label(action: str) -> str:
    """An event's machine name in words: "payment_missed" → "Payment missed"."""
    return action.replace("_", " ").capitalize()


@require_GET
@allowed("platform.tenants.view_all")
def tenant(request: HttpRequest, public_id: str) -> HttpResponse:
    return _detail(request, _tenant_row(public_id))


def _refused(request: HttpRequest, tenant: Tenant, exc: DomainError) -> HttpResponse:
    messages.error(request, exc.message)
    return redirect("console:tenant", public_id=tenant.public_id)


@require_POST
@allowed("platform.tenants.manage")
def tenant_suspend_view(request: HttpRequest, public_id: str) -> HttpResponse:
    row = _tenant_row(public_id)
    form = forms.SuspendForm(request.POST)
    if not form.is_valid():
        return _detail(request, row, status=400, suspend_form=form)
    try:
        tenant_suspend(actor=request.user, tenant=row.tenant, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        return _refused(request, row.tenant, exc)
    messages.success(request, _("%(name)s is suspended.") % {"name": row.tenant.name})
    return redirect("console:tenant", public_id=public_id)


@require_POST
@allowed("platform.tenants.manage")
def tenant_reactivate_view(request: HttpRequest, public_id: str) -> HttpResponse:
    row = _tenant_row(public_id)
    form = forms.ReactivateForm(request.POST)
    if not form.is_valid():
        return _detail(request, row, status=400, reactivate_form=form)
    try:
        tenant_reactivate(actor=request.user, tenant=row.tenant, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        return _refused(request, row.tenant, exc)
    messages.success(request, _("%(name)s is back online.") % {"name": row.tenant.name})
    return redirect("console:tenant", public_id=public_id)


@require_POST
@allowed("platform.tenants.manage")
def tenant_close_view(request: HttpRequest, public_id: str) -> HttpResponse:
    row = _tenant_row(public_id)
    form = forms.CloseForm(request.POST, slug=row.tenant.schema_name)
    if not form.is_valid():
        return _detail(request, row, status=400, close_form=form)
    try:
        tenant_close(actor=request.user, tenant=row.tenant, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        return _refused(request, row.tenant, exc)
    messages.success(request, _("%(name)s is closed.") % {"name": row.tenant.name})
    return redirect("console:tenant", public_id=public_id)


@allowed("platform.billing.manage")
def tenant_payment(request: HttpRequest, public_id: str) -> HttpResponse:
    """Record a payment received for the marketplace's next period (or its open invoice)."""
    row = _tenant_row(public_id)
    if row.subscription is None:
        raise Http404
    invoice = open_period_invoice(row.subscription)
    due = invoice.amount_due() if invoice else amount_due(row.subscription)
    form = forms.PaymentForm(request.POST or None, currency=due.currency)
    if request.method == "POST":
        if form.is_valid():
            try:
                payment = billing_services.subscription_payment_record(
                    actor=request.user,
                    tenant=row.tenant,
                    amount=form.cleaned_data["amount"],
                    reference=form.cleaned_data["reference"],
                    currency=due.currency,
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                paid = Money(payment.amount, payment.currency).format()
                messages.success(
                    request,
                    _("Payment %(ref)s of %(amount)s recorded; paid until %(until)s.")
                    % {"ref": payment.reference, "amount": paid, "until": f"{payment.period_end:%d %b %Y}"},
                )
                return redirect("console:tenant", public_id=public_id)
        status = 400
    else:
        status = 200
    return render(
        request,
        "console/payment.html",
        {"row": row, "tenant": row.tenant, "invoice": invoice, "due": due, "form": form},
        status=status,
    )


# --- support sessions --------------------------------------------------------------------------------


@require_GET
@allowed("platform.support.impersonate")
def tenant_members(request: HttpRequest, public_id: str) -> HttpResponse:
    """Members matching `member_q` (a fragment for the search as you type on the detail page)."""
    row = _tenant_row(public_id)
    q = request.GET.get("member_q", "")
    return render(
        request,
        "console/_members.html",
        {"tenant": row.tenant, "member_q": q, "members": console.members_search(row.tenant, q), "selected": ""},
    )


@require_POST
@allowed("platform.support.impersonate")
def support_start(request: HttpRequest, public_id: str) -> HttpResponse:
    row = _tenant_row(public_id)
    form = forms.SupportForm(request.POST)
    if form.is_valid():
        try:
            _session, token = support_session_start(
                actor=request.user,
                tenant=row.tenant,
                member_id=form.cleaned_data["member"],
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except DomainError as exc:
            if not exc.fields:
                return _refused(request, row.tenant, exc)
            apply_domain_error(form, exc)
        else:
            path = reverse("support-enter", urlconf="config.urls_tenant", kwargs={"token": token})
            return redirect(tenant_primary_url(row.tenant).rstrip("/") + path)
    member_q = request.POST.get("member_q", "")
    return _detail(
        request,
        row,
        status=400,
        support_form=form,
        member_q=member_q,
        members=console.members_search(row.tenant, member_q) if member_q else None,
    )


@require_GET
@allowed("platform.tenants.view_all")
def support_sessions(request: HttpRequest) -> HttpResponse:
    form, data = _filters(forms.SupportSessionFilterForm, request)
    sessions = console.support_sessions(q=data.get("q", ""), state=data.get("state", ""))
    return render(request, "console/support_sessions.html", {"form": form, "page_obj": _page(request, sessions)})


# --- plans -------------------------------------------------------------------------------------------


@require_GET
@allowed("platform.billing.manage")
def plans(request: HttpRequest) -> HttpResponse:
    rows = []
    counts = billing_selectors.plan_subscriber_counts()
    for plan in Plan.objects.prefetch_related("versions").order_by("rank"):
        version = max(plan.versions.all(), key=lambda v: v.number)
        rows.append(
            {
                "plan": plan,
                "version": version,
                "counts": counts.get(plan.pk, {}),
                "fee": percent(version.platform_fee_bps),
            }
        )
    return render(request, "console/plans.html", {"rows": rows})


def _plan(code: str) -> Plan:
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        raise Http404
    return plan


@allowed("platform.billing.manage")
def plan_edit(request: HttpRequest, code: str) -> HttpResponse:
    plan = _plan(code)
    form = forms.PlanForm(request.POST or None, initial=forms.PlanForm.initial_for(plan))
    if request.method == "POST" and form.is_valid():
        before = plan.current_version.number
        try:
            plan = billing_services.plan_update(actor=request.user, plan=plan, **form.terms())
        except DomainError as exc:
            _limit_errors(exc)
            apply_domain_error(form, exc)
        else:
            after = plan.current_version.number
            if after != before:
                messages.success(
                    request,
                    _("%(name)s: new terms saved as version %(n)d. New subscribers get them, others keep theirs.")
                    % {"name": plan.name, "n": after},
                )
            else:
                messages.success(request, _("%(name)s saved; its terms did not change.") % {"name": plan.name})
            return redirect("console:plans")
    versions = list(billing_selectors.plan_versions(plan))
    return render(
        request,
        "console/plan_form.html",
        {"plan": plan, "form": form, "versions": versions},
        status=400 if form.is_bound else 200,
    )


def _limit_errors(exc: DomainError) -> None:
    """The service names `limits` as one field; the form has one field per limit."""
    if "limits" in exc.fields:
        exc.fields = dict(exc.fields)
        exc.fields[None] = exc.fields.pop("limits")


@allowed("platform.billing.manage")
def plan_new(request: HttpRequest) -> HttpResponse:
    next_rank = (Plan.objects.order_by("-rank").values_list("rank", flat=True).first() or 0) + 10
    form = forms.NewPlanForm(
        request.POST or None,
        initial={"rank": next_rank, "currency": "USD", "trial_days": 14, "platform_fee_bps": 300},
    )
    if request.method == "POST" and form.is_valid():
        terms = form.terms()
        try:
            plan = billing_services.plan_create(
                actor=request.user,
                code=form.cleaned_data["code"],
                rank=form.cleaned_data["rank"],
                **terms,
            )
        except DomainError as exc:
            _limit_errors(exc)
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("%(name)s is on offer.") % {"name": plan.name})
            return redirect("console:plans")
    return render(request, "console/plan_form.html", {"plan": None, "form": form}, status=400 if form.is_bound else 200)


@require_POST
@allowed("platform.billing.manage")
def plan_retire(request: HttpRequest, code: str) -> HttpResponse:
    plan = billing_services.plan_retire(actor=request.user, plan=_plan(code))
    messages.success(
        request, _("%(name)s is retired: no longer offered; its subscribers keep it.") % {"name": plan.name}
    )
    return redirect("console:plans")


# --- subscriptions and invoices ----------------------------------------------------------------------


@require_GET
@allowed("platform.tenants.view_all")
def subscriptions(request: HttpRequest) -> HttpResponse:
    form, data = _filters(forms.SubscriptionFilterForm, request)
    items = billing_selectors.subscriptions_search(
        q=data.get("q", ""),
        status=data.get("status", ""),
        plan=data.get("plan", ""),
        interval=data.get("interval", ""),
        collection=data.get("collection", ""),
    )
    page = _page(request, items)
    rows = [
        {
            "subscription": s,
            "mrr": Money(billing_console.monthly_equivalent(s.plan_version, s.interval), s.plan_version.currency)
            if s.status in billing_console.PAYING
            else None,
        }
        for s in page.object_list
    ]
    return render(request, "console/subscriptions.html", {"form": form, "page_obj": page, "rows": rows})


@require_GET
@allowed("platform.tenants.view_all")
def invoices(request: HttpRequest) -> HttpResponse:
    form, data = _filters(forms.InvoiceFilterForm, request)
    items = billing_selectors.invoices_search(
        q=data.get("q", ""), status=data.get("status", ""), kind=data.get("kind", ""), failed=data.get("failed", False)
    )
    totals = {
        row["currency"]: row["total"]
        for row in items.filter(status=InvoiceStatus.OPEN).values("currency").annotate(total=Sum("total")).order_by()
    }
    page = _page(request, items)
    return render(
        request,
        "console/invoices.html",
        {
            "form": form,
            "page_obj": page,
            "open_totals": [Money(amount, currency) for currency, amount in sorted(totals.items())],
            "now": timezone.now(),
        },
    )


@require_GET
@allowed("platform.tenants.view_all")
def invoice_pdf_view(request: HttpRequest, public_id: str) -> HttpResponse:
    invoice = TenantInvoice.objects.filter(public_id=public_id).first()
    if invoice is None:
        raise Http404
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slugify(invoice.number)}.pdf"'
    return response
