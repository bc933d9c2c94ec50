"""Listing moderation: listings waiting for review first, then the rest, by status and category; one
listing with its packages and attribute problems, approved, rejected or paused through
`marketplace.catalogue.listings.listing_transition` (which audits it)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from marketplace.catalogue import listings as services
from marketplace.catalogue import selectors
from marketplace.common.errors import DomainError
from web.manage.trust.forms import ListingActionForm, ListingFilterForm
from web.manage.trust.pages import found, paged, refused
from web.permissions import allowed

MODERATOR_ACTIONS = ("approve", "reject", "pause")
_DONE = {
    "approve": _("“%(title)s” is live."),
    "reject": _("“%(title)s” is rejected; its provider sees the reason."),
    "pause": _("“%(title)s” is paused; its provider sees the reason."),
}


@allowed("listings.moderate")
def listing_list(request):
    categories = selectors.categories_list()
    filters = ListingFilterForm(request.GET or None, categories=categories)
    status, category = "", None
    if filters.is_valid():
        status = filters.cleaned_data["status"]
        if filters.cleaned_data["category"]:
            category = selectors.category_by_public_id(filters.cleaned_data["category"])
    listings = selectors.listings_for_moderation(status=status or None, category=category)
    return render(
        request, "manage/trust/listings/list.html", {"filters": filters, "page_obj": paged(request, listings)}
    )


@allowed("listings.moderate")
def listing_detail(request, public_id: str):
    listing = found(selectors.listing_visible_to(request.user, public_id))
    form = ListingActionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            action = form.cleaned_data["action"]
            try:
                services.listing_transition(
                    user=request.user, listing=listing, action=action, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                status = refused(form, exc)
            else:
                messages.success(request, _DONE[action] % {"title": listing.title})
                return redirect("manage:listing", public_id=listing.public_id)
        else:
            status = 400
    listing = selectors.listing_visible_to(request.user, public_id)
    actions = [a for a in services.allowed_actions(listing, request.user) if a in MODERATOR_ACTIONS]
    context = {"listing": listing, "form": form, "actions": actions, "attributes": _attribute_rows(listing)}
    return render(request, "manage/trust/listings/detail.html", context, status=status)


def _attribute_rows(listing) -> list[dict]:
    """The listing's attribute values by their labels, each with the problems found when a definition
    changed under it (values without a definition any more come last, by their key)."""
    definitions = selectors.category_attribute_definitions(listing.category)
    problems = listing.attribute_problems or {}
    rows = [
        {
            "label": d.label,
            "value": _shown(listing.attributes.get(d.key)),
            "unit": d.unit,
            "problems": problems.get(f"attributes.{d.key}", []),
        }
        for d in definitions
    ]
    known = {d.key for d in definitions}
    rows += [
        {"label": key, "value": _shown(value), "unit": "", "problems": problems.get(f"attributes.{key}", [])}
        for key, value in sorted(listing.attributes.items())
        if key not in known
    ]
    named = {f"attributes.{key}" for key in known | set(listing.attributes)}
    rows += [
        {"label": key, "value": "", "unit": "", "problems": found}
        for key, found in problems.items()
        if key not in named
    ]
    return rows


def _shown(value) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
