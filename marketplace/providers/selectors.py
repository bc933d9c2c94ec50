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


def providers_public() -> QuerySet[ProviderProfile]:
    """Profiles anyone may see: approved, of members who may sign in."""
    return ProviderProfile.objects.filter(status=ProviderStatus.APPROVED, user__is_active=True)


def provider_cards(*, order: str = "top_rated", chosen: list[int] | None = None, limit: int = 4) -> list[dict]:
    """Cards of public providers to feature on a content page: the `chosen` ones (in that order,
    leaving out any no longer public), else the best rated or the newest approved; each with its
    number of public listings and cheapest price. One query."""
    from django.db.models import Count, Exists, F, Min, OuterRef, Subquery

    from marketplace.catalogue.selectors import listings_public
    from marketplace.providers.models import Badge

    listings = listings_public().filter(provider=OuterRef("pk")).order_by().values("provider")
    profiles = providers_public().annotate(
        verified=Exists(Badge.objects.filter(profile=OuterRef("pk"))),
        listing_count=Subquery(listings.annotate(n=Count("id")).values("n")),
        price_from=Subquery(listings.annotate(p=Min("price_from")).values("p")),
        currency=Subquery(listings.order_by("price_from").values("currency")[:1]),
    )
    if chosen is not None:
        profiles = profiles.filter(pk__in=chosen)
    else:
        ordering = {
            "top_rated": (F("rating_score").desc(nulls_last=True), "-review_count", "-completed_bookings", "-id"),
            "newest": (F("decided_at").desc(nulls_last=True), "-id"),
        }[order]
        profiles = profiles.order_by(*ordering)[:limit]
    rows = profiles.values(
        "pk",
        "public_id",
        "user__full_name",
        "user__email",
        "headline",
        "skills",
        "location",
        "remote",
        "level",
        "rating_average",
        "review_count",
        "verified",
        "listing_count",
        "price_from",
        "currency",
    )
    cards = {
        row["pk"]: {
            "id": row["public_id"],
            "name": row["user__full_name"] or row["user__email"].split("@")[0],
            "headline": row["headline"],
            "skills": row["skills"][:4],
            "location": row["location"],
            "remote": row["remote"],
            "level": row["level"],
            "rating_average": float(row["rating_average"]) if row["rating_average"] is not None else None,
            "review_count": row["review_count"],
            "verified": row["verified"],
            "listing_count": row["listing_count"] or 0,
            "price_from": row["price_from"],
            "currency": row["currency"],
        }
        for row in rows
    }
    order_of = list(dict.fromkeys(chosen))[:limit] if chosen is not None else list(cards)
    return [cards[pk] for pk in order_of if pk in cards]
