import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.catalogue.listings import listing_create, listing_transition
from marketplace.catalogue.models import Category
from marketplace.providers.models import Badge, ProviderProfile
from tenants.context import tenant_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _publish(user, category_slug, title, price, level="Introductory", fmt="Online", location="online", submit=True):
    listing = listing_create(
        user=user,
        category=Category.objects.get(slug=category_slug).public_id,
        title=title,
        description=f"{title}. Patient, structured tutoring with worked examples and practice problems.",
        attributes={"level": level, "format": fmt},
        location_type=location,
        address="Library, room 2" if location != "online" else "",
        packages=[{"name": "Session", "price": price, "duration_minutes": 60}],
    )
    return listing_transition(user=user, listing=listing, action="submit") if submit else listing


@pytest.fixture
def catalogue(tenant_a):
    with tenant_context(tenant_a):
        ana = UserFactory(email="ana@example.org", is_provider=True, full_name="Ana Lopez")
        ProviderProfile.objects.create(
            user=ana, headline="Maths tutor", status="approved", skills=["Calculus", "Statistics"]
        )
        ben = UserFactory(email="ben@example.org", is_provider=True)
        ProviderProfile.objects.create(user=ben, headline="Pending tutor", status="pending", skills=["Calculus"])
        listings = {
            "calc1": _publish(ana, "calculus", "Calculus fundamentals", 4000),
            "calc2": _publish(
                ana,
                "calculus",
                "Advanced calculus and analysis",
                9000,
                level="Advanced",
                fmt="In person",
                location="on_site",
            ),
            "stats": _publish(ana, "statistics", "Statistics for psychology students", 5000, level="Intermediate"),
            "python": _publish(ana, "programming-in-python", "Python programming from scratch", 6000),
            "draft": _publish(ana, "calculus", "Calculus draft not yet live", 1000, submit=False),
        }
        pending = listing_create(
            user=ben,
            category=Category.objects.get(slug="calculus").public_id,
            title="Calculus by a pending tutor",
            description="This provider is not approved yet, so this listing never appears in search.",
            attributes={"level": "Introductory", "format": "Online"},
            packages=[{"name": "Session", "price": 3000}],
        )
        listings["pending"] = pending
        return {name: listing.public_id for name, listing in listings.items()}


def _ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_a_typo_is_corrected_to_a_word_listings_use(api_a, catalogue):
    response = api_a.get("/api/v1/search/listings/?q=calculsu")

    found = _ids(response)
    # Titles weigh most; the other listings match through their provider's "Calculus" skill.
    assert set(found[:2]) == {catalogue["calc1"], catalogue["calc2"]}
    assert response.json()["corrected_query"] == "calculus"


def test_words_that_match_as_typed_are_not_corrected(api_a, catalogue):
    response = api_a.get("/api/v1/search/listings/?q=calculus")

    assert response.json()["corrected_query"] is None


def test_a_transposition_in_a_short_word_is_corrected(api_a, catalogue):
    response = api_a.get("/api/v1/search/listings/?q=pyhton")

    assert _ids(response) == [catalogue["python"]]
    assert response.json()["corrected_query"] == "python"


def test_nothing_close_finds_nothing(api_a, catalogue):
    response = api_a.get("/api/v1/search/listings/?q=xylophone")

    assert _ids(response) == []
    assert response.json()["corrected_query"] is None


def test_listings_are_found_by_their_provider(api_a, tenant_a, catalogue):
    by_name = _ids(api_a.get("/api/v1/search/listings/?q=lopez&page_size=50"))
    assert set(by_name) == {catalogue[k] for k in ("calc1", "calc2", "stats", "python")}

    with tenant_context(tenant_a):
        from marketplace.providers.services import provider_profile_update

        ana = ProviderProfile.objects.get(user__email="ana@example.org").user
        provider_profile_update(user=ana, skills=["Econometrics"])

    assert len(_ids(api_a.get("/api/v1/search/listings/?q=econometrics&page_size=50"))) == 4
    assert _ids(api_a.get("/api/v1/search/listings/?q=statistics")) == [catalogue["stats"]]


def test_stemmed_full_text_over_title_and_description(api_a, catalogue):
    found = _ids(api_a.get("/api/v1/search/listings/?q=programs"))

    assert found == [catalogue["python"]]


def test_typo_plus_filter_and_facets(api_a, tenant_a, catalogue):
    with tenant_context(tenant_a):
        maths = Category.objects.get(slug="mathematics").public_id

    response = api_a.get(f"/api/v1/search/listings/?q=calculus&category={maths}&attr.level=Advanced")

    assert _ids(response) == [catalogue["calc2"]]
    facets = response.json()["facets"]
    assert facets["location_type"] == {"on_site": 1}
    assert facets["attributes.level"] == {"Advanced": 1}


def test_browse_facets_count_the_filtered_set(api_a, tenant_a, catalogue):
    with tenant_context(tenant_a):
        maths = Category.objects.get(slug="mathematics").public_id
        calculus = Category.objects.get(slug="calculus").public_id

    facets = api_a.get(f"/api/v1/search/listings/?category={maths}").json()["facets"]

    assert facets["category"][calculus] == 2
    assert facets["attributes.level"] == {"Introductory": 1, "Advanced": 1, "Intermediate": 1}
    assert facets["attributes.format"] == {"Online": 2, "In person": 1}


def test_only_active_listings_of_approved_providers_appear(api_a, catalogue):
    found = _ids(api_a.get("/api/v1/search/listings/?q=calculus&page_size=50"))

    assert catalogue["draft"] not in found and catalogue["pending"] not in found


def test_price_range_location_and_sorting(api_a, catalogue):
    cheap_first = _ids(api_a.get("/api/v1/search/listings/?sort=price_asc"))
    in_range = _ids(api_a.get("/api/v1/search/listings/?price_min=4500&price_max=6000&sort=price_desc"))
    on_site = _ids(api_a.get("/api/v1/search/listings/?location_type=on_site"))

    assert cheap_first == [catalogue[k] for k in ("calc1", "stats", "python", "calc2")]
    assert in_range == [catalogue["python"], catalogue["stats"]]
    assert on_site == [catalogue["calc2"]]


def test_verified_only(api_a, tenant_a, catalogue):
    assert _ids(api_a.get("/api/v1/search/listings/?verified=1")) == []
    with tenant_context(tenant_a):
        Badge.objects.create(
            profile=ProviderProfile.objects.get(user__email="ana@example.org"), kind="identity_verified"
        )

    assert len(_ids(api_a.get("/api/v1/search/listings/?verified=1"))) == 4


def test_stable_pagination(api_a, catalogue):
    pages = [_ids(api_a.get(f"/api/v1/search/listings/?sort=price_asc&page_size=3&page={n}")) for n in (1, 2)]

    assert len(pages[0]) == 3 and len(pages[1]) == 1 and not set(pages[0]) & set(pages[1])


@pytest.mark.parametrize(
    "params, field",
    [
        ("price_min=cheap", "price_min"),
        ("price_min=500&price_max=100", "price_max"),
        ("sort=random", "sort"),
        ("category=cat_nope", "category"),
        ("attr.shoe_size=9", "attr.shoe_size"),
        ("location_type=moon", "location_type"),
        ("page=0", "page"),
    ],
)
def test_bad_search_parameters_are_400s_naming_the_parameter(api_a, params, field):
    response = api_a.get(f"/api/v1/search/listings/?{params}")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_each_marketplace_searches_only_its_own_schema(api_b, catalogue):
    assert _ids(api_b.get("/api/v1/search/listings/?q=calculus")) == []


def test_search_makes_a_constant_number_of_queries(api_a, tenant_a, catalogue):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api_a.get("/api/v1/search/listings/?q=calculus&page_size=50").status_code == 200
        return len(captured)

    queries()  # warm the per-process host cache, so both measured requests route the same way
    before = queries()
    with tenant_context(tenant_a):
        ana = UserFactory._meta.model.objects.get(email="ana@example.org")
        for index in range(5):
            _publish(ana, "calculus", f"Calculus clinic number {index}", 3000 + index)
    assert queries() == before


def test_autocomplete_categories_and_skills(api_a, catalogue):
    body = api_a.get("/api/v1/search/autocomplete/?q=calc").json()

    assert "Calculus" in body["categories"]
    assert body["skills"] == ["Calculus"]


def test_stemming_follows_the_marketplace_language(api_a, tenant_a, catalogue, run_on_commit):
    from marketplace.catalogue.models import Listing

    def vector(public_id):
        with tenant_context(tenant_a):
            return str(Listing.objects.get(public_id=public_id).search_vector)

    # given: a German listing indexed with English rules keeps German stop words such as "für"
    with tenant_context(tenant_a):
        ana = UserFactory._meta.model.objects.get(email="ana@example.org")
        german = _publish(ana, "calculus", "Nachhilfe in Analysis für Ingenieure", 4200).public_id
    assert "'für'" in vector(german)

    # when: the admin switches the marketplace to German (vectors are rebuilt in the background)
    token = api_a.post(
        "/api/v1/auth/login/", {"email": "admin@alpha.test", "password": "Correct-Horse-77"}, format="json"
    ).json()["token"]
    with run_on_commit():
        api_a.patch(
            "/api/v1/marketplace/settings/", {"locale": "de"}, format="json", HTTP_AUTHORIZATION=f"Token {token}"
        )

    # then: German rules drop the stop word and stem the plural, and search uses the same rules
    assert "'für'" not in vector(german) and "'ingenieur'" in vector(german)
    assert german in _ids(api_a.get("/api/v1/search/listings/?q=Ingenieur"))


def test_result_cards_are_exactly_what_the_documented_serializer_gives(api_a, tenant_a, catalogue, settings, tmp_path):
    """The results page builds cards from plain rows for speed; they must match the schema's serializer."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db.models import Exists, OuterRef

    from marketplace.catalogue.api.listings import ListingCardSerializer
    from marketplace.catalogue.images import listing_image_add
    from marketplace.catalogue.models import Listing

    settings.MEDIA_ROOT = tmp_path
    with tenant_context(tenant_a):
        import io

        from PIL import Image

        out = io.BytesIO()
        Image.new("RGB", (40, 30), (1, 2, 3)).save(out, format="PNG")
        calc = Listing.objects.get(public_id=catalogue["calc1"])
        listing_image_add(user=calc.provider.user, listing=calc, upload=SimpleUploadedFile("a.png", out.getvalue()))
        Badge.objects.create(profile=calc.provider, kind="identity_verified")
        Listing.objects.filter(pk=calc.pk).update(review_count=3, rating_average="4.33")
        type(calc.provider).objects.filter(pk=calc.provider_id).update(level="rising")
        listings = Listing.objects.filter(public_id__in=[catalogue["calc1"], catalogue["stats"]]).annotate(
            provider_verified=Exists(Badge.objects.filter(profile_id=OuterRef("provider_id")))
        )
        expected = {row["id"]: row for row in ListingCardSerializer(listings, many=True).data}

    found = {
        card["id"]: card
        for card in api_a.get("/api/v1/search/listings/?q=calculus+statistics+or+calculus").json()["results"]
    }
    found |= {card["id"]: card for card in api_a.get("/api/v1/search/listings/?q=statistics").json()["results"]}

    for listing_id, card in expected.items():
        assert found[listing_id] == card
    assert found[catalogue["calc1"]]["images"] and found[catalogue["calc1"]]["provider_verified"] is True
    rated = found[catalogue["calc1"]]
    assert (rated["review_count"], rated["rating_average"], rated["provider_level"]) == (3, 4.33, "rising")
