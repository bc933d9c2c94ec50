"""Every action a workflow does not allow — in a state, or for a role — answers 409 with the actions
allowed now, and leaves the booking, its timeline and its money untouched."""

import pytest

from marketplace.bookings import workflows
from marketplace.bookings.models import Booking, BookingEvent, MoneyIntent
from marketplace.bookings.services import allowed_actions, booking_act
from marketplace.catalogue.models import Category, Listing, Package
from marketplace.common.errors import InvalidTransition, NotFound
from marketplace.providers.models import ProviderProfile
from tenants.context import tenant_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _states(flow: workflows.Workflow) -> set[str]:
    found = {flow.initial}
    for transition in flow.transitions.values():
        found |= set(transition.sources) | {transition.target}
    return found


@pytest.fixture
def parties(tenant_a):
    with tenant_context(tenant_a):
        provider_user = UserFactory(email="pro@example.org", is_provider=True)
        provider = ProviderProfile.objects.create(user=provider_user, headline="Pro", status="approved")
        listing = Listing.objects.create(
            provider=provider,
            category=Category.objects.get(slug="calculus"),
            title="Any",
            description="Any listing will do here.",
            currency="USD",
            status="active",
        )
        package = Package.objects.create(listing=listing, name="Hour", price=5000, duration_minutes=60)
        people = {
            workflows.CLIENT: UserFactory(email="cli@example.org"),
            workflows.PROVIDER: provider_user,
            workflows.ADMIN: UserFactory(email="mod@example.org", is_moderator=True),
        }
        stranger = UserFactory(email="nobody@example.org")
        yield listing, package, provider, people, stranger


@pytest.mark.parametrize("key", sorted(workflows.PRESETS))
def test_every_action_outside_the_table_is_refused_and_changes_nothing(tenant_a, parties, key):
    flow = workflows.workflow(key)
    listing, package, provider, people, stranger = parties
    refused = 0
    with tenant_context(tenant_a):
        for state in sorted(_states(flow)):
            booking = Booking.objects.create(
                listing=listing,
                package=package,
                package_name="Hour",
                provider=provider,
                client=people[workflows.CLIENT],
                workflow=key,
                state=state,
                price=5000,
                currency="USD",
                commission_bps=1000,
            )
            for role, user in people.items():
                allowed = set(flow.allowed(state, role))
                assert set(allowed_actions(booking, user)) >= allowed
                for action in [*flow.transitions, "teleport"]:
                    if action in allowed_actions(booking, user):
                        continue
                    with pytest.raises(InvalidTransition) as refusal:
                        booking_act(user=user, booking=booking, action=action)
                    assert refusal.value.fields["allowed_actions"] == allowed_actions(booking, user)
                    refused += 1
                with pytest.raises(NotFound):
                    booking_act(user=stranger, booking=booking, action=next(iter(flow.transitions)))
            booking.refresh_from_db()
            assert booking.state == state
            assert not BookingEvent.objects.filter(booking=booking).exists()
            assert not MoneyIntent.objects.filter(booking=booking).exists()
    assert refused > 0


@pytest.mark.parametrize("key", sorted(workflows.PRESETS))
def test_system_only_actions_are_never_offered_to_people(key):
    flow = workflows.workflow(key)
    system_only = {a for a, t in flow.transitions.items() if t.roles == {workflows.SYSTEM}}
    timers = {timer.action for timer in flow.timers}

    assert timers <= set(flow.transitions)  # every timer fires a declared action
    for state in _states(flow):
        for role in (workflows.CLIENT, workflows.PROVIDER, workflows.ADMIN):
            assert not system_only & set(flow.allowed(state, role))
