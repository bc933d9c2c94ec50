"""Money: balances (available, pending in escrow, on the way to the bank), where payouts go (the
processor's payee onboarding), the payout schedule, asking for a payout, the payout history and the
statement of a period with its totals and PDFs."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.common.errors import DomainError, ValidationFailed
from marketplace.configuration.selectors import marketplace_settings
from marketplace.invoicing.pdf import statement_line_pdf
from marketplace.invoicing.selectors import statement_lines_of, statement_totals
from marketplace.payments.payouts import earnings, payee_of, payee_onboard, payout_request, payouts_of
from web.provider import labels
from web.provider.access import provider_page
from web.provider.forms import PayeeForm, PayoutForm, PayoutScheduleForm, StatementForm, place_errors, to_minor


def _period(request, zone: ZoneInfo) -> tuple[StatementForm, datetime | None, datetime | None]:
    """The statement's dates (this month so far unless asked), as instants in the marketplace's zone."""
    today = timezone.now().astimezone(zone).date()
    data = request.GET if "start" in request.GET or "end" in request.GET else None
    form = StatementForm(data, initial={"start": today.replace(day=1), "end": today})
    if data is None:
        first, last = today.replace(day=1), today
    elif form.is_valid():
        first, last = form.cleaned_data["start"], form.cleaned_data["end"]
    else:
        return form, None, None
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return form, start, end


def _page(request, *, payout_form=None, payee_form=None, status=200):
    provider = request.provider
    marketplace = marketplace_settings()
    currency = marketplace.currency
    payee = payee_of(provider)
    statement_form, start, end = _period(request, ZoneInfo(marketplace.time_zone))
    lines = statement_lines_of(provider, start=start, end=end) if start else None
    payouts = Paginator(payouts_of(provider), 10).get_page(request.GET.get("page"))
    for payout in payouts.object_list:
        payout.shown_state = labels.state(labels.PAYOUT_STATES, payout.status)
    context = {
        "currency": currency,
        "earnings": earnings(provider, currency),
        "payee": payee,
        "gateway": settings.PAYMENT_GATEWAY,
        "payee_form": payee_form or PayeeForm(),
        "schedule_form": PayoutScheduleForm(initial={"schedule": payee.schedule}) if payee else None,
        "payout_form": payout_form or PayoutForm(initial={"key": secrets.token_urlsafe(16)}, currency=currency),
        "page_obj": payouts,
        "payouts": payouts.object_list,
        "statement_form": statement_form,
        "lines": list(lines) if lines is not None else [],
        "totals": statement_totals(lines) if lines is not None else [],
        "marketplace_zone": marketplace.time_zone,
    }
    return render(request, "provider/earnings.html", context, status=status)


@provider_page
def earnings_view(request):
    return _page(request)


@provider_page
@require_POST
def payee_view(request):
    """Set up where payouts go (or refresh the account's status, change the schedule)."""
    form = PayeeForm(request.POST) if "bank_account" in request.POST else PayoutScheduleForm(request.POST)
    if not form.is_valid():
        return _page(request, payee_form=form if isinstance(form, PayeeForm) else None, status=400)
    try:
        payee = payee_onboard(
            request.provider,
            email=request.user.email,
            return_url=request.build_absolute_uri("/provider/earnings/"),
            bank_account=form.cleaned_data.get("bank_account", ""),
            schedule=form.cleaned_data.get("schedule", ""),
        )
    except DomainError as exc:
        if isinstance(form, PayeeForm) and exc.fields:
            place_errors(form, exc)
            return _page(request, payee_form=form, status=400)
        messages.error(request, exc.message)
        return redirect("/provider/earnings/#payouts")
    if not payee.payouts_enabled and payee.onboarding_url:
        return redirect(payee.onboarding_url)  # the processor's own onboarding (Stripe Connect)
    messages.success(request, _("Payout settings saved."))
    return redirect("/provider/earnings/#payouts")


@provider_page
@require_POST
def payout_view(request):
    provider = request.provider
    currency = marketplace_settings().currency
    form = PayoutForm(request.POST, currency=currency)
    if not form.is_valid():
        return _page(request, payout_form=form, status=400)
    amount = form.cleaned_data["amount"]
    try:
        payout = payout_request(
            provider,
            amount=to_minor(amount, currency) if amount is not None else None,
            currency=currency,
            key=f"{connection.schema_name}:payout:{provider.public_id}:web:{form.cleaned_data['key']}",
        )
    except ValidationFailed as exc:
        if "amount" in exc.fields:
            now = earnings(provider, currency)
            words = {"minimum": _money(now.minimum_payout, currency), "available": _money(now.available, currency)}
            if amount is None:
                form.add_error("amount", _("%(available)s is available; the smallest payout is %(minimum)s.") % words)
            elif amount > 0:
                form.add_error("amount", _("The smallest payout is %(minimum)s.") % words)
            else:
                form.add_error("amount", _("Use an amount above zero, or leave it empty to pay out everything."))
        else:
            place_errors(form, exc)
        return _page(request, payout_form=form, status=400)
    except DomainError as exc:
        messages.error(request, _refusal(exc, provider, currency))
        return redirect("/provider/earnings/#payout")
    messages.success(
        request,
        _("Payout of %(amount)s requested: it is on its way to your bank.")
        % {"amount": _money(payout.amount, payout.currency)},
    )
    return redirect("/provider/earnings/#payout")


def _refusal(exc: DomainError, provider, currency: str) -> str:
    """A refused payout in the page's words (the service's messages are written for the API)."""
    if exc.code == "payee_not_ready":
        return _("Set up where your payouts go first (below), then ask again.")
    if exc.code == "payout_in_flight":
        return _("A payout is already on its way to your bank; ask again once it has arrived.")
    if exc.code == "payout_exceeds_available":
        available = earnings(provider, currency).available
        return _("That is more than the %(available)s available to pay out.") % {
            "available": _money(available, currency)
        }
    return exc.message


def _money(amount: int, currency: str) -> str:
    from marketplace.common.money import Money

    return Money(amount, currency).format()


@provider_page
def statement_pdf_view(request, public_id: str):
    line = statement_lines_of(request.provider).filter(public_id=public_id).first()
    if line is None:
        raise Http404(_("No such statement line."))
    response = HttpResponse(statement_line_pdf(line), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{line.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
