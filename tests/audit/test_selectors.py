"""Reading the audit trail for the admin console: filters, and the names of what rows are about."""

import datetime

import pytest
from django.utils import timezone

from marketplace.audit.models import AuditEvent
from marketplace.audit.selectors import audit_actions, audit_events, audit_target_names
from marketplace.audit.services import audit_record
from marketplace.catalogue.models import Category
from tenants.context import tenant_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_filters_by_family_action_actor_target_and_days(tenant_a):
    with tenant_context(tenant_a):
        # given
        dana = UserFactory(email="dana@example.org", full_name="Dana Admin", is_marketplace_admin=True)
        amira = UserFactory(email="amira@example.org", full_name="Amira Haddad")
        audit_record(actor=dana, action="user.roles_changed", target=amira)
        audit_record(actor=None, action="user.registered", target=amira)
        audit_record(actor=dana, action="category.created", target=Category.objects.first())
        today = timezone.localdate()

        # when / then
        assert {e.action for e in audit_events(action="user", target=amira.public_id)} == {
            "user.registered",
            "user.roles_changed",
        }
        assert {e.action.split(".")[0] for e in audit_events(action="user")} == {"user"}
        assert [e.action for e in audit_events(action="user.registered")] == ["user.registered"]
        assert {e.action for e in audit_events(actor="DANA@example.org")} == {"user.roles_changed", "category.created"}
        assert audit_events(target=amira.public_id).count() == 2
        assert audit_events(actor="dana@example.org", since=today, until=today).count() == 2
        assert audit_events(actor="dana@example.org", until=today - datetime.timedelta(days=1)).count() == 0
        assert audit_events(actor="dana@example.org", since=today + datetime.timedelta(days=1)).count() == 0
        assert "user.registered" in audit_actions() and "category.created" in audit_actions()


def test_targets_are_named_in_one_query_per_kind(tenant_a, django_assert_num_queries):
    with tenant_context(tenant_a):
        # given
        amira = UserFactory(email="amira@example.org", full_name="Amira Haddad")
        nameless = UserFactory(email="nameless@example.org", full_name="")
        maths = Category.objects.get(slug="mathematics")
        events = [
            audit_record(actor=None, action="user.registered", target=amira),
            audit_record(actor=None, action="user.registered", target=nameless),
            audit_record(actor=None, action="category.created", target=maths),
        ]
        gone = AuditEvent.objects.create(action="user.registered", target_type="accounts.user", target_id="usr_gone")

        # when
        with django_assert_num_queries(2):
            names = audit_target_names([*events, gone])

    # then
    assert names[("accounts.user", amira.public_id)] == "Amira Haddad"
    assert names[("accounts.user", nameless.public_id)] == "nameless@example.org"
    assert names[("catalogue.category", maths.public_id)] == "Mathematics"
    assert ("accounts.user", "usr_gone") not in names
