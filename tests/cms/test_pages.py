"""The marketplace's pages as visitors get them: the home page with live categories, listings,
providers and reviews, content pages and the help centre, drafts kept out of sight, and a constant
number of queries however much there is to show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import ContentPage, HelpArticlePage, HelpIndexPage, HomePage
from marketplace.catalogue.listings import listing_transition
from tenants.context import tenant_context
from tests.cms.conftest import tutoring_market

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _set_hero_heading(home: HomePage, heading: str) -> None:
    data = list(home.body.raw_data)
    data[0] = {**data[0], "value": {**data[0]["value"], "heading": heading}}
    home.body = data


def _all_blocks_home(limit: int) -> None:
    """The current marketplace's home page with every live block, each showing up to `limit` rows."""
    home = HomePage.objects.get()
    data = [block for block in home.body.raw_data if block["type"] not in ("featured_listings", "featured_providers")]
    data += [
        {
            "type": "featured_listings",
            "value": {"heading": "Newest", "intro": "", "source": "newest", "listings": [], "limit": limit},
        },
        {
            "type": "featured_listings",
            "value": {"heading": "Best", "intro": "", "source": "top_rated", "listings": [], "limit": limit},
        },
        {
            "type": "featured_providers",
            "value": {"heading": "Tutors", "intro": "", "source": "newest", "providers": [], "limit": limit},
        },
        {
            "type": "testimonials",
            "value": {"heading": "Said", "intro": "", "source": "top_rated", "reviews": [], "limit": 9},
        },
        {
            "type": "category_grid",
            "value": {"heading": "All", "intro": "", "source": "top", "categories": [], "limit": 24},
        },
    ]
    home.body = data
    home.save_revision().publish()


def test_home_page_shows_live_categories_listings_providers_and_reviews(tenant_a, market_a, web):
    # when a visitor opens alpha's home page
    page = _body(web(tenant_a).get("/"))

    # then the seeded university sections are there, filled with alpha's live data
    assert page.count("<h1") == 1 and "Study help from students who sat the same exams" in page
    assert "Mathematics" in page and "Computer Science" in page and "Calculus · Linear Algebra · Statistics" in page
    assert "Calculus coaching 0" in page and f'href="/listings/{market_a.listings[0].public_id}/"' in page
    assert "Tutor Number0" in page and f'href="/providers/{market_a.listings[0].provider.public_id}/"' in page
    assert "Review 0: explained limits" in page and "Sam S." in page and "Sam Student0" not in page
    assert '<details class="faq-item">' in page and "Who are the tutors?" in page
    assert 'href="/search/?category=' in page and 'action="/search/"' in page
    # and a signed-out visitor learns how to join
    assert "Anyone can join" in page and 'href="/accounts/register/"' in page and 'href="/accounts/login/"' in page


def test_members_are_greeted_instead_of_asked_to_join(tenant_a, web):
    from accounts.models import User

    with tenant_context(tenant_a):
        admin = User.objects.get(email="admin@alpha.test")

    page = _body(web(tenant_a, admin).get("/"))

    assert "You are signed in as admin@alpha.test." in page
    assert 'href="/accounts/register/"' not in page


def test_the_join_policy_is_the_marketplaces_own(tenant_a, web):
    # given alpha only takes students of its university
    tenant_a.join_policy = "email_domain"
    tenant_a.allowed_email_domains = ["alpha.example.edu"]
    tenant_a.save(update_fields=["join_policy", "allowed_email_domains"])

    page = _body(web(tenant_a).get("/"))

    assert "Open to addresses at @alpha.example.edu." in page


def test_what_stops_being_public_leaves_the_home_page(tenant_a, market_a, web):
    # given
    listing = market_a.listings[0]
    with tenant_context(tenant_a):
        listing_transition(user=listing.provider.user, listing=listing, action="pause")

    # when
    page = _body(web(tenant_a).get("/"))

    # then the paused listing is gone, the others stay
    assert "Calculus coaching 0" not in page and "Calculus coaching 1" in page


def test_chosen_listings_show_in_the_chosen_order_and_only_while_public(tenant_a, market_a, web):
    # given the admin chose two listings, the second one first, one of which is then paused
    first, second, third = market_a.listings
    with tenant_context(tenant_a):
        home = HomePage.objects.get()
        data = [b for b in home.body.raw_data if b["type"] != "featured_listings"]
        data.insert(
            1,
            {
                "type": "featured_listings",
                "value": {
                    "heading": "Picked",
                    "intro": "",
                    "source": "chosen",
                    "listings": [third.pk, first.pk, second.pk],
                    "limit": 6,
                },
            },
        )
        home.body = data
        home.save_revision().publish()
        listing_transition(user=second.provider.user, listing=second, action="pause")

    page = _body(web(tenant_a).get("/"))

    assert page.index("Calculus coaching 2") < page.index("Calculus coaching 0")
    assert "Calculus coaching 1" not in page


def test_drafts_are_not_shown_until_published(tenant_a, web):
    # given the admin edits the hero and saves a draft
    with tenant_context(tenant_a):
        home = HomePage.objects.get()
        _set_hero_heading(home, "Exam season is here")
        revision = home.save_revision()

    # then visitors still see the published page
    page = _body(web(tenant_a).get("/"))
    assert "Exam season is here" not in page and "Study help from students who sat the same exams" in page

    # when it is published
    with tenant_context(tenant_a):
        revision.publish()

    # then
    assert "Exam season is here" in _body(web(tenant_a).get("/"))


def test_unpublished_pages_are_not_found(tenant_a, web):
    # given
    with tenant_context(tenant_a):
        ContentPage.objects.get(slug="about").unpublish()
        HelpArticlePage.objects.get(slug="become-a-tutor").unpublish()

    # then
    assert web(tenant_a).get("/about/").status_code == 404
    assert web(tenant_a).get("/help/become-a-tutor/").status_code == 404
    assert "Becoming a tutor" not in _body(web(tenant_a).get("/help/"))


def test_content_pages_and_the_help_centre_are_served(tenant_a, tenant_b, web):
    # when
    about = _body(web(tenant_a).get("/about/"))
    help_index = _body(web(tenant_a).get("/help/"))
    article = _body(web(tenant_a).get("/help/academic-integrity/"))
    agency_help = _body(web(tenant_b).get("/help/"))

    # then
    assert "<h1>About student tutoring</h1>" in about and "Academic integrity" in about
    assert help_index.index("Booking sessions") < help_index.index("Study integrity")
    assert 'href="/help/book-a-session/"' in help_index and 'href="/help/cancel-or-reschedule/"' in help_index
    assert "<h1>What tutors can and cannot help with</h1>" in article and 'aria-label="Breadcrumb"' in article
    assert "Writing a good brief" in agency_help and "Booking sessions" not in agency_help


def test_the_help_centre_searches_its_own_articles(tenant_a, web):
    # when
    found = _body(web(tenant_a).get("/help/", {"q": "refund"}))
    nothing = _body(web(tenant_a).get("/help/", {"q": "submarine"}))

    # then
    assert "Cancelling or moving a session" in found and ("articles match" in found or "article matches" in found)
    assert "Nothing found" in nothing


def test_home_page_queries_do_not_grow_with_the_catalogue(tenant_a, tenant_b, web):
    # given alpha with 3 listings, providers and reviews, beta with 30, both with every live block
    tutoring_market(tenant_a, 3, prefix="Few")
    from marketplace.catalogue.seeds import UNIVERSITY, create_tree

    with tenant_context(tenant_b):
        create_tree(UNIVERSITY[:1])  # beta is an agency: give it the calculus category too
    tutoring_market(tenant_b, 30, prefix="Many")
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            _all_blocks_home(limit=12)
    web(tenant_a).get("/")  # warm the per-process caches (look, site root paths) of both
    web(tenant_b).get("/")

    # when
    counts = {}
    for tenant in (tenant_a, tenant_b):
        with CaptureQueriesContext(connection) as queries:
            page = _body(web(tenant).get("/"))
        counts[tenant.schema_name] = len(queries)

    # then the many rows did show, for the same number of queries
    assert "Many 29" in page and "Many 18" in page and "Review 28" in page
    assert counts["alpha"] == counts["beta"], counts
    assert counts["beta"] <= 30, counts


def test_the_other_marketplace_sees_none_of_it(tenant_a, tenant_b, market_a, web):
    # given a page only alpha has
    with tenant_context(tenant_a):
        home = HomePage.objects.get()
        home.add_child(instance=ContentPage(title="Alpha exam timetable", slug="exam-timetable"))

    # when
    beta_home = _body(web(tenant_b).get("/"))

    # then
    assert web(tenant_a).get("/exam-timetable/").status_code == 200
    assert web(tenant_b).get("/exam-timetable/").status_code == 404
    assert "Calculus coaching" not in beta_home and "Tutor Number" not in beta_home and "Review 0" not in beta_home
    assert "Alpha University" not in beta_home and "Welcome to Beta Agency" in beta_home
    with tenant_context(tenant_b):
        assert not HelpIndexPage.objects.filter(title__icontains="alpha").exists()
