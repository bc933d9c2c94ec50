import pytest
from django.utils import timezone

from billing.models import Plan, PlanVersion, Subscription


@pytest.fixture
def put_on_plan(db):
    """Move a marketplace onto a small plan made for the test (retired, so never offered): the
    seeded plans' limits are too large to reach in a test."""

    def move(tenant, *, limits: dict | None = None, features: tuple = ()) -> PlanVersion:
        rank = Plan.objects.filter(rank__lt=10).count() + 1
        plan = Plan.objects.create(code=f"tiny-{tenant.schema_name}", name="Tiny", rank=rank, retired_at=timezone.now())
        version = PlanVersion.objects.create(
            plan=plan,
            number=1,
            currency="USD",
            monthly_price=1_000,
            yearly_price=10_000,
            trial_days=0,
            platform_fee_bps=900,
            limits=limits or {},
            features=list(features),
        )
        Subscription.objects.filter(tenant=tenant).update(plan_version=version)
        return version

    return move


@pytest.fixture
def listing(api_a, tenant_a, settings, tmp_path):
    """A listing at alpha to upload images to, with every file kept under the test's own folder."""
    from tests.catalogue.test_listing_images import listing_made

    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = tmp_path / "media", tmp_path / "private"
    return listing_made(api_a, tenant_a)
