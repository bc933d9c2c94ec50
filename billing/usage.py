"""What a marketplace uses, counted in its own schema.

Every figure is an exact, indexed query over the rows that define it (approved providers, active
listings, bookings made since the usage month began, staff accounts and open staff invitations), not a
counter kept beside them: a counter could drift from the truth on any code path that forgot it, a count
cannot. Storage is the exception (files are not rows): a counter kept by the storage layer itself and
set to the measured truth nightly (billing/storage.py). The periodic job `billing.record_usage` keeps a
snapshot per usage month for history.

Callers must be in the tenant's schema (`tenants.context.tenant_context`).
"""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils import timezone

from accounts.models import Invitation, Role, User
from marketplace.bookings.models import Booking
from marketplace.catalogue.models import Listing, ListingStatus
from marketplace.providers.models import ProviderProfile, ProviderStatus

STAFF_ROLES = (Role.ADMIN, Role.MODERATOR)


def usage_month(anchor: datetime, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The month-long window containing `now`, counted in whole months from `anchor` (the start of
    the subscription's period), so monthly limits reset on the subscriber's own day, yearly plans too."""
    now = now or timezone.now()
    months = (now.year - anchor.year) * 12 + now.month - anchor.month
    start = anchor + relativedelta(months=months)
    if start > now:
        months -= 1
        start = anchor + relativedelta(months=months)
    return start, anchor + relativedelta(months=months + 1)


def active_providers() -> int:
    return ProviderProfile.objects.filter(status=ProviderStatus.APPROVED).count()


def active_listings() -> int:
    return Listing.objects.filter(status=ListingStatus.ACTIVE).count()


def bookings_since(start: datetime) -> int:
    return Booking.objects.filter(created_at__gte=start).count()


def staff_seats() -> int:
    """Admins and moderators, plus open invitations that would make more of them."""
    members = User.objects.filter(is_active=True).filter(Q(is_marketplace_admin=True) | Q(is_moderator=True)).count()
    invited = Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).filter(Q(roles__contains=[Role.ADMIN]) | Q(roles__contains=[Role.MODERATOR]))
    return members + invited.count()


def current(key: str, *, period_start: datetime) -> int | None:
    """Current use of one limit (storage in megabytes begun; see billing/storage.py)."""
    if key == "active_providers":
        return active_providers()
    if key == "active_listings":
        return active_listings()
    if key == "bookings_per_month":
        return bookings_since(usage_month(period_start)[0])
    if key == "staff_seats":
        return staff_seats()
    if key == "storage_mb":
        from billing.storage import used_mb

        return used_mb()
    return None
