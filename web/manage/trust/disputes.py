"""The mediation screen: the queue (disputes waiting for a mediator first, with their timers) and one
dispute — parties, booking and money, both sides' evidence, proposals, the parties' conversation
(each reading audited by `marketplace.messaging`), private notes and the decision
(`marketplace.disputes.services`: who may decide, that a split adds up, that an appeal goes to a
different mediator)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from marketplace.common.errors import DomainError, NotFound
from marketplace.disputes import selectors, services
from marketplace.disputes.models import DisputeState, EntryKind
from marketplace.messaging import selectors as messaging_selectors
from marketplace.messaging import services as messaging
from marketplace.payments.selectors import booking_money
from web.manage.trust.forms import DisputeDecisionForm, DisputeFilterForm, DisputeNoteForm
from web.manage.trust.pages import found, paged, refused
from web.permissions import allowed, forbidden


@allowed("disputes.mediate")
def dispute_list(request):
    filters = DisputeFilterForm(request.GET or None)
    state = filters.cleaned_data["state"] if filters.is_valid() else ""
    disputes = selectors.disputes_for_mediation(state=state or None)
    return render(
        request, "manage/trust/disputes/list.html", {"filters": filters, "page_obj": paged(request, disputes)}
    )


def _mediated(request, public_id: str):
    """The dispute, for a mediator who is not a party to it (a party is sent to the parties' page)."""
    try:
        dispute, role = services.visible_dispute(request.user, public_id)
    except NotFound:
        dispute, role = None, None
    found(dispute)
    if role != services.MEDIATOR:
        return dispute, forbidden(
            request, _("You are a party to this dispute, so another of the marketplace's mediators handles it.")
        )
    return dispute, None


def _page(request, dispute, *, decision=None, note=None, status=200):
    entries = list(dispute.entries.select_related("author").order_by("id"))
    booking = dispute.booking
    context = {
        "dispute": dispute,
        "booking": booking,
        "money": booking_money(booking),
        "entries": entries,
        "evidence": {
            "client": [e for e in entries if e.file and e.role == services.CLIENT],
            "provider": [e for e in entries if e.file and e.role == services.PROVIDER],
        },
        "proposals": [e for e in entries if e.kind in (EntryKind.PROPOSAL, EntryKind.ACCEPTED)],
        "notes": [e for e in entries if e.private],
        "decisions": [e for e in entries if e.kind == EntryKind.DECISION],
        "appeal": next((e for e in reversed(entries) if e.kind == EntryKind.APPEALED), None),
        "can_decide": dispute.state in (DisputeState.ESCALATED, DisputeState.APPEALED),
        "decided_it": dispute.state == DisputeState.APPEALED and dispute.mediator_id == request.user.pk,
        "open": dispute.state != DisputeState.CLOSED,
        "decision_form": decision
        or DisputeDecisionForm(currency=dispute.currency, amount=dispute.amount, prefix="decision"),
        "note_form": note or DisputeNoteForm(prefix="note"),
    }
    return render(request, "manage/trust/disputes/detail.html", context, status=status)


@allowed("disputes.mediate")
@require_GET
def dispute_detail(request, public_id: str):
    dispute, refusal = _mediated(request, public_id)
    return refusal or _page(request, dispute)


@allowed("disputes.mediate")
@require_POST
def dispute_decide(request, public_id: str):
    dispute, refusal = _mediated(request, public_id)
    if refusal:
        return refusal
    form = DisputeDecisionForm(request.POST, currency=dispute.currency, amount=dispute.amount, prefix="decision")
    if not form.is_valid():
        return _page(request, dispute, decision=form, status=400)
    try:
        services.dispute_decide(user=request.user, dispute=dispute, **form.cleaned_data)
    except DomainError as exc:
        status = refused(form, exc)
        dispute, _refusal = _mediated(request, public_id)
        return _page(request, dispute, decision=form, status=status)
    messages.success(request, _("The decision is recorded and both parties are told."))
    return redirect("manage:dispute", public_id=public_id)


@allowed("disputes.mediate")
@require_POST
def dispute_note(request, public_id: str):
    dispute, refusal = _mediated(request, public_id)
    if refusal:
        return refusal
    form = DisputeNoteForm(request.POST, prefix="note")
    if not form.is_valid():
        return _page(request, dispute, note=form, status=400)
    try:
        services.dispute_post(user=request.user, dispute=dispute, text=form.cleaned_data["text"], private=True)
    except DomainError as exc:
        return _page(request, dispute, note=form, status=refused(form, exc))
    messages.success(request, _("Note saved. Only mediators see it."))
    return redirect("manage:dispute", public_id=public_id)


@allowed("disputes.mediate")
@require_GET
def dispute_conversation(request, public_id: str):
    """The parties' conversation, read-only; the messaging service audits every reading by staff."""
    dispute, refusal = _mediated(request, public_id)
    if refusal:
        return refusal
    conversation, _role = messaging.dispute_conversation_open(user=request.user, dispute_id=dispute.public_id)
    try:
        page = messaging_selectors.thread(request.user, conversation, before=request.GET.get("before") or None)
    except DomainError:  # an unknown cursor: start from the newest messages
        page = messaging_selectors.thread(request.user, conversation)
    context = {"dispute": dispute, "conversation": conversation, "thread": page, "messages_list": page.messages[::-1]}
    template = "manage/trust/disputes/_conversation.html" if request.htmx else "manage/trust/disputes/conversation.html"
    return render(request, template, context)
