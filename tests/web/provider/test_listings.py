"""Listings on the provider dashboard: created with packages and the category's attributes as typed
fields, prices typed as decimals and stored in minor units, every service error next to its field
with nothing saved, lifecycle actions (a refused one shown with what is allowed), pictures."""

import pytest

from marketplace.catalogue.listings import listing_create
from marketplace.catalogue.models import Category, Listing, ListingImage
from tenants.context import tenant_context
from tests.web.provider.conftest import make_provider, png_bytes, upload

pytestmark = pytest.mark.django_db


def _category(tenant, slug="web-applications") -> str:
    with tenant_context(tenant):
        return Category.objects.get(slug=slug).public_id


def _form(category, **extra):
    data = {
        "title": "Django web application, end to end",
        "description": "From the data model to deployment, with tests, CI and documentation.",
        "category": category,
        "pricing_model": "fixed",
        "location_type": "online",
        "address": "",
        "attr_tech_stack": ["Python", "JavaScript"],
        "attr_years_experience": "12",
        "packages-TOTAL_FORMS": "2",
        "packages-INITIAL_FORMS": "0",
        "packages-MIN_NUM_FORMS": "0",
        "packages-MAX_NUM_FORMS": "5",
        "packages-0-name": "MVP",
        "packages-0-price": "8000.50",
        "packages-0-delivery_days": "30",
        "packages-1-name": "MVP + support",
        "packages-1-price": "14000",
        "packages-1-delivery_days": "45",
        "packages-1-description": "Six months of fixes and small features.",
        "add_ons-TOTAL_FORMS": "1",
        "add_ons-INITIAL_FORMS": "0",
        "add_ons-MIN_NUM_FORMS": "0",
        "add_ons-MAX_NUM_FORMS": "10",
        "add_ons-0-name": "Extra week of support",
        "add_ons-0-price": "750",
        "add_ons-0-extra_days": "7",
    }
    data.update(extra)
    return data


def test_the_new_listing_form_shows_the_categorys_attributes_as_typed_fields(tenant_b, provider_b, web):
    category = _category(tenant_b)

    page = web(tenant_b, provider_b).get(f"/provider/listings/new/?category={category}").content.decode()

    assert 'name="attr_tech_stack"' in page and 'type="checkbox"' in page
    assert 'name="attr_years_experience"' in page and 'type="number"' in page and 'max="50"' in page
    assert "Web Applications" in page and "packages-TOTAL_FORMS" in page


def test_a_listing_is_created_with_packages_and_attributes_and_submitted(tenant_b, provider_b, web):
    # given
    browser = web(tenant_b, provider_b)
    category = _category(tenant_b)

    # when
    created = browser.post("/provider/listings/new/", _form(category))

    # then
    assert created.status_code == 302, created.content.decode()[:3000]
    with tenant_context(tenant_b):
        listing = Listing.objects.get(provider__user=provider_b)
        assert listing.status == "draft"
        assert listing.attributes == {"tech_stack": ["Python", "JavaScript"], "years_experience": 12}
        assert [(p.name, p.price, p.delivery_days) for p in listing.packages.all()] == [
            ("MVP", 800050, 30),
            ("MVP + support", 1400000, 45),
        ]
        assert [(a.name, a.price, a.extra_days) for a in listing.add_ons.all()] == [("Extra week of support", 75000, 7)]
    assert created["Location"] == f"/provider/listings/{listing.public_id}/"

    # when
    submitted = browser.post(f"/provider/listings/{listing.public_id}/action/", {"action": "submit"})

    # then
    assert submitted.status_code == 302
    with tenant_context(tenant_b):
        listing.refresh_from_db()
        assert listing.status == "active"
    page = browser.get("/provider/listings/").content.decode()
    assert "Active" in page and f"/listings/{listing.public_id}/" in page


def test_an_attribute_error_is_shown_next_to_its_field_and_nothing_is_saved(tenant_b, provider_b, web):
    # when
    response = web(tenant_b, provider_b).post(
        "/provider/listings/new/", _form(_category(tenant_b), attr_years_experience="80")
    )

    # then
    assert response.status_code == 400
    page = response.content.decode()
    errors_at = page.index('id="id_attr_years_experience_errors"')
    assert "Use at most 50 years." in page[errors_at : errors_at + 200]
    with tenant_context(tenant_b):
        assert not Listing.objects.exists()


def test_a_missing_required_attribute_and_a_package_price_are_named_where_they_belong(tenant_b, provider_b, web):
    data = _form(_category(tenant_b), **{"packages-1-price": "0"})
    data.pop("attr_tech_stack")

    response = web(tenant_b, provider_b).post("/provider/listings/new/", data)

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_attr_tech_stack_errors"' in page and "Technology is required." in page
    assert 'id="id_packages-1-price_errors"' in page
    with tenant_context(tenant_b):
        assert not Listing.objects.exists()


def test_editing_keeps_the_packages_and_replaces_what_changed(tenant_b, provider_b, web):
    # given
    browser = web(tenant_b, provider_b)
    browser.post("/provider/listings/new/", _form(_category(tenant_b)))
    with tenant_context(tenant_b):
        listing = Listing.objects.get(provider__user=provider_b)
    form = browser.get(f"/provider/listings/{listing.public_id}/").content.decode()
    assert 'value="8000.50"' in form and 'value="MVP + support"' in form

    # when: the first package is renamed, the second removed
    data = _form(
        _category(tenant_b),
        **{
            "packages-INITIAL_FORMS": "2",
            "packages-TOTAL_FORMS": "3",
            "packages-0-name": "Prototype",
            "packages-1-DELETE": "on",
            "add_ons-INITIAL_FORMS": "1",
        },
    )
    response = browser.post(f"/provider/listings/{listing.public_id}/", data)

    # then
    assert response.status_code == 302
    with tenant_context(tenant_b):
        assert list(listing.packages.values_list("name", "price")) == [("Prototype", 800050)]


def test_adding_a_package_row_saves_nothing(tenant_b, provider_b, web):
    response = web(tenant_b, provider_b).post(
        "/provider/listings/new/", _form(_category(tenant_b), add_package="1", title="")
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="packages-2-name"' in page
    assert 'id="id_title_errors"' not in page
    with tenant_context(tenant_b):
        assert not Listing.objects.exists()


def test_a_refused_action_is_shown_with_the_actions_allowed(tenant_b, provider_b, web):
    # given: a draft
    browser = web(tenant_b, provider_b)
    browser.post("/provider/listings/new/", _form(_category(tenant_b)))
    with tenant_context(tenant_b):
        listing = Listing.objects.get(provider__user=provider_b)

    # when
    response = browser.post(f"/provider/listings/{listing.public_id}/action/", {"action": "pause"}, follow=True)

    # then
    page = response.content.decode()
    assert "That cannot be done now. Allowed: Submit, Archive." in page
    with tenant_context(tenant_b):
        listing.refresh_from_db()
        assert listing.status == "draft"


def test_a_provider_waiting_for_approval_cannot_publish_and_is_told_why(tenant_b, web):
    pending = make_provider(tenant_b, email="waiting@example.org", status="pending")
    browser = web(tenant_b, pending)
    browser.post("/provider/listings/new/", _form(_category(tenant_b)))
    with tenant_context(tenant_b):
        listing = Listing.objects.get(provider__user=pending)

    page = browser.post(f"/provider/listings/{listing.public_id}/action/", {"action": "submit"}, follow=True)

    assert "must be approved before you publish" in page.content.decode()
    with tenant_context(tenant_b):
        listing.refresh_from_db()
        assert listing.status == "draft"


def test_pictures_are_uploaded_and_removed(tenant_b, provider_b, web):
    # given
    browser = web(tenant_b, provider_b)
    browser.post("/provider/listings/new/", _form(_category(tenant_b)))
    with tenant_context(tenant_b):
        listing = Listing.objects.get(provider__user=provider_b)

    # when
    added = browser.post(
        f"/provider/listings/{listing.public_id}/images/", {"file": upload("p.png", png_bytes(), "image/png")}
    )

    # then
    assert added.status_code == 302
    with tenant_context(tenant_b):
        image = ListingImage.objects.get(listing=listing)
    fragment = browser.get(f"/provider/listings/{listing.public_id}/images/").content.decode()
    assert "Making the thumbnail" in fragment and 'hx-trigger="every 2s"' in fragment

    # when
    removed = browser.post(f"/provider/listings/{listing.public_id}/images/{image.public_id}/remove/")

    # then
    assert removed.status_code == 302
    with tenant_context(tenant_b):
        assert not ListingImage.objects.filter(listing=listing).exists()


def test_a_file_that_is_not_a_picture_is_refused_next_to_the_upload(tenant_b, provider_b, web):
    browser = web(tenant_b, provider_b)
    browser.post("/provider/listings/new/", _form(_category(tenant_b)))
    with tenant_context(tenant_b):
        listing = Listing.objects.get(provider__user=provider_b)

    response = browser.post(
        f"/provider/listings/{listing.public_id}/images/", {"file": upload("p.png", b"#!/bin/sh\necho hi", "image/png")}
    )

    assert response.status_code == 400
    assert 'id="id_file_errors"' in response.content.decode()
    with tenant_context(tenant_b):
        assert not ListingImage.objects.exists()


def test_another_providers_or_marketplaces_listing_is_not_found(tenant_a, tenant_b, provider_b, web):
    # given: a listing at alpha
    owner = make_provider(tenant_a, email="alpha-owner@example.org")
    with tenant_context(tenant_a):
        listing = listing_create(
            user=owner,
            category=Category.objects.get(slug="calculus").public_id,
            title="Calculus sessions",
            description="Sessions planned around your course and your questions.",
            attributes={"level": "Advanced", "format": "Online"},
            packages=[{"name": "Hour", "price": 6000, "duration_minutes": 60}],
        )

    # when / then
    browser = web(tenant_b, provider_b)
    assert browser.get(f"/provider/listings/{listing.public_id}/").status_code == 404
    assert browser.post(f"/provider/listings/{listing.public_id}/action/", {"action": "archive"}).status_code == 404
    assert listing.title not in browser.get("/provider/listings/").content.decode()
    with tenant_context(tenant_a):
        listing.refresh_from_db()
        assert listing.status == "draft"
