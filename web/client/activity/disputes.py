"""A dispute as its client and provider see it: state and timers, the timeline (evidence, proposals,
the mediator's decision), proposing and accepting settlements, escalating, appealing once,
withdrawing, and the dispute's conversation. The marketplace's mediators work in the admin console."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.common.errors import DomainError, NotFound
from marketplace.disputes import selectors, services
from marketplace.disputes.models import DisputeState, EntryKind
from marketplace.messaging import services as messaging_services
from web.client.activity import forms, labels
from web.client.activity.common import form_error, thread_context
from web.forms import apply_domain_error
from web.permissions import member_required


def _dispute_for(user, public_id: str):
    try:
        return services.visible_dispute(user, public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _context(request, dispute, role, **bound) -> dict:
    user = request.user
    entries = [
        {
            "entry": entry,
            "what": labels.label(labels.DISPUTE_ENTRIES, entry.kind),
            "role": labels.label(labels.ROLES, entry.role),
            "outcome": labels.label(labels.OUTCOMES, entry.outcome) if entry.outcome else "",
            "mine": entry.author_id == user.pk,
        }
        for entry in selectors.dispute_entries_for(dispute, role)
    ]
    proposal = selectors.latest_proposal(dispute)
    negotiating = dispute.state == DisputeState.NEGOTIATING
    decision = next((e["entry"] for e in reversed(entries) if e["entry"].kind == EntryKind.DECISION), None)
    appealed = any(e["entry"].kind == EntryKind.APPEALED for e in entries)
    conversation, thread_role = messaging_services.dispute_conversation_open(user=user, dispute_id=dispute.public_id)
    context = {
        "dispute": dispute,
        "booking": dispute.booking,
        "role": role,
        "state_label": labels.label(labels.DISPUTE_STATES, dispute.state),
        "reason_label": dispute.get_reason_display(),
        "desired_label": labels.label(labels.OUTCOMES, dispute.desired_outcome),
        "outcome_label": labels.label(labels.OUTCOMES, dispute.outcome) if dispute.outcome else "",
        "entries": entries,
        "evidence": [e for e in entries if e["entry"].file],
        "proposal": proposal,
        "proposal_outcome": labels.label(labels.OUTCOMES, proposal.outcome) if proposal else "",
        "can_accept": negotiating and proposal is not None and proposal.role != role,
        "is_open": dispute.state != DisputeState.CLOSED,
        "negotiating": negotiating,
        "decision": decision,
        "can_appeal": dispute.state == DisputeState.DECIDED and not appealed,
        "can_withdraw": dispute.opened_by_id == user.pk
        and dispute.state in (DisputeState.NEGOTIATING, DisputeState.ESCALATED),
        "post_form": bound.get("post_form") or forms.DisputeMessageForm(prefix="post"),
        "proposal_form": bound.get("proposal_form") or forms.ProposalForm(currency=dispute.currency, prefix="propose"),
        "appeal_form": bound.get("appeal_form") or forms.AppealForm(prefix="appeal"),
        "escalate_form": bound.get("escalate_form") or forms.EscalateForm(prefix="escalate"),
        "message_form": forms.MessageForm(),
    }
    context.update(thread_context(user, conversation, thread_role))
    messaging_services.conversation_read(user=user, conversation=conversation)
    return context


@member_required
def dispute_detail(request, public_id: str):
    dispute, role = _dispute_for(request.user, public_id)
    if role == services.MEDIATOR:
        return redirect(f"/manage/disputes/{dispute.public_id}/")  # mediators work in the admin console
    return render(request, "client/activity/dispute.html", _context(request, dispute, role))


def _done(request, dispute, text: str):
    messages.success(request, text)
    return redirect("client:dispute", public_id=dispute.public_id)


def _refused(request, dispute, role, exc: DomainError | None, status: int, **bound):
    context = _context(request, dispute, role, **bound)
    if exc is not None and not bound:
        context["refused"] = exc.message
    return render(request, "client/activity/dispute.html", context, status=status)


def _party(request, public_id: str):
    dispute, role = _dispute_for(request.user, public_id)
    if role == services.MEDIATOR:
        raise Http404(_("Mediators work on disputes in the admin console."))
    return dispute, role


@member_required
@require_POST
def dispute_post(request, public_id: str):
    dispute, role = _party(request, public_id)
    form = forms.DisputeMessageForm(request.POST, request.FILES, prefix="post")
    if not form.is_valid():
        return _refused(request, dispute, role, None, 400, post_form=form)
    try:
        services.dispute_post(
            user=request.user, dispute=dispute, text=form.cleaned_data["text"], upload=form.cleaned_data["file"]
        )
    except DomainError as exc:
        apply_domain_error(form, form_error(exc))
        return _refused(request, dispute, role, exc, exc.status_code, post_form=form)
    return _done(request, dispute, _("Added to the dispute."))


@member_required
@require_POST
def dispute_propose(request, public_id: str):
    dispute, role = _party(request, public_id)
    form = forms.ProposalForm(request.POST, currency=dispute.currency, prefix="propose")
    if not form.is_valid():
        return _refused(request, dispute, role, None, 400, proposal_form=form)
    try:
        services.dispute_propose(
            user=request.user,
            dispute=dispute,
            outcome=form.cleaned_data["outcome"],
            refund_amount=form.cleaned_data["refund_amount"],
            text=form.cleaned_data["text"],
        )
    except DomainError as exc:
        apply_domain_error(form, form_error(exc))
        return _refused(request, dispute, role, exc, exc.status_code, proposal_form=form)
    return _done(request, dispute, _("Your proposal is sent. It stands until the other side accepts or counters it."))


def _act(request, public_id: str, call, success: str, *, form_name: str | None = None, form_class=None):
    dispute, role = _party(request, public_id)
    form = form_class(request.POST, prefix=form_name) if form_class else None
    if form is not None and not form.is_valid():
        return _refused(request, dispute, role, None, 400, **{f"{form_name}_form": form})
    try:
        call(dispute, form.cleaned_data if form is not None else {})
    except DomainError as exc:
        if form is not None and exc.fields:
            apply_domain_error(form, form_error(exc))
            return _refused(request, dispute, role, exc, exc.status_code, **{f"{form_name}_form": form})
        return _refused(request, dispute, role, exc, exc.status_code)
    return _done(request, dispute, success)


@member_required
@require_POST
def dispute_accept(request, public_id: str):
    return _act(
        request,
        public_id,
        lambda d, _data: services.dispute_accept(
            user=request.user, dispute=d, proposal_id=request.POST.get("proposal", "")
        ),
        _("You accepted the settlement: the money moves as agreed and the dispute is closed."),
    )


@member_required
@require_POST
def dispute_escalate(request, public_id: str):
    return _act(
        request,
        public_id,
        lambda d, data: services.dispute_escalate(user=request.user, dispute=d, text=data.get("text", "")),
        _("The dispute is with the marketplace's mediator now."),
        form_name="escalate",
        form_class=forms.EscalateForm,
    )


@member_required
@require_POST
def dispute_appeal(request, public_id: str):
    return _act(
        request,
        public_id,
        lambda d, data: services.dispute_appeal(user=request.user, dispute=d, text=data["text"]),
        _("Your appeal is sent to a second mediator, whose decision is final."),
        form_name="appeal",
        form_class=forms.AppealForm,
    )


@member_required
@require_POST
def dispute_withdraw(request, public_id: str):
    return _act(
        request,
        public_id,
        lambda d, _data: services.dispute_withdraw(user=request.user, dispute=d),
        _("You withdrew the dispute; the booking carries on."),
    )
