"""The public profile as its provider edits it: the profile itself, portfolio items with pictures,
the reviews clients published (with one public response each), and badges and level explained."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.common.errors import DomainError, ValidationFailed
from marketplace.providers.models import ReputationLevel
from marketplace.providers.services import (
    portfolio_item_add,
    portfolio_item_image_remove,
    portfolio_item_image_set,
    portfolio_item_remove,
    provider_profile_update,
)
from marketplace.reviews.selectors import provider_reviews, reputation_settings
from marketplace.reviews.services import review_respond
from web.provider import labels
from web.provider.access import provider_page
from web.provider.forms import PictureForm, PortfolioForm, ProfileForm, ResponseForm, place_errors


def _page(request, *, profile_form=None, portfolio_form=None, response_forms=None, status=200):
    provider = request.provider
    reviews = Paginator(provider_reviews(provider), 10).get_page(request.GET.get("page"))
    response_forms = response_forms or {}
    for review in reviews.object_list:
        review.response_form = response_forms.get(review.public_id) or ResponseForm(prefix=f"r-{review.public_id}")
    thresholds = reputation_settings()
    context = {
        "provider": provider,
        "profile_form": profile_form or ProfileForm(initial=ProfileForm.initial_of(provider)),
        "portfolio_form": portfolio_form or PortfolioForm(),
        "picture_form": PictureForm(),
        "portfolio": list(provider.portfolio.all()),
        "page_obj": reviews,
        "reviews": reviews.object_list,
        "badges": [(badge, labels.BADGE_HELP.get(badge.kind, "")) for badge in provider.badges.all()],
        "all_badges": labels.BADGE_HELP,
        "level": provider.get_level_display(),
        "levels": [
            (ReputationLevel.NEW.label, labels.LEVEL_HELP["new"], None),
            (ReputationLevel.RISING.label, labels.LEVEL_HELP["rising"], _thresholds(thresholds, "rising")),
            (ReputationLevel.TOP_RATED.label, labels.LEVEL_HELP["top_rated"], _thresholds(thresholds, "top")),
        ],
    }
    return render(request, "provider/profile.html", context, status=status)


def _thresholds(settings, prefix: str) -> list[str]:
    value = lambda name: getattr(settings, f"{prefix}_{name}")  # noqa: E731
    rules = [
        _("at least %(n)s completed bookings") % {"n": value("completed_bookings")},
        _("an average rating of %(n)s or more") % {"n": value("average_rating")},
        _("%(n)s%% or more delivered on time") % {"n": value("on_time_percent")},
        _("disputes on at most %(n)s%% of bookings") % {"n": value("dispute_percent")},
    ]
    if value("response_minutes") is not None:
        rules.append(_("answering within %(n)s minutes (median)") % {"n": value("response_minutes")})
    if value("account_age_days"):
        rules.append(_("a member for at least %(n)s days") % {"n": value("account_age_days")})
    return rules


@provider_page
def profile_view(request):
    if request.method != "POST":
        return _page(request)
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            provider_profile_update(user=request.user, **form.profile_values())
        except DomainError as exc:
            place_errors(form, exc)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("provider:profile")
    return _page(request, profile_form=form, status=400)


@provider_page
@require_POST
def portfolio_add_view(request):
    form = PortfolioForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            portfolio_item_add(
                user=request.user,
                title=data["title"],
                description=data["description"],
                link=data["link"],
                image=data.get("image"),
            )
        except DomainError as exc:
            place_errors(form, exc)
        else:
            messages.success(request, _("Added to your portfolio."))
            return redirect("/provider/profile/#portfolio")
    return _page(request, portfolio_form=form, status=400)


@provider_page
@require_POST
def portfolio_remove_view(request, public_id: str):
    try:
        portfolio_item_remove(user=request.user, public_id=public_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("Removed from your portfolio."))
    return redirect("/provider/profile/#portfolio")


@provider_page
@require_POST
def portfolio_picture_view(request, public_id: str):
    """Set (or replace) an item's picture; `remove` takes it away."""
    try:
        if "remove" in request.POST:
            portfolio_item_image_remove(user=request.user, public_id=public_id)
            messages.success(request, _("Picture removed."))
        else:
            form = PictureForm(request.POST, request.FILES)
            if not form.is_valid():
                messages.error(request, _("Choose a picture to upload."))
                return redirect("/provider/profile/#portfolio")
            portfolio_item_image_set(user=request.user, public_id=public_id, upload=form.cleaned_data["file"])
            messages.success(request, _("Picture saved; its thumbnail appears in a moment."))
    except ValidationFailed as exc:
        details = [e for errors in exc.fields.values() for e in errors]
        messages.error(request, " ".join([exc.message, *details]))
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return redirect("/provider/profile/#portfolio")


@provider_page
@require_POST
def review_respond_view(request, public_id: str):
    form = ResponseForm(request.POST, prefix=f"r-{public_id}")
    if form.is_valid():
        try:
            review_respond(actor=request.user, review_id=public_id, text=form.cleaned_data["text"])
        except ValidationFailed as exc:
            place_errors(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("/provider/profile/#reviews")
        else:
            messages.success(request, _("Your response is published under the review."))
            return redirect("/provider/profile/#reviews")
    return _page(request, response_forms={public_id: form}, status=400)
