"""Previewing a notification's wording with made-up values, and saying why wording would not render."""

import pytest

from marketplace.common.errors import ValidationFailed
from marketplace.notifications.selectors import wording_preview
from marketplace.notifications.services import marketplace_settings_set
from tenants.context import tenant_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_preview_fills_the_placeholders_and_empty_wording_is_the_default():
    preview = wording_preview("booking.requested", subject="Request for {listing} from {client}", body="")

    assert preview == {
        "problems": {},
        "subject": "Request for Calculus tutoring from Priya Shah",
        "body": "Priya Shah asked to book Calculus tutoring. Accept or decline it before it lapses.",
    }


def test_an_unknown_placeholder_or_an_open_brace_is_named_as_the_service_names_it(tenant_a):
    # when
    preview = wording_preview("payout.sent", subject="Paid {amout}", body="Your money {amount")

    # then
    assert preview["problems"] == {
        "subject": "subject: unknown placeholder {amout}; available: {amount}.",
        "body": "body: a brace is not closed; write {{ or }} for a literal brace.",
    }
    assert preview["subject"] == "" and preview["body"] == ""
    with tenant_context(tenant_a), pytest.raises(ValidationFailed) as refused:
        marketplace_settings_set(
            actor=UserFactory(is_marketplace_admin=True), items=[{"kind": "payout.sent", "subject": "Paid {amout}"}]
        )
    assert refused.value.fields == {"payout.sent": [preview["problems"]["subject"]]}
