"""Eight weeks of past activity for the demo marketplaces, so that a new operator's first look shows a
market that has been running: completed bookings with both sides' reviews (the home page's
testimonials, listing and provider ratings), money through escrow with the commission split out (the
overview's charts, the providers' earnings), a cancellation, a dispute settled by the admin, and a
few bookings still ahead.

Everything happens through the domain services — booking, paying with the built-in test processor's
card, quoting, delivering, completing, disputing, reviewing — exactly as people would do it, so the
ledger, escrow, commission, notifications and timelines agree. What makes it a history is the clock:
while a story plays, `django.utils.timezone.now` reads the moment the story is at (`_clock`), so
every row the services write — bookings, timeline events, journal transactions (the ledger is
append-only and is never re-dated), reviews, disputes, notifications — carries that moment. The
stories of a marketplace play interleaved in time order; a step that would fall after the real now
is left to the future (the live marketplace's people and timers take over from there).

The notifications the stories trigger stay in the app (the older ones read); their e-mails are not
sent weeks late. The calendar invitations to the sessions still ahead are sent as usual, after the
seeding commits.

Seeded once per marketplace: nothing is added when its first demo client already has bookings."""

from __future__ import annotations

import heapq
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from unittest import mock

from django.db.models import F
from django.utils import timezone

from accounts.models import User

CARD = "4242 4242 4242 4242"  # the built-in test processor's card that always succeeds

Said = tuple[int, str]  # a review: (stars, words)


@dataclass(frozen=True)
class Story:
    """One client's booking of one listing, from the moment it was made (`made` days ago at `at`,
    the marketplace's local time) to where it `ends`:

    - `reviewed`: completed (a session after it took place, a project after its delivery was
      accepted), then reviewed by the client and/or the provider;
    - `disputed`: the client disputes the session, the provider answers, the admin splits the money;
    - `cancelled` (by the client) / `cancelled_by_provider`, before the session;
    - `confirmed` (a session ahead, paid) / `in_progress` (a quote accepted and paid, work under way)
      / `inquiry` (waiting for the provider's quote)."""

    client: str  # handle
    listing: str  # title
    package: str
    made: int  # days ago
    at: str = "10:00"
    ends: str = "reviewed"
    message: str = ""  # the client's note or inquiry
    quote: int | None = None  # the provider's price (quote workflows)
    terms: str = ""
    milestones: tuple[tuple[str, int, int], ...] = ()  # (title, amount, due in days after the quote)
    work_days: int = 7  # from paying to delivering (quote workflows)
    delivery: str = ""
    client_review: Said | None = None
    provider_review: Said | None = None
    reason: str = ""  # a cancellation's or a dispute's
    answer: str = ""  # the provider's message in a dispute
    decision: str = ""  # the admin's
    ahead_days: int = 2  # a session is booked at least this many days after the booking is made
    session_at: str = "10:00"  # from this local time on (the first free slot)


HISTORY: dict[str, list[Story]] = {
    "uni": [
        Story(
            "priya",
            "Calculus I exam preparation",
            "Single session",
            made=54,
            at="19:40",
            session_at="14:00",
            message="Limits and continuity, please: my first midterm is in two weeks.",
            client_review=(
                5,
                "Amira explained limits in a way that finally clicked. We worked through three past papers and "
                "she sent me a list of exactly what to revise before the midterm.",
            ),
            provider_review=(5, "Priya came with her problem sheets and clear questions — a pleasure to teach."),
        ),
        Story(
            "tom",
            "Statistics for social sciences",
            "Single session",
            made=47,
            at="13:15",
            session_at="11:00",
            message="Multiple regression in SPSS for my psychology lab report.",
            client_review=(
                5,
                "I was lost in my regression module. After one session with Amira I can read SPSS output on my "
                "own and explain what the coefficients mean. Patient and very well organised.",
            ),
            provider_review=(5, "Tom did the reading beforehand and asked great questions."),
        ),
        Story(
            "priya",
            "Python from zero to first project",
            "Taster",
            made=40,
            at="21:05",
            session_at="15:00",
            client_review=(
                5,
                "A friendly start: Jonas had me writing loops and functions within forty-five minutes, and sent "
                "three small exercises to practise with afterwards.",
            ),
            provider_review=(5, "Quick learner, on time and well prepared."),
        ),
        Story(
            "tom",
            "Linear algebra exam study group",
            "Per seat, one evening",
            made=33,
            at="17:30",
            session_at="13:00",
            message="Eigenvalues are my weak spot; happy to join the group.",
            client_review=(
                4,
                "Good pace, and the mock questions were close to the real exam. Eigenvalues finally make sense, "
                "though eight people is a lot for one evening.",
            ),
            provider_review=(4, "Tom helped the others through the proofs — thanks!"),
        ),
        Story(
            "tom",
            "Python from zero to first project",
            "Taster",
            made=26,
            at="09:20",
            ahead_days=0,  # the same afternoon: the dispute is opened on the day the booking was made
            session_at="14:00",
            ends="disputed",
            reason="The session started 25 minutes late and ended on time, so we covered only half the plan.",
            answer="Sorry, Tom — my previous session overran. I agree you should not pay for the time you lost.",
            decision="The tutor confirms the late start: half of the price goes back to the student.",
            client_review=(
                3,
                "What we covered was useful, but the session started 25 minutes late and felt rushed. The "
                "marketplace sorted out a partial refund quickly.",
            ),
        ),
        Story(
            "priya",
            "Statistics for social sciences",
            "Single session",
            made=19,
            at="11:50",
            session_at="12:00",
            message="Hypothesis tests and p-values for my sociology dissertation.",
            client_review=(
                5,
                "Amira walked me through t-tests and chi-squared with my own dissertation data. I left with R code "
                "I understand and a plan for my results chapter.",
            ),
            provider_review=(5, "Priya's data was tidy and her questions were sharp."),
        ),
        Story(
            "priya",
            "Calculus I exam preparation",
            "Single session",
            made=12,
            at="18:10",
            session_at="15:00",
            message="Integration by parts before the final.",
            client_review=(
                5,
                "My second session with Amira, two weeks before the final: integration by parts is no longer "
                "scary. Worth every penny.",
            ),
            provider_review=(5, "Great progress since our first session."),
        ),
        Story(
            "tom",
            "Calculus I exam preparation",
            "Single session",
            made=8,
            at="16:45",
            session_at="10:00",
            ends="cancelled",
            ahead_days=4,
            reason="My lab moved to that afternoon.",
        ),
        Story(
            "priya",
            "Calculus I exam preparation",
            "Single session",
            made=1,
            at="20:30",
            session_at="14:00",
            ends="confirmed",
        ),
        Story(
            "tom",
            "Statistics for social sciences",
            "Single session",
            made=2,
            at="12:05",
            session_at="11:00",
            ends="confirmed",
            ahead_days=4,
            message="ANOVA for the group project.",
        ),
    ],
    "agency": [
        Story(
            "acme",
            "Brand identity for early-stage startups",
            "Starter",
            made=55,
            message="We build small robot arms for labs and need a logo and colours before our first trade show.",
            quote=90000,
            terms="Two logo routes, one round of changes on the chosen route, colour palette. Figma and PDF files.",
            work_days=9,
            delivery="Final logo in two versions and the colour palette, as Figma and PDF files.",
            client_review=(
                5,
                "Lena turned our napkin sketch of a robot arm into a logo we are proud to put on a trade-show "
                "stand. Two clear routes, fast changes, files perfectly organised.",
            ),
            provider_review=(5, "Acme gave clear, quick feedback and decided fast."),
        ),
        Story(
            "greenleaf",
            "Brand identity for early-stage startups",
            "Complete identity",
            made=48,
            at="11:30",
            message="Greenleaf Foods is rebranding for our move into supermarkets: logo, packaging colours, type.",
            quote=240000,
            terms="Logo system, colour and type, one-page brand guide; two rounds of changes.",
            work_days=14,
            delivery="Logo system, colours and type, and the brand guide (Figma library plus PDF).",
            client_review=(
                5,
                "Our new identity looks fresh on the shelf and the brand guide keeps our suppliers consistent. "
                "Lena listened carefully to our farmers' story and it shows.",
            ),
            provider_review=(5, "A thoughtful brief and a team that made decisions together."),
        ),
        Story(
            "acme",
            "Django web application, end to end",
            "MVP",
            made=44,
            at="09:45",
            message="A parts-ordering portal for our customers: catalogue, quotes, orders, invoices.",
            terms="Fixed price in two milestones; tests, CI and deployment included.",
            milestones=(("Data model and admin", 300000, 14), ("Ordering portal live", 500000, 30)),
            delivery="Ready for your review on the staging server.",
            client_review=(
                5,
                "Marco shipped our parts-ordering portal on time, with tests and a deployment pipeline we actually "
                "understand. Weekly demos kept us in the loop.",
            ),
            provider_review=(5, "Acme's product owner was available and decisive throughout."),
        ),
        Story(
            "greenleaf",
            "UX audit of your web app",
            "Audit",
            made=38,
            at="14:20",
            message="Our online shop loses people at checkout; we would like to know why.",
            quote=150000,
            terms="Heuristic review, five recorded user tests, prioritised fixes with annotated screens.",
            work_days=8,
            delivery="The report, the five recordings and the annotated screens.",
            client_review=(
                4,
                "The user tests were eye-opening and the top three fixes lifted our checkout conversion. The "
                "report was long; a one-page summary for the board would have helped.",
            ),
            provider_review=(5, "Greenleaf recruited testers quickly, which kept the audit on schedule."),
        ),
        Story(
            "acme",
            "UX audit of your web app",
            "Audit",
            made=20,
            at="10:10",
            message="The new ordering portal: where do our customers get stuck?",
            quote=150000,
            terms="Heuristic review and five user tests with your customers.",
            work_days=6,
            delivery="Findings, recordings and a prioritised list of fixes.",
            client_review=(
                4,
                "Useful findings and well-annotated screens. The list of fixes needed a second pass to fit our "
                "sprint planning, which Lena did gladly.",
            ),
            provider_review=(4, "Clear goals; the customer sessions took a while to schedule."),
        ),
        Story(
            "greenleaf",
            "Brand identity for early-stage startups",
            "Starter",
            made=6,
            at="15:00",
            ends="in_progress",
            message="A sub-brand for our new children's snack range, in the Greenleaf family.",
            quote=95000,
            terms="Logo and palette for the sub-brand, matching the Greenleaf brand guide.",
        ),
        Story(
            "greenleaf",
            "Django web application, end to end",
            "MVP + six months support",
            made=1,
            at="16:40",
            ends="inquiry",
            message="A supplier portal for our farmers: delivery slots, quality reports and invoices.",
        ),
    ],
    "lawfirm": [
        Story(
            "nora",
            "Initial divorce consultation",
            "45-minute consultation",
            made=52,
            at="08:55",
            session_at="10:00",
            message="Separating after twelve years of marriage; we own a house together.",
            client_review=(
                5,
                "Sarah was calm, clear and honest about the likely costs. I left with a written summary and a "
                "plan for the next three months.",
            ),
            provider_review=(5, "Nora had all her documents ready, which made the time count."),
        ),
        Story(
            "owen",
            "Unfair dismissal claim review",
            "Document review",
            made=45,
            at="12:35",
            session_at="14:00",
            message="Dismissed after 26 months without a hearing; I have the letter and my contract.",
            client_review=(
                5,
                "David spotted two flaws in the dismissal procedure that I had missed. Straight-talking and quick "
                "to reply.",
            ),
            provider_review=(5, "Owen sent every document in advance, well organised."),
        ),
        Story(
            "nora",
            "Fixed-fee home purchase or sale",
            "Purchase or sale",
            made=40,
            at="19:20",
            message="Buying a two-bedroom freehold house in Leeds, about £310,000, with a mortgage.",
            quote=95000,
            terms="Fixed fee for a freehold purchase up to £500,000: searches, contract review, exchange and "
            "completion. Stamp duty and Land Registry fees are paid separately.",
            work_days=21,
            delivery="Completion done and the keys released; the registration at the Land Registry is filed.",
            client_review=(
                4,
                "A smooth purchase from offer to completion, and the fee was exactly as quoted. Updates were "
                "sometimes a day or two slow during the searches.",
            ),
            provider_review=(5, "Nora answered every enquiry promptly."),
        ),
        Story(
            "owen",
            "Unfair dismissal claim review",
            "Review + negotiation",
            made=30,
            at="10:25",
            session_at="09:00",
            message="My former employer has offered to talk; I would like David to negotiate.",
            client_review=(
                5,
                "David negotiated a settlement I am happy with, without going to a tribunal. He explained every "
                "step of the agreement before I signed.",
            ),
            provider_review=(5, "Owen was realistic and kept calm throughout the negotiation."),
        ),
        Story(
            "owen",
            "Initial divorce consultation",
            "45-minute consultation",
            made=12,
            at="18:05",
            session_at="16:00",
            message="Questions about child arrangements after a separation.",
            client_review=(
                4,
                "Sarah gave a helpful overview of my options for the children and what mediation involves. It "
                "felt short, but the written summary covered the rest.",
            ),
        ),
        Story(
            "nora",
            "Unfair dismissal claim review",
            "Document review",
            made=9,
            at="11:00",
            session_at="11:00",
            ends="cancelled_by_provider",
            ahead_days=5,
            message="A review of my sister's dismissal letter; she has given permission.",
            reason="Our conflict check found we act for the employer: the fee is refunded in full.",
        ),
        Story(
            "nora",
            "Initial divorce consultation",
            "45-minute consultation",
            made=2,
            at="09:30",
            session_at="15:00",
            ends="confirmed",
            ahead_days=3,
            message="A follow-up: my husband's solicitor has replied.",
        ),
        Story(
            "owen",
            "Unfair dismissal claim review",
            "Document review",
            made=1,
            at="14:10",
            session_at="12:00",
            ends="confirmed",
            ahead_days=4,
            message="The settlement agreement draft from my former employer.",
        ),
    ],
}


@contextmanager
def _clock() -> Iterator[Callable[[datetime], None]]:
    """While open, `timezone.now()` reads the moment last set (and runs on from it like a clock)."""
    real_now = timezone.now
    offset = [timedelta(0)]

    def shifted() -> datetime:
        return real_now() + offset[0]

    def set_to(moment: datetime) -> None:
        offset[0] = moment - real_now()

    with mock.patch.object(timezone, "now", shifted):
        yield set_to


def _local(day: datetime, hhmm: str, zone: zoneinfo.ZoneInfo) -> datetime:
    """That day's (in `zone`) local time `hhmm`."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day.astimezone(zone).date(), time(hours, minutes), tzinfo=zone)


def seed_history(spec: dict) -> int:
    """Play the marketplace's stories (in the current schema); returns how many bookings were made.
    Does nothing when the first demo client already has bookings."""
    from marketplace.bookings.models import Booking
    from marketplace.notifications.models import EmailDelivery, Notification

    domain = spec["domain"]
    marker = f"{spec['clients'][0][1]}@{domain}"
    stories = HISTORY.get(spec["slug"], [])
    if not stories or Booking.objects.filter(client__email=marker).exists():
        return 0
    zone = zoneinfo.ZoneInfo(spec["time_zone"])
    people = {user.email.split("@")[0]: user for user in User.objects.filter(email__endswith=f"@{domain}")}
    real_now = timezone.now()
    notified_before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with _clock() as set_clock:
        plays = [_play(story, people, zone, real_now) for story in stories]
        queue = [(next(play), n, play) for n, play in enumerate(plays)]
        heapq.heapify(queue)
        while queue:
            moment, n, play = heapq.heappop(queue)
            if moment > real_now:
                continue  # later steps belong to the future
            set_clock(moment)
            following = next(play, None)
            if following is not None:
                heapq.heappush(queue, (max(following, moment), n, play))
    # The people were told back then: the history's notifications stay in the app (read within the
    # hour, but for the last two days' news), and their e-mails are not sent now, weeks late (the
    # queued sending tasks find no delivery and do nothing). Invitations to the sessions ahead still go.
    told = Notification.objects.filter(pk__gt=notified_before)
    EmailDelivery.objects.filter(notification__in=told).delete()
    told.filter(created_at__lt=real_now - timedelta(days=2)).update(read_at=F("created_at") + timedelta(hours=1))
    return len(stories)


def _play(story: Story, people: dict[str, User], zone, real_now: datetime) -> Iterator[datetime]:
    """One story as a sequence of steps: it yields the moment of its next step and carries the step
    out when resumed at that moment."""
    from marketplace.bookings.selectors import listing_workflow
    from marketplace.catalogue.models import Listing

    listing = Listing.objects.select_related("provider__user").get(title=story.listing)
    flow = listing_workflow(listing)
    started = _local(real_now - timedelta(days=story.made), story.at, zone)
    while story.ahead_days == 0 and started.weekday() >= 5:
        started -= timedelta(days=1)  # a session the same day needs a weekday's opening hours
    if flow.slot_based:
        yield from _session(story, listing, people, zone, started, request=flow.key == "request")
    else:
        yield from _project(story, listing, people, zone, started, milestones=flow.key == "milestone")


def _session(story: Story, listing, people, zone, started: datetime, *, request: bool) -> Iterator[datetime]:
    from marketplace.bookings.models import Booking
    from marketplace.bookings.services import booking_act, booking_create

    client, provider = people[story.client], listing.provider.user
    yield started
    booking = booking_create(
        client=client,
        listing_id=listing.public_id,
        package=story.package,
        starts_at=_free_slot(listing, story.package, started + timedelta(days=story.ahead_days), story.session_at),
        time_zone=str(zone),
        message=story.message,
        payment_method=CARD if request else None,
    )
    if request:
        yield started + timedelta(hours=2, minutes=40)
        booking = booking_act(user=provider, booking=booking, action="accept")
    else:
        yield started + timedelta(minutes=6)
        booking = booking_act(user=client, booking=booking, action="pay", data={"payment_method": CARD})
    if story.ends == "confirmed":
        return
    if story.ends in ("cancelled", "cancelled_by_provider"):
        yield started + timedelta(days=1, hours=2)
        by_client = story.ends == "cancelled"
        booking_act(
            user=client if by_client else provider,
            booking=booking,
            action="cancel" if by_client else "cancel_by_provider",
            reason=story.reason,
        )
        return
    booking = Booking.objects.get(pk=booking.pk)
    if story.ends == "disputed":
        yield from _dispute(story, booking, people, booking.ends_at + timedelta(hours=3))
    else:
        yield booking.ends_at + timedelta(minutes=20)
        booking_act(user=provider, booking=booking, action="complete")
    yield from _reviews(story, booking, client, provider)


def _free_slot(listing, package_name: str, after: datetime, hhmm: str) -> str:
    """The first free slot of the listing's package from the day of `after` at `hhmm` on, the
    provider's local time (as the booking form offers them, as of the clock's now)."""
    from marketplace.bookings.selectors import listing_free_slots, schedule_for

    package = listing.packages.get(name=package_name)
    zone = zoneinfo.ZoneInfo(schedule_for(listing).time_zone)
    not_before = _local(after, hhmm, zone)
    day = not_before.date()
    for _week in range(4):
        slots = listing_free_slots(listing, package, day, day + timedelta(days=6))
        found = next((slot for slot in slots if slot.start >= not_before), None)
        if found is not None:
            return found.start.isoformat()
        day += timedelta(days=7)
    raise LookupError(f"no free slot for {listing.title} after {not_before}")


def _project(story: Story, listing, people, zone, started: datetime, *, milestones: bool) -> Iterator[datetime]:
    from marketplace.bookings.models import Booking
    from marketplace.bookings.services import booking_act, booking_create

    client, provider = people[story.client], listing.provider.user
    yield started
    booking = booking_create(client=client, listing_id=listing.public_id, package=story.package, message=story.message)
    if story.ends == "inquiry":
        return
    quoted = _local(started + timedelta(days=1), "11:15", zone)
    yield quoted
    data = {"terms": story.terms, "valid_days": 14}
    if milestones:
        today = quoted.astimezone(zone).date()
        data["milestones"] = [
            {"title": title, "amount": amount, "due_date": (today + timedelta(days=due)).isoformat()}
            for title, amount, due in story.milestones
        ]
    else:
        data["price"] = story.quote
    booking = booking_act(user=provider, booking=booking, action="send_quote", data=data)
    paid = _local(quoted + timedelta(days=1), "09:40", zone)
    yield paid
    booking = booking_act(user=client, booking=booking, action="accept_quote", data={"payment_method": CARD})
    if story.ends == "in_progress":
        return
    if milestones:
        for milestone, (_title, _amount, due) in zip(
            booking.milestones.order_by("position"), story.milestones, strict=True
        ):
            delivered = _local(quoted + timedelta(days=due - 1), "16:30", zone)
            yield delivered
            note = f"{milestone.title}: {story.delivery}"
            booking_act(
                user=provider,
                booking=booking,
                action="deliver_milestone",
                data={"milestone": milestone.public_id, "note": note},
            )
            yield delivered + timedelta(hours=18)
            booking_act(
                user=client, booking=booking, action="accept_milestone", data={"milestone": milestone.public_id}
            )
        done = delivered + timedelta(hours=18)
    else:
        delivered = _local(paid + timedelta(days=story.work_days), "17:05", zone)
        yield delivered
        booking_act(user=provider, booking=booking, action="deliver", data={"note": story.delivery})
        done = delivered + timedelta(hours=17)
        yield done
        booking_act(user=client, booking=booking, action="accept_delivery")
    yield from _reviews(story, Booking.objects.get(pk=booking.pk), client, provider, completed=done)


def _dispute(story: Story, booking, people, opened: datetime) -> Iterator[datetime]:
    """The client disputes the session; the provider answers; no agreement, so the client asks the
    marketplace; its admin decides to refund half; no one appeals, so the decision is carried out
    (by the disputes' timer job) when the appeal window closes."""
    from marketplace.disputes.models import DisputeReason, Outcome
    from marketplace.disputes.services import (
        dispute_decide,
        dispute_escalate,
        dispute_open,
        dispute_post,
        disputes_run_timers,
    )

    client, provider = booking.client, booking.provider.user
    admin = people["admin"]
    yield opened
    dispute = dispute_open(
        user=client,
        booking_id=booking.public_id,
        reason=DisputeReason.QUALITY,
        desired_outcome=Outcome.PARTIAL_REFUND,
        description=story.reason,
    )
    yield opened + timedelta(hours=5)
    dispute_post(user=provider, dispute=dispute, text=story.answer)
    yield opened + timedelta(days=1, hours=1)
    dispute_escalate(user=client, dispute=dispute, text="We could not agree on the amount.")
    yield opened + timedelta(days=2)
    dispute = dispute_decide(
        user=admin,
        dispute=dispute,
        outcome=Outcome.PARTIAL_REFUND,
        refund_amount=dispute.amount // 2,
        reason=story.decision,
    )
    yield dispute.appeal_by + timedelta(minutes=30)
    disputes_run_timers()


def _reviews(story: Story, booking, client, provider, completed: datetime | None = None) -> Iterator[datetime]:
    """Each side's review (the second reveals both); a review the other side never answers is
    revealed by the reviews' job when the window closes."""
    from marketplace.reviews.models import ReviewDirection
    from marketplace.reviews.selectors import criteria_rated
    from marketplace.reviews.services import review_submit, reviews_reveal_due

    completed = completed or timezone.now()
    steps = []
    if story.client_review:
        steps.append(
            (
                completed + timedelta(hours=4, minutes=10),
                client,
                ReviewDirection.CLIENT_TO_PROVIDER,
                story.client_review,
            )
        )
    if story.provider_review:
        steps.append(
            (
                completed + timedelta(days=1, hours=2),
                provider,
                ReviewDirection.PROVIDER_TO_CLIENT,
                story.provider_review,
            )
        )
    review = None
    for moment, author, direction, (stars, text) in steps:
        yield moment
        ratings = {criterion["key"]: stars for criterion in criteria_rated(booking.listing, direction)}
        review = review_submit(author=author, booking_id=booking.public_id, overall=stars, ratings=ratings, text=text)
    if len(steps) == 1:
        yield review.window_closes_at + timedelta(minutes=5)
        reviews_reveal_due()
