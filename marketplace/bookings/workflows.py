"""Booking workflows as data: states, transitions (who may trigger each, from which states), the
money each asks for, and timers. The engine in `services.py` reads these tables; nothing about a
preset is coded anywhere else.

Roles: `client`, `provider`, `admin` (marketplace admins and moderators, intervening) and `system`
(timers). Money actions are recorded as intents for the payments engine: `hold` (charge into escrow),
`void` (drop a hold), `release` (escrow to the provider, minus commissions), `refund` (per the
cancellation policy, or in full)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

CLIENT, PROVIDER, ADMIN, SYSTEM = "client", "provider", "admin", "system"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    money: str | None = None  # hold | capture | void | release | release_milestone | refund_* (see _intend)
    not_before: str | None = None  # "starts_at" / "ends_at": only once that moment has passed
    needs: tuple[str, ...] = ()  # fields the action's data must carry
    reason_required: bool = False
    # Milestone actions act on one milestone (named in data.milestone) in these states, moving it to
    # `milestone_target`; the booking itself stays where it is until every milestone is accepted.
    milestone_sources: frozenset[str] = frozenset()
    milestone_target: str = ""


@dataclass(frozen=True)
class Timer:
    """Entering `state` schedules `action` (by the system) at `anchor` + the tunable `setting`."""

    state: str
    action: str
    anchor: str  # entered | ends_at | quote_expires_at
    setting: str
    default: timedelta


@dataclass(frozen=True)
class Workflow:
    key: str
    label: str
    initial: str
    slot_based: bool  # books a time slot (and so holds the provider's time)
    holds_time_in: frozenset[str]  # states whose bookings keep the slot
    transitions: dict[str, Transition]
    timers: tuple[Timer, ...] = ()
    initial_money: str | None = None  # what creating the booking asks for
    finals: frozenset[str] = field(default_factory=frozenset)

    def allowed(self, state: str, role: str) -> list[str]:
        return [a for a, t in self.transitions.items() if state in t.sources and role in t.roles]

    def timer_for(self, state: str) -> Timer | None:
        return next((t for t in self.timers if t.state == state), None)


def _t(sources, target, roles, **kw) -> Transition:
    return Transition(frozenset(sources if not isinstance(sources, str) else [sources]), target, frozenset(roles), **kw)


# After a session (time-slot presets): complete, no-shows, cancellations.
_SESSION = {
    "complete": _t("confirmed", "completed", {PROVIDER, ADMIN}, money="release", not_before="ends_at"),
    "auto_complete": _t("confirmed", "completed", {SYSTEM}, money="release", not_before="ends_at"),
    "cancel": _t("confirmed", "cancelled", {CLIENT}, money="refund_policy"),
    "cancel_by_provider": _t("confirmed", "cancelled", {PROVIDER, ADMIN}, money="refund_full", reason_required=True),
    "report_provider_no_show": _t("confirmed", "no_show", {CLIENT}, money="refund_full", not_before="starts_at"),
    "report_client_no_show": _t("confirmed", "no_show", {PROVIDER}, money="release", not_before="starts_at"),
    # Moves the session to another free slot, up to `reschedule_until_hours` before it starts.
    "reschedule": _t("confirmed", "confirmed", {CLIENT, PROVIDER}, needs=("starts_at",)),
}
_AUTO_COMPLETE = Timer("confirmed", "auto_complete", "ends_at", "auto_complete_after_hours", timedelta(hours=48))

INSTANT = Workflow(
    key="instant",
    label="Instant booking",
    initial="pending_payment",
    slot_based=True,
    holds_time_in=frozenset({"pending_payment", "confirmed"}),
    transitions={
        "pay": _t("pending_payment", "confirmed", {CLIENT}, money="hold"),
        "expire": _t("pending_payment", "expired", {SYSTEM}),
        "abandon": _t("pending_payment", "cancelled", {CLIENT}),
        **_SESSION,
    },
    timers=(
        Timer("pending_payment", "expire", "entered", "payment_within_minutes", timedelta(minutes=15)),
        _AUTO_COMPLETE,
    ),
    finals=frozenset({"completed", "cancelled", "expired", "no_show"}),
)

REQUEST = Workflow(
    key="request",
    label="Request to book",
    initial="requested",
    slot_based=True,
    holds_time_in=frozenset({"requested", "confirmed"}),
    initial_money="hold",
    transitions={
        "accept": _t("requested", "confirmed", {PROVIDER}, money="capture"),
        "decline": _t("requested", "declined", {PROVIDER}, money="void", reason_required=True),
        "withdraw": _t("requested", "cancelled", {CLIENT}, money="void"),
        "expire": _t("requested", "expired", {SYSTEM}, money="void"),
        **_SESSION,
    },
    timers=(
        Timer("requested", "expire", "entered", "accept_within_hours", timedelta(hours=24)),
        _AUTO_COMPLETE,
    ),
    finals=frozenset({"completed", "cancelled", "declined", "expired", "no_show"}),
)

# Negotiating a price (quote and milestone presets): the client describes the need, the provider
# quotes, the client accepts, counters (back to the inquiry) or declines; quotes expire.
_NEGOTIATION = {
    "counter": _t("quoted", "inquiry", {CLIENT}, needs=("message",)),
    "decline_quote": _t("quoted", "declined", {CLIENT}),
    "expire_quote": _t("quoted", "expired", {SYSTEM}),
    "withdraw": _t({"inquiry", "quoted"}, "cancelled", {CLIENT}),
}
_QUOTE_EXPIRY = Timer("quoted", "expire_quote", "quote_expires_at", "quote_grace_hours", timedelta(0))

QUOTE = Workflow(
    key="quote",
    label="Inquiry → quote → accept",
    initial="inquiry",
    slot_based=False,
    holds_time_in=frozenset(),
    transitions={
        "send_quote": _t("inquiry", "quoted", {PROVIDER}, needs=("price", "terms", "valid_days")),
        "accept_quote": _t("quoted", "accepted", {CLIENT}, money="hold"),
        **_NEGOTIATION,
        "deliver": _t("accepted", "delivered", {PROVIDER}, needs=("note",)),
        "accept_delivery": _t("delivered", "completed", {CLIENT}, money="release"),
        "auto_accept": _t("delivered", "completed", {SYSTEM}, money="release"),
        "request_changes": _t("delivered", "accepted", {CLIENT}, reason_required=True),
        "cancel": _t("accepted", "cancelled", {CLIENT}, money="refund_policy"),
        "cancel_by_provider": _t("accepted", "cancelled", {PROVIDER, ADMIN}, money="refund_full", reason_required=True),
    },
    timers=(
        _QUOTE_EXPIRY,
        Timer("delivered", "auto_accept", "entered", "auto_accept_after_days", timedelta(days=3)),
    ),
    finals=frozenset({"completed", "cancelled", "declined", "expired"}),
)

MILESTONE = Workflow(
    key="milestone",
    label="Milestone project",
    initial="inquiry",
    slot_based=False,
    holds_time_in=frozenset(),
    transitions={
        "send_quote": _t("inquiry", "quoted", {PROVIDER}, needs=("milestones", "terms", "valid_days")),
        "accept_quote": _t("quoted", "in_progress", {CLIENT}, money="hold"),
        **_NEGOTIATION,
        "deliver_milestone": _t(
            "in_progress",
            "in_progress",
            {PROVIDER},
            needs=("milestone", "note"),
            milestone_sources=frozenset({"pending", "changes_requested"}),
            milestone_target="delivered",
        ),
        "accept_milestone": _t(
            "in_progress",
            "in_progress",
            {CLIENT},
            money="release_milestone",
            needs=("milestone",),
            milestone_sources=frozenset({"delivered"}),
            milestone_target="accepted",
        ),
        "auto_accept_milestone": _t(
            "in_progress",
            "in_progress",
            {SYSTEM},
            money="release_milestone",
            needs=("milestone",),
            milestone_sources=frozenset({"delivered"}),
            milestone_target="accepted",
        ),
        "request_changes": _t(
            "in_progress",
            "in_progress",
            {CLIENT},
            needs=("milestone",),
            reason_required=True,
            milestone_sources=frozenset({"delivered"}),
            milestone_target="changes_requested",
        ),
        "complete": _t("in_progress", "completed", {SYSTEM}),  # when the last milestone is accepted
        "cancel_by_provider": _t(
            "in_progress", "cancelled", {PROVIDER, ADMIN}, money="refund_unreleased", reason_required=True
        ),
    },
    timers=(
        _QUOTE_EXPIRY,
        # The earliest delivered milestone's auto-accept moment (set when it is delivered).
        Timer("in_progress", "auto_accept_milestone", "milestone_auto_accept", "", timedelta(0)),
    ),
    finals=frozenset({"completed", "cancelled", "declined", "expired"}),
)
MILESTONE_AUTO_ACCEPT = timedelta(days=7)

PRESETS: dict[str, Workflow] = {w.key: w for w in (INSTANT, REQUEST, QUOTE, MILESTONE)}


def workflow(key: str) -> Workflow:
    return PRESETS[key]


# Cancellation policies: the refund share by notice before the session starts (hours, percent),
# longest notice first; nothing after the start. A category may define its own tiers ("custom").
CANCELLATION_POLICIES: dict[str, list[list[int]]] = {
    "flexible": [[24, 100], [0, 50]],
    "moderate": [[120, 100], [24, 50], [0, 0]],
    "strict": [[168, 50], [0, 0]],
}


def refund_share(tiers: list[list[int]], notice: timedelta | None) -> int:
    """Percent of the price refunded when cancelling with `notice` before the start (None: not a
    session, so the first tier applies)."""
    if notice is None:
        return tiers[0][1] if tiers else 100
    if notice < timedelta(0):
        return 0
    hours = notice.total_seconds() / 3600
    for minimum_hours, percent in tiers:
        if hours >= minimum_hours:
            return percent
    return 0


# What tenant admins may tune per category (inherited from the nearest ancestor that sets it): timer
# lengths (name: lowest, highest; the unit is the name's last word) and the cancellation policy (a
# preset name or custom tiers). Within these ranges the payment processor may set a tighter limit
# (`gateway_limit_errors`).
TUNABLE_TIMERS: dict[str, tuple[int, int]] = {
    "payment_within_minutes": (5, 24 * 60),
    "accept_within_hours": (1, 14 * 24),
    "auto_complete_after_hours": (0, 30 * 24),
    "quote_grace_hours": (0, 7 * 24),
    "auto_accept_after_days": (1, 60),
    "reschedule_until_hours": (0, 30 * 24),
    # Milestone projects: every milestone released within this many days of the client's payment.
    "release_within_days": (7, 365),
}
RESCHEDULE_UNTIL = timedelta(hours=24)


def timer_defaults() -> dict[str, dict[str, int]]:
    """Each tunable timer's preset default, per workflow that uses it, in the timer's own unit:
    {"accept_within_hours": {"request": 24}, "auto_accept_after_days": {"quote": 3, "milestone": 7}, ...}."""
    out: dict[str, dict[str, int]] = {name: {} for name in TUNABLE_TIMERS}
    for flow in PRESETS.values():
        for timer in flow.timers:
            if timer.setting in out:
                out[timer.setting][flow.key] = _in_unit(timer.setting, timer.default)
        if flow.slot_based:
            out["reschedule_until_hours"][flow.key] = _in_unit("reschedule_until_hours", RESCHEDULE_UNTIL)
    out["auto_accept_after_days"][MILESTONE.key] = MILESTONE_AUTO_ACCEPT.days
    out["release_within_days"][MILESTONE.key] = _release_window().days
    return out


def _in_unit(setting: str, length: timedelta) -> int:
    unit = setting.rsplit("_", 1)[-1]
    return int(length / timedelta(**{unit: 1}))


def _authorization_window() -> timedelta:
    from marketplace.payments.gateways import gateway

    return gateway().authorization_window


def _release_window() -> timedelta:
    from marketplace.payments.gateways import gateway

    return gateway().release_window


def release_within(tuned: dict) -> timedelta:
    """How long after the client's payment a milestone project's money must all be released."""
    days = tuned.get("release_within_days")
    return timedelta(days=days) if isinstance(days, int) else _release_window()


def gateway_limit_errors(timers: dict) -> list[str]:
    """Timers the payment processor cannot honour, with the reason: a request to book holds the
    client's card until the provider answers, and card authorisations lapse after about 7 days; money
    taken for a milestone project must be paid out to the provider within the processor's window
    (90 days at Stripe)."""
    problems = []
    hold = _authorization_window()
    hold_hours = _in_unit("accept_within_hours", hold)
    hours = timers.get("accept_within_hours")
    if isinstance(hours, int) and not isinstance(hours, bool) and timedelta(hours=hours) > hold:
        problems.append(
            f"timers.accept_within_hours: a request holds the client's card until it is answered, and card "
            f"holds lapse after about 7 days: the payment processor keeps one for at most {hold_hours} hours. "
            f"Use at most {hold_hours}."
        )
    window = _release_window()
    days = timers.get("release_within_days")
    if isinstance(days, int) and not isinstance(days, bool) and timedelta(days=days) > window:
        problems.append(
            f"timers.release_within_days: the payment processor must pay money out within {window.days} days of "
            f"taking it, so a milestone project must be released within {window.days} days. "
            f"Use at most {window.days}."
        )
    return problems


def booking_settings_errors(value) -> list[str]:
    """What is wrong with a category's booking settings, as messages for its `booking_settings` field."""
    if not isinstance(value, dict):
        return ["Use an object with timers and/or cancellation_policy."]
    problems = [f"Unknown setting {k!r}." for k in sorted(set(value) - {"timers", "cancellation_policy"})]
    timers = value.get("timers", {})
    if not isinstance(timers, dict):
        problems.append('timers: use an object such as {"accept_within_hours": 12}.')
    else:
        for name, number in timers.items():
            if name not in TUNABLE_TIMERS:
                problems.append(f"timers.{name}: not a timer; use one of {', '.join(TUNABLE_TIMERS)}.")
                continue
            low, high = TUNABLE_TIMERS[name]
            if not isinstance(number, int) or isinstance(number, bool) or not low <= number <= high:
                problems.append(f"timers.{name}: use a whole number from {low} to {high}.")
        flagged = {problem.split(":", 1)[0] for problem in problems}
        problems.extend(p for p in gateway_limit_errors(timers) if p.split(":", 1)[0] not in flagged)
    if "cancellation_policy" in value:
        policy = value["cancellation_policy"]
        if isinstance(policy, str):
            if policy not in CANCELLATION_POLICIES:
                problems.append(f"cancellation_policy: choose {', '.join(CANCELLATION_POLICIES)} or custom tiers.")
        elif not _tiers_ok(policy):
            problems.append(
                "cancellation_policy: custom tiers are [[notice hours, refund percent], ...], longest notice first, "
                "hours from 0, percents 0-100."
            )
    return problems


def _tiers_ok(tiers) -> bool:
    if not isinstance(tiers, list) or not 1 <= len(tiers) <= 10:
        return False
    previous = None
    for tier in tiers:
        if not (
            isinstance(tier, list)
            and len(tier) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) for n in tier)
        ):
            return False
        hours, percent = tier
        if hours < 0 or not 0 <= percent <= 100 or (previous is not None and hours >= previous):
            return False
        previous = hours
    return True


def timer_length(timer: Timer, tuned: dict) -> timedelta:
    """A timer's length: the category's tuning (in the unit its name says) or the preset default."""
    if timer.setting not in tuned:
        return timer.default
    unit = timer.setting.rsplit("_", 1)[-1]
    return timedelta(**{unit: tuned[timer.setting]})
