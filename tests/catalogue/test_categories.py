import pytest

from marketplace.audit.models import AuditEvent
from marketplace.catalogue.models import Category
from marketplace.catalogue.selectors import category_descendant_ids
from tenants.context import tenant_context
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_a(api_a):
    token = api_a.post("/api/v1/auth/login/", {"email": "admin@alpha.test", "password": PASSWORD}, format="json")
    return {"HTTP_AUTHORIZATION": f"Token {token.json()['token']}"}


def _create(api, auth, **body):
    response = api.post("/api/v1/categories/", body, format="json", **auth)
    assert response.status_code == 201, response.content
    return response.json()


def test_seeded_tree_for_a_university(api_a):
    listed = api_a.get("/api/v1/categories/?page_size=100").json()

    names = [c["name"] for c in listed["results"]]
    assert "Mathematics" in names and "Calculus" in names and "Study Groups" in names
    calculus = next(c for c in listed["results"] if c["name"] == "Calculus")
    detail = api_a.get(f"/api/v1/categories/{calculus['id']}/").json()
    assert detail["depth"] == 1
    assert detail["effective_workflow"] == "instant"  # inherited from Mathematics
    assert [a["key"] for a in detail["attributes"]] == ["level", "format"]  # inherited attributes


def test_each_kind_gets_its_own_tree(api_b):
    names = [c["name"] for c in api_b.get("/api/v1/categories/?page_size=100").json()["results"]]

    assert "Development" in names and "Brand Identity" in names
    assert "Mathematics" not in names


def test_commission_resolves_from_the_nearest_ancestor(api_a, admin_a):
    # given: root sets 15%, child inherits, grandchild sets 5%
    root = _create(api_a, admin_a, name="Music", commission_bps=1500)
    child = _create(api_a, admin_a, name="Piano", parent=root["id"])
    grandchild = _create(api_a, admin_a, name="Jazz Piano", parent=child["id"], commission_bps=500)
    plain = _create(api_a, admin_a, name="Misc")

    def effective(category):
        return api_a.get(f"/api/v1/categories/{category['id']}/").json()["effective_commission_bps"]

    assert (effective(root), effective(child), effective(grandchild), effective(plain)) == (1500, 1500, 500, 1000)


def test_moving_a_category_moves_its_subtree_and_refuses_cycles(api_a, admin_a, tenant_a):
    # given
    a = _create(api_a, admin_a, name="Arts")
    b = _create(api_a, admin_a, name="Painting", parent=a["id"])
    c = _create(api_a, admin_a, name="Watercolour", parent=b["id"])
    d = _create(api_a, admin_a, name="Crafts")

    # when
    moved = api_a.patch(f"/api/v1/categories/{b['id']}/", {"parent": d["id"]}, format="json", **admin_a)
    cycle = api_a.patch(f"/api/v1/categories/{d['id']}/", {"parent": c["id"]}, format="json", **admin_a)

    # then
    assert moved.status_code == 200 and moved.json()["parent"] == d["id"]
    assert cycle.status_code == 409 and cycle.json()["error"]["code"] == "category_cycle"
    with tenant_context(tenant_a):
        crafts, painting, watercolour = (Category.objects.get(public_id=x["id"]) for x in (d, b, c))
        assert watercolour.path == [crafts.pk, painting.pk, watercolour.pk]
        assert set(category_descendant_ids(crafts)) == {crafts.pk, painting.pk, watercolour.pk}
        assert crafts.parent_id is None
        assert AuditEvent.objects.filter(action="category.changed", target_id=b["id"]).count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": ""}, "name"),
        ({"name": "X", "commission_bps": 20000}, "commission_bps"),
        ({"name": "X", "workflow": "teleport"}, "workflow"),
        ({"name": "X", "slug": "Not A Slug"}, "slug"),
        ({"name": "X", "parent": "cat_doesnotexist"}, "parent"),
        ({"name": "X", "position": -1}, "position"),
        ({"name": "X", "colour": "red"}, "colour"),
    ],
)
def test_bad_category_input_names_the_field_and_creates_nothing(api_a, admin_a, tenant_a, body, field):
    with tenant_context(tenant_a):
        before = Category.objects.count()

    response = api_a.post("/api/v1/categories/", body, format="json", **admin_a)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    with tenant_context(tenant_a):
        assert Category.objects.count() == before


def test_workflow_must_be_allowed_by_the_marketplace(api_a, admin_a):
    api_a.patch("/api/v1/marketplace/settings/", {"allowed_workflows": ["instant"]}, format="json", **admin_a)

    response = api_a.post(
        "/api/v1/categories/", {"name": "Projects", "workflow": "milestone"}, format="json", **admin_a
    )

    assert response.status_code == 400
    assert "instant" in response.json()["error"]["fields"]["workflow"][0]


def test_duplicate_slug_is_a_field_error(api_a, admin_a):
    _create(api_a, admin_a, name="Chess", slug="chess")

    response = api_a.post("/api/v1/categories/", {"name": "Chess 2", "slug": "chess"}, format="json", **admin_a)

    assert response.status_code == 400 and "slug" in response.json()["error"]["fields"]


def test_only_admins_change_the_tree_and_inactive_categories_are_hidden(api_a, admin_a, tenant_a):
    with tenant_context(tenant_a):
        UserFactory(email="client@example.org")
    token = api_a.post("/api/v1/auth/login/", {"email": "client@example.org", "password": PASSWORD}, format="json")
    client = {"HTTP_AUTHORIZATION": f"Token {token.json()['token']}"}
    hidden = _create(api_a, admin_a, name="Hidden Topic", is_active=False)

    created = api_a.post("/api/v1/categories/", {"name": "Nope"}, format="json", **client)
    anonymous = api_a.post("/api/v1/categories/", {"name": "Nope"}, format="json")
    public_names = [c["name"] for c in api_a.get("/api/v1/categories/?page_size=100").json()["results"]]
    admin_names = [c["name"] for c in api_a.get("/api/v1/categories/?page_size=100", **admin_a).json()["results"]]

    assert created.status_code == 403 and anonymous.status_code == 403
    assert "Hidden Topic" not in public_names and "Hidden Topic" in admin_names
    assert api_a.get(f"/api/v1/categories/{hidden['id']}/").status_code == 404
    with tenant_context(tenant_a):
        assert not Category.objects.filter(name="Nope").exists()


def test_categories_are_per_marketplace(api_a, api_b, admin_a):
    created = _create(api_a, admin_a, name="Only At Alpha")

    assert api_b.get(f"/api/v1/categories/{created['id']}/").status_code == 404
    assert "Only At Alpha" not in [c["name"] for c in api_b.get("/api/v1/categories/?page_size=100").json()["results"]]
