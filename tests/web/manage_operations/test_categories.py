"""Categories and attributes in the admin console: the tree; create, rename, move, archive a category;
its commission override (a percentage) and workflow; its review criteria; its attributes, whose key
and type never change. Refused input is 400 with the reason next to the field and nothing changed."""

import pytest

from marketplace.audit.models import AuditEvent
from marketplace.catalogue.models import AttributeDefinition, Category
from marketplace.configuration.models import MarketplaceSettings
from tenants.context import tenant_context

pytestmark = pytest.mark.django_db


def _category(tenant, slug):
    with tenant_context(tenant):
        return Category.objects.select_related("parent").get(slug=slug)


def test_the_tree_is_nested_with_each_categorys_overrides(tenant_a, admin_page):
    # when
    page = admin_page.get("/manage/categories/")

    # then: roots and their children, nested lists; Study Groups' own workflow and commission
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('<ul class="tree"') >= 5  # the tree and one list per parent
    maths = html.index('data-category="mathematics"')
    assert maths < html.index('data-category="calculus"') < html.index('data-category="computer-science"')
    groups = html[html.index('data-category="study-groups"') :]
    assert "Request to book" in groups[:800] and "5% commission" in groups[:800]


def test_a_category_is_created_inside_another_with_its_commission_as_a_percentage(tenant_a, admin_page):
    # given
    maths = _category(tenant_a, "mathematics")

    # when
    response = admin_page.post(
        "/manage/categories/",
        {"name": "Number Theory", "parent": maths.public_id, "workflow": "request", "commission": "12.5"},
    )

    # then
    created = _category(tenant_a, "number-theory")
    assert response.status_code == 302 and response["Location"] == f"/manage/categories/{created.public_id}/"
    assert (created.parent_id, created.commission_bps, created.workflow) == (maths.pk, 1_250, "request")
    assert created.path == [maths.pk, created.pk]
    page = admin_page.get(response["Location"])
    assert "Category “Number Theory” created." in page.content.decode()


def test_a_commission_outside_0_to_100_percent_is_400_and_nothing_changes(tenant_a, admin_page):
    # given
    maths = _category(tenant_a, "mathematics")
    with tenant_context(tenant_a):
        before = Category.objects.count()

    # when
    too_much = admin_page.post("/manage/categories/", {"name": "Greedy", "commission": "100.5"})
    negative = admin_page.post(
        f"/manage/categories/{maths.public_id}/", {"form": "terms", "commission": "-1", "workflow": ""}
    )

    # then
    assert too_much.status_code == 400 and negative.status_code == 400
    assert "Ensure this value is less than or equal to 100." in too_much.content.decode()
    assert "Ensure this value is greater than or equal to 0." in negative.content.decode()
    with tenant_context(tenant_a):
        assert Category.objects.count() == before
    assert _category(tenant_a, "mathematics").commission_bps is None


def test_a_category_is_renamed_and_moved_with_everything_below_it(tenant_a, admin_page):
    # given
    maths = _category(tenant_a, "mathematics")
    science = _category(tenant_a, "computer-science")
    calculus = _category(tenant_a, "calculus")
    form = {"form": "details", "name": "Mathematics & Logic", "slug": "mathematics", "position": "3"}

    # when: renamed and moved under Computer Science
    response = admin_page.post(f"/manage/categories/{maths.public_id}/", {**form, "parent": science.public_id})

    # then
    moved = _category(tenant_a, "mathematics")
    assert response.status_code == 302
    assert (moved.name, moved.parent_id, moved.position) == ("Mathematics & Logic", science.pk, 3)
    assert _category(tenant_a, "calculus").path == [science.pk, maths.pk, calculus.pk]
    with tenant_context(tenant_a):
        assert AuditEvent.objects.filter(action="category.changed", target_id=maths.public_id).exists()


def test_a_category_cannot_move_under_its_own_child(tenant_a, admin_page):
    # given
    maths = _category(tenant_a, "mathematics")
    calculus = _category(tenant_a, "calculus")

    # when: the form does not offer it; posted anyway
    page = admin_page.get(f"/manage/categories/{maths.public_id}/")
    response = admin_page.post(
        f"/manage/categories/{maths.public_id}/",
        {
            "form": "details",
            "name": "Mathematics",
            "slug": "mathematics",
            "position": "0",
            "parent": calculus.public_id,
        },
    )

    # then
    assert f'value="{calculus.public_id}"' not in page.content.decode().split('name="parent"')[1].split("</select>")[0]
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert _category(tenant_a, "mathematics").parent_id is None


def test_a_workflow_the_marketplace_does_not_allow_is_refused(tenant_a, admin_page):
    # given
    with tenant_context(tenant_a):
        MarketplaceSettings.objects.update(allowed_workflows=["instant", "request"])
    maths = _category(tenant_a, "mathematics")

    # when
    response = admin_page.post(
        f"/manage/categories/{maths.public_id}/", {"form": "terms", "commission": "", "workflow": "quote"}
    )

    # then
    assert response.status_code == 400
    assert _category(tenant_a, "mathematics").workflow == "instant"


def test_archiving_and_restoring_a_category(tenant_a, admin_page):
    spanish = _category(tenant_a, "spanish")

    archived = admin_page.post(f"/manage/categories/{spanish.public_id}/", {"form": "archive"})
    assert archived.status_code == 302 and _category(tenant_a, "spanish").is_active is False
    assert "Archived" in admin_page.get("/manage/categories/").content.decode()

    restored = admin_page.post(f"/manage/categories/{spanish.public_id}/", {"form": "restore"})
    assert restored.status_code == 302 and _category(tenant_a, "spanish").is_active is True


def test_review_criteria_are_set_and_inherited_again(tenant_a, admin_page):
    languages = _category(tenant_a, "languages")

    # when
    saved = admin_page.post(
        f"/manage/categories/{languages.public_id}/",
        {
            "form": "criteria",
            "key_0": "pronunciation",
            "label_0": "Pronunciation",
            "key_1": "patience",
            "label_1": "Patience",
        },
    )
    half = admin_page.post(f"/manage/categories/{languages.public_id}/", {"form": "criteria", "key_0": "clarity"})

    # then
    assert saved.status_code == 302
    assert half.status_code == 400 and "Give the label clients see." in half.content.decode()
    assert _category(tenant_a, "languages").review_criteria == [
        {"key": "pronunciation", "label": "Pronunciation"},
        {"key": "patience", "label": "Patience"},
    ]
    page = admin_page.get(f"/manage/categories/{_category(tenant_a, 'spanish').public_id}/")
    assert "Pronunciation, Patience" in page.content.decode() and "from Languages" in page.content.decode()

    # when: back to inheriting
    admin_page.post(f"/manage/categories/{languages.public_id}/", {"form": "criteria", "inherit": "on"})
    assert _category(tenant_a, "languages").review_criteria is None


def test_an_attribute_is_defined_then_edited_but_its_key_and_type_stay(tenant_a, admin_page):
    # given
    calculus = _category(tenant_a, "calculus")

    # when: a number attribute with a range
    defined = admin_page.post(
        f"/manage/categories/{calculus.public_id}/",
        {
            "form": "attribute",
            "label": "Years teaching",
            "key": "years_teaching",
            "type": "number",
            "unit": "years",
            "min_value": "0",
            "max_value": "50",
            "filterable": "on",
        },
    )

    # then
    assert defined.status_code == 302
    with tenant_context(tenant_a):
        definition = AttributeDefinition.objects.get(category=calculus, key="years_teaching")
    assert (definition.type, definition.unit, definition.filterable) == ("number", "years", True)
    page = admin_page.get(f"/manage/categories/{calculus.public_id}/").content.decode()
    assert "Years teaching" in page and "Level" in page  # its own and Mathematics' (inherited)

    # when: edited; a key or type posted anyway is ignored
    edit_url = f"/manage/categories/{calculus.public_id}/attributes/years_teaching/"
    form_page = admin_page.get(edit_url).content.decode()
    edited = admin_page.post(
        edit_url, {"label": "Years of teaching", "unit": "years", "max_value": "60", "key": "other", "type": "text"}
    )

    # then
    assert "never change" in form_page and 'name="key"' not in form_page
    assert edited.status_code == 302
    with tenant_context(tenant_a):
        definition.refresh_from_db()
    assert (definition.key, definition.type, definition.label, definition.max_value) == (
        "years_teaching",
        "number",
        "Years of teaching",
        60,
    )


def test_a_bad_attribute_is_400_with_the_reason_and_nothing_is_saved(tenant_a, admin_page):
    calculus = _category(tenant_a, "calculus")

    # when: a key Mathematics already uses; a choice without options
    duplicate = admin_page.post(
        f"/manage/categories/{calculus.public_id}/",
        {"form": "attribute", "label": "Level again", "key": "level", "type": "text"},
    )
    no_options = admin_page.post(
        f"/manage/categories/{calculus.public_id}/",
        {"form": "attribute", "label": "Board", "key": "board", "type": "choice"},
    )

    # then
    assert duplicate.status_code == 400
    assert "Already used in this category or a parent category." in duplicate.content.decode()
    assert no_options.status_code == 400
    assert "List at least one option" in no_options.content.decode()
    with tenant_context(tenant_a):
        assert not AttributeDefinition.objects.filter(category=calculus).exists()


def test_an_attribute_is_removed(tenant_a, admin_page):
    groups = _category(tenant_a, "study-groups")

    response = admin_page.post(f"/manage/categories/{groups.public_id}/attributes/group_size/remove/")

    assert response.status_code == 302
    with tenant_context(tenant_a):
        assert not AttributeDefinition.objects.filter(category=groups, key="group_size").exists()


def test_moderators_get_403_and_another_marketplace_sees_nothing(tenant_a, tenant_b, web, moderator_a, admin_b):
    maths = _category(tenant_a, "mathematics")
    moderator = web(tenant_a, moderator_a)
    beta = web(tenant_b, admin_b)

    assert moderator.get("/manage/categories/").status_code == 403
    assert moderator.post("/manage/categories/", {"name": "Sneaky"}).status_code == 403
    assert beta.get(f"/manage/categories/{maths.public_id}/").status_code == 404
    assert beta.post(f"/manage/categories/{maths.public_id}/", {"form": "archive"}).status_code == 404
    assert beta.get(f"/manage/categories/{maths.public_id}/attributes/level/").status_code == 404
    assert "Calculus" not in beta.get("/manage/categories/").content.decode()
    assert _category(tenant_a, "mathematics").is_active
