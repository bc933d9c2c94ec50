"""The listing page (gallery, packages, add-ons, provider, public reviews, the call to action of its
workflow), its slot picker in the viewer's time zone, and questions to the provider."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from marketplace.bookings.models import Booking
from marketplace.catalogue.images import listing_image_add
from marketplace.catalogue.models import Listing
from marketplace.configuration.models import MarketplaceSettings
from marketplace.messaging.models import Conversation
from marketplace.reviews.models import Review
from tenants.context import tenant_context
from tests.factories import UserFactory
from tests.web.discovery.conftest import day, make_provider, user

pytestmark = pytest.mark.django_db


def _png(name: str) -> SimpleUploadedFile:
    picture = Image.new("RGB", (640, 480), (30, 90, 200))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def test_listing_page_shows_packages_add_ons_provider_and_the_slot_picker(web, tenant_a, tutoring):
    # when
    page = web(tenant_a).get(f"/listings/{tutoring.public_id}/", HTTP_COOKIE="tz=Europe/London")

    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Calculus exam coaching</h1>" in html
    assert "Hour" in html and "Double" in html and "Past papers" in html
    assert "Worked solutions" in html and "Extra half hour" in html
    assert f"/providers/{tutoring.provider.public_id}/" in html and "Tess Tutor" in html
    assert "Identity verified" in html
    assert 'id="slot-picker"' in html and 'name="starts_at"' in html
    assert "Times in <strong>Europe/London</strong>" in html
    assert f'action="/listings/{tutoring.public_id}/book/"' in html  # the no-JavaScript way to checkout
    assert "held in escrow" in html
    assert "Cancel at least 24 hours before the start: a full refund." in html


def test_pictures_make_the_gallery_and_the_card_thumbnail(web, tenant_a, tutoring, run_on_commit):
    # given
    with tenant_context(tenant_a), run_on_commit():
        listing_image_add(user=tutoring.provider.user, listing=tutoring, upload=_png("board.png"))

    # when
    listing = web(tenant_a).get(f"/listings/{tutoring.public_id}/").content.decode()
    search = web(tenant_a).get("/search/").content.decode()

    # then
    assert 'class="gallery-main"' in listing and 'alt="Picture 1 of Calculus exam coaching"' in listing
    assert "listing-placeholder" not in search.split("Calculus exam coaching")[0].rsplit("<article", 1)[1]


def test_slot_view_answers_times_in_the_requested_zone(web, tenant_a, tutoring):
    # given: open 09:00-17:00 London time; Tokyo is 9 hours ahead in winter, 8 in summer
    week = day(10)

    # when
    london = web(tenant_a).get(f"/listings/{tutoring.public_id}/slots/?package=Hour&tz=Europe/London&week={week}")
    tokyo = web(tenant_a).get(f"/listings/{tutoring.public_id}/slots/?package=Hour&tz=Asia/Tokyo&week={week}")

    # then
    assert london.status_code == tokyo.status_code == 200
    london_html, tokyo_html = london.content.decode(), tokyo.content.decode()
    assert "<html" not in tokyo_html and 'id="slot-picker"' in tokyo_html
    assert "Times in <strong>Asia/Tokyo</strong>" in tokyo_html
    assert f'value="{week}T09:00:00+00:00"' in london_html or f'value="{week}T09:00:00+01:00"' in london_html
    assert "+09:00" in tokyo_html and "+00:00" not in tokyo_html and "+01:00" not in tokyo_html
    assert ">18:00<" in tokyo_html or ">17:00<" in tokyo_html  # 09:00 London (winter or summer), in Tokyo
    assert ">09:00<" in london_html


def test_add_ons_with_minutes_shorten_the_day_in_the_slot_view(web, tenant_a, tutoring):
    # given
    week = day(10)
    url = f"/listings/{tutoring.public_id}/slots/?package=Hour&tz=Europe/London&week={week}"

    # when
    plain = web(tenant_a).get(url).content.decode()
    longer = web(tenant_a).get(url + "&add_ons=Extra+half+hour").content.decode()

    # then: a 90-minute session must end by 17:00
    assert ">16:00<" in plain and ">16:00<" not in longer and ">15:00<" in longer


@pytest.mark.parametrize("query", ["package=Nope", "tz=Mars/Olympus", "week=someday", "add_ons=Free+lunch"])
def test_slot_view_refuses_bad_parameters_with_400(web, tenant_a, tutoring, query):
    # when
    page = web(tenant_a).get(f"/listings/{tutoring.public_id}/slots/?{query}")

    # then
    assert page.status_code == 400
    assert "alert-error" in page.content.decode()


def test_public_reviews_are_shown_and_blind_ones_are_not(web, tenant_a, tutoring):
    # given: one revealed client review with a response, one still blind
    with tenant_context(tenant_a):
        client = user(tenant_a, "client@example.org")
        rival = user(tenant_a, "rival@example.org")
        for author, text, revealed in ((client, "Clear and patient.", True), (rival, "Secret words.", False)):
            booking = Booking.objects.create(
                listing=tutoring,
                package_name="Hour",
                provider=tutoring.provider,
                client=author,
                workflow="instant",
                state="completed",
                price=6000,
                currency=tutoring.currency,
                commission_bps=1000,
            )
            Review.objects.create(
                booking=booking,
                direction="client_to_provider",
                author=author,
                subject=tutoring.provider.user,
                provider=tutoring.provider,
                listing=tutoring,
                overall=5,
                text=text,
                window_closes_at=timezone.now() + timedelta(days=14),
                revealed_at=timezone.now() if revealed else None,
                response="Thank you, Cleo!" if revealed else "",
            )

    # when
    html = web(tenant_a).get(f"/listings/{tutoring.public_id}/").content.decode()

    # then
    assert "Clear and patient." in html and "Thank you, Cleo!" in html and "Cleo C." in html
    assert "Secret words." not in html


def test_a_listing_that_is_not_public_is_404_to_others_and_visible_to_its_provider(web, tenant_a, tutoring):
    # given
    with tenant_context(tenant_a):
        Listing.objects.filter(pk=tutoring.pk).update(status="paused")
    owner = user(tenant_a, "tutor@example.org")

    # when
    anonymous = web(tenant_a).get(f"/listings/{tutoring.public_id}/")
    client = web(tenant_a, user(tenant_a, "client@example.org")).get(f"/listings/{tutoring.public_id}/")
    slots = web(tenant_a).get(f"/listings/{tutoring.public_id}/slots/")
    own = web(tenant_a, owner).get(f"/listings/{tutoring.public_id}/")

    # then
    assert anonymous.status_code == client.status_code == slots.status_code == 404
    assert own.status_code == 200 and "Only you can see this listing" in own.content.decode()
    assert 'id="slot-picker"' not in own.content.decode()


def test_unknown_listing_is_404(web, tenant_a, tutoring):
    assert web(tenant_a).get("/listings/lst_doesnotexist/").status_code == 404


def test_a_listing_of_another_marketplace_is_404(web, tenant_b, tutoring):
    # when
    page = web(tenant_b).get(f"/listings/{tutoring.public_id}/")
    slots = web(tenant_b).get(f"/listings/{tutoring.public_id}/slots/?package=Hour")

    # then
    assert page.status_code == slots.status_code == 404


def test_quote_listing_asks_for_a_quote_instead_of_a_time(web, tenant_b, branding_quote):
    # when
    html = web(tenant_b).get(f"/listings/{branding_quote.public_id}/").content.decode()

    # then
    assert "Request a quote" in html and 'id="slot-picker"' not in html
    assert "You pay only when you accept a quote." in html


def test_asking_a_question_starts_a_conversation_and_opens_it(web, tenant_a, tutoring):
    # given
    client = user(tenant_a, "client@example.org")

    # when
    sent = web(tenant_a, client).post(
        f"/listings/{tutoring.public_id}/ask/", {"body": "Do you cover integration by parts?"}
    )

    # then
    with tenant_context(tenant_a):
        conversation = Conversation.objects.get(listing=tutoring, client=client)
        assert conversation.messages.get().body == "Do you cover integration by parts?"
    assert sent.status_code == 302 and sent["Location"] == f"/messages/{conversation.public_id}/"


def test_an_empty_question_is_refused_with_400_and_nothing_is_sent(web, tenant_a, tutoring):
    # when
    client = web(tenant_a, user(tenant_a, "client@example.org"))
    page = client.post(f"/listings/{tutoring.public_id}/ask/", {"body": ""})

    # then
    assert page.status_code == 400 and "id_body_errors" in page.content.decode()
    with tenant_context(tenant_a):
        assert not Conversation.objects.exists()


def test_questions_are_refused_when_the_marketplace_takes_none(web, tenant_a, tutoring):
    # given
    with tenant_context(tenant_a):
        MarketplaceSettings.objects.update(allow_inquiries=False)

    # when
    page = web(tenant_a, user(tenant_a, "client@example.org")).post(
        f"/listings/{tutoring.public_id}/ask/", {"body": "Can we talk first?"}
    )

    # then
    assert page.status_code == 403
    assert "does not take messages before booking" in page.content.decode()
    with tenant_context(tenant_a):
        assert not Conversation.objects.exists()


def test_asking_needs_signing_in(web, tenant_a, tutoring):
    # when
    page = web(tenant_a).post(f"/listings/{tutoring.public_id}/ask/", {"body": "Hello there, a question."})

    # then
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")


def test_a_draft_listing_of_an_unapproved_provider_is_not_found(web, tenant_a, tutoring):
    # given
    with tenant_context(tenant_a):
        pending = make_provider("pending@example.org", "Penny Pending", status="pending", badge=False)
        listing = Listing.objects.create(
            provider=pending,
            category=tutoring.category,
            title="Hidden work",
            description="Not yet.",
            currency=tutoring.currency,
            status="active",
        )
        UserFactory(email="someone@example.org")

    # when
    page = web(tenant_a).get(f"/listings/{listing.public_id}/")

    # then
    assert page.status_code == 404
