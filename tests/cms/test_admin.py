"""The page editor (/cms/): the marketplace's admins get in, in the marketplace's colours and name;
everyone else is turned away; nobody gets Wagtail's superuser screens."""

import re

import pytest
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.services import user_set_roles
from cms.access import EDITORS_GROUP
from cms.models import HomePage
from tenants.context import tenant_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _admin(tenant) -> User:
    with tenant_context(tenant):
        return User.objects.get(email=f"admin@{tenant.schema_name}.test")


def _in_editors(tenant, user) -> bool:
    with tenant_context(tenant):
        return user.groups.filter(name=EDITORS_GROUP).exists()


def test_an_admin_edits_pages_in_the_marketplaces_look(tenant_a, web):
    # given
    admin = _admin(tenant_a)

    # when
    dashboard = web(tenant_a, admin).get("/cms/")

    # then
    page = dashboard.content.decode()
    assert dashboard.status_code == 200
    assert "<title>" in page and "Alpha University pages</title>" in page
    assert re.search(r"--w-color-secondary-hue:[\d.]+;--w-color-secondary-saturation:[\d.]+%", page)
    assert 'aria-label="Alpha University"' in page or 'alt="Alpha University"' in page  # the sidebar's logo
    assert "wagtail.org" not in page
    assert _in_editors(tenant_a, admin) and not admin.is_superuser


def test_an_admin_opens_the_home_page_in_the_editor(tenant_a, web):
    # given
    admin = _admin(tenant_a)
    with tenant_context(tenant_a):
        home = HomePage.objects.get()

    # when
    editor = web(tenant_a, admin).get(f"/cms/pages/{home.pk}/edit/")

    # then
    assert editor.status_code == 200
    assert "Study help from students who sat the same exams" in editor.content.decode()


@pytest.mark.parametrize("role", ["is_provider", "is_moderator", "is_client"])
def test_other_members_are_turned_away(tenant_a, web, role):
    # given
    with tenant_context(tenant_a):
        member = UserFactory(email="member@example.org", **{role: True})

    # when
    response = web(tenant_a, member).get("/cms/")
    editor = web(tenant_a, member).get("/cms/pages/")

    # then
    assert response.status_code == editor.status_code == 403
    assert "Only marketplace admins can edit the marketplace&#x27;s pages." in response.content.decode()
    assert not _in_editors(tenant_a, member)


def test_visitors_are_sent_to_the_marketplaces_sign_in(tenant_a, web):
    dashboard = web(tenant_a).get("/cms/")
    wagtail_login = web(tenant_a).get("/cms/login/?next=/cms/pages/")

    assert dashboard.status_code == 302 and dashboard["Location"] == "/accounts/login/?next=/cms/"
    assert wagtail_login.status_code == 302 and wagtail_login["Location"] == "/accounts/login/?next=/cms/pages/"


def test_losing_the_admin_role_closes_the_editor_at_once(tenant_a, web):
    # given an admin who has used the editor, and another admin
    admin = _admin(tenant_a)
    assert web(tenant_a, admin).get("/cms/").status_code == 200
    with tenant_context(tenant_a):
        other = UserFactory(email="second-admin@example.org", is_marketplace_admin=True)

        # when the other admin takes the role away
        user_set_roles(actor=other, user=admin, roles=["client"])

    # then
    assert web(tenant_a, admin).get("/cms/").status_code == 403
    assert not _in_editors(tenant_a, admin)


def test_admins_do_not_get_wagtails_superuser_screens(tenant_a, web):
    browser = web(tenant_a, _admin(tenant_a))

    for path in ("/cms/users/", "/cms/groups/", "/cms/sites/"):
        assert browser.get(path).status_code in (302, 403), path
    with tenant_context(tenant_a):
        assert set(Group.objects.get(name=EDITORS_GROUP).permissions.values_list("codename", flat=True)) >= {
            "access_admin",
            "add_image",
            "choose_document",
        }
        assert not User.objects.filter(is_superuser=True).exists()


def test_the_listing_chooser_offers_only_this_marketplaces_public_listings(tenant_a, tenant_b, market_a, web):
    # when
    at_alpha = web(tenant_a, _admin(tenant_a)).get("/cms/choose/listings/")
    at_beta = web(tenant_b, _admin(tenant_b)).get("/cms/choose/listings/")
    found = web(tenant_a, _admin(tenant_a)).get("/cms/choose/listings/results/", {"q": "coaching 2"})

    # then
    assert at_alpha.status_code == at_beta.status_code == 200
    assert "Calculus coaching 0" in at_alpha.content.decode() and "Tutor Number0" in at_alpha.content.decode()
    assert "Calculus coaching" not in at_beta.content.decode()
    assert "Calculus coaching 2" in found.content.decode() and "Calculus coaching 1" not in found.content.decode()


def test_the_editor_is_not_on_the_platform_host(db):
    from django.test import Client

    assert Client(HTTP_HOST="localhost").get("/cms/").status_code == 404
