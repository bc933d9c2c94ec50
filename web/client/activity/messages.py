"""The inbox and conversation threads: reading (staff reads go through the messaging service, which
audits them), sending with an attachment (htmx appends the message; without JavaScript the page
reloads), new messages live, older pages, search, reports and blocks."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from marketplace.common.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from marketplace.messaging import selectors, services
from marketplace.messaging.models import Conversation
from web.client.activity import forms
from web.client.activity.common import form_error, thread_context
from web.forms import apply_domain_error
from web.permissions import member_required


def _open(request, public_id: str):
    """The conversation and the viewer's role, through the service (404 to outsiders)."""
    try:
        return services.conversation_open(user=request.user, conversation_id=public_id)
    except (NotFound, PermissionDenied) as exc:  # staff are let into dispute and reported threads only
        raise Http404(exc.message) from exc


def _party(request, public_id: str):
    """A conversation the viewer is a party of (client or provider): the only ones they write in or
    poll. Staff observers never poll, so their reads are audited once per page view."""
    conversation = (
        Conversation.objects.select_related("listing", "booking", "dispute")
        .filter(public_id=public_id, members__user=request.user, members__role__in=services.PARTIES)
        .first()
    )
    if conversation is None:
        raise Http404(_("No such conversation among yours."))
    role = conversation.members.get(user=request.user).role
    return conversation, role


def _next_url(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@member_required
def inbox(request):
    form = forms.SearchForm(request.GET or None)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    try:
        members = selectors.inbox(request.user, q=q or None)
    except ValidationFailed:
        members = selectors.inbox(request.user)
    page = Paginator(members.prefetch_related("conversation__members__user"), 20).get_page(request.GET.get("page"))
    rows = []
    for member in page.object_list:
        others = [
            m.user
            for m in member.conversation.members.all()
            if m.user_id != request.user.pk and m.role in services.PARTIES
        ]
        rows.append({"member": member, "conversation": member.conversation, "others": others})
    return render(
        request,
        "client/activity/inbox.html",
        {"rows": rows, "page_obj": page, "search_form": form, "q": q},
    )


@member_required
@require_GET
def thread(request, public_id: str):
    conversation, role = _open(request, public_id)
    search = forms.SearchForm(request.GET or None)
    q = search.cleaned_data["q"].strip() if search.is_valid() else ""
    before = request.GET.get("before") or None
    try:
        context = thread_context(request.user, conversation, role, before=before, q=q or None)
    except ValidationFailed:
        context = thread_context(request.user, conversation, role)
    if role in services.PARTIES:
        services.conversation_read(user=request.user, conversation=conversation)
    other = context["other"]
    context.update(
        {
            "search_form": search,
            "live": not (q or before),
            "message_form": forms.MessageForm(),
            "blocked": bool(other and selectors.is_blocked(request.user, other)),
            "page_url": request.path,
        }
    )
    return render(request, "client/activity/thread.html", context)


@member_required
@require_GET
def thread_new(request, public_id: str):
    """What the page has not shown yet (after `after`), appended by htmx; the poller replaces itself
    with one that starts after the newest message."""
    conversation, role = _party(request, public_id)
    new = selectors.messages_after(conversation, request.GET.get("after") or None)
    services.conversation_read(user=request.user, conversation=conversation)
    context = thread_context(request.user, conversation, role)
    context["new_messages"] = new
    context["last_message_id"] = new[-1].public_id if new else request.GET.get("after", "")
    return render(request, "client/activity/_thread_new.html", context)


@member_required
@require_GET
def thread_older(request, public_id: str):
    conversation, role = _open(request, public_id)
    try:
        context = thread_context(request.user, conversation, role, before=request.GET.get("before") or None)
    except ValidationFailed:
        context = thread_context(request.user, conversation, role)
    return render(request, "client/activity/_thread_older.html", context)


@member_required
@require_POST
def send(request, public_id: str):
    conversation, role = _party(request, public_id)
    form = forms.MessageForm(request.POST, request.FILES)
    status = 200
    if form.is_valid():
        try:
            services.message_post(
                sender=request.user,
                conversation=conversation,
                body=form.cleaned_data["body"] or "",
                attachment=form.cleaned_data["file"],
            )
        except DomainError as exc:
            apply_domain_error(form, form_error(exc))
            status = exc.status_code
    else:
        status = 400
    if not request.htmx:
        if status == 200:
            return redirect(_next_url(request, f"/messages/{conversation.public_id}/"))
        for error in [*form.non_field_errors(), *[e for field in form for e in field.errors]]:
            flash.error(request, error)
        return redirect(_next_url(request, f"/messages/{conversation.public_id}/"))
    context = thread_context(request.user, conversation, role)
    after = request.POST.get("after") or None
    context.update(
        {
            "new_messages": selectors.messages_after(conversation, after) if status == 200 else [],
            "message_form": forms.MessageForm() if status == 200 else form,
            "next": request.POST.get("next", ""),
        }
    )
    if status == 200:
        context["last_message_id"] = context["new_messages"][-1].public_id if context["new_messages"] else after
    else:
        context["last_message_id"] = after or ""
    return render(request, "client/activity/_composer_response.html", context, status=status)


@member_required
@require_POST
def report(request, public_id: str, message_id: str):
    conversation, _role = _party(request, public_id)
    form = forms.ReportForm(request.POST)
    if form.is_valid():
        try:
            services.message_report(reporter=request.user, message_id=message_id, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            flash.error(request, exc.message)
        else:
            flash.success(request, _("Thank you: the marketplace's team will look at this message."))
    else:
        flash.error(request, _("Say what is wrong with the message (at least 5 characters)."))
    return redirect(_next_url(request, f"/messages/{conversation.public_id}/"))


@member_required
@require_POST
def block(request, public_id: str):
    conversation, _role = _party(request, public_id)
    other = conversation.members.exclude(user=request.user).filter(role__in=services.PARTIES).select_related("user")
    other = other.first()
    if other is not None:
        if request.POST.get("unblock"):
            services.block_remove(blocker=request.user, user_id=other.user.public_id)
            flash.success(request, _("%(name)s can message you again.") % {"name": other.user.get_full_name()})
        else:
            services.block_create(blocker=request.user, user_id=other.user.public_id)
            flash.success(
                request,
                _("You blocked %(name)s: neither of you can send messages to the other.")
                % {"name": other.user.get_full_name()},
            )
    return redirect(_next_url(request, f"/messages/{conversation.public_id}/"))
