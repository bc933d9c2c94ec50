"""Review moderation: flagged reviews first, each with its flags and why (members' reports and the
suspicious patterns found when it was submitted); hide, restore or keep a review with a reason its
author sees (`marketplace.reviews.services`, audited)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from marketplace.common.errors import DomainError
from marketplace.reviews import selectors, services
from web.manage.trust.forms import ReviewModerationForm
from web.manage.trust.pages import found, paged, refused
from web.permissions import allowed

TABS = {
    "flagged": (_("Flagged"), lambda: selectors.flagged_reviews()),
    "hidden": (_("Hidden"), lambda: selectors.hidden_reviews()),
    "resolved": (_("Dealt with"), lambda: selectors.flagged_reviews(resolved=True)),
}
_DONE = {
    "hide": _("The review is hidden; its author sees your reason."),
    "restore": _("The review is shown again; its author sees your reason."),
    "keep": _("The review stays as it is; its flags are closed."),
}


def _page(request, tab: str, *, failed=None, form=None, status=200):
    """The tab's reviews, each with its moderation form (the one that failed keeps what was typed
    and its errors)."""
    page = paged(request, TABS[tab][1]())
    rows = [
        (review, form if review.public_id == failed else ReviewModerationForm(prefix=review.public_id))
        for review in page
    ]
    context = {
        "tab": tab,
        "tabs": [(key, label) for key, (label, _list) in TABS.items()],
        "page_obj": page,
        "rows": rows,
    }
    return render(request, "manage/trust/reviews/list.html", context, status=status)


@allowed("reviews.moderate")
def review_list(request):
    tab = request.GET.get("show", "flagged")
    return _page(request, tab if tab in TABS else "flagged")


@allowed("reviews.moderate")
@require_POST
def review_moderate(request, public_id: str):
    review = found(selectors.reviews_visible_to(request.user).filter(public_id=public_id).first())
    tab = request.POST.get("show") if request.POST.get("show") in TABS else "flagged"
    form = ReviewModerationForm(request.POST, prefix=public_id)
    if not form.is_valid():
        return _page(request, tab, failed=review.public_id, form=form, status=400)
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    try:
        if action == "keep":
            services.review_flags_dismiss(actor=request.user, review_id=review.public_id, reason=reason)
        else:
            services.review_moderate(actor=request.user, review_id=review.public_id, action=action, reason=reason)
    except DomainError as exc:
        return _page(request, tab, failed=review.public_id, form=form, status=refused(form, exc))
    messages.success(request, _DONE[action])
    return redirect(f"{reverse('manage:reviews')}?show={tab}")
