"""What the trust and people pages share: paging, and a service's refusal shown on the page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404

from marketplace.common.errors import DomainError
from web.forms import apply_domain_error

PER_PAGE = 25


def paged(request, items, per_page: int = PER_PAGE):
    """One page of `items` for the `page` query parameter (an unknown page shows the last one)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def found(value):
    """A selector's answer, or the product's 404 (another marketplace's ids are simply unknown here)."""
    if value is None:
        raise Http404
    return value


def refused(form, exc: DomainError) -> int:
    """Put a service's refusal on `form` (its fields' errors next to them, the rest at the top) and
    give the status to answer with: 400 when it names a field of the form (bad input), else the
    service's own status (402 plan limit, 403, 409) for a refused action."""
    apply_domain_error(form, exc)
    return 400 if _on_fields(form, exc) else exc.status_code


def _on_fields(form, exc: DomainError) -> bool:
    return any(name in form.fields for name in exc.fields)
