"""Every new marketplace gets pages written for its kind, a servable page tree and its own Site."""

import pytest
from wagtail.models import Page, Site

from cms.models import ContentPage, HelpArticlePage, HelpIndexPage, HomePage
from cms.seeds import cms_seed
from tenants.context import tenant_context
from tenants.services import tenant_provision

pytestmark = pytest.mark.django_db


def _pages(tenant) -> dict:
    with tenant_context(tenant):
        home = HomePage.objects.get()
        body = list(home.body)
        return {
            "home": home.title,
            "hero": body[0].value["heading"],
            "eyebrow": body[0].value["eyebrow"],
            "blocks": [block.block_type for block in body],
            "text": str(home.body.raw_data),
            "about": ContentPage.objects.get(slug="about").title,
            "help": HelpIndexPage.objects.get().url_path,
            "articles": list(HelpArticlePage.objects.order_by("path").values_list("title", flat=True)),
            "topics": set(HelpArticlePage.objects.values_list("topic", flat=True)),
            "site_root": Site.objects.get().root_page.specific_class,
        }


def test_each_kind_of_marketplace_reads_like_its_kind(tenant_a, tenant_b):
    # given alpha (a university) and beta (an agency) from the session, and a law firm made now
    firm = tenant_provision(name="Gamma Legal", slug="gamma-legal", kind="law_firm", admin_email="admin@gamma.test")

    # when
    uni, agency, law = _pages(tenant_a), _pages(tenant_b), _pages(firm)

    # then every page tree is complete and servable
    for pages, name in ((uni, "Alpha University"), (agency, "Beta Agency"), (law, "Gamma Legal")):
        assert pages["blocks"][0] == "hero" and pages["eyebrow"] == f"Welcome to {name}"
        assert pages["help"] == "/home/help/" and len(pages["articles"]) >= 3
        assert pages["site_root"] is HomePage
    # and the words are the kind's own
    assert "exams" in uni["hero"] and "tutor" in uni["text"] and "Student questions" in uni["text"]
    assert "Booking sessions" in uni["topics"] and "What tutors can and cannot help with" in uni["articles"]
    assert "ship" in agency["hero"] and "milestone" in agency["text"] and "brief" in agency["text"]
    assert "How milestones work" in agency["articles"] and "portfolio" in agency["text"]
    assert "legal advice" in law["hero"] and "consultation" in law["text"] and "Practice areas" in law["text"]
    assert "confidential" in law["text"] and "fees" in law["text"].lower()
    assert {"Fees", "Confidentiality"} <= law["topics"] and "Conflict checks explained" in law["articles"]
    assert len({uni["hero"], agency["hero"], law["hero"]}) == 3
    assert uni["blocks"] != agency["blocks"] != law["blocks"]
    assert "Projects" in agency["topics"] and "Projects" not in uni["topics"]
    assert (uni["about"], agency["about"], law["about"]) == (
        "About student tutoring",
        "About the studio",
        "About the firm",
    )


def test_the_site_answers_at_the_marketplace_host_after_provisioning(settings):
    # given
    settings.PUBLIC_PORT = "8000"

    # when
    firm = tenant_provision(name="Delta Law", slug="delta-law", kind="law_firm", admin_email="admin@delta.test")

    # then
    with tenant_context(firm):
        site = Site.objects.get()
        assert (site.hostname, site.port, site.is_default_site) == ("delta-law.localhost", 8000, True)
        assert HomePage.objects.get().full_url == "http://delta-law.localhost:8000/"
        assert HelpIndexPage.objects.get().full_url == "http://delta-law.localhost:8000/help/"


def test_seeding_again_keeps_what_admins_changed(tenant_a):
    # given an admin changed the home page and removed an article
    with tenant_context(tenant_a):
        home = HomePage.objects.get()
        home.title = "Our tutoring"
        home.save()
        HelpArticlePage.objects.get(slug="become-a-tutor").delete()
        pages_before = Page.objects.count()

        # when
        cms_seed(tenant=tenant_a)

        # then nothing was added or overwritten
        assert HomePage.objects.get().title == "Our tutoring"
        assert Page.objects.count() == pages_before
        assert not HelpArticlePage.objects.filter(slug="become-a-tutor").exists()


def test_the_template_holds_the_page_tree_blank_and_unpublished(db):
    from django.conf import settings

    from tenants.models import Tenant

    # given the template schema every marketplace is cloned from
    template = Tenant.objects.get(schema_name=settings.TENANT_TEMPLATE_SCHEMA)

    # then it holds the whole tree: an empty home page (the Site's root), and below it an about page
    # and a help centre with four articles, none of them published or indexed
    with tenant_context(template):
        home = HomePage.objects.get()
        assert not home.body and Site.objects.get().root_page_id == home.pk
        below = Page.objects.descendant_of(home).specific()
        assert sorted(type(page).__name__ for page in below) == [
            "ContentPage",
            *["HelpArticlePage"] * 4,
            "HelpIndexPage",
        ]
        assert not any(page.live for page in below)
        assert not Page.objects.live().search("help")


def test_seeding_publishes_the_blank_pages_in_place_and_indexes_them(tenant_b):
    # given beta was cloned from the template and seeded
    with tenant_context(tenant_b):
        # then the template's rows became its pages (no page was added), live and searchable
        assert Page.objects.count() == 8 and not Page.objects.not_live().exists()
        assert HelpArticlePage.objects.get(slug="milestones").url_path == "/home/help/milestones/"
        assert [page.title for page in Page.objects.live().search("milestone")][:1] == ["How milestones work"]
        assert not HelpArticlePage.objects.filter(slug__startswith="article-").exists()


def test_the_seed_pages_command_fills_an_empty_home_page(tenant_a, capsys):
    from django.core.management import CommandError, call_command

    # given a marketplace whose home page is still empty (made before content pages existed)
    with tenant_context(tenant_a):
        home = HomePage.objects.get()
        home.body = []
        home.save()

    # when
    call_command("seed_pages", "alpha")

    # then
    with tenant_context(tenant_a):
        assert HomePage.objects.get().body[0].value["heading"] == "Study help from students who sat the same exams"
    assert "pages of alpha ready" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no marketplace 'nowhere'"):
        call_command("seed_pages", "nowhere")
