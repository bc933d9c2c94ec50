"""Opening, negotiating, escalating, deciding and closing disputes.

Timeline of a dispute:
1. A party opens it (before the escrow is released; for a session, no later than the marketplace's
   dispute window after it ended): the escrow freezes and the booking's own timers wait.
2. Negotiation: either party proposes a settlement (full refund, a partial refund of an amount with
   the rest released, or release); the other accepts it — the money moves and the dispute closes — or
   counters with a proposal of their own.
3. Escalation to the mediators (admins and moderators) when a party asks, when the other party has
   not answered within RESPONSE_DAYS, or after ESCALATE_AFTER_DAYS without agreement.
4. A mediator decides; either party may appeal once within APPEAL_DAYS, to a different mediator,
   whose decision is final. Without an appeal the decision is carried out when the window ends.

Every outcome unfreezes the escrow and moves the money through the booking's money steps (processor
refund, ledger refund and release), in one transaction with closing the dispute."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.permissions import can
from marketplace.audit.services import audit_record
from marketplace.bookings import services as bookings
from marketplace.bookings.models import Booking, MilestoneState
from marketplace.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from marketplace.common.money import Money
from marketplace.common.uploads import check_upload
from marketplace.configuration.selectors import marketplace_settings
from marketplace.disputes.models import (
    OPEN_STATES,
    Dispute,
    DisputeEntry,
    DisputeReason,
    DisputeState,
    EntryKind,
    Outcome,
)
from marketplace.notifications.events import dispute_changed
from marketplace.payments.escrow import escrow_freeze, escrow_state, escrow_unfreeze

RESPONSE_DAYS, ESCALATE_AFTER_DAYS, APPEAL_DAYS = 2, 5, 3
EVIDENCE_TYPES = {"application/pdf", "image/png", "image/jpeg"}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
CLIENT, PROVIDER, MEDIATOR, SYSTEM = "client", "provider", "mediator", "system"


def role_in(dispute_or_booking, user) -> str | None:
    """client, provider or mediator (an admin or moderator who is not a party); None for others."""
    booking = getattr(dispute_or_booking, "booking", dispute_or_booking)
    if user.pk == booking.client_id:
        return CLIENT
    if user.pk == booking.provider.user_id:
        return PROVIDER
    return MEDIATOR if can(user, "disputes.mediate") else None


def visible_dispute(user, public_id: str) -> tuple[Dispute, str]:
    dispute = Dispute.objects.select_related("booking__provider", "milestone").filter(public_id=public_id).first()
    role = role_in(dispute, user) if dispute is not None else None
    if role is None:
        raise NotFound("No such dispute.")
    return dispute, role


@transaction.atomic
def dispute_open(
    *,
    user,
    booking_id: str,
    reason: str,
    desired_outcome: str,
    description: str,
    milestone_id: str | None = None,
    evidence=None,
) -> Dispute:
    """Open a dispute about a booking (or one of its milestones), with a first piece of evidence
    when `evidence` (a PDF, PNG or JPEG) is given; nothing is stored when anything is refused."""
    booking = Booking.objects.select_related("provider").filter(public_id=booking_id).first()
    role = role_in(booking, user) if booking is not None else None
    if role not in (CLIENT, PROVIDER):
        raise NotFound("No such booking among yours.")
    errors: dict[str, list[str]] = {}
    if reason not in DisputeReason.values:
        errors["reason"] = [f"One of {', '.join(DisputeReason.values)}."]
    if desired_outcome not in Outcome.values:
        errors["desired_outcome"] = [f"One of {', '.join(Outcome.values)}."]
    if not isinstance(description, str) or len(description.strip()) < 20:
        errors["description"] = ["Say what went wrong (at least 20 characters)."]
    milestone = None
    if milestone_id is not None:
        milestone = booking.milestones.filter(public_id=milestone_id).first()
        if milestone is None:
            errors["milestone"] = ["Not a milestone of this booking."]
    evidence_type = ""
    if evidence is not None:
        try:
            evidence_type = check_upload(evidence, allowed=EVIDENCE_TYPES, max_bytes=EVIDENCE_MAX_BYTES)
        except ValidationFailed as exc:
            errors["evidence"] = exc.fields.get("file", [exc.message])
    if errors:
        raise ValidationFailed("The dispute could not be opened: fix the fields listed.", fields=errors)
    booking = Booking.objects.select_for_update().select_related("provider").get(pk=booking.pk)
    held = escrow_state(booking).held
    amount = milestone.amount if milestone is not None else held
    _check_disputable(booking, milestone, held)
    now = timezone.now()
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                booking=booking,
                milestone=milestone,
                opened_by=user,
                opened_by_role=role,
                reason=reason,
                desired_outcome=desired_outcome,
                description=description.strip(),
                amount=amount,
                currency=booking.currency,
                respond_by=now + timedelta(days=RESPONSE_DAYS),
                escalate_at=now + timedelta(days=ESCALATE_AFTER_DAYS),
            )
    except IntegrityError:
        raise Conflict("A dispute about this booking is already open.", code="dispute_open") from None
    escrow_freeze(booking=booking, reason=f"dispute {dispute.public_id}")
    bookings.booking_dispute_opened(booking)
    _entry(dispute, user, role, EntryKind.OPENED, text=dispute.description)
    if evidence is not None:
        entry = DisputeEntry(dispute=dispute, author=user, role=role, kind=EntryKind.EVIDENCE)
        entry.content_type, entry.original_name = evidence_type, str(evidence.name)[:255]
        entry.file.save(entry.original_name, evidence, save=False)
        entry.save()
    audit_record(actor=user, action="dispute.opened", target=dispute, after={"amount": amount, "reason": reason})
    dispute_changed(dispute, "opened")
    return dispute


def _check_disputable(booking: Booking, milestone, held: int) -> None:
    if held <= 0:
        raise Conflict(
            "Nothing is held in escrow for this booking (not paid, or already released): there is nothing to dispute.",
            code="nothing_in_escrow",
        )
    if milestone is not None:
        if milestone.state == MilestoneState.ACCEPTED:
            raise Conflict("This milestone was accepted and released; it cannot be disputed.", code="released")
        if milestone.amount > held:
            raise Conflict("Less than this milestone's amount is left in escrow.", code="nothing_in_escrow")
    if booking.ends_at is not None:
        window = timedelta(days=marketplace_settings().dispute_window_days)
        if timezone.now() > booking.ends_at + window:
            raise Conflict(
                f"Disputes about a session can be opened up to {window.days} days after it ended.",
                code="dispute_window_closed",
            )


def _open(dispute: Dispute, *states: str) -> Dispute:
    dispute = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("booking__provider", "milestone")
        .get(pk=dispute.pk)
    )
    if dispute.state not in states:
        raise Conflict(
            f"The dispute is {dispute.get_state_display().lower()}; that cannot be done now.", code="dispute_state"
        )
    return dispute


@transaction.atomic
def dispute_post(*, user, dispute: Dispute, text: str = "", upload=None, private: bool = False) -> DisputeEntry:
    """A message, a piece of evidence (a file) or — for mediators — a private note."""
    role = role_in(dispute, user)
    dispute = _open(dispute, *OPEN_STATES)
    if private and role != MEDIATOR:
        raise PermissionDenied("Only mediators keep private notes.")
    if upload is None and (not isinstance(text, str) or not text.strip()):
        raise ValidationFailed("Write a message or attach a file.", fields={"text": ["Required without a file."]})
    kind = EntryKind.NOTE if private else EntryKind.EVIDENCE if upload is not None else EntryKind.MESSAGE
    entry = DisputeEntry(dispute=dispute, author=user, role=role, kind=kind, text=(text or "").strip(), private=private)
    if upload is not None:
        entry.content_type = check_upload(upload, allowed=EVIDENCE_TYPES, max_bytes=EVIDENCE_MAX_BYTES)
        entry.original_name = str(upload.name)[:255]
        entry.file.save(entry.original_name, upload, save=False)
    entry.save()
    if not private:
        dispute_changed(dispute, "updated")
    return entry


def _amounts(dispute: Dispute, outcome: str, refund_amount) -> int:
    """The refund an outcome means, checked against the amount in dispute."""
    if outcome == Outcome.FULL_REFUND:
        return dispute.amount
    if outcome == Outcome.RELEASE:
        return 0
    if outcome == Outcome.PARTIAL_REFUND:
        if (
            not isinstance(refund_amount, int)
            or isinstance(refund_amount, bool)
            or not 0 < refund_amount < dispute.amount
        ):
            raise ValidationFailed(
                f"A partial refund is more than 0 and less than the {dispute.amount} in dispute.",
                fields={"refund_amount": [f"Between 1 and {dispute.amount - 1} ({dispute.currency} minor units)."]},
            )
        return refund_amount
    raise ValidationFailed("Choose an outcome.", fields={"outcome": [f"One of {', '.join(Outcome.values)}."]})


@transaction.atomic
def dispute_propose(*, user, dispute: Dispute, outcome: str, refund_amount=None, text: str = "") -> DisputeEntry:
    """Propose (or counter with) a settlement; it stands until the other party accepts or counters."""
    role = role_in(dispute, user)
    if role not in (CLIENT, PROVIDER):
        raise PermissionDenied("Only the client and the provider negotiate; mediators decide.")
    dispute = _open(dispute, DisputeState.NEGOTIATING)
    refund = _amounts(dispute, outcome, refund_amount)
    entry = _entry(dispute, user, role, EntryKind.PROPOSAL, text=text, outcome=outcome, refund_amount=refund)
    dispute_changed(dispute, "proposal")
    return entry


@transaction.atomic
def dispute_accept(*, user, dispute: Dispute, proposal_id: str) -> Dispute:
    """Accept the other party's latest proposal: the money moves and the dispute closes."""
    role = role_in(dispute, user)
    dispute = _open(dispute, DisputeState.NEGOTIATING)
    latest = dispute.entries.filter(kind=EntryKind.PROPOSAL).order_by("-id").first()
    if latest is None or latest.public_id != proposal_id:
        raise Conflict("That is not the latest proposal; look at the timeline again.", code="proposal_superseded")
    if role not in (CLIENT, PROVIDER) or latest.role == role:
        raise PermissionDenied("Only the other party can accept a proposal.")
    _entry(dispute, user, role, EntryKind.ACCEPTED, outcome=latest.outcome, refund_amount=latest.refund_amount)
    return _settle(dispute, latest.outcome, latest.refund_amount, actor=user, role=role, resolution="agreed")


@transaction.atomic
def dispute_escalate(*, user, dispute: Dispute, text: str = "") -> Dispute:
    role = role_in(dispute, user) if user is not None else SYSTEM
    if role not in (CLIENT, PROVIDER, SYSTEM):
        raise PermissionDenied("The parties ask for a mediator; mediators take disputes once escalated.")
    dispute = _open(dispute, DisputeState.NEGOTIATING)
    dispute.state = DisputeState.ESCALATED
    dispute.save(update_fields=["state"])
    _entry(dispute, user, role, EntryKind.ESCALATED, text=text or "No agreement: a mediator will decide.")
    dispute_changed(dispute, "escalated")
    return dispute


def _split_adds_up(dispute: Dispute, outcome: str, refund: int, release_amount) -> None:
    """A split given as both parts (refund to the client, release to the provider) must add up to
    the amount in dispute, which is what escrow holds for it: nothing may be left over or invented."""
    if outcome != Outcome.PARTIAL_REFUND or release_amount is None:
        return
    if not isinstance(release_amount, int) or isinstance(release_amount, bool) or release_amount < 0:
        raise ValidationFailed(
            "The part released to the provider is a whole amount in minor units.",
            fields={"release_amount": [f"A whole amount in {dispute.currency} minor units."]},
        )
    if refund + release_amount != dispute.amount:
        amount, total, rest, refunded = (
            Money(value, dispute.currency).format()
            for value in (dispute.amount, refund + release_amount, dispute.amount - refund, refund)
        )
        raise ValidationFailed(
            f"The refund and the release must add up to the {amount} in escrow for this dispute.",
            fields={
                "refund_amount": [f"Refund + release = {total}, not {amount}."],
                "release_amount": [f"Release {rest} when refunding {refunded}."],
            },
        )


@transaction.atomic
def dispute_decide(
    *, user, dispute: Dispute, outcome: str, refund_amount=None, release_amount=None, reason: str
) -> Dispute:
    """A mediator decides. A first decision may be appealed within APPEAL_DAYS; an appeal's
    decision (by another mediator) is final and carried out at once. A split may name both parts
    (`release_amount` too): they must add up to the amount in dispute."""
    if role_in(dispute, user) != MEDIATOR:
        raise PermissionDenied("Only the marketplace's mediators (admins and moderators not party to it) decide.")
    dispute = _open(dispute, DisputeState.ESCALATED, DisputeState.APPEALED)
    if not isinstance(reason, str) or len(reason.strip()) < 10:
        raise ValidationFailed("Explain the decision to both parties.", fields={"reason": ["At least 10 characters."]})
    if dispute.state == DisputeState.APPEALED and user.pk == dispute.mediator_id:
        raise PermissionDenied("An appeal is decided by a different mediator.")
    refund = _amounts(dispute, outcome, refund_amount)
    _split_adds_up(dispute, outcome, refund, release_amount)
    _entry(dispute, user, MEDIATOR, EntryKind.DECISION, text=reason.strip(), outcome=outcome, refund_amount=refund)
    audit_record(
        actor=user,
        action="dispute.decided" if dispute.state == DisputeState.ESCALATED else "dispute.appeal_decided",
        target=dispute,
        before={"state": dispute.state},
        after={"outcome": outcome, "refund": refund, "release": dispute.amount - refund},
        reason=reason.strip(),
    )
    if dispute.state == DisputeState.APPEALED:
        dispute.appeal_mediator = user
        dispute = _settle(dispute, outcome, refund, actor=user, role=MEDIATOR, resolution="appeal_decided")
        dispute_changed(dispute, "appeal_decided")
        return dispute
    dispute.mediator, dispute.state, dispute.outcome = user, DisputeState.DECIDED, outcome
    dispute.refunded, dispute.released = refund, dispute.amount - refund
    dispute.appeal_by = timezone.now() + timedelta(days=APPEAL_DAYS)
    dispute.save(update_fields=["mediator", "state", "outcome", "refunded", "released", "appeal_by"])
    dispute_changed(dispute, "decided")
    return dispute


@transaction.atomic
def dispute_appeal(*, user, dispute: Dispute, text: str) -> Dispute:
    role = role_in(dispute, user)
    if role not in (CLIENT, PROVIDER):
        raise PermissionDenied("Only the client and the provider can appeal.")
    dispute = _open(dispute, DisputeState.DECIDED)
    if dispute.entries.filter(kind=EntryKind.APPEALED).exists():
        raise Conflict("This dispute was appealed once already; the decision stands.", code="appealed_once")
    if timezone.now() > dispute.appeal_by:
        raise Conflict("The time to appeal has passed.", code="appeal_window_closed")
    if not isinstance(text, str) or len(text.strip()) < 10:
        raise ValidationFailed("Say why the decision is wrong.", fields={"text": ["At least 10 characters."]})
    dispute.state = DisputeState.APPEALED
    dispute.save(update_fields=["state"])
    _entry(dispute, user, role, EntryKind.APPEALED, text=text.strip())
    dispute_changed(dispute, "appealed")
    return dispute


@transaction.atomic
def dispute_withdraw(*, user, dispute: Dispute) -> Dispute:
    """The party who opened it drops it: the escrow unfreezes and the booking carries on."""
    dispute = _open(dispute, DisputeState.NEGOTIATING, DisputeState.ESCALATED)
    if user.pk != dispute.opened_by_id:
        raise PermissionDenied("Only the party who opened the dispute can withdraw it.")
    escrow_unfreeze(booking=dispute.booking)
    bookings.booking_dispute_withdrawn(dispute.booking)
    return _close(dispute, user, dispute.opened_by_role, resolution="withdrawn")


def _settle(dispute: Dispute, outcome: str, refund: int, *, actor, role: str, resolution: str) -> Dispute:
    """Carry out an outcome: unfreeze, refund and release through the booking's money steps, close."""
    release = dispute.amount - refund
    escrow_unfreeze(booking=dispute.booking)
    bookings.booking_dispute_settled(
        dispute.booking,
        milestone=dispute.milestone,
        refund=refund,
        release=release,
        actor=actor,
        role="admin" if role == MEDIATOR else "system" if role == SYSTEM else role,
        reason=f"dispute {dispute.public_id}: {Outcome(outcome).label.lower()}",
    )
    dispute.outcome, dispute.refunded, dispute.released = outcome, refund, release
    return _close(dispute, actor, role, resolution=resolution)


def _close(dispute: Dispute, actor, role: str, *, resolution: str) -> Dispute:
    dispute.state, dispute.resolution, dispute.closed_at = DisputeState.CLOSED, resolution, timezone.now()
    dispute.save()
    _entry(
        dispute,
        actor,
        role,
        EntryKind.CLOSED,
        text=resolution,
        outcome=dispute.outcome,
        refund_amount=dispute.refunded if dispute.outcome else None,
    )
    dispute_changed(dispute, "closed")
    return dispute


@transaction.atomic
def _fire(dispute_id: int, now) -> bool:
    dispute = Dispute.objects.select_for_update().filter(pk=dispute_id).first()
    if dispute is None:
        return False
    if dispute.state == DisputeState.NEGOTIATING:
        answered = dispute.entries.exclude(role=dispute.opened_by_role).exclude(role=SYSTEM).exists()
        if dispute.escalate_at <= now or (dispute.respond_by <= now and not answered):
            dispute_escalate(user=None, dispute=dispute, text="No agreement in time: a mediator will decide.")
            return True
    elif dispute.state == DisputeState.DECIDED and dispute.appeal_by <= now:
        _settle(dispute, dispute.outcome, dispute.refunded, actor=dispute.mediator, role=MEDIATOR, resolution="decided")
        return True
    return False


def disputes_run_timers(*, now=None) -> int:
    """Escalate disputes left unanswered or unsettled, carry out decisions no one appealed (the beat
    job; running it twice changes nothing the second time)."""
    now = now or timezone.now()
    due = Dispute.objects.filter(state__in=[DisputeState.NEGOTIATING, DisputeState.DECIDED]).values_list(
        "pk", flat=True
    )
    return sum(_fire(pk, now) for pk in due)


def _entry(dispute, author, role, kind, *, text="", outcome="", refund_amount=None) -> DisputeEntry:
    return DisputeEntry.objects.create(
        dispute=dispute,
        author=author if getattr(author, "pk", None) else None,
        role=role,
        kind=kind,
        text=text,
        outcome=outcome or "",
        refund_amount=refund_amount,
    )
