"""The search page: results as cards, the category tree, location and attribute filters with facet
counts, typo correction, sorting, pagination, the htmx partial and bad input."""

import pytest

from marketplace.catalogue.models import Category
from tenants.context import tenant_context
from tests.web.discovery.conftest import make_listing, make_provider

pytestmark = pytest.mark.django_db


def test_search_shows_listing_cards_with_category_and_location_facets(web, tenant_a, tutoring, statistics):
    # when
    page = web(tenant_a).get("/search/")

    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "Calculus exam coaching" in html and "Statistics for beginners" in html
    assert "2 results" in html
    assert 'name="category" value="' in html and "Mathematics" in html  # the tree, with counts
    assert 'id="location-online"' in html
    assert "Tess Tutor" in html and "Verified" in html  # provider name and badge on the card
    assert "60.00 GBP" in html or "60.00 USD" in html  # the "from" price


def test_choosing_a_category_shows_its_attribute_filters_with_counts(web, tenant_a, tutoring, statistics):
    # given
    with tenant_context(tenant_a):
        calculus = Category.objects.get(slug="calculus").public_id

    # when
    page = web(tenant_a).get(f"/search/?category={calculus}")

    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 result" in html and "Calculus exam coaching" in html and "Statistics for beginners" not in html
    assert 'name="attr.level"' in html and '>Advanced <span class="facet-count">1' in html
    assert '>Introductory <span class="facet-count">0' in html


def test_attribute_filter_and_price_range_narrow_the_results(web, tenant_a, tutoring, statistics):
    # given
    with tenant_context(tenant_a):
        maths = Category.objects.get(slug="mathematics").public_id
    client = web(tenant_a)

    # when
    introductory = client.get(f"/search/?category={maths}&attr.level=Introductory").content.decode()
    cheap = client.get("/search/?price_max=35").content.decode()

    # then
    assert "Statistics for beginners" in introductory and "Calculus exam coaching" not in introductory
    assert "Statistics for beginners" in cheap and "Calculus exam coaching" not in cheap


def test_a_typo_is_corrected_and_said_so(web, tenant_a, tutoring):
    # when
    page = web(tenant_a).get("/search/?q=calculsu")

    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "Showing results for" in html and "Calculus exam coaching" in html


def test_sorting_by_price(web, tenant_a, tutoring, statistics):
    # when
    cheapest_first = web(tenant_a).get("/search/?sort=price_asc").content.decode()
    dearest_first = web(tenant_a).get("/search/?sort=price_desc").content.decode()

    # then
    assert cheapest_first.index("Statistics for beginners") < cheapest_first.index("Calculus exam coaching")
    assert dearest_first.index("Calculus exam coaching") < dearest_first.index("Statistics for beginners")


def test_results_are_paginated(web, tenant_a, tutoring):
    # given: 13 more listings, 12 per page
    with tenant_context(tenant_a):
        pat = make_provider("many@example.org", "Pat Prolific")
        for n in range(13):
            make_listing(
                pat,
                "statistics",
                title=f"Revision session {n}",
                attributes={"level": "Intermediate", "format": "Online"},
                packages=[{"name": "Hour", "price": 2000 + n, "duration_minutes": 60}],
            )

    # when
    first = web(tenant_a).get("/search/?sort=price_asc").content.decode()
    second = web(tenant_a).get("/search/?sort=price_asc&page=2").content.decode()

    # then
    assert "Page 1 of 2" in first and "Revision session 0" in first and "Calculus exam coaching" not in first
    assert "Page 2 of 2" in second and "Calculus exam coaching" in second and 'rel="prev"' in second


def test_an_htmx_request_gets_only_the_filters_and_results(web, tenant_a, tutoring):
    # when
    page = web(tenant_a).get("/search/?q=calculus", HTTP_HX_REQUEST="true")

    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "<html" not in html and "<title>" in html
    assert "Calculus exam coaching" in html and 'class="search-filters"' in html
    assert "HX-Request" in page["Vary"]


def test_the_full_page_works_without_javascript_as_a_get_form(web, tenant_a, tutoring):
    # when
    html = web(tenant_a).get("/search/").content.decode()

    # then: a plain GET form to /search/, with htmx attributes on top
    assert 'method="get" action="/search/"' in html
    assert 'hx-push-url="true"' in html and 'hx-indicator="#search-progress"' in html


def test_nothing_found_shows_a_helpful_empty_state(web, tenant_a, tutoring):
    # when
    page = web(tenant_a).get("/search/?q=xylophone")

    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "0 results" in html and "Nothing matches" in html and "Clear search and filters" in html


@pytest.mark.parametrize(
    "query", ["price_min=abc", "price_min=50&price_max=10", "category=cat_nope", "sort=cheapest", "level=legend"]
)
def test_bad_filters_answer_400_with_the_form_and_the_error(web, tenant_a, tutoring, query):
    # when
    page = web(tenant_a).get(f"/search/?{query}")

    # then
    html = page.content.decode()
    assert page.status_code == 400
    assert 'id="search-form"' in html and "field-errors" in html or "alert-error" in html
    assert "Calculus exam coaching" not in html


def test_an_unknown_option_of_an_attribute_is_refused(web, tenant_a, tutoring):
    # given
    with tenant_context(tenant_a):
        calculus = Category.objects.get(slug="calculus").public_id

    # when
    page = web(tenant_a).get(f"/search/?category={calculus}&attr.level=Wizard")

    # then
    assert page.status_code == 400
    assert "Level has no option" in page.content.decode()


def test_autocomplete_suggests_categories_and_skills(web, tenant_a, tutoring):
    # when
    page = web(tenant_a).get("/search/suggest/?q=Calc")

    # then
    assert page.status_code == 200
    assert '<option value="Calculus">' in page.content.decode()


def test_another_marketplace_sees_none_of_alphas_listings(web, tenant_b, tutoring):
    # when
    html = web(tenant_b).get("/search/?q=calculus").content.decode()
    everything = web(tenant_b).get("/search/").content.decode()

    # then
    assert "Calculus exam coaching" not in html and "Calculus exam coaching" not in everything
