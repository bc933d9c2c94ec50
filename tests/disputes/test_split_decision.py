"""A mediator's split may name both parts: they must add up to the amount in dispute (what escrow holds
for it); a split that does not moves nothing."""

from __future__ import annotations

import pytest

from accounts.models import User
from marketplace.common.errors import ValidationFailed
from marketplace.disputes.models import Dispute
from marketplace.disputes.services import dispute_decide, dispute_escalate, dispute_open
from marketplace.payments.escrow import escrow_state
from tenants.context import tenant_context
from tests.disputes.test_disputes import CLIENT, REASON, TUTOR, paid  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalated(tenant_a, paid):  # noqa: F811
    with tenant_context(tenant_a):
        dispute = dispute_open(
            user=User.objects.get(email=CLIENT),
            booking_id=paid,
            reason="quality",
            desired_outcome="full_refund",
            description=REASON,
        )
        return dispute_escalate(user=User.objects.get(email=TUTOR), dispute=dispute)


@pytest.mark.parametrize(("refund", "release"), [(2000, 3000), (2000, 4001), (2000, -1), (2000, "4000")])
def test_a_split_whose_parts_do_not_add_up_is_refused_and_moves_nothing(tenant_a, escalated, refund, release):
    with tenant_context(tenant_a):
        admin = User.objects.get(email="admin@alpha.test")
        with pytest.raises(ValidationFailed) as refused:
            dispute_decide(
                user=admin,
                dispute=escalated,
                outcome="partial_refund",
                refund_amount=refund,
                release_amount=release,
                reason="Half the topics were covered.",
            )
        stored = Dispute.objects.get(pk=escalated.pk)
        money = escrow_state(stored.booking)

    assert "release_amount" in refused.value.fields
    assert (stored.state, stored.refunded, stored.released, stored.entries.filter(kind="decision").count()) == (
        "escalated",
        0,
        0,
        0,
    )
    assert (money.held, money.frozen) == (6000, True)


def test_a_split_that_adds_up_is_decided(tenant_a, escalated):
    with tenant_context(tenant_a):
        decided = dispute_decide(
            user=User.objects.get(email="admin@alpha.test"),
            dispute=escalated,
            outcome="partial_refund",
            refund_amount=2000,
            release_amount=4000,
            reason="Half the topics were covered.",
        )

    assert (decided.state, decided.refunded, decided.released) == ("decided", 2000, 4000)
