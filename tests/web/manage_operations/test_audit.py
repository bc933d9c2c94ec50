"""The audit log page: each row as a sentence with before/after in a disclosure; filtered by family,
action, actor, target and days; paginated; admins only; each marketplace its own."""

import pytest

from marketplace.audit.services import audit_record
from marketplace.providers.models import ProviderProfile
from tenants.context import tenant_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(tenant_a):
    with tenant_context(tenant_a):
        dana = UserFactory(email="dana@alpha.test", full_name="Dana Reyes", is_marketplace_admin=True)
        amira = UserFactory(email="amira@alpha.test", full_name="Amira Haddad", is_provider=True)
        profile = ProviderProfile.objects.create(user=amira, headline="Maths tutor", status="pending")
        audit_record(
            actor=dana,
            action="provider.approve",
            target=profile,
            before={"status": "pending"},
            after={"status": "approved", "badges": []},
        )
        audit_record(
            actor=dana, action="user.roles_changed", target=amira, before={"roles": []}, after={"roles": ["provider"]}
        )
        audit_record(actor=None, action="user.registered", target=amira)
    return {"dana": dana, "amira": amira, "profile": profile}


def test_rows_read_as_sentences_with_before_and_after(trail, admin_page):
    page = admin_page.get("/manage/audit/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "<strong>Dana Reyes</strong> approved provider <strong>Amira Haddad</strong>" in html
    assert "<strong>Amira Haddad</strong> joined" in html
    approved = html[html.index('data-action="provider.approve"') :]
    approved = approved[: approved.index("</li>")]
    assert "<details>" in approved and "Before and after" in approved
    assert "<td>pending</td><td>approved</td>" in approved


def test_filters_by_family_actor_target_and_days(trail, admin_page):
    family = admin_page.get("/manage/audit/?action=user").content.decode()
    actor = admin_page.get("/manage/audit/?actor=dana@alpha.test").content.decode()
    target = admin_page.get(f"/manage/audit/?target={trail['profile'].public_id}").content.decode()
    future = admin_page.get("/manage/audit/?from=2999-01-01").content.decode()
    bad = admin_page.get("/manage/audit/?from=2026-03-10&to=2026-03-01")

    assert 'data-action="user.registered"' in family and 'data-action="provider.approve"' not in family
    assert 'data-action="provider.approve"' in actor and 'data-action="user.registered"' not in actor
    assert 'data-action="provider.approve"' in target and 'data-action="user.roles_changed"' not in target
    assert "Nothing matches these filters." in future
    assert bad.status_code == 400 and "The last day is before the first." in bad.content.decode()


def test_the_log_is_paginated(tenant_a, admin_page):
    with tenant_context(tenant_a):
        someone = UserFactory(email="someone@alpha.test")
        for _ in range(30):
            audit_record(actor=None, action="user.registered", target=someone)

    first = admin_page.get("/manage/audit/").content.decode()
    second = admin_page.get("/manage/audit/?page=2").content.decode()

    assert first.count('class="card audit-entry"') == 25
    assert 'rel="next"' in first and "Page 1 of 2" in first
    assert second.count('class="card audit-entry"') >= 5


def test_admins_only_and_each_marketplace_its_own(trail, tenant_a, tenant_b, web, moderator_a, admin_b):
    assert web(tenant_a, moderator_a).get("/manage/audit/").status_code == 403
    beta = web(tenant_b, admin_b).get(f"/manage/audit/?target={trail['profile'].public_id}").content.decode()
    assert "Amira Haddad" not in beta and "Nothing matches these filters." in beta
