"""Each new marketplace's first pages, written for its kind: a university's home page talks about study
help and exams, an agency's about briefs and milestones, a law firm's about consultations and fees.

The template schema every marketplace is cloned from already holds the whole page tree (`cms`
migrations 0002 and 0003): an empty `HomePage` as the Site's root and, unpublished and blank, an about
page and a help centre with four articles. A clone therefore starts with a correct, servable tree,
and the seeder only writes the kind's words into those rows, publishes them, indexes them for search
and points the Site at the marketplace's host. Admins change all of it in the editor.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cms.sites import site_hostname_sync
from tenants.seeding import register_seeder


def _button(label: str, url: str, style: str = "primary") -> dict:
    return {"label": label, "page": None, "url": url, "style": style}


def _hero(*, heading: str, text: str, layout: str, buttons=(), points=(), search: str = "", eyebrow: str = "") -> dict:
    return {
        "type": "hero",
        "value": {
            "eyebrow": eyebrow,
            "heading": heading,
            "text": text,
            "layout": layout,
            "show_search": bool(search),
            "search_placeholder": search,
            "buttons": list(buttons),
            "image": None,
            "points": list(points),
            "show_join": True,
        },
    }


def _section(kind: str, heading: str, intro: str = "", **value) -> dict:
    return {"type": kind, "value": {"heading": heading, "intro": intro, **value}}


def _categories(heading: str, intro: str = "", limit: int = 8) -> dict:
    return _section("category_grid", heading, intro, source="top", categories=[], limit=limit)


def _listings(heading: str, intro: str = "", source: str = "top_rated", limit: int = 3) -> dict:
    return _section("featured_listings", heading, intro, source=source, listings=[], limit=limit)


def _providers(heading: str, intro: str = "", source: str = "top_rated", limit: int = 4) -> dict:
    return _section("featured_providers", heading, intro, source=source, providers=[], limit=limit)


def _testimonials(heading: str, intro: str = "", limit: int = 3) -> dict:
    return _section("testimonials", heading, intro, source="top_rated", reviews=[], limit=limit)


def _steps(heading: str, intro: str, steps: list[tuple[str, str, str]]) -> dict:
    return _section(
        "how_it_works", heading, intro, steps=[{"title": t, "text": x, "icon": icon} for icon, t, x in steps]
    )


def _faq(heading: str, intro: str, pairs: list[tuple[str, str]]) -> dict:
    return _section("faq", heading, intro, items=[{"question": q, "answer": f"<p>{a}</p>"} for q, a in pairs])


def _cta(heading: str, text: str, buttons: list[dict], style: str = "primary") -> dict:
    return {"type": "call_to_action", "value": {"heading": heading, "text": text, "buttons": buttons, "style": style}}


def _text(html: str) -> dict:
    return {"type": "rich_text", "value": html}


# --- a university: study help, exam preparation, student tutors ------------------------------------------
UNIVERSITY = {
    "home": [
        _hero(
            heading="Study help from students who sat the same exams",
            text=(
                "Book a tutor for one-to-one sessions, join an exam-prep study group or get feedback on your "
                "coursework — from fellow students and graduate tutors at your university."
            ),
            layout="banner",
            search="Try “calculus”, “statistics” or “essay feedback”",
            points=["Tutors who passed your course", "Pay after booking, refunds if cancelled", "Online or on campus"],
        ),
        _categories("Find help by subject", "Every tutor has passed the course they teach, most of them this year."),
        _steps(
            "How study help works",
            "From “I’m stuck” to a booked session in a few minutes.",
            [
                ("search", "Search your module", "Look up your course or topic and compare tutors who passed it."),
                ("calendar", "Book a time", "Pick a slot around your lectures; online or on campus."),
                ("check", "Prepare together", "Work through past papers and problem sets with someone who knows."),
                ("star", "Review your tutor", "Your review helps the next student choose well."),
            ],
        ),
        _listings("Popular before exams", "Sessions and study groups students are booking this term.", limit=4),
        _providers("Tutors who sat the same exams", "Top-rated student tutors this term."),
        _testimonials("What students say"),
        _faq(
            "Student questions",
            "",
            [
                (
                    "Who are the tutors?",
                    "Current students and recent graduates of the university who passed the module they teach, "
                    "checked by the student support team before they can take bookings.",
                ),
                (
                    "Is getting a tutor allowed under academic integrity rules?",
                    "Yes. Tutors explain, practise and give feedback; they never write or complete assessed work "
                    "for you. Sessions that break the rules are cancelled and refunded.",
                ),
                (
                    "How much does a session cost?",
                    "Each tutor sets their price, shown on their listing before you book. Study groups share the "
                    "cost between students, so they are the cheapest way to prepare for exams.",
                ),
                (
                    "What if I need to cancel?",
                    "Cancel from your bookings page. Cancelling more than 24 hours before the session gets you a "
                    "full refund.",
                ),
                (
                    "Can I become a tutor?",
                    "If you passed a module with a good grade, apply from the “Offer services” link; the team "
                    "checks your transcript and you can start taking bookings.",
                ),
            ],
        ),
        _cta(
            "Aced a module last year?",
            "Earn money helping other students through the same exams: apply to tutor in a few minutes.",
            [_button("Become a tutor", "/provider/apply/"), _button("How tutoring works", "/help/", "secondary")],
        ),
    ],
    "about": {
        "title": "About student tutoring",
        "intro": "A tutoring marketplace run by the university for its own students.",
        "body": [
            _text(
                "<h2>Why we run it</h2><p>Students learn best from people who recently sat the same exams. This "
                "marketplace puts you in touch with them, with the university’s support team checking every "
                "tutor and every payment held until the session happens.</p><h2>Academic integrity</h2><p>Tutors "
                "teach, explain and give feedback. They do not write essays, complete assignments or sit "
                "assessments for anyone. If you are unsure whether something is allowed, ask your module leader "
                "or read the help centre.</p>"
            ),
            _cta(
                "Need help choosing a tutor?",
                "The student support team answers within one working day.",
                [_button("Visit the help centre", "/help/")],
                "quiet",
            ),
        ],
    },
    "help_intro": "Answers for students booking study help, and for students who tutor.",
    "articles": [
        (
            "Booking sessions",
            "How to book a tutoring session",
            "book-a-session",
            "Find a tutor for your module, choose a time and pay securely.",
            "<p>Search for your module or topic, open a tutor’s listing and choose a package. Free times are "
            "shown in your own time zone. Pay with a card to confirm: the money is held until the session is "
            "over.</p><h2>Study groups</h2><p>Group sessions have a number of seats; each student books and pays "
            "for their own seat.</p>",
        ),
        (
            "Booking sessions",
            "Cancelling or moving a session",
            "cancel-or-reschedule",
            "When you get a refund, and how to move a session to another time.",
            "<p>Open the booking and choose <b>Reschedule</b> to pick another free time, up to 24 hours before "
            "the start. Cancelling more than 24 hours ahead refunds you in full; later cancellations follow the "
            "policy shown on the listing.</p>",
        ),
        (
            "Study integrity",
            "What tutors can and cannot help with",
            "academic-integrity",
            "Tutoring is for learning: explanations, practice and feedback.",
            "<p>Tutors can explain concepts, work through past papers and practice problems, and comment on "
            "drafts you wrote yourself. They cannot write, rewrite or complete work you will submit for "
            "assessment.</p><p>Report anything that crosses the line from the booking page.</p>",
        ),
        (
            "Tutoring",
            "Becoming a tutor",
            "become-a-tutor",
            "Who can tutor, what you need and how you get paid.",
            "<p>Apply from <b>Offer services</b> with a short profile and your transcript. Once approved, "
            "publish a listing for each module you teach, set your availability and connect your bank account "
            "to receive payouts after each session.</p>",
        ),
    ],
}

# --- an agency: projects, portfolio, milestones, briefs ----------------------------------------------
AGENCY = {
    "home": [
        _hero(
            heading="Design, development and marketing from people who ship",
            text=(
                "Share a brief or pick a package. Agree the scope up front, work in milestones, and pay only for "
                "deliveries you approve."
            ),
            layout="split",
            buttons=[_button("Start a project", "/search/"), _button("How projects work", "/help/", "secondary")],
            points=["Fixed quotes before work starts", "Milestone payments held safely", "Vetted studios"],
        ),
        _listings("Packages clients book most", "Clear scope, clear price, a named specialist.", limit=3),
        _categories("What we make", "Brand, product and growth work, from one-off packages to long projects."),
        _steps(
            "From brief to launch",
            "Every project follows the same simple path.",
            [
                ("list", "Share your brief", "Describe the goal, the audience and the deadline; attach what you have."),
                ("chat", "Agree a quote", "Scope, milestones and price up front; counter until it fits."),
                ("briefcase", "Work in milestones", "Each milestone is funded and paid when you approve it."),
                ("star", "Launch", "Ask for changes or accept; the last approval completes the project."),
            ],
        ),
        _providers("Studios and specialists", "The people behind the portfolio.", limit=3),
        _testimonials("Clients on their projects"),
        _cta(
            "Have a project in mind?",
            "Tell us what you need: most briefs get a first quote within two working days.",
            [_button("Start a project", "/search/"), _button("Read the FAQ", "/help/", "secondary")],
            "accent",
        ),
        _faq(
            "Working with us",
            "",
            [
                (
                    "How do milestones work?",
                    "The quote splits the project into milestones. You fund one at a time; the specialist "
                    "delivers, and the payment is released when you approve the delivery.",
                ),
                (
                    "Who owns the work?",
                    "You do, once the milestone that delivers it is paid. Source files are part of every "
                    "delivery unless the quote says otherwise.",
                ),
                (
                    "What if a delivery is not right?",
                    "Ask for changes with a note; the revisions included are listed on each package. If you "
                    "cannot agree, open a dispute and our team mediates.",
                ),
                (
                    "Can I see past work first?",
                    "Every specialist’s profile has a portfolio with links and pictures of recent projects.",
                ),
            ],
        ),
    ],
    "about": {
        "title": "About the studio",
        "intro": "A collective of designers, developers and marketers working with ambitious teams.",
        "body": [
            _text(
                "<h2>How we work</h2><p>Small senior teams, one clear brief, and milestones you approve. Every "
                "specialist here was chosen for their portfolio and how they work with clients.</p><h2>Our "
                "promise</h2><p>You always know what is being made, by whom, by when and for how much. Payments "
                "are held until you approve each delivery.</p>"
            ),
            {
                "type": "quote",
                "value": {
                    "quote": "We would rather ship something small and right than something big and late.",
                    "attribution": "The studio’s first principle",
                },
            },
        ],
    },
    "help_intro": "Everything about briefs, quotes, milestones and deliveries.",
    "articles": [
        (
            "Projects",
            "Writing a good brief",
            "writing-a-brief",
            "What to include so specialists can quote quickly and accurately.",
            "<p>Say what you want to achieve, who it is for, what exists already and when you need it. Attach "
            "examples you like and dislike. A budget range helps specialists suggest the right scope.</p>",
        ),
        (
            "Projects",
            "How milestones work",
            "milestones",
            "Fund, deliver, approve: one milestone at a time.",
            "<p>An accepted quote lists its milestones. Fund the first to start; when the specialist delivers, "
            "approve it to release the payment or ask for changes. Deliveries you do not answer within 7 days "
            "are approved automatically.</p>",
        ),
        (
            "Payments",
            "Payments and escrow",
            "payments",
            "Your money is held until you approve each delivery.",
            "<p>When you fund a milestone, the amount is held safely and only released to the specialist when "
            "you approve their delivery. Refunds for unstarted milestones go back to your card.</p>",
        ),
        (
            "For specialists",
            "Joining as a specialist",
            "join-as-a-specialist",
            "Apply with your portfolio and start quoting on briefs.",
            "<p>Apply from <b>Offer services</b> with your portfolio and the services you offer. Once approved, "
            "publish packages, answer enquiries with quotes and get paid per milestone.</p>",
        ),
    ],
}

# --- a law firm: consultations, confidentiality, practice areas, fees --------------------------------
LAW_FIRM = {
    "home": [
        _hero(
            heading="Clear legal advice, booked in minutes",
            text=(
                "Book a confidential consultation with a qualified solicitor in family, employment, property or "
                "business law. Fixed fees, agreed before you meet."
            ),
            layout="quiet",
            buttons=[
                _button("Book a consultation", "/search/"),
                _button("Fees explained", "/help/fees-and-payment/", "secondary"),
            ],
            points=["Qualified, regulated solicitors", "Fixed fee for a first consultation", "Strictly confidential"],
        ),
        _categories(
            "Practice areas", "Choose the area closest to your matter; we check for conflicts before you meet."
        ),
        _steps(
            "Your first consultation",
            "What happens between booking and advice.",
            [
                ("list", "Choose a practice area", "Pick the consultation that fits your matter and a time."),
                ("shield", "Conflict check", "Tell us who the other parties are so we can confirm we may act."),
                ("calendar", "Meet your solicitor", "In person or by video, with a written summary afterwards."),
                ("check", "Decide next steps", "A clear estimate for further work; nothing starts until you agree."),
            ],
        ),
        _providers("Our solicitors", "Partners and associates with years of practice in their area.", limit=4),
        _text(
            "<h2>Transparent fees</h2><p>Every consultation has a fixed fee shown before you book, paid when you "
            "book and refunded in full if we cannot act for you. For further work you receive a written estimate "
            "first.</p>"
        ),
        _testimonials("Client feedback"),
        _faq(
            "Before you book",
            "",
            [
                (
                    "Is what I tell you confidential?",
                    "Yes. Everything you share is protected by legal professional privilege and our duty of "
                    "confidentiality, including the messages you send through this site.",
                ),
                (
                    "How are fees charged?",
                    "Consultations have a fixed fee paid when you book. Further work is quoted in writing before it "
                    "starts, as a fixed fee or an hourly rate with an estimate.",
                ),
                (
                    "What is a conflict check?",
                    "Before we meet, we confirm that we do not already act for anyone on the other side. That is "
                    "why we ask for the names of the other parties when you book.",
                ),
                (
                    "What should I bring to the consultation?",
                    "Any letters, contracts or court papers about your matter, and a short timeline of what "
                    "happened. You can upload documents in the booking’s conversation.",
                ),
            ],
        ),
        _cta(
            "Not sure which area your matter falls under?",
            "Book a consultation in the closest area: your solicitor will refer you on if needed, at no extra cost.",
            [_button("Book a consultation", "/search/")],
            "quiet",
        ),
    ],
    "about": {
        "title": "About the firm",
        "intro": "A firm of solicitors advising individuals and businesses since 1998.",
        "body": [
            _text(
                "<h2>Our approach</h2><p>Plain language, honest estimates and a named solicitor for every matter. "
                "We only take on work we are confident we can help with, and we tell you at the first "
                "consultation if we are not the right firm.</p><h2>Regulation</h2><p>Our solicitors are "
                "qualified and regulated, and the firm carries professional indemnity insurance.</p>"
            ),
            _cta(
                "Ready to talk?",
                "Book a fixed-fee consultation with the right solicitor for your matter.",
                [_button("Book a consultation", "/search/")],
            ),
        ],
    },
    "help_intro": "What to expect from your consultation, how fees work and how we protect your information.",
    "articles": [
        (
            "Consultations",
            "Preparing for your consultation",
            "preparing-for-your-consultation",
            "What to bring and what to expect.",
            "<p>Bring letters, contracts and court papers, and a short timeline of events. Write down the "
            "questions you most want answered. Your solicitor will explain your options, likely costs and next "
            "steps, and send a written summary afterwards.</p>",
        ),
        (
            "Consultations",
            "Conflict checks explained",
            "conflict-checks",
            "Why we ask for the names of the other parties.",
            "<p>A solicitor may not act against a current client. Before confirming your booking we check the "
            "names you give us against our records. If there is a conflict, your booking is cancelled and "
            "refunded in full.</p>",
        ),
        (
            "Fees",
            "Fees and payment",
            "fees-and-payment",
            "Fixed consultation fees, written estimates for everything else.",
            "<p>The consultation fee is shown on each service and paid when you book. Further work is only "
            "started after you accept a written estimate; larger matters can be paid in stages.</p>",
        ),
        (
            "Confidentiality",
            "How we keep your matter confidential",
            "confidentiality",
            "Privilege, secure messages and who can see your documents.",
            "<p>Only your solicitor and the staff working on your matter can read your messages and documents. "
            "Documents you upload are stored privately and are never shared without your consent.</p>",
        ),
    ],
}

# --- any other marketplace ------------------------------------------------------------------------------
OTHER = {
    "home": [
        _hero(
            heading="Find the right people and book them with confidence",
            text="Compare verified providers, book a time or ask for a quote, and pay safely.",
            layout="banner",
            search="What do you need?",
            points=["Verified providers", "Payments held until the work is done", "Real reviews"],
        ),
        _categories("Browse by category"),
        _steps(
            "How it works",
            "",
            [
                ("search", "Find", "Search and compare providers and their services."),
                ("calendar", "Book", "Choose a time or ask for a quote."),
                ("money", "Pay safely", "Your payment is held until the work is done."),
            ],
        ),
        _listings("Popular right now"),
        _providers("Top providers"),
        _testimonials("What clients say"),
        _cta(
            "Offer your services here",
            "Get verified, publish your services and get paid when the work is done.",
            [_button("Become a provider", "/provider/apply/")],
        ),
    ],
    "about": {
        "title": "About us",
        "intro": "",
        "body": [_text("<p>Tell visitors who runs this marketplace and why.</p>")],
    },
    "help_intro": "Answers to common questions.",
    "articles": [
        (
            "Getting started",
            "How booking works",
            "how-booking-works",
            "Find a service, choose a time and pay.",
            "<p>Open a listing, choose a package and a time, and pay to confirm.</p>",
        ),
        (
            "Getting started",
            "Contacting a provider",
            "contacting-a-provider",
            "Ask a question before you book.",
            "<p>Open a listing and send the provider a message; the conversation continues once you book.</p>",
        ),
        (
            "Payments",
            "Payments and refunds",
            "payments-and-refunds",
            "When you are charged and how refunds work.",
            "<p>Payments are held until the work is done; cancellations follow the policy on each listing.</p>",
        ),
        (
            "Providers",
            "Offering your services",
            "offering-your-services",
            "Apply, get verified and publish your first listing.",
            "<p>Apply from <b>Offer services</b>; once approved, publish listings and set your availability.</p>",
        ),
    ],
}

CONTENT = {"university": UNIVERSITY, "agency": AGENCY, "law_firm": LAW_FIRM, "other": OTHER}
HOME_TITLES = {"university": "Study help", "agency": "Projects", "law_firm": "Legal advice", "other": "Home"}


def _home_body(kind: str, name: str) -> list[dict]:
    body = [dict(block) for block in CONTENT[kind]["home"]]
    body[0] = {"type": "hero", "value": {**body[0]["value"], "eyebrow": f"Welcome to {name}"}}
    return body


PAGE_COLUMNS = (
    "title",
    "draft_title",
    "slug",
    "url_path",
    "live",
    "has_unpublished_changes",
    "first_published_at",
    "last_published_at",
    "owner",
)


def _blank(page) -> bool:
    """A page of the template's skeleton (cms migration 0003) that nobody has published or edited."""
    return not page.live and page.first_published_at is None and page.latest_revision_id is None


def _fill(page, *, parent_url: str, **values) -> None:
    """Write a page's words into its existing rows — one UPDATE for the page, one for its type — with
    no revision, log entry or signal (the caller indexes it for search): the cheap way to publish the
    template's blank pages."""
    from wagtail.models import Page

    if "slug" in values:
        values["url_path"] = f"{parent_url}{values['slug']}/"
    if "title" in values:
        values["draft_title"] = values["title"]
    values.setdefault("has_unpublished_changes", False)
    for name, value in values.items():
        setattr(page, name, value)
    Page.objects.filter(pk=page.pk).update(**{k: v for k, v in values.items() if k in PAGE_COLUMNS})
    own = {k: v for k, v in values.items() if k not in PAGE_COLUMNS}
    if own:
        type(page).objects.filter(pk=page.pk).update(**own)


def _index(pages: list) -> None:
    """Put pages written by `_fill` into the marketplace's search index: one insert per page type."""
    from wagtail.search.backends import get_search_backends

    by_model: dict[type, list] = {}
    for page in pages:
        by_model.setdefault(type(page), []).append(page)
    for backend in get_search_backends(with_auto_update=True):
        for model, objects in by_model.items():
            backend.add_bulk(model, objects)


@transaction.atomic
def cms_seed(*, tenant, admin=None) -> None:
    """Give a marketplace (the current schema) the pages of its kind and point its Site at its host.

    The template's blank pages (an empty home page, an unpublished about page, help centre and
    articles) are filled in place; pages that are missing are created. Safe to run again: a home page
    with content and pages someone published or edited are left as they are."""
    from wagtail.signal_handlers import disable_reference_index_auto_update

    from cms.models import ContentPage, HelpArticlePage, HelpIndexPage, HomePage

    kind = tenant.kind if tenant.kind in CONTENT else "other"
    content = CONTENT[kind]
    now = timezone.now()
    published = {"live": True, "first_published_at": now, "last_published_at": now, "owner": admin}
    home = HomePage.objects.first()
    if home is None:
        return  # a schema without the template's tree; nothing sensible to seed into
    written: list = []
    with disable_reference_index_auto_update():  # seeded pages refer to no other object
        if not home.body:
            _fill(
                home,
                parent_url="/",
                title=HOME_TITLES[kind],
                body=_home_body(kind, tenant.name),
                first_published_at=home.first_published_at or now,
                last_published_at=now,
                owner=admin,
            )
            written.append(home)
        children = {page.slug: page for page in home.get_children().specific()}
        about_text = content["about"]
        about_values = {"title": about_text["title"], "intro": about_text["intro"], "body": about_text["body"]}
        about = children.get("about")
        if about is None:
            home.add_child(instance=ContentPage(slug="about", **about_values, **published))
        elif isinstance(about, ContentPage) and _blank(about):
            _fill(about, parent_url=home.url_path, **about_values, **published)
            written.append(about)
        help_values = {"title": "Help centre", "intro": content["help_intro"]}
        help_index = HelpIndexPage.objects.child_of(home).first()
        if help_index is None:
            help_index = home.add_child(instance=HelpIndexPage(slug="help", **help_values, **published))
        elif _blank(help_index):
            _fill(help_index, parent_url=home.url_path, slug="help", **help_values, **published)
            written.append(help_index)
        blanks = [page for page in HelpArticlePage.objects.child_of(help_index).order_by("path") if _blank(page)]
        if blanks or not HelpArticlePage.objects.child_of(help_index).exists():
            for topic, title, slug, summary, html in content["articles"]:
                values = {"title": title, "slug": slug, "topic": topic, "summary": summary, "body": [_text(html)]}
                if blanks:
                    article = blanks.pop(0)
                    _fill(article, parent_url=help_index.url_path, **values, **published)
                    written.append(article)
                else:
                    help_index.add_child(instance=HelpArticlePage(**values, **published))
            for unused in blanks:  # more blank articles than this kind has
                unused.delete()
    _index(written)
    site_hostname_sync(tenant=tenant)


@register_seeder
def seed_pages(*, tenant, admin) -> None:
    cms_seed(tenant=tenant, admin=admin)
