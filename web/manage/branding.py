"""The branding page: edit the draft look (with a live preview of the colours and fonts), preview it
on the whole site, publish or discard it."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branding import fonts
from branding.forms import BrandingForm
from branding.models import IMAGE_FIELDS
from branding.selectors import branding_row, look_from, site_look
from branding.services import branding_draft_discard, branding_draft_update, branding_publish
from marketplace.common.errors import DomainError
from web.context_processors import PREVIEW_SESSION_KEY
from web.forms import apply_domain_error
from web.permissions import allowed


def _draft_values() -> dict:
    from branding.selectors import DEFAULTS

    row = branding_row()
    return DEFAULTS | (row.draft_values() if row else {})


@allowed("branding.manage")
def branding_page(request):
    row = branding_row()
    values = _draft_values()
    if request.method == "POST":
        form = BrandingForm(request.POST, request.FILES)
        if form.is_valid():
            changes, files = form.changes()
            try:
                branding_draft_update(actor=request.user, changes=changes, files=files)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Draft saved. Preview it on the site, then publish it."))
                return redirect("manage:branding")
        status = 400
    else:
        initial = {k: v for k, v in values.items() if k not in IMAGE_FIELDS}
        initial["footer_links"] = BrandingForm.links_to_text(values.get("footer_links"))
        form = BrandingForm(initial=initial)
        status = 200
    current = site_look()
    draft = look_from(values, name=current.name, locale=current.locale, is_draft=True)
    context = {
        "form": form,
        "draft": draft,
        "has_draft": bool(row and row.draft),
        "published_at": row.published_at if row else None,
        "image_fields": [
            (key, form[key], form[f"remove_{key}"], getattr(draft, f"{key}_url", "")) for key in IMAGE_FIELDS
        ],
        "fonts": fonts.FONTS.values(),
        "previewing": bool(request.session.get(PREVIEW_SESSION_KEY)),
    }
    return render(request, "manage/branding/page.html", context, status=status)


@require_POST
@allowed("branding.manage")
def branding_preview(request):
    """See the whole site with the draft (only this admin, until they stop or publish)."""
    start = request.POST.get("stop") != "1"
    if start:
        request.session[PREVIEW_SESSION_KEY] = True
        return redirect("/")
    request.session.pop(PREVIEW_SESSION_KEY, None)
    return redirect("manage:branding")


@require_POST
@allowed("branding.manage")
def branding_publish_view(request):
    branding_publish(actor=request.user)
    request.session.pop(PREVIEW_SESSION_KEY, None)
    messages.success(request, _("Published: everyone now sees the new look."))
    return redirect("manage:branding")


@require_POST
@allowed("branding.manage")
def branding_discard_view(request):
    branding_draft_discard(actor=request.user)
    request.session.pop(PREVIEW_SESSION_KEY, None)
    messages.success(request, _("Draft discarded: the published look is unchanged."))
    return redirect("manage:branding")


urlpatterns = [
    path("branding/", branding_page, name="branding"),
    path("branding/preview/", branding_preview, name="branding-preview"),
    path("branding/publish/", branding_publish_view, name="branding-publish"),
    path("branding/discard/", branding_discard_view, name="branding-discard"),
]
