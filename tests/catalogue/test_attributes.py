import pytest

from marketplace.catalogue.attributes import attribute_values_clean, attribute_values_errors
from marketplace.catalogue.models import AttributeDefinition, Category
from marketplace.catalogue.selectors import category_attribute_definitions
from tenants.context import tenant_context
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_a(api_a):
    token = api_a.post("/api/v1/auth/login/", {"email": "admin@alpha.test", "password": PASSWORD}, format="json")
    return {"HTTP_AUTHORIZATION": f"Token {token.json()['token']}"}


@pytest.fixture
def music(api_a, admin_a):
    return api_a.post("/api/v1/categories/", {"name": "Music"}, format="json", **admin_a).json()


def _define(api, auth, category, **body):
    return api.post(f"/api/v1/categories/{category['id']}/attributes/", body, format="json", **auth)


def test_define_each_type_and_validate_values(api_a, admin_a, music, tenant_a):
    # given
    for body in (
        {
            "key": "instrument",
            "label": "Instrument",
            "type": "choice",
            "choices": ["Piano", "Guitar"],
            "required": True,
            "filterable": True,
        },
        {"key": "styles", "label": "Styles", "type": "multi_choice", "choices": ["Jazz", "Classical"]},
        {
            "key": "experience",
            "label": "Experience",
            "type": "number",
            "unit": "years",
            "min_value": 0,
            "max_value": 60,
        },
        {"key": "bio_note", "label": "Note", "type": "text"},
        {"key": "dbs_checked", "label": "DBS checked", "type": "boolean"},
        {"key": "available_from", "label": "Available from", "type": "date"},
    ):
        assert _define(api_a, admin_a, music, **body).status_code == 201

    with tenant_context(tenant_a):
        definitions = category_attribute_definitions(Category.objects.get(public_id=music["id"]))

        # when / then: good values pass and are normalised
        good = {
            "instrument": "Piano",
            "styles": ["Jazz", "Jazz"],
            "experience": "12",
            "bio_note": "  hi ",
            "dbs_checked": True,
            "available_from": "2026-12-01",
        }
        assert attribute_values_errors(definitions, good) == {}
        assert attribute_values_clean(definitions, good)["styles"] == ["Jazz"]
        assert attribute_values_clean(definitions, good)["experience"] == 12

        # bad values name the attribute
        bad = {
            "instrument": "Drums",
            "styles": ["Rock"],
            "experience": 61,
            "dbs_checked": "yes",
            "available_from": "31/12/2026",
            "colour": "red",
        }
        errors = attribute_values_errors(definitions, bad)
        assert set(errors) == {
            "attributes.instrument",
            "attributes.styles",
            "attributes.experience",
            "attributes.dbs_checked",
            "attributes.available_from",
            "attributes.colour",
        }
        assert errors["attributes.experience"] == ["Use at most 60 years."]
        assert attribute_values_errors(definitions, {}) == {"attributes.instrument": ["Instrument is required."]}


def test_children_inherit_attributes_and_cannot_redefine_a_key(api_a, admin_a, music, tenant_a):
    _define(api_a, admin_a, music, key="instrument", label="Instrument", type="choice", choices=["Piano"])
    piano = api_a.post("/api/v1/categories/", {"name": "Piano", "parent": music["id"]}, format="json", **admin_a).json()

    clash = _define(api_a, admin_a, piano, key="instrument", label="Again", type="text")
    own = _define(api_a, admin_a, piano, key="grade", label="Grade", type="number", min_value=1, max_value=8)

    assert clash.status_code == 400 and "key" in clash.json()["error"]["fields"]
    assert own.status_code == 201
    detail = api_a.get(f"/api/v1/categories/{piano['id']}/").json()
    assert [a["key"] for a in detail["attributes"]] == ["instrument", "grade"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"key": "Bad Key", "label": "X", "type": "text"}, "key"),
        ({"key": "x", "label": "X", "type": "colour"}, "type"),
        ({"key": "x", "label": "X", "type": "choice"}, "choices"),
        ({"key": "x", "label": "X", "type": "choice", "choices": ["a", "a"]}, "choices"),
        ({"key": "x", "label": "X", "type": "text", "choices": ["a"]}, "choices"),
        ({"key": "x", "label": "X", "type": "number", "min_value": 5, "max_value": 1}, "max_value"),
        ({"key": "x", "label": "X", "type": "text", "min_value": 1}, "min_value"),
        ({"key": "x", "label": "", "type": "text"}, "label"),
    ],
)
def test_bad_attribute_definitions_are_refused(api_a, admin_a, music, tenant_a, body, field):
    response = _define(api_a, admin_a, music, **body)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    with tenant_context(tenant_a):
        assert not AttributeDefinition.objects.filter(category__public_id=music["id"]).exists()


def test_key_and_type_never_change_but_other_fields_do(api_a, admin_a, music):
    _define(api_a, admin_a, music, key="level", label="Level", type="choice", choices=["Beginner"])
    url = f"/api/v1/categories/{music['id']}/attributes/level/"

    retyped = api_a.patch(url, {"type": "text"}, format="json", **admin_a)
    extended = api_a.patch(url, {"choices": ["Beginner", "Expert"], "filterable": True}, format="json", **admin_a)
    removed = api_a.delete(url, **admin_a)

    assert retyped.status_code == 400 and "type" in retyped.json()["error"]["fields"]
    assert extended.status_code == 200 and extended.json()["choices"] == ["Beginner", "Expert"]
    assert removed.status_code == 204
    assert api_a.get(f"/api/v1/categories/{music['id']}/").json()["attributes"] == []
