"""In the demo agency, through the API: after a completed milestone project the client and the
provider review each other, and neither review shows until both are in; a member reports the
client's review and the marketplace's admin hides it with a reason that lands in the audit log."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from marketplace.audit.models import AuditEvent
from marketplace.providers.models import ProviderProfile
from tenants.context import tenant_context
from tenants.demo import seed_demo
from tenants.models import Tenant
from tests.bookings.test_demo_flows import _act, _client, _find, _login

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.ALLOWED_HOSTS = ["*"]
    seed_demo()
    yield
    connection.set_schema_to_public()


def _completed_project(api, client, provider) -> str:
    listing = _find(api, "django application")
    project = api.post(
        "/api/v1/bookings/",
        {"listing": listing["id"], "package": "MVP", "message": "An order portal for our robot parts."},
        format="json",
        **client,
    ).json()["id"]
    due = str(datetime.now(UTC).date() + timedelta(days=30))
    _act(
        api,
        project,
        "send_quote",
        provider,
        data={
            "terms": "Fixed price.",
            "valid_days": 10,
            "milestones": [{"title": "All", "amount": 800000, "due_date": due}],
        },
    )
    milestone = _act(api, project, "accept_quote", client)["milestones"][0]["id"]
    _act(api, project, "deliver_milestone", provider, data={"milestone": milestone, "note": "Live."})
    assert _act(api, project, "accept_milestone", client, data={"milestone": milestone})["state"] == "completed"
    return project


def test_both_sides_review_blind_and_a_reported_review_is_hidden(demo):
    api = _client("agency")
    acme, marco, greenleaf, admin = (_login(api, "agency", who) for who in ("acme", "marco", "greenleaf", "admin"))
    project = _completed_project(api, acme, marco)
    with tenant_context(Tenant.objects.get(schema_name="agency")):
        provider = ProviderProfile.objects.get(user__email="marco@brightside.example.com").public_id
    connection.set_schema_to_public()
    earlier = api.get(f"/api/v1/providers/{provider}/reviews/").json()["summary"]["review_count"]  # the demo's history

    # Acme reviews Marco: Marco cannot see it yet
    acmes = api.post(
        f"/api/v1/bookings/{project}/review/",
        {"overall": 5, "text": "Shipped on time; email me at acme-buyer@example.com for references."},
        format="json",
        **acme,
    )
    assert acmes.status_code == 201, acmes.content
    assert api.get(f"/api/v1/bookings/{project}/review/", **marco).json()["reviews"] == []
    assert api.get(f"/api/v1/reviews/{acmes.json()['id']}/", **marco).status_code == 404

    # Marco reviews Acme: both are revealed
    marcos = api.post(
        f"/api/v1/bookings/{project}/review/", {"overall": 4, "text": "Clear brief."}, format="json", **marco
    )
    assert marcos.status_code == 201, marcos.content
    seen_by_marco = api.get(f"/api/v1/bookings/{project}/review/", **marco).json()["reviews"]
    assert {r["id"] for r in seen_by_marco} == {acmes.json()["id"], marcos.json()["id"]}
    assert acmes.json()["provider"] == provider
    assert api.get(f"/api/v1/providers/{provider}/reviews/").json()["summary"]["review_count"] == earlier + 1

    # Greenleaf reports Acme's review; the admin hides it with a reason
    reported = api.post(
        f"/api/v1/reviews/{acmes.json()['id']}/report/",
        {"reason": "Contains an email address."},
        format="json",
        **greenleaf,
    )
    flagged = api.get("/api/v1/reviews/flagged/", **admin).json()["results"]
    hidden = api.post(
        f"/api/v1/reviews/{acmes.json()['id']}/moderation/",
        {"action": "hide", "reason": "Personal contact details are not allowed in reviews."},
        format="json",
        **admin,
    )

    assert reported.status_code == 201 and [r["id"] for r in flagged] == [acmes.json()["id"]]
    assert hidden.status_code == 200 and hidden.json()["status"] == "hidden"
    assert api.get(f"/api/v1/providers/{provider}/reviews/").json()["summary"]["review_count"] == earlier
    assert api.get(f"/api/v1/reviews/{acmes.json()['id']}/", **acme).json()["moderation_reason"] == (
        "Personal contact details are not allowed in reviews."
    )
    with tenant_context(Tenant.objects.get(schema_name="agency")):
        event = AuditEvent.objects.get(action="review.hidden", target_id=acmes.json()["id"])
        assert event.actor.email == "admin@brightside.example.com"
        assert event.reason == "Personal contact details are not allowed in reviews."
