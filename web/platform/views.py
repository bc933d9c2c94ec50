"""The platform's public site: the landing page, pricing, and the sign-up form's address check."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from billing.models import Interval
from tenants import selectors
from tenants.services.provisioning import slug_errors
from web.platform.plans import offered_terms

# The demo marketplaces shown as examples, when this deployment has them (`manage.py seed_demo`).
EXAMPLES = [
    (
        "uni",
        _("University"),
        _("Students book tutors and study groups; only university email addresses can join."),
    ),
    (
        "agency",
        _("Agency"),
        _("Clients commission design and development projects, paid milestone by milestone."),
    ),
    (
        "lawfirm",
        _("Law firm"),
        _("Clients book consultations with lawyers after a conflict check; every member is approved."),
    ),
]


def _interval(request: HttpRequest) -> str:
    value = request.GET.get("interval", "")
    return value if value in Interval.values else Interval.MONTH


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    tenants = {t.schema_name: t for t in selectors.marketplaces().filter(schema_name__in=[s for s, *_ in EXAMPLES])}
    examples = [
        {
            "kind": kind,
            "text": text,
            "tenant": tenants.get(slug),
            "url": selectors.tenant_primary_url(tenants[slug])
            if slug in tenants and tenants[slug].is_available
            else "",
        }
        for slug, kind, text in EXAMPLES
    ]
    owned = []
    if request.user.is_authenticated:
        owned = [
            (tenant, selectors.tenant_primary_url(tenant))
            for tenant in selectors.marketplaces().filter(owner=request.user).prefetch_related("domains")
        ]
    return render(
        request,
        "platform/landing.html",
        {"plans": offered_terms(), "examples": examples, "owned": owned, "platform_domain": settings.PLATFORM_DOMAIN},
    )


@require_GET
def pricing(request: HttpRequest) -> HttpResponse:
    plans = offered_terms()
    return render(
        request,
        "platform/pricing.html",
        {
            "plans": plans,
            "interval": _interval(request),
            "limit_rows": [(limit.name, [plan.limits[i] for plan in plans]) for i, limit in enumerate(plans[0].limits)]
            if plans
            else [],
            "feature_rows": [
                (feature.name, [plan.features[i] for plan in plans]) for i, feature in enumerate(plans[0].features)
            ]
            if plans
            else [],
        },
    )


@require_GET
def slug_check(request: HttpRequest) -> HttpResponse:
    """Is the address typed in the sign-up form free? A fragment for htmx (and readable alone)."""
    slug = request.GET.get("slug", "").strip().lower()[:63]
    errors = slug_errors(slug) if slug else []
    return render(
        request,
        "platform/_slug_check.html",
        {"slug": slug, "errors": errors, "host": f"{slug}.{settings.PLATFORM_DOMAIN}"},
    )
