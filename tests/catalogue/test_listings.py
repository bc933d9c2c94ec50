import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.catalogue.models import Category, Listing
from marketplace.providers.models import ProviderProfile
from tenants.context import tenant_context
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _auth(api, email):
    token = api.post("/api/v1/auth/login/", {"email": email, "password": PASSWORD}, format="json").json()["token"]
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


def _provider(tenant, email, status="approved"):
    with tenant_context(tenant):
        user = UserFactory(email=email, is_provider=True, full_name="Pat Provider")
        ProviderProfile.objects.create(user=user, headline="Experienced calculus tutor", status=status)


@pytest.fixture
def calculus(tenant_a):
    with tenant_context(tenant_a):
        return Category.objects.get(slug="calculus").public_id


def _body(category, /, **extra):
    body = {
        "category": category,
        "title": "Calculus I exam preparation",
        "description": "One-to-one sessions on limits, derivatives and integrals, with past papers.",
        "attributes": {"level": "Introductory", "format": "Online"},
        "pricing_model": "session",
        "packages": [
            {"name": "Single session", "price": 4500, "duration_minutes": 60, "includes": ["Worked examples"]},
            {"name": "Five sessions", "price": 20000, "duration_minutes": 300},
        ],
        "add_ons": [{"name": "Marked mock exam", "price": 1500, "extra_days": 2}],
    }
    body.update(extra)
    return body


def test_approved_provider_publishes_a_listing_with_packages(api_a, tenant_a, calculus):
    # given
    _provider(tenant_a, "pat@example.org")
    me = _auth(api_a, "pat@example.org")

    # when
    created = api_a.post("/api/v1/listings/", _body(calculus), format="json", **me)
    listing_id = created.json()["id"]
    before_public = api_a.get(f"/api/v1/listings/{listing_id}/")
    submitted = api_a.post(f"/api/v1/listings/{listing_id}/submit/", {}, format="json", **me)

    # then
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "draft" and before_public.status_code == 404
    assert submitted.status_code == 200 and submitted.json()["status"] == "active"
    public = api_a.get(f"/api/v1/listings/{listing_id}/").json()
    assert public["price_from"] == {"amount": 4500, "currency": "USD", "formatted": "45.00 USD"}
    assert [p["name"] for p in public["packages"]] == ["Single session", "Five sessions"]
    assert public["add_ons"][0]["price"]["amount"] == 1500
    assert listing_id in [item["id"] for item in api_a.get("/api/v1/listings/").json()["results"]]
    maths = api_a.get("/api/v1/categories/?page_size=100").json()["results"]
    maths_id = next(c["id"] for c in maths if c["name"] == "Mathematics")
    assert listing_id in [item["id"] for item in api_a.get(f"/api/v1/listings/?category={maths_id}").json()["results"]]


def test_unapproved_provider_cannot_publish(api_a, tenant_a, calculus):
    _provider(tenant_a, "new@example.org", status="pending")
    me = _auth(api_a, "new@example.org")
    listing_id = api_a.post("/api/v1/listings/", _body(calculus), format="json", **me).json()["id"]

    response = api_a.post(f"/api/v1/listings/{listing_id}/submit/", {}, format="json", **me)

    assert response.status_code == 409 and response.json()["error"]["code"] == "provider_not_approved"
    with tenant_context(tenant_a):
        assert Listing.objects.get().status == "draft"


def test_moderation_queue_approve_and_reject(api_a, tenant_a, calculus):
    # given
    admin = _auth(api_a, "admin@alpha.test")
    api_a.patch("/api/v1/marketplace/settings/", {"listing_moderation": True}, format="json", **admin)
    _provider(tenant_a, "pat@example.org")
    me = _auth(api_a, "pat@example.org")
    first = api_a.post("/api/v1/listings/", _body(calculus), format="json", **me).json()["id"]
    second = api_a.post("/api/v1/listings/", _body(calculus, title="Calculus II revision"), format="json", **me).json()[
        "id"
    ]

    # when
    pending = api_a.post(f"/api/v1/listings/{first}/submit/", {}, format="json", **me).json()
    api_a.post(f"/api/v1/listings/{second}/submit/", {}, format="json", **me)
    queue = api_a.get("/api/v1/listings/moderation-queue/", **admin).json()
    approved = api_a.post(f"/api/v1/listings/{first}/approve/", {}, format="json", **admin)
    no_reason = api_a.post(f"/api/v1/listings/{second}/reject/", {}, format="json", **admin)
    rejected = api_a.post(
        f"/api/v1/listings/{second}/reject/", {"reason": "Add a real syllabus."}, format="json", **admin
    )
    self_approve = api_a.post(f"/api/v1/listings/{second}/approve/", {}, format="json", **me)

    # then
    assert pending["status"] == "pending_review" and queue["count"] == 2
    assert approved.json()["status"] == "active"
    assert no_reason.status_code == 400
    assert rejected.json()["status"] == "rejected" and rejected.json()["status_reason"] == "Add a real syllabus."
    assert self_approve.status_code == 409
    assert self_approve.json()["error"]["fields"]["allowed_actions"] == ["submit", "archive"]


def test_invalid_transition_lists_what_is_allowed(api_a, tenant_a, calculus):
    _provider(tenant_a, "pat@example.org")
    me = _auth(api_a, "pat@example.org")
    listing_id = api_a.post("/api/v1/listings/", _body(calculus), format="json", **me).json()["id"]

    response = api_a.post(f"/api/v1/listings/{listing_id}/pause/", {}, format="json", **me)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert response.json()["error"]["fields"]["allowed_actions"] == ["submit", "archive"]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"packages": [{"name": "Cheap", "price": 0}]}, "packages.0.price"),
        ({"packages": [{"name": "Float", "price": 45.5}]}, "packages.0.price"),
        ({"packages": []}, "packages"),
        ({"packages": [{"name": "A", "price": 100}, {"name": "a", "price": 200}]}, "packages.1.name"),
        ({"attributes": {"level": "Expert", "format": "Online"}}, "attributes.level"),
        ({"attributes": {"format": "Online"}}, "attributes.level"),
        ({"attributes": {"level": "Introductory", "format": "Online", "shoe_size": 9}}, "attributes.shoe_size"),
        ({"location_type": "on_site", "address": ""}, "address"),
        ({"currency": "EUR"}, "currency"),
        ({"category": "cat_nope"}, "category"),
        ({"title": "Hi"}, "title"),
        ({"add_ons": [{"name": "Extra", "price": -5}]}, "add_ons.0.price"),
    ],
)
def test_bad_listing_input_names_the_field_and_saves_nothing(api_a, tenant_a, calculus, changes, field):
    _provider(tenant_a, "pat@example.org")

    response = api_a.post(
        "/api/v1/listings/", _body(calculus, **changes), format="json", **_auth(api_a, "pat@example.org")
    )

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    with tenant_context(tenant_a):
        assert not Listing.objects.exists()


def test_prices_respect_the_marketplace_range(api_a, tenant_a, calculus):
    admin = _auth(api_a, "admin@alpha.test")
    api_a.patch("/api/v1/marketplace/settings/", {"min_price": 2000, "max_price": 10000}, format="json", **admin)
    _provider(tenant_a, "pat@example.org")

    response = api_a.post("/api/v1/listings/", _body(calculus), format="json", **_auth(api_a, "pat@example.org"))

    assert response.status_code == 400
    assert "maximum price is 10000" in response.json()["error"]["fields"]["packages.1.price"][0]


def test_only_the_owner_edits_and_clients_cannot_create(api_a, tenant_a, calculus):
    _provider(tenant_a, "pat@example.org")
    _provider(tenant_a, "other@example.org")
    with tenant_context(tenant_a):
        UserFactory(email="client@example.org")
    listing_id = api_a.post(
        "/api/v1/listings/", _body(calculus), format="json", **_auth(api_a, "pat@example.org")
    ).json()["id"]

    by_other = api_a.patch(
        f"/api/v1/listings/{listing_id}/",
        {"title": "Mine now, all mine"},
        format="json",
        **_auth(api_a, "other@example.org"),
    )
    by_client = api_a.post("/api/v1/listings/", _body(calculus), format="json", **_auth(api_a, "client@example.org"))
    by_owner = api_a.patch(
        f"/api/v1/listings/{listing_id}/",
        {"title": "Calculus I, fast track"},
        format="json",
        **_auth(api_a, "pat@example.org"),
    )

    assert by_other.status_code == 404
    assert by_client.status_code == 403 and by_client.json()["error"]["code"] == "not_a_provider"
    assert by_owner.status_code == 200 and by_owner.json()["title"] == "Calculus I, fast track"


def test_changed_definition_flags_the_listing_instead_of_rewriting_it(api_a, tenant_a, calculus):
    # given: a published listing with level=Introductory
    _provider(tenant_a, "pat@example.org")
    me = _auth(api_a, "pat@example.org")
    listing_id = api_a.post("/api/v1/listings/", _body(calculus), format="json", **me).json()["id"]
    api_a.post(f"/api/v1/listings/{listing_id}/submit/", {}, format="json", **me)
    api_a.post(f"/api/v1/listings/{listing_id}/pause/", {}, format="json", **me)
    admin = _auth(api_a, "admin@alpha.test")
    maths = next(
        c["id"] for c in api_a.get("/api/v1/categories/?page_size=100").json()["results"] if c["name"] == "Mathematics"
    )

    # when: the admin drops "Introductory" from the choices
    api_a.patch(
        f"/api/v1/categories/{maths}/attributes/level/",
        {"choices": ["Intermediate", "Advanced"]},
        format="json",
        **admin,
    )

    # then: the value is kept, the listing is flagged, and it cannot go live until fixed
    mine = api_a.get(f"/api/v1/listings/{listing_id}/", **me).json()
    assert mine["attributes"]["level"] == "Introductory"
    assert "attributes.level" in mine["attribute_problems"]
    assert api_a.post(f"/api/v1/listings/{listing_id}/resume/", {}, format="json", **me).status_code == 400
    fixed = api_a.patch(
        f"/api/v1/listings/{listing_id}/",
        {"attributes": {"level": "Intermediate", "format": "Online"}},
        format="json",
        **me,
    )
    assert fixed.json()["attribute_problems"] == {}
    assert api_a.post(f"/api/v1/listings/{listing_id}/resume/", {}, format="json", **me).json()["status"] == "active"


def test_duplicate_makes_a_draft_copy(api_a, tenant_a, calculus):
    _provider(tenant_a, "pat@example.org")
    me = _auth(api_a, "pat@example.org")
    listing_id = api_a.post("/api/v1/listings/", _body(calculus), format="json", **me).json()["id"]

    copy = api_a.post(f"/api/v1/listings/{listing_id}/duplicate/", {}, format="json", **me).json()

    assert copy["status"] == "draft" and copy["id"] != listing_id
    assert copy["title"].endswith("(copy)") and len(copy["packages"]) == 2 and len(copy["add_ons"]) == 1


def test_listings_are_per_marketplace(api_a, api_b, tenant_a, calculus):
    _provider(tenant_a, "pat@example.org")
    me = _auth(api_a, "pat@example.org")
    listing_id = api_a.post("/api/v1/listings/", _body(calculus), format="json", **me).json()["id"]
    api_a.post(f"/api/v1/listings/{listing_id}/submit/", {}, format="json", **me)

    assert api_b.get(f"/api/v1/listings/{listing_id}/").status_code == 404
    assert api_b.get("/api/v1/listings/").json()["count"] == 0


def test_list_and_detail_make_a_constant_number_of_queries(api_a, tenant_a, calculus):
    _provider(tenant_a, "pat@example.org")
    me = _auth(api_a, "pat@example.org")

    def publish(count):
        for index in range(count):
            listing_id = api_a.post(
                "/api/v1/listings/", _body(calculus, title=f"Calculus group {index} sessions"), format="json", **me
            ).json()["id"]
            api_a.post(f"/api/v1/listings/{listing_id}/submit/", {}, format="json", **me)
        return listing_id

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert api_a.get(url).status_code == 200
        return len(captured)

    listing_id = publish(1)
    one_list, one_detail = queries("/api/v1/listings/"), queries(f"/api/v1/listings/{listing_id}/")
    publish(6)
    assert queries("/api/v1/listings/") == one_list
    assert queries(f"/api/v1/listings/{listing_id}/") == one_detail


def test_a_currency_change_pauses_listings_priced_in_the_old_one(api_a, api_b, tenant_a, tenant_b):
    """Prices are minor units of one currency: after USD -> EUR no client may book a USD price, and the
    provider resumes only after pricing the packages again. The other marketplace is untouched."""
    from accounts.models import User
    from marketplace.audit.models import AuditEvent
    from marketplace.catalogue.listings import listing_create, listing_transition, listing_update
    from marketplace.catalogue.services import category_create
    from marketplace.common.errors import Conflict
    from marketplace.configuration.services import marketplace_settings_update
    from marketplace.providers.models import ProviderProfile

    def publish(tenant):
        with tenant_context(tenant):
            user = UserFactory(email="priced@example.org", is_provider=True)
            ProviderProfile.objects.create(user=user, headline="Tutor with prices", status="approved")
            admin = User.objects.get(email=f"admin@{tenant.schema_name}.test")
            category = category_create(actor=admin, name="Plain help")
            listing = listing_create(
                user=user,
                category=category.public_id,
                title="Priced in dollars",
                description="An hour of help with whatever you are stuck on.",
                packages=[{"name": "Hour", "price": 5000}],
            )
            return user, listing_transition(user=user, listing=listing, action="submit")

    user, listing = publish(tenant_a)
    _, other = publish(tenant_b)
    with tenant_context(tenant_a):
        admin = User.objects.get(email="admin@alpha.test")
        marketplace_settings_update(actor=admin, changes={"currency": "EUR"})
        listing.refresh_from_db()
        assert (listing.status, listing.currency) == ("paused", "USD")
        assert "now trades in EUR" in listing.status_reason
        assert AuditEvent.objects.get(action="listings.paused_for_currency").after == {"currency": "EUR", "paused": 1}
        with pytest.raises(Conflict):
            listing_transition(user=user, listing=listing, action="resume")

        listing_update(user=user, listing=listing, packages=[{"name": "Hour", "price": 4600}])
        resumed = listing_transition(user=user, listing=listing, action="resume")
        assert (resumed.status, resumed.currency) == ("active", "EUR")
    with tenant_context(tenant_b):
        assert Listing.objects.get(pk=other.pk).status == "active"
