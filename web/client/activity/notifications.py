"""Notifications: the list (unread first), opening one (marks it read and goes to its page), marking
read, and each person's e-mail and digest choices per kind."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.common.errors import DomainError
from marketplace.notifications import selectors, services
from web.client.activity import forms, labels
from web.client.activity.links import web_url
from web.forms import apply_domain_error
from web.permissions import member_required


def _page(request):
    notifications = selectors.notifications_of(request.user).order_by(
        F("read_at").desc(nulls_first=True), "-created_at", "-id"
    )
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return {
        "page_obj": page,
        "items": [{"notification": n, "url": web_url(n.url)} for n in page.object_list],
        "unread": selectors.unread_count(request.user),
    }


@member_required
def notifications_list(request):
    context = _page(request)
    if request.GET.get("part") == "list":
        return render(request, "client/activity/_notifications_list.html", context)
    return render(request, "client/activity/notifications.html", context)


@member_required
def notification_open(request, public_id: str):
    """Follow a notification: it counts as read, and the page it is about opens."""
    notification = selectors.notifications_of(request.user).filter(public_id=public_id).first()
    if notification is None:
        raise Http404(_("No such notification."))
    services.notifications_mark_read(user=request.user, public_id=public_id)
    return redirect(web_url(notification.url))


@member_required
@require_POST
def notification_read(request, public_id: str):
    if not selectors.notifications_of(request.user).filter(public_id=public_id).exists():
        raise Http404(_("No such notification."))
    services.notifications_mark_read(user=request.user, public_id=public_id)
    if request.htmx:
        return render(request, "client/activity/_notifications_list.html", _page(request))
    return redirect("client:notifications")


@member_required
@require_POST
def notifications_read_all(request):
    marked = services.notifications_mark_read(user=request.user)
    messages.success(request, _("%(n)s notifications marked read.") % {"n": marked} if marked else _("Nothing unread."))
    return redirect("client:notifications")


@member_required
def preferences(request):
    current = selectors.preferences_of(request.user)
    form = forms.PreferencesForm(request.POST or None, preferences=current)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.preferences_set(user=request.user, items=form.items())
            except DomainError as exc:
                apply_domain_error(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("Your notification settings are saved."))
                return redirect("client:notification-settings")
        else:
            status = 400
    rows = [
        {
            "item": item,
            "label": labels.label(labels.NOTIFICATION_KINDS, item["kind"]),
            "email": form[f"{item['kind']}:email"] if not item["essential"] else None,
            "digest": form[f"{item['kind']}:digest"] if not item["essential"] and item["digestible"] else None,
        }
        for item in current
    ]
    return render(request, "client/activity/preferences.html", {"form": form, "rows": rows}, status=status)
