"""Becoming a provider: apply, submit documents, be reviewed; badges; profile edits."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import require
from billing import entitlements
from marketplace.audit.services import audit_record
from marketplace.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from marketplace.common.uploads import check_upload
from marketplace.notifications.events import verification_decided
from marketplace.providers.models import (
    Badge,
    BadgeKind,
    DocumentKind,
    PortfolioItem,
    ProviderProfile,
    ProviderStatus,
    VerificationDocument,
)
from marketplace.search.indexing import provider_listings_index

PROFILE_FIELDS = {"headline", "bio", "skills", "languages", "location", "remote"}
DOCUMENT_TYPES = {"application/pdf", "image/png", "image/jpeg"}


def _list_of_text(value: Any, *, most: int, longest: int) -> bool:
    return (
        isinstance(value, list)
        and len(value) <= most
        and all(isinstance(v, str) and 1 <= len(v.strip()) <= longest for v in value)
    )


def _profile_errors(values: dict[str, Any], *, creating: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for unknown in sorted(set(values) - PROFILE_FIELDS):
        errors[unknown] = ["This field does not exist or cannot be changed."]
    if creating or "headline" in values:
        headline = values.get("headline")
        if not isinstance(headline, str) or not 5 <= len(headline.strip()) <= 140:
            errors["headline"] = ["Write a headline of 5 to 140 characters, e.g. 'Calculus tutor, PhD student'."]
    if "bio" in values and (not isinstance(values["bio"], str) or len(values["bio"]) > 5_000):
        errors["bio"] = ["Use at most 5,000 characters."]
    if "skills" in values and not _list_of_text(values["skills"], most=30, longest=60):
        errors["skills"] = ["List up to 30 skills of at most 60 characters each."]
    if "languages" in values and not _list_of_text(values["languages"], most=15, longest=40):
        errors["languages"] = ["List up to 15 languages."]
    if "location" in values and (not isinstance(values["location"], str) or len(values["location"]) > 120):
        errors["location"] = ["Use at most 120 characters."]
    if "remote" in values and not isinstance(values["remote"], bool):
        errors["remote"] = ["Use true or false."]
    return errors


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    for field in ("headline", "bio", "location"):
        if isinstance(cleaned.get(field), str):
            cleaned[field] = cleaned[field].strip()
    for field in ("skills", "languages"):
        if isinstance(cleaned.get(field), list):
            cleaned[field] = list(dict.fromkeys(v.strip() for v in cleaned[field]))
    return cleaned


@transaction.atomic
def provider_apply(*, user: User, **values: Any) -> ProviderProfile:
    """Apply to become a provider. With verification off, the profile is approved at once."""
    from marketplace.configuration.selectors import marketplace_settings

    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied("Sign in to apply as a provider.")
    existing = ProviderProfile.objects.select_for_update().filter(user=user).first()
    if existing is not None and existing.status != ProviderStatus.REJECTED:
        raise Conflict("You have already applied; update your application instead.", code="already_applied")
    if errors := _profile_errors(values, creating=True):
        raise ValidationFailed("The application could not be saved: fix the fields listed.", fields=errors)
    values = _clean(values)
    verification = marketplace_settings().provider_verification_required
    status = ProviderStatus.PENDING if verification else ProviderStatus.APPROVED
    if status == ProviderStatus.APPROVED:
        entitlements.check_limit(connection.tenant, "active_providers")
    if existing is None:
        profile = ProviderProfile.objects.create(user=user, status=status, **values)
    else:  # applying again after a rejection
        profile = existing
        for field, value in values.items():
            setattr(profile, field, value)
        profile.status, profile.decision_reason = status, ""
        profile.save()
    if not user.is_provider:
        user.is_provider = True
        user.save(update_fields=["is_provider", "updated_at"])
    audit_record(actor=user, action="provider.applied", target=profile, after={"status": profile.status})
    return profile


@transaction.atomic
def provider_profile_update(*, user: User, **changes: Any) -> ProviderProfile:
    profile = ProviderProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        raise Conflict("Apply as a provider first.", code="not_a_provider")
    if errors := _profile_errors(changes, creating=False):
        raise ValidationFailed("The profile could not be saved: fix the fields listed.", fields=errors)
    for field, value in _clean(changes).items():
        setattr(profile, field, value)
    if profile.status == ProviderStatus.INFO_REQUESTED:
        profile.status = ProviderStatus.PENDING  # back in the review queue
    profile.save()
    if {"headline", "skills"} & changes.keys():
        provider_listings_index(profile.pk)  # listings are found by their provider's headline and skills
    return profile


@transaction.atomic
def provider_document_add(*, user: User, kind: str, upload) -> VerificationDocument:
    profile = ProviderProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        raise Conflict("Apply as a provider first.", code="not_a_provider")
    if kind not in DocumentKind.values:
        raise ValidationFailed(
            "Choose the kind of document.", fields={"kind": [f"Choose one of: {', '.join(DocumentKind.values)}."]}
        )
    content_type = check_upload(upload, allowed=DOCUMENT_TYPES, max_bytes=settings.DOCUMENT_MAX_BYTES)
    document = VerificationDocument(
        profile=profile,
        kind=kind,
        original_name=(upload.name or "document")[:255],
        content_type=content_type,
        size=upload.size,
    )
    document.file.save(document.public_id, upload, save=False)
    document.save()
    if profile.status == ProviderStatus.INFO_REQUESTED:
        profile.status = ProviderStatus.PENDING
        profile.save(update_fields=["status", "updated_at"])
    audit_record(actor=user, action="provider.document_added", target=profile, after={"kind": kind})
    return document


@transaction.atomic
def provider_application_submit(
    *, user: User, documents: dict[str, Any] | None = None, **values: Any
) -> ProviderProfile:
    """The application page's one step: apply (again, after a rejection) or complete an application
    under review, with the profile and any verification documents (`{kind: upload}`) together.
    Every field and every file is checked before anything is written, and all problems are named
    at once (a document's as `documents.<kind>`): a refused file leaves no profile behind."""
    existing = ProviderProfile.objects.select_for_update().filter(user=user).first()
    if existing is not None and existing.status == ProviderStatus.APPROVED:
        raise Conflict("Your application is approved; edit your profile instead.", code="already_approved")
    applying = existing is None or existing.status == ProviderStatus.REJECTED
    documents = {kind: upload for kind, upload in (documents or {}).items() if upload is not None}
    errors = _profile_errors(values, creating=applying)
    for kind, upload in documents.items():
        if kind not in DocumentKind.values:
            errors[f"documents.{kind}"] = [f"Choose one of: {', '.join(DocumentKind.values)}."]
            continue
        try:
            check_upload(upload, allowed=DOCUMENT_TYPES, max_bytes=settings.DOCUMENT_MAX_BYTES)
        except ValidationFailed as exc:
            errors[f"documents.{kind}"] = [exc.message, *exc.fields.get("file", [])]
    if errors:
        raise ValidationFailed("The application could not be saved: fix the fields listed.", fields=errors)
    if applying:
        profile = provider_apply(user=user, **values)
    else:
        profile = provider_profile_update(user=user, **values)
    for kind, upload in documents.items():
        provider_document_add(user=user, kind=kind, upload=upload)
    profile.refresh_from_db()
    return profile


DECISIONS = {
    "approve": ProviderStatus.APPROVED,
    "reject": ProviderStatus.REJECTED,
    "request_info": ProviderStatus.INFO_REQUESTED,
}


@transaction.atomic
def provider_review(
    *, actor: User, profile: ProviderProfile, decision: str, reason: str = "", badges: list[str] | None = None
) -> ProviderProfile:
    """A reviewer's decision on an application, with badges on approval; audited and emailed."""
    require(actor, "providers.review")
    profile = ProviderProfile.objects.select_for_update().get(pk=profile.pk)
    if decision not in DECISIONS:
        raise ValidationFailed("Choose a decision.", fields={"decision": [f"Choose one of: {', '.join(DECISIONS)}."]})
    if decision in ("reject", "request_info") and not (reason or "").strip():
        raise ValidationFailed("Say why, so the applicant knows what to do.", fields={"reason": ["Give a reason."]})
    badges = list(dict.fromkeys(badges or []))
    if decision != "approve" and badges:
        raise ValidationFailed("Badges come with an approval.", fields={"badges": ["Only when approving."]})
    if unknown := [b for b in badges if b not in BadgeKind.values]:
        raise ValidationFailed("Unknown badge.", fields={"badges": [f"Unknown: {', '.join(unknown)}."]})
    if profile.user_id == actor.pk:
        raise Conflict("You cannot review your own application.", code="own_application")
    if profile.status == DECISIONS[decision] and decision != "approve":
        raise Conflict(f"The application is already {profile.status}.", code="no_change")
    if decision == "approve" and profile.status != ProviderStatus.APPROVED:
        entitlements.check_limit(connection.tenant, "active_providers")
    before = profile.status
    profile.status = DECISIONS[decision]
    profile.decision_reason = (reason or "").strip()[:500]
    profile.decided_by, profile.decided_at = actor, timezone.now()
    profile.save(update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"])
    for kind in badges:
        Badge.objects.get_or_create(profile=profile, kind=kind, defaults={"granted_by": actor})
    audit_record(
        actor=actor,
        action=f"provider.{decision}",
        target=profile,
        before={"status": before},
        after={"status": profile.status, "badges": badges},
        reason=profile.decision_reason,
    )
    verification_decided(profile)  # in the app and by email, after commit
    return profile


MAX_PORTFOLIO_ITEMS = 30


@transaction.atomic
def portfolio_item_add(
    *, user: User, title: Any, description: Any = "", link: Any = "", image: Any = None
) -> PortfolioItem:
    """A new portfolio item, with its picture when `image` is given (checked with the other fields
    first: a refused picture saves nothing)."""
    from django.core.exceptions import ValidationError as DjangoValidationError
    from django.core.validators import URLValidator

    from marketplace.common.images import image_checked

    profile = ProviderProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        raise Conflict("Apply as a provider first.", code="not_a_provider")
    errors: dict[str, list[str]] = {}
    if not isinstance(title, str) or not 2 <= len(title.strip()) <= 120:
        errors["title"] = ["Use 2 to 120 characters."]
    if not isinstance(description, str) or len(description) > 1000:
        errors["description"] = ["Use at most 1,000 characters."]
    if not isinstance(link, str):
        errors["link"] = ["Use a web address starting with https:// or http://."]
    elif link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except DjangoValidationError:
            errors["link"] = ["Use a web address starting with https:// or http://."]
    if image is not None:
        try:
            image_checked(image)
        except ValidationFailed as exc:
            errors["image"] = [exc.message, *exc.fields.get("file", [])]
    if errors:
        raise ValidationFailed("The portfolio item could not be saved: fix the fields listed.", fields=errors)
    if profile.portfolio.count() >= MAX_PORTFOLIO_ITEMS:
        raise Conflict(f"A profile shows at most {MAX_PORTFOLIO_ITEMS} portfolio items.", code="portfolio_full")
    item = PortfolioItem.objects.create(
        profile=profile,
        title=title.strip(),
        description=description.strip(),
        link=link,
        position=profile.portfolio.count(),
    )
    if image is not None:
        item = portfolio_item_image_set(user=user, public_id=item.public_id, upload=image)
    return item


def _own_item(user: User, public_id: str) -> PortfolioItem:
    item = PortfolioItem.objects.select_for_update().filter(public_id=public_id, profile__user=user).first()
    if item is None:
        raise NotFound("No such portfolio item of yours.")
    return item


def _delete_files_after_commit(*files) -> None:
    names = [f.name for f in files if f]
    storage = PortfolioItem._meta.get_field("image").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


@transaction.atomic
def portfolio_item_remove(*, user: User, public_id: str) -> None:
    item = _own_item(user, public_id)
    _delete_files_after_commit(item.image, item.thumbnail)
    item.delete()


@transaction.atomic
def portfolio_item_image_set(*, user: User, public_id: str, upload) -> PortfolioItem:
    """Give a portfolio item its picture (replacing any earlier one); the thumbnail follows in the
    background."""
    from marketplace.common.images import EXTENSIONS, image_checked

    item = _own_item(user, public_id)
    content_type, _, _ = image_checked(upload)
    _delete_files_after_commit(item.image, item.thumbnail)
    item.thumbnail = ""
    item.image.save(f"{item.public_id}{EXTENSIONS[content_type]}", upload, save=False)
    item.save(update_fields=["image", "thumbnail", "updated_at"])
    schema = connection.schema_name  # the commit may come after the caller left the marketplace's schema
    transaction.on_commit(lambda: _queue_portfolio_thumbnail(item.pk, schema))
    return item


@transaction.atomic
def portfolio_item_image_remove(*, user: User, public_id: str) -> PortfolioItem:
    item = _own_item(user, public_id)
    _delete_files_after_commit(item.image, item.thumbnail)
    item.image = item.thumbnail = ""
    item.save(update_fields=["image", "thumbnail", "updated_at"])
    return item


def _queue_portfolio_thumbnail(item_id: int, schema: str) -> None:
    from config.celery import SCHEMA_KWARG
    from marketplace.providers.tasks import make_portfolio_thumbnail

    make_portfolio_thumbnail.apply_async(kwargs={"item_id": item_id, SCHEMA_KWARG: schema})


def portfolio_thumbnail_make(*, item_id: int) -> PortfolioItem | None:
    """Idempotent: an item that has a thumbnail (or no picture) is left as it is."""
    from marketplace.common.images import thumbnail_write

    item = PortfolioItem.objects.filter(pk=item_id).first()
    if item is not None:
        thumbnail_write(item, name=item.public_id)
    return item
