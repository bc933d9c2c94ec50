"""The provider's listings: the list with each one's status, the create/edit form (category tree,
the category's attributes as typed fields, pricing, location, packages and add-ons), pictures, and
the lifecycle actions. Every rule is the catalogue service's; its errors are shown next to the field
they name, and a refused action is shown with the actions allowed now."""

from __future__ import annotations

from django.contrib import messages
from django.forms.utils import ErrorDict, ErrorList
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.catalogue.images import MAX_IMAGES, listing_image_add, listing_image_remove
from marketplace.catalogue.listings import allowed_actions, listing_create, listing_transition, listing_update
from marketplace.catalogue.models import Listing, ListingImage
from marketplace.catalogue.selectors import (
    categories_for_choice,
    category_attribute_definitions,
    category_by_public_id,
    provider_listings,
)
from marketplace.common.errors import DomainError, InvalidTransition
from marketplace.configuration.selectors import marketplace_settings
from web.provider import labels
from web.provider.access import back_to, provider_page
from web.provider.forms import (
    MAX_ADD_ONS,
    MAX_PACKAGES,
    ImageForm,
    ListingForm,
    add_on_formset,
    attribute_initial,
    filled_forms,
    from_minor,
    package_formset,
    place_errors,
)


def _own(request, public_id: str) -> Listing:
    listing = (
        Listing.objects.select_related("category", "provider")
        .prefetch_related("packages", "add_ons", "images")
        .filter(public_id=public_id, provider=request.provider)
        .first()
    )
    if listing is None:
        raise Http404(_("No such listing of yours."))
    return listing


def _actions(listing, user) -> list[tuple[str, str]]:
    return [(a, labels.LISTING_ACTIONS[a]) for a in allowed_actions(listing, user) if a in labels.LISTING_ACTIONS]


@provider_page
def listings_view(request):
    listings = list(provider_listings(request.provider))
    for listing in listings:
        listing.shown_state = labels.state(labels.LISTING_STATES, listing.status)
        listing.actions = _actions(listing, request.user)
        listing.first_image = next(iter(listing.images.all()), None)
    return render(request, "provider/listings.html", {"listings": listings})


def _quiet(*forms) -> None:
    """Run the forms' cleaning but show no errors: the page is re-drawn (another category, one more
    row), not submitted."""
    for form in forms:
        if hasattr(form, "forms"):
            form.full_clean()
            for row in form.forms:
                row._errors = ErrorDict()
            form._non_form_errors = ErrorList()
        else:
            form.full_clean()
            form._errors = ErrorDict()


def _more_rows(data, prefix: str, most: int) -> None:
    key = f"{prefix}-TOTAL_FORMS"
    try:
        data[key] = str(min(int(data.get(key, 0)) + 1, most))
    except ValueError:
        data[key] = "1"


def _rename(package_rows, add_on_rows):
    """The service's field names → where they go: (form name or None, row index, field)."""

    def where(name: str):
        parts = name.split(".")
        if parts[0] == "attributes" and len(parts) == 2:
            return ("listing", None, f"attr_{parts[1]}")
        if parts[0] in ("packages", "add_ons"):
            rows = package_rows if parts[0] == "packages" else add_on_rows
            if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(rows):
                return (parts[0], rows[int(parts[1])], parts[2] if len(parts) > 2 else None)
            return (parts[0], None, None)
        return ("listing", None, name)

    return where


def _listing_page(request, listing: Listing | None, *, image_form=None, status: int = 200):
    user = request.user
    currency = marketplace_settings().currency
    data = request.POST.copy() if request.method == "POST" and image_form is None else None
    refresh = data is not None and any(k in data for k in ("refresh", "add_package", "add_add_on"))
    if data is not None and "add_package" in data:
        _more_rows(data, "packages", MAX_PACKAGES)
    if data is not None and "add_add_on" in data:
        _more_rows(data, "add_ons", MAX_ADD_ONS)

    category_id = (
        (data or {}).get("category") or request.GET.get("category") or (listing.category.public_id if listing else "")
    )
    category = category_by_public_id(category_id) if category_id else None
    definitions = category_attribute_definitions(category) if category else []
    initial, package_initial, add_on_initial = {}, [], []
    if listing is not None:
        initial = {
            "title": listing.title,
            "description": listing.description,
            "category": listing.category.public_id,
            "pricing_model": listing.pricing_model,
            "location_type": listing.location_type,
            "address": listing.address,
        }
        known = {d.key: d for d in definitions}
        for key, value in listing.attributes.items():
            if key in known:
                initial[f"attr_{key}"] = attribute_initial(known[key], value)
        package_initial = [
            {
                "name": p.name,
                "price": from_minor(p.price, currency),
                "duration_minutes": p.duration_minutes,
                "delivery_days": p.delivery_days,
                "description": p.description,
            }
            for p in listing.packages.all()
        ]
        add_on_initial = [
            {
                "name": a.name,
                "price": from_minor(a.price, currency),
                "extra_minutes": a.extra_minutes or None,
                "extra_days": a.extra_days or None,
            }
            for a in listing.add_ons.all()
        ]
    form = ListingForm(data, categories=categories_for_choice(), definitions=definitions, initial=initial)
    packages = package_formset(
        data,
        initial=package_initial,
        currency=currency,
        extra=min(MAX_PACKAGES - len(package_initial), 1 if package_initial else 2),
    )
    add_ons = add_on_formset(
        data,
        initial=add_on_initial,
        currency=currency,
        extra=min(MAX_ADD_ONS - len(add_on_initial), 1),
    )
    packages_errors: list[str] = []
    add_ons_errors: list[str] = []
    if data is not None and refresh:
        _quiet(form, packages, add_ons)
    elif data is not None:
        status = 400
        if form.is_valid() & packages.is_valid() & add_ons.is_valid():
            package_rows = filled_forms(packages)
            add_on_rows = filled_forms(add_ons)
            values = {
                "title": form.cleaned_data["title"],
                "description": form.cleaned_data["description"],
                "category": form.cleaned_data["category"],
                "pricing_model": form.cleaned_data["pricing_model"],
                "location_type": form.cleaned_data["location_type"],
                "address": form.cleaned_data["address"],
                "attributes": form.attribute_values(),
                "packages": [row.value() for _i, row in package_rows],
                "add_ons": [row.value() for _i, row in add_on_rows],
            }
            try:
                if listing is None:
                    saved = listing_create(user=user, **values)
                else:
                    saved = listing_update(user=user, listing=listing, **values)
            except DomainError as exc:
                where = _rename([i for i, _r in package_rows], [i for i, _r in add_on_rows])
                general = []
                for name, errors in exc.fields.items():
                    target, row, field = where(name)
                    if target == "listing":
                        place_errors(form, type(exc)(exc.message, fields={field: errors}))
                    else:
                        formset = packages if target == "packages" else add_ons
                        bucket = packages_errors if target == "packages" else add_ons_errors
                        if row is not None:
                            row_form = formset.forms[row]
                            row_form.add_error(field if field in row_form.fields else None, errors)
                        else:
                            bucket.extend(errors)
                if not exc.fields:
                    general.append(exc.message)
                for message in general:
                    form.add_error(None, message)
                if not form.errors:
                    form.add_error(None, exc.message)
            else:
                if listing is None:
                    messages.success(request, _("Listing saved as a draft. Add pictures, then submit it."))
                else:
                    messages.success(request, _("Listing saved."))
                return redirect("provider:listing", public_id=saved.public_id)
    context = {
        "listing": listing,
        "form": form,
        "packages": packages,
        "add_ons": add_ons,
        "packages_errors": packages_errors,
        "add_ons_errors": add_ons_errors,
        "currency": currency,
        "can_add_package": packages.total_form_count() < MAX_PACKAGES,
        "can_add_add_on": add_ons.total_form_count() < MAX_ADD_ONS,
        "image_form": image_form or ImageForm(),
    }
    if listing is not None:
        context.update(
            {
                "shown_state": labels.state(labels.LISTING_STATES, listing.status),
                "actions": _actions(listing, user),
                "images": list(listing.images.all()),
                "thumbnails_pending": any(not image.thumbnail for image in listing.images.all()),
                "max_images": MAX_IMAGES,
                "problems": listing.attribute_problems,
            }
        )
    return render(request, "provider/listing_form.html", context, status=status)


@provider_page
def listing_new_view(request):
    return _listing_page(request, None)


@provider_page
def listing_edit_view(request, public_id: str):
    return _listing_page(request, _own(request, public_id))


@provider_page
@require_POST
def listing_action_view(request, public_id: str):
    listing = _own(request, public_id)
    action = request.POST.get("action", "")
    try:
        listing = listing_transition(user=request.user, listing=listing, action=action)
    except InvalidTransition as exc:
        allowed = [str(labels.LISTING_ACTIONS.get(a, a)) for a in exc.fields.get("allowed_actions", [])]
        messages.error(
            request,
            _("That cannot be done now. Allowed: %(allowed)s.") % {"allowed": ", ".join(allowed) or _("nothing")},
        )
    except DomainError as exc:
        details = [e for errors in exc.fields.values() for e in errors]
        messages.error(request, " ".join([exc.message, *details]))
    else:
        state = labels.state(labels.LISTING_STATES, listing.status)["label"]
        messages.success(request, _("Done: the listing is now “%(state)s”.") % {"state": state})
    return redirect(back_to(request, f"/provider/listings/{public_id}/"))


@provider_page
def listing_images_view(request, public_id: str):
    """GET: the pictures (a fragment the edit page refreshes while thumbnails are made); POST: add one."""
    listing = _own(request, public_id)
    if request.method != "POST":
        images = list(listing.images.all())
        context = {"listing": listing, "images": images, "max_images": MAX_IMAGES}
        context["thumbnails_pending"] = any(not image.thumbnail for image in images)
        return render(request, "provider/_listing_images.html", context)
    form = ImageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            listing_image_add(user=request.user, listing=listing, upload=form.cleaned_data["file"])
        except DomainError as exc:
            place_errors(form, exc)
        else:
            messages.success(request, _("Picture added; its thumbnail appears in a moment."))
            return redirect("provider:listing", public_id=public_id)
    return _listing_page(request, _own(request, public_id), image_form=form, status=400)


@provider_page
@require_POST
def listing_image_remove_view(request, public_id: str, image_id: str):
    listing = _own(request, public_id)
    image = ListingImage.objects.select_related("listing__provider").filter(public_id=image_id, listing=listing).first()
    if image is None:
        raise Http404(_("No such picture."))
    listing_image_remove(user=request.user, image=image)
    messages.success(request, _("Picture removed."))
    return redirect("provider:listing", public_id=public_id)
