from __future__ import annotations

from django.db.models import QuerySet

from accounts.permissions import can
from marketplace.providers.models import ProviderProfile, ProviderStatus, VerificationDocument


def _profiles() -> QuerySet[ProviderProfile]:
    return ProviderProfile.objects.select_related("user", "decided_by").prefetch_related("badges", "portfolio")


def provider_review_queue(*, status: str | None = None) -> QuerySet[ProviderProfile]:
    """Applications waiting for a decision, oldest first (or those in `status`)."""
    wanted = [status] if status else [ProviderStatus.PENDING]
    return _profiles().filter(status__in=wanted).order_by("created_at")


def providers_for_review(*, status: str | None = None) -> QuerySet[ProviderProfile]:
    """Every application (or those in `status`) for the review screen: those waiting for a decision
    first, then those waiting for the applicant, then decided ones; oldest application first within
    each (the longest wait on top)."""
    from django.db.models import Case, IntegerField, Value, When

    profiles = _profiles().prefetch_related("documents")
    if status:
        profiles = profiles.filter(status=status)
    waiting = Case(
        When(status=ProviderStatus.PENDING, then=Value(0)),
        When(status=ProviderStatus.INFO_REQUESTED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return profiles.annotate(waiting=waiting).order_by("waiting", "created_at", "id")


def provider_for_user(user) -> ProviderProfile | None:
    return _profiles().filter(user=user).first() if user.is_authenticated else None


def provider_of(user) -> ProviderProfile:
    """The user's own provider profile, or a 409 telling them to apply first."""
    from marketplace.common.errors import Conflict

    profile = ProviderProfile.objects.filter(user_id=user.pk).first() if user.is_authenticated else None
    if profile is None:
        raise Conflict("Apply as a provider first.", code="not_a_provider")
    return profile


def provider_visible_to(viewer, public_id: str) -> ProviderProfile | None:
    """Approved profiles are public; others only to their owner and reviewers."""
    profile = _profiles().filter(public_id=public_id).first()
    if profile is None:
        return None
    if profile.status == ProviderStatus.APPROVED:
        return profile
    if viewer.is_authenticated and (profile.user_id == viewer.pk or can(viewer, "providers.review")):
        return profile
    return None


def provider_document_for(viewer, profile_id: str, document_id: str) -> VerificationDocument | None:
    """A document, only for its owner and reviewers."""
    document = (
        VerificationDocument.objects.select_related("profile")
        .filter(public_id=document_id, profile__public_id=profile_id)
        .first()
    )
    if document is None or not viewer.is_authenticated:
        return None
    if document.profile.user_id == viewer.pk or can(viewer, "providers.review"):
        return document
    return None


# What a complete provider has done, in the order the dashboard suggests it.
COMPLETENESS_STEPS = ("headline", "bio", "skills", "languages", "portfolio", "availability", "listing", "payouts")


def profile_completeness(profile: ProviderProfile) -> dict:
    """Which steps of a complete provider presence are done (`steps`: key -> done) and the share
    done in percent. A few indexed existence queries."""
    from marketplace.bookings.models import AvailabilitySchedule
    from marketplace.catalogue.models import Listing, ListingStatus
    from marketplace.payments.models import PayeeAccount

    steps = {
        "headline": bool(profile.headline.strip()),
        "bio": len(profile.bio.strip()) >= 80,
        "skills": bool(profile.skills),
        "languages": bool(profile.languages),
        "portfolio": profile.portfolio.exists(),
        "availability": AvailabilitySchedule.objects.filter(provider=profile, listing__isnull=True).exists(),
        "listing": Listing.objects.filter(provider=profile, status=ListingStatus.ACTIVE).exists(),
        "payouts": PayeeAccount.objects.filter(provider=profile, payouts_enabled=True).exists(),
    }
    done = sum(steps.values())
    return {"steps": steps, "percent": round(100 * done / len(steps)), "done": done, "total": len(steps)}


def providers_active_count() -> int:
    """Approved providers: those who may publish and be booked (the reports' "active providers")."""
    return ProviderProfile.objects.filter(status=ProviderStatus.APPROVED).count()
