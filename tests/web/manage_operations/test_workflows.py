"""Workflows and policies: the settings in effect per category and where each comes from; a
category's timers and cancellation policy changed; timers the payment processor cannot honour
refused with the reason, nothing changed."""

import pytest

from marketplace.catalogue.models import Category
from tenants.context import tenant_context

pytestmark = pytest.mark.django_db

EMPTY_TIERS = {f"{name}_{row}": "" for row in range(5) for name in ("hours", "percent")}


def _category(tenant, slug):
    with tenant_context(tenant):
        return Category.objects.get(slug=slug)


def test_each_category_shows_its_workflow_commission_and_policy_with_their_source(tenant_a, admin_page):
    # given: Mathematics sets a strict policy and a checkout timer
    with tenant_context(tenant_a):
        Category.objects.filter(slug="mathematics").update(
            booking_settings={"timers": {"payment_within_minutes": 30}, "cancellation_policy": "strict"}
        )

    # when
    page = admin_page.get("/manage/workflows/")

    # then: the default commission and the rows, each value with where it comes from
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="default-commission">10%' in html
    calculus = html[html.index('data-category="calculus"') :]
    calculus = calculus[: calculus.index("</tr>")]
    assert "Instant booking" in calculus and "from Mathematics" in calculus
    assert "Strict" in calculus and "Checkout expires after (minutes): <strong>30</strong>" in calculus
    groups = html[html.index('data-category="study-groups"') :]
    groups = groups[: groups.index("</tr>")]
    assert "Request to book" in groups and "5%" in groups and "set here" in groups
    assert "Flexible" in groups and "default" in groups


def test_a_categorys_cancellation_policy_and_timers_are_changed(tenant_a, admin_page):
    # given
    groups = _category(tenant_a, "study-groups")
    url = f"/manage/workflows/{groups.public_id}/"
    page = admin_page.get(url)

    # when: custom tiers, given in any order, and a shorter request expiry
    response = admin_page.post(
        url,
        {
            **EMPTY_TIERS,
            "accept_within_hours": "48",
            "policy": "custom",
            "hours_0": "0",
            "percent_0": "25",
            "hours_1": "72",
            "percent_1": "100",
        },
    )

    # then
    assert page.status_code == 200 and "Request expires after (hours)" in page.content.decode()
    assert response.status_code == 302
    assert _category(tenant_a, "study-groups").booking_settings == {
        "timers": {"accept_within_hours": 48},
        "cancellation_policy": [[72, 100], [0, 25]],
    }
    # the category below inherits it
    exam = _category(tenant_a, "exam-preparation")
    below = admin_page.get(f"/manage/workflows/{exam.public_id}/").content.decode()
    assert "In effect: Custom" in below and "from Study Groups" in below


def test_a_request_expiry_beyond_the_card_hold_is_refused_with_the_reason(tenant_a, admin_page):
    # given
    groups = _category(tenant_a, "study-groups")
    with tenant_context(tenant_a):
        Category.objects.filter(pk=groups.pk).update(booking_settings={"cancellation_policy": "moderate"})

    # when: 10 days, inside the timer's range but beyond what a card hold lasts
    response = admin_page.post(
        f"/manage/workflows/{groups.public_id}/", {**EMPTY_TIERS, "accept_within_hours": "240", "policy": "strict"}
    )

    # then: next to the field, the reason; nothing changed
    html = response.content.decode()
    assert response.status_code == 400
    errors = html[html.index('id="id_accept_within_hours_errors"') :][:600]
    assert "card holds lapse after about 7 days" in errors and "at most 144 hours" in errors
    assert _category(tenant_a, "study-groups").booking_settings == {"cancellation_policy": "moderate"}


def test_a_milestone_release_window_beyond_90_days_is_refused(tenant_b, web, admin_b):
    apps = _category(tenant_b, "web-applications")

    response = web(tenant_b, admin_b).post(
        f"/manage/workflows/{apps.public_id}/", {**EMPTY_TIERS, "release_within_days": "120", "policy": ""}
    )

    assert response.status_code == 400
    assert "must be released within 90 days" in response.content.decode()
    assert _category(tenant_b, "web-applications").booking_settings == {}


def test_custom_tiers_must_be_complete(tenant_a, admin_page):
    groups = _category(tenant_a, "study-groups")

    response = admin_page.post(
        f"/manage/workflows/{groups.public_id}/", {**EMPTY_TIERS, "policy": "custom", "hours_0": "24"}
    )

    assert response.status_code == 400
    assert "Fill both of the tier&#x27;s boxes." in response.content.decode()
    assert _category(tenant_a, "study-groups").booking_settings == {}


def test_moderators_get_403_and_another_marketplace_sees_nothing(tenant_a, tenant_b, web, moderator_a, admin_b):
    groups = _category(tenant_a, "study-groups")

    assert web(tenant_a, moderator_a).get("/manage/workflows/").status_code == 403
    assert web(tenant_a, moderator_a).get(f"/manage/workflows/{groups.public_id}/").status_code == 403
    beta = web(tenant_b, admin_b)
    assert beta.get(f"/manage/workflows/{groups.public_id}/").status_code == 404
    assert beta.post(f"/manage/workflows/{groups.public_id}/", {"policy": "strict"}).status_code == 404
    assert "Study Groups" not in beta.get("/manage/workflows/").content.decode()
