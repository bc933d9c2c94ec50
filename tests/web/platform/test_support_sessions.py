"""Support sessions through the pages: staff find a member of a marketplace from its console page and
give a reason; the platform records the session and sends the browser to the marketplace with a
one-time link, where it is signed in as the member, the marketplace's audit log records it, every page
shows the support banner, and ending the session records it and signs out. Refused for non-staff,
closed marketplaces, missing reasons, used links and other marketplaces' hosts."""

import re

import pytest
from django.test import Client

from marketplace.audit.models import AuditEvent
from tenants.context import tenant_context
from tenants.models import SignInLink, SupportSession, TenantStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def priya(tenant_a):
    with tenant_context(tenant_a):
        return UserFactory(email="priya@alpha.test", full_name="Priya Raman")


def _start(client, tenant, member, reason="Ticket 4711: cannot pay"):
    return client.post(f"/console/tenants/{tenant.public_id}/support/", {"member": member.public_id, "reason": reason})


def _path(response) -> str:
    """The marketplace-relative path of the one-time link the platform redirected to."""
    assert re.fullmatch(r"http://[a-z-]+\.localhost:8000/support/enter/[^/]+/", response["Location"])
    return response["Location"].split(":8000")[1]


def test_staff_find_a_member_by_email_on_the_marketplaces_page(platform, staff, tenant_a, tenant_b, priya):
    client = platform(staff)

    found = _text(client.get(f"/console/tenants/{tenant_a.public_id}/members/", {"member_q": "priya@"}))
    at_beta = _text(client.get(f"/console/tenants/{tenant_b.public_id}/members/", {"member_q": "priya@"}))
    without_js = _text(client.get(f"/console/tenants/{tenant_a.public_id}/", {"member_q": "raman"}))

    assert f'value="{priya.public_id}"' in found and "Priya Raman" in found
    assert "No active member matches" in at_beta and priya.public_id not in at_beta
    assert f'value="{priya.public_id}"' in without_js


def test_a_support_session_from_start_to_end(platform, staff, tenant_a, priya):
    # when: staff start it from the console
    started = _start(platform(staff), tenant_a, priya)

    # then: recorded on the platform, with the staff's address
    session = SupportSession.objects.get()
    assert (session.staff_id, session.tenant_id, session.member_id) == (staff.pk, tenant_a.pk, priya.public_id)
    assert session.reason == "Ticket 4711: cannot pay" and session.ip == "127.0.0.1"
    assert session.started_at is None

    # when: the browser follows the link to alpha
    browser = Client(HTTP_HOST="alpha.localhost")
    entered = browser.get(_path(started))
    home = browser.get("/")

    # then: signed in as Priya, the banner on every page, the marketplace's audit log has the start
    assert entered.status_code == 302 and entered["Location"] == "/"
    assert int(browser.session["_auth_user_id"]) == priya.pk
    assert browser.session["support_session"]["staff_email"] == "staff@platform.test"
    assert "Support session: you are viewing as Priya Raman (priya@alpha.test)" in _text(home)
    assert 'action="/support/leave/"' in _text(home)
    with tenant_context(tenant_a):
        started_row = AuditEvent.objects.get(action="support.session_started")
    assert started_row.actor_id is None and started_row.after["staff_email"] == "staff@platform.test"
    assert started_row.target_id == priya.public_id

    # when: ended from the banner
    left = browser.post("/support/leave/")

    # then: recorded on both sides, signed out, back to the console's page of alpha
    session.refresh_from_db()
    assert session.started_at is not None and session.ended_at is not None
    assert "_auth_user_id" not in browser.session
    assert left["Location"] == f"http://localhost:8000/console/tenants/{tenant_a.public_id}/#support"
    with tenant_context(tenant_a):
        assert AuditEvent.objects.filter(action="support.session_ended").count() == 1
    assert "Support session" not in _text(browser.get("/"))


def test_a_support_link_works_once_and_only_at_its_marketplace(platform, staff, tenant_a, tenant_b, priya):
    path = _path(_start(platform(staff), tenant_a, priya))

    at_beta = Client(HTTP_HOST="beta.localhost").get(path)
    first = Client(HTTP_HOST="alpha.localhost").get(path)
    replay = Client(HTTP_HOST="alpha.localhost")
    second = replay.get(path)

    assert at_beta.status_code == 400 and "not valid here" in _text(at_beta)
    assert first.status_code == 302
    assert second.status_code == 400 and "used already" in _text(second)
    assert "_auth_user_id" not in replay.session
    with tenant_context(tenant_a):
        assert AuditEvent.objects.filter(action="support.session_started").count() == 1
    with tenant_context(tenant_b):
        assert not AuditEvent.objects.filter(action__startswith="support.").exists()


def test_an_expired_support_link_is_refused_with_a_page(platform, staff, tenant_a, priya):
    path = _path(_start(platform(staff), tenant_a, priya))
    SignInLink.objects.update(expires_at="2000-01-01T00:00:00Z")

    page = Client(HTTP_HOST="alpha.localhost").get(path)

    assert page.status_code == 400 and "has expired" in _text(page)
    assert SupportSession.objects.get().started_at is None


def test_a_reason_and_a_member_are_required(platform, staff, tenant_a, priya):
    client = platform(staff)

    no_reason = _start(client, tenant_a, priya, reason="")
    no_member = client.post(f"/console/tenants/{tenant_a.public_id}/support/", {"member": "", "reason": "Ticket"})

    assert no_reason.status_code == no_member.status_code == 400
    assert "This field is required." in _text(no_reason)
    assert "Choose a member of this marketplace." in _text(no_member)
    assert not SupportSession.objects.exists() and not SignInLink.objects.exists()


def test_no_support_session_into_a_closed_marketplace(platform, staff, tenant_a, priya):
    tenant_a.status = TenantStatus.CLOSED
    tenant_a.save(update_fields=["status"])

    response = _start(platform(staff), tenant_a, priya)

    assert response.status_code == 302 and response["Location"] == f"/console/tenants/{tenant_a.public_id}/"
    assert not SupportSession.objects.exists() and not SignInLink.objects.exists()


def test_only_platform_staff_can_start_one(platform, operator, tenant_a, priya):
    response = _start(platform(operator), tenant_a, priya)
    members = platform(operator).get(f"/console/tenants/{tenant_a.public_id}/members/", {"member_q": "priya"})

    assert response.status_code == members.status_code == 403
    assert not SupportSession.objects.exists() and not SignInLink.objects.exists()


def test_the_console_lists_support_sessions(platform, staff, tenant_a, priya):
    client = platform(staff)
    path = _path(_start(client, tenant_a, priya))
    Client(HTTP_HOST="alpha.localhost").get(path)

    listed = _text(client.get("/console/support/", {"state": "open"}))
    unused = _text(client.get("/console/support/", {"state": "unused"}))

    assert "staff@platform.test" in listed and "priya@alpha.test" in listed and "Ticket 4711" in listed
    assert "No support session matches." in unused
