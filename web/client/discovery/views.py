"""Discovery and checkout pages: search, a listing (with its slot picker), a provider's profile, the
question to a provider and checkout. Reads go through the domain selectors; bookings, payments and
inquiries through the domain services."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from marketplace.bookings import services as booking_services
from marketplace.bookings.selectors import (
    booking_price,
    bookings_visible_to,
    listing_add_ons,
    listing_workflow,
    workflow_allowed,
)
from marketplace.catalogue.selectors import (
    categories_list,
    category_ancestors,
    category_attribute_definitions,
    category_descendant_ids,
    listing_visible_to,
    listing_with_details,
    listings_public,
)
from marketplace.common.errors import Conflict, DomainError
from marketplace.configuration.selectors import marketplace_settings
from marketplace.messaging.services import inquiry_start
from marketplace.payments.services import PaymentFailed
from marketplace.providers.selectors import provider_visible_to
from marketplace.reviews.selectors import category_review_criteria, listing_reviews, provider_reviews
from marketplace.search.selectors import autocomplete, listing_card_rows, search_listings
from web.client.discovery import facets, wording
from web.client.discovery.forms import PAGE_SIZE, CheckoutForm, InquiryForm, SearchForm, SlotsForm
from web.client.discovery.slots import slot_picker
from web.forms import apply_domain_error
from web.middleware import viewer_time_zone
from web.permissions import member_required

SLOT_TAKEN_CODES = ("slot_taken", "slot_unavailable")
REVIEWS_SHOWN = 10


def _viewer_zone(request) -> str:
    """The viewer's time zone: the browser's (cookie), else the marketplace's."""
    return viewer_time_zone(request) or marketplace_settings().time_zone or "UTC"


def _time_zones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


# --- search -----------------------------------------------------------------------------------------


def _filterable_definitions(category) -> dict:
    if category is None:
        return {}
    return {d.key: d for d in category_attribute_definitions(category) if d.filterable}


@require_GET
@vary_on_headers("HX-Request")
def search(request):
    """Browse and search the marketplace's listings. A normal GET form; htmx swaps only the
    filters and results as they change (and pushes the URL, so it can be shared)."""
    current = marketplace_settings()
    form = SearchForm(request.GET, currency=current.currency, filterable_for=_filterable_definitions)
    context = {"form": form, "currency": current.currency, "results": None, "chosen_category": None}
    status = 200
    if form.is_valid():
        category = form.chosen_category
        query = form.listing_query(category_ids=tuple(category_descendant_ids(category)) if category else ())
        found, cards = search_listings(query)
        page = form.cleaned_data.get("page") or 1
        pages = max((found.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        context.update(
            chosen_category=category,
            results=cards,
            total=found.total,
            corrected=found.corrected_text,
            page=page,
            pages=pages,
            previous_page=page - 1 if page > 1 else None,
            next_page=page + 1 if page < pages else None,
            categories=facets.category_options(list(categories_list(active_only=True)), category, found.facets),
            locations=facets.location_options(found.facets, form.cleaned_data.get("location_type") or ""),
            attribute_filters=facets.attribute_options(form.definitions, found.facets, form.chosen_attributes),
            ancestors=category_ancestors(category) if category else [],
            active_filters=_active_filters(form),
        )
    else:
        status = 400
        context.update(categories=[], locations=[], attribute_filters=[], ancestors=[])
    partial = request.htmx and not request.htmx.history_restore_request
    template = "client/discovery/_search_body.html" if partial else "client/discovery/search.html"
    return render(request, template, context, status=status)


def _active_filters(form) -> int:
    """How many filters are set (shown on the phone-width filters button)."""
    data = form.cleaned_data
    chosen = [data.get(name) for name in ("category", "price_min", "price_max", "location_type", "verified", "level")]
    return sum(1 for value in chosen if value not in (None, "", False)) + sum(map(len, form.chosen_attributes.values()))


@require_GET
def suggest(request):
    """Autocomplete for the search box: categories and provider skills, as <option>s of a datalist."""
    found = autocomplete(request.GET.get("q", "")[:100])
    words = list(dict.fromkeys([*found["categories"], *found["skills"]]))[:10]
    return render(request, "client/discovery/_suggestions.html", {"words": words})


# --- listing ----------------------------------------------------------------------------------------


def _own(request, listing) -> bool:
    return request.user.is_authenticated and listing.provider.user_id == request.user.pk


def _public_listing(public_id: str):
    listing = listing_with_details().filter(pk__in=listings_public().values("pk"), public_id=public_id).first()
    if listing is None:
        raise Http404(_("No such listing."))
    return listing


def _picker_for(request, listing, values, *, held=None):
    """The slot picker of `listing` for what `values` (a query or form) chose, in the viewer's zone."""
    form = SlotsForm(values, listing=listing)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    package = data.get("package") or listing.packages.first()
    add_ons, _problems = listing_add_ons(listing, data.get("add_ons") or [])
    zone = data.get("tz") or _viewer_zone(request)
    selected = data.get("starts_at") or ""
    week = data.get("week")
    if week is None and selected and (chosen := parse_datetime(selected)) is not None and chosen.tzinfo is not None:
        week = chosen.astimezone(zoneinfo.ZoneInfo(zone)).date()
    picker = slot_picker(
        listing,
        package,
        zone_name=zone,
        week=week,
        extra_minutes=sum(a.extra_minutes for a in add_ons),
        selected=selected,
        held=held,
    )
    return picker, form, valid


def _listing_context(request, listing, *, ask_form=None) -> dict:
    flow = listing_workflow(listing)
    current = marketplace_settings()
    definitions = category_attribute_definitions(listing.category)
    attributes = [
        facets.attribute_value(definition, listing.attributes[definition.key])
        for definition in definitions
        if definition.key in listing.attributes and definition.key != "conflict_check"
    ]
    terms = wording.booking_terms(listing)
    criteria = {c["key"]: c["label"] for c in category_review_criteria(listing.category)[0]}
    reviews = list(listing_reviews(listing)[:REVIEWS_SHOWN])
    public = listings_public().filter(pk=listing.pk).exists()
    bookable = public and workflow_allowed(flow) and not _own(request, listing) and listing.packages.all()
    context = {
        "listing": listing,
        "flow": flow,
        "public": public,
        "bookable": bool(bookable),
        "workflow_allowed": workflow_allowed(flow),
        "own": _own(request, listing),
        "images": list(listing.images.all()),
        "packages": list(listing.packages.all()),
        "add_ons": list(listing.add_ons.all()),
        "attributes": attributes,
        "provider": listing.provider,
        "badges": list(listing.provider.badges.all()),
        "ancestors": category_ancestors(listing.category),
        "reviews": [facets.review_view(r, criteria) for r in reviews],
        "steps": wording.workflow_steps(flow, terms["timers"]),
        "cancellation": wording.cancellation_sentences(flow, terms["tiers"]),
        "allow_inquiries": current.allow_inquiries,
        "ask_form": ask_form or InquiryForm(),
        "tax": wording.tax_of(0, current),
        "settings": current,
    }
    if bookable and flow.slot_based:
        picker, slots_form, _valid = _picker_for(request, listing, request.GET)
        context.update(
            picker=picker,
            slots_form=slots_form,
            chosen_package=slots_form.cleaned_data.get("package") if _valid else None,
            chosen_add_ons=request.GET.getlist("add_ons"),
            time_zones=_time_zones(),
            picker_mode="listing",
        )
    return context


@require_GET
def listing_detail(request, public_id: str):
    listing = listing_visible_to(request.user, public_id)
    if listing is None:
        raise Http404(_("No such listing."))
    return render(request, "client/discovery/listing.html", _listing_context(request, listing))


@require_GET
def listing_slots(request, public_id: str):
    """The slot picker alone (htmx): a week of free times for a package, in the asked time zone."""
    listing = _public_listing(public_id)
    picker, form, valid = _picker_for(request, listing, request.GET)
    mode = "checkout" if request.GET.get("mode") == "checkout" else "listing"
    context = {"listing": listing, "picker": picker, "slots_form": form, "picker_mode": mode}
    return render(request, "client/discovery/_slots.html", context, status=200 if valid else 400)


@require_POST
@member_required
def listing_ask(request, public_id: str):
    """A question to the listing's provider: an inquiry conversation, continued in messages."""
    listing = listing_visible_to(request.user, public_id)
    if listing is None:
        raise Http404(_("No such listing."))
    form = InquiryForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            conversation, _message = inquiry_start(
                client=request.user, listing_id=listing.public_id, body=form.cleaned_data["body"]
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("Your question was sent to %(name)s.") % {"name": _provider_name(listing)})
            return redirect(f"/messages/{conversation.public_id}/")
    context = _listing_context(request, listing, ask_form=form)
    return render(request, "client/discovery/listing.html", context, status=status)


def _provider_name(listing) -> str:
    user = listing.provider.user
    return user.full_name or user.email


# --- provider profile ---------------------------------------------------------------------------------


@require_GET
def provider_profile(request, public_id: str):
    profile = provider_visible_to(request.user, public_id)
    if profile is None:
        raise Http404(_("No such provider."))
    ids = list(listings_public().filter(provider=profile).order_by("-published_at", "-id").values_list("pk", flat=True))
    reviews = list(provider_reviews(profile)[: REVIEWS_SHOWN * 2])
    labels: dict[int, dict] = {}
    for review in reviews:
        if review.listing.category_id not in labels:
            criteria = category_review_criteria(review.listing.category)[0]
            labels[review.listing.category_id] = {c["key"]: c["label"] for c in criteria}
    context = {
        "profile": profile,
        "name": profile.user.full_name or profile.user.email,
        "badges": list(profile.badges.all()),
        "portfolio": list(profile.portfolio.all()),
        "cards": listing_card_rows(ids[:24]),
        "listing_count": len(ids),
        "reviews": [facets.review_view(r, labels[r.listing.category_id]) for r in reviews],
        "member_since": profile.user.created_at,
    }
    return render(request, "client/discovery/provider.html", context)


# --- checkout -----------------------------------------------------------------------------------------


def _card_mode(flow) -> str:
    """How this checkout takes a card: nothing now (quotes are paid on acceptance), Stripe Elements,
    or the built-in test processor's card form."""
    if not flow.slot_based:
        return ""
    if settings.PAYMENT_GATEWAY == "stripe" and settings.STRIPE_PUBLISHABLE_KEY:
        return "stripe"
    return "local"


def _pending(user, listing, public_id: str):
    """The viewer's own unpaid booking of this listing, from a checkout whose card was declined."""
    if not public_id:
        return None
    return (
        bookings_visible_to(user)
        .filter(client=user, listing=listing, public_id=public_id, state="pending_payment")
        .first()
    )


def _summary(listing, values) -> dict:
    """The price breakdown of what `values` chose (the first package when none is)."""
    packages = list(listing.packages.all())
    name = values.get("package") if values is not None else None
    package = next((p for p in packages if p.name == name), packages[0] if packages else None)
    names = values.getlist("add_ons") if hasattr(values, "getlist") else list(values.get("add_ons") or [])
    add_ons, _problems = listing_add_ons(listing, [n for n in names if n])
    total = booking_price(package, add_ons) if package is not None else 0
    return {
        "package": package,
        "add_ons": add_ons,
        "total": total,
        "tax": wording.tax_of(total, marketplace_settings()),
        "currency": listing.currency,
    }


def _checkout_context(request, listing, flow, form, *, values, pending=None, slot_error: str = "") -> dict:
    terms = wording.booking_terms(listing)
    context = {
        "listing": listing,
        "flow": flow,
        "form": form,
        "provider_name": _provider_name(listing),
        "summary": _summary(listing, values),
        "steps": wording.workflow_steps(flow, terms["timers"]),
        "cancellation": wording.cancellation_sentences(flow, terms["tiers"]),
        "card": form.card,
        "stripe_key": settings.STRIPE_PUBLISHABLE_KEY if form.card == "stripe" else "",
        "pending": pending,
        "slot_error": slot_error,
        "has_add_ons": listing.add_ons.exists(),
    }
    if flow.slot_based:
        held = pending.starts_at if pending is not None else None
        picker, slots_form, _valid = _picker_for(request, listing, values, held=held)
        context.update(picker=picker, slots_form=slots_form, time_zones=_time_zones(), picker_mode="checkout")
    return context


def _initial(values) -> dict:
    return {
        "package": values.get("package"),
        "add_ons": [n for n in values.getlist("add_ons") if n],
        "starts_at": values.get("starts_at", ""),
        "tz": values.get("tz", ""),
        "message": values.get("message", ""),
        "booking": values.get("booking", ""),
    }


@member_required
@vary_on_headers("HX-Request")
def checkout(request, public_id: str):
    """Book (and pay for) a listing: the package, add-ons and a time or what is needed, the price
    and the cancellation policy, and the card. Creating the booking and paying go through the
    booking services; a declined card leaves the booking unpaid and the checkout can be tried again."""
    listing = _public_listing(public_id)
    flow = listing_workflow(listing)
    card = _card_mode(flow)
    if not workflow_allowed(flow) or _own(request, listing) or not listing.packages.exists():
        context = {"listing": listing, "own": _own(request, listing)}
        return render(request, "client/discovery/checkout_closed.html", context, status=409)
    if request.method != "POST" or "refresh" in request.POST or "week" in request.POST:
        # Showing the page, or the no-JavaScript way of changing the week, the package or the zone.
        values = request.POST if request.method == "POST" else request.GET
        pending = _pending(request.user, listing, values.get("booking", ""))
        form = CheckoutForm(None, listing=listing, flow=flow, card=card, initial=_initial(values))
        context = _checkout_context(request, listing, flow, form, values=values, pending=pending)
        return render(request, "client/discovery/checkout.html", context)
    data = request.POST.copy()
    form = CheckoutForm(data, listing=listing, flow=flow, card=card)
    pending = _pending(request.user, listing, data.get("booking", ""))
    if not form.is_valid():
        context = _checkout_context(request, listing, flow, form, values=data, pending=pending)
        return render(request, "client/discovery/checkout.html", context, status=400)
    try:
        booking = _book(request.user, listing, flow, form.cleaned_data, form.payment_method(), pending)
    except _Declined as declined:
        # The booking (instant workflow) stays unpaid and keeps the time for a while: pay it again.
        data["booking"] = declined.booking.public_id if declined.booking is not None else ""
        form = CheckoutForm(data, listing=listing, flow=flow, card=card)
        form.is_valid()
        form.add_error(form.card_field, declined.message)
        pending = declined.booking
        context = _checkout_context(request, listing, flow, form, values=data, pending=pending)
        context["declined"] = True
        return render(request, "client/discovery/checkout.html", context, status=402)
    except Conflict as exc:
        if exc.code not in SLOT_TAKEN_CODES:
            apply_domain_error(form, exc)
            context = _checkout_context(request, listing, flow, form, values=data, pending=pending)
            return render(request, "client/discovery/checkout.html", context, status=exc.status_code)
        data["starts_at"] = ""
        data["booking"] = ""
        form = CheckoutForm(data, listing=listing, flow=flow, card=card)
        form.is_valid()
        form.errors.pop("starts_at", None)
        taken = _("That time was just booked — pick another.")
        values = data.copy()
        values["week"] = _week_of(request.POST.get("starts_at", ""), form.cleaned_data.get("tz"))
        context = _checkout_context(request, listing, flow, form, values=values, slot_error=taken)
        return render(request, "client/discovery/checkout.html", context, status=409)
    except DomainError as exc:
        apply_domain_error(form, exc)
        context = _checkout_context(request, listing, flow, form, values=data, pending=pending)
        return render(request, "client/discovery/checkout.html", context, status=exc.status_code)
    messages.success(request, _success_message(booking, flow, listing))
    return redirect(f"/bookings/{booking.public_id}/")


def _week_of(starts_at: str, zone: str | None) -> str:
    chosen = parse_datetime(starts_at) if starts_at else None
    if chosen is None or chosen.tzinfo is None:
        return ""
    return chosen.astimezone(zoneinfo.ZoneInfo(zone or "UTC")).date().isoformat()


class _Declined(Exception):
    def __init__(self, message: str, booking=None):
        super().__init__(message)
        self.message, self.booking = message, booking


def _book(user, listing, flow, data: dict, payment_method: str | None, pending):
    """Create the booking (and pay it, for instant bookings) through the booking services."""
    common = {"client": user, "listing_id": listing.public_id, "package": data["package"], "add_ons": data["add_ons"]}
    if not flow.slot_based:
        return booking_services.booking_create(**common, message=data["message"])
    starts_at, zone = data["starts_at"], data["tz"]
    if not flow.transitions.get("pay"):
        # Request to book: the card is held when the request is made; a refusal books nothing.
        try:
            return booking_services.booking_create(
                **common, starts_at=starts_at, time_zone=zone, message=data["message"], payment_method=payment_method
            )
        except PaymentFailed as exc:
            raise _Declined(exc.message) from exc
    booking = pending
    if booking is not None and not _same_choice(booking, data):
        # Another time or package than the unpaid booking's: let that one go first.
        booking_services.booking_act(user=user, booking=booking, action="abandon")
        booking = None
    if booking is None:
        booking = booking_services.booking_create(
            **common, starts_at=starts_at, time_zone=zone, message=data["message"]
        )
    try:
        return booking_services.booking_act(
            user=user, booking=booking, action="pay", data={"payment_method": payment_method}
        )
    except PaymentFailed as exc:
        raise _Declined(exc.message, booking) from exc


def _same_choice(booking, data: dict) -> bool:
    chosen = parse_datetime(data["starts_at"])
    return (
        booking.starts_at == chosen
        and booking.package_name == data["package"]
        and [a["name"] for a in booking.add_ons] == [a for a in data["add_ons"]]
    )


def _success_message(booking, flow, listing) -> str:
    from web.templatetags.web import money

    amount = money(booking.price, booking.currency)
    name = _provider_name(listing)
    if flow.key == "instant":
        when = date_format(timezone.localtime(booking.starts_at), "D j M, H:i")
        return _(
            "Booked for %(when)s and paid. %(amount)s is held in escrow and released to %(name)s only after the "
            "session."
        ) % {"when": when, "amount": amount, "name": name}
    if flow.slot_based:
        return _(
            "Request sent to %(name)s. %(amount)s is held on your card until they accept; if they decline, it is "
            "released."
        ) % {"name": name, "amount": amount}
    return _("Request sent to %(name)s. They will reply with a quote; you pay only when you accept it.") % {
        "name": name
    }
