"""The dashboard's first page: what needs the provider now, the sessions coming up, money, and how
complete their presence is."""

from __future__ import annotations

from django.shortcuts import render

from marketplace.bookings.provider_work import provider_attention, provider_upcoming
from marketplace.configuration.selectors import marketplace_settings
from marketplace.payments.payouts import earnings
from marketplace.providers.selectors import profile_completeness
from web.provider import labels
from web.provider.access import provider_page


@provider_page
def overview_view(request):
    provider = request.provider
    currency = marketplace_settings().currency
    completeness = profile_completeness(provider)
    attention = provider_attention(provider, limit=5)
    steps = [
        {"label": labels.COMPLETENESS[key][0], "url": labels.COMPLETENESS[key][1], "done": done}
        for key, done in completeness["steps"].items()
    ]
    context = {
        "provider": provider,
        "attention": attention,
        "to_accept": labels.booking_rows(attention.to_accept),
        "quotes_to_send": labels.booking_rows(attention.quotes_to_send),
        "deliveries_due": labels.booking_rows(attention.deliveries_due),
        "upcoming": labels.booking_rows(provider_upcoming(provider)),
        "earnings": earnings(provider, currency),
        "currency": currency,
        "completeness": completeness,
        "steps": steps,
        "status": labels.state(labels.PROVIDER_STATES, provider.status),
    }
    return render(request, "provider/overview.html", context)
