"""Changing a marketplace's settings: validated field by field, recorded in the audit trail."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.db import transaction

from accounts.permissions import require
from marketplace.audit.services import audit_record
from marketplace.common.errors import ValidationFailed
from marketplace.common.money import CURRENCY_EXPONENTS
from marketplace.configuration.models import BookingWorkflow, MarketplaceSettings
from marketplace.configuration.selectors import marketplace_settings

EDITABLE = {
    "display_name",
    "currency",
    "time_zone",
    "locale",
    "default_commission_bps",
    "listing_moderation",
    "provider_verification_required",
    "min_price",
    "max_price",
    "allowed_workflows",
    "review_window_days",
    "dispute_window_days",
    "tax_rate_bps",
    "tax_inclusive",
    "tax_label",
    "allow_inquiries",
    "mask_contact_details",
}
LOCALES = {"en", "en-gb", "en-us", "de", "fr", "es", "it", "nl", "pt", "pt-br", "sv", "da", "fi", "pl", "ja"}


def _errors_for(merged: dict[str, Any], changes: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def bad(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for unknown in sorted(set(changes) - EDITABLE):
        bad(unknown, "This setting does not exist or cannot be changed.")
    name = merged["display_name"]
    if not isinstance(name, str) or not 2 <= len(name.strip()) <= 120:
        bad("display_name", "Use 2 to 120 characters.")
    if merged["currency"] not in CURRENCY_EXPONENTS:
        bad(
            "currency",
            f"Use an ISO 4217 code such as USD, EUR or GBP (supported: {', '.join(sorted(CURRENCY_EXPONENTS))}).",
        )
    try:
        zoneinfo.ZoneInfo(str(merged["time_zone"]))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        bad("time_zone", "Use an IANA time zone such as Europe/London or America/New_York.")
    if str(merged["locale"]).lower() not in LOCALES:
        bad("locale", f"Choose one of: {', '.join(sorted(LOCALES))}.")
    commission = merged["default_commission_bps"]
    if not isinstance(commission, int) or isinstance(commission, bool) or not 0 <= commission <= 10_000:
        bad("default_commission_bps", "Use a whole number of basis points from 0 to 10000 (1000 = 10%).")
    for flag in (
        "listing_moderation",
        "provider_verification_required",
        "tax_inclusive",
        "allow_inquiries",
        "mask_contact_details",
    ):
        if not isinstance(merged[flag], bool):
            bad(flag, "Use true or false.")
    low, high = merged["min_price"], merged["max_price"]
    if not isinstance(low, int) or isinstance(low, bool) or low < 0:
        bad("min_price", "Use a whole, non-negative amount in minor units (cents).")
    if high is not None and (not isinstance(high, int) or isinstance(high, bool) or high < 0):
        bad("max_price", "Use a whole, non-negative amount in minor units (cents), or null for no maximum.")
    elif high is not None and isinstance(low, int) and high < low:
        bad("max_price", "The maximum price must not be below the minimum price.")
    workflows = merged["allowed_workflows"]
    if not isinstance(workflows, list) or not workflows or any(w not in BookingWorkflow.values for w in workflows):
        bad("allowed_workflows", f"Choose at least one of: {', '.join(BookingWorkflow.values)}.")
    if not isinstance(merged["review_window_days"], int) or not 1 <= merged["review_window_days"] <= 90:
        bad("review_window_days", "Use 1 to 90 days.")
    if not isinstance(merged["dispute_window_days"], int) or not 0 <= merged["dispute_window_days"] <= 30:
        bad("dispute_window_days", "Use 0 to 30 days.")
    rate = merged["tax_rate_bps"]
    if not isinstance(rate, int) or isinstance(rate, bool) or not 0 <= rate <= 10_000:
        bad("tax_rate_bps", "Use a whole number of basis points from 0 to 10000 (2000 = 20%).")
    label = merged["tax_label"]
    if not isinstance(label, str) or not 1 <= len(label) <= 20:
        bad("tax_label", "Use 1 to 20 characters, e.g. VAT, GST or Sales tax.")
    return errors


@transaction.atomic
def marketplace_settings_update(*, actor, changes: dict[str, Any]) -> MarketplaceSettings:
    """Apply `changes` to the marketplace's settings, all or nothing; audit what changed."""
    require(actor, "marketplace.configure")
    current = MarketplaceSettings.objects.select_for_update().get(pk=marketplace_settings().pk)
    before = {field: getattr(current, field) for field in EDITABLE}
    merged = {**before, **changes}
    if isinstance(merged.get("allowed_workflows"), list):
        merged["allowed_workflows"] = list(dict.fromkeys(merged["allowed_workflows"]))
    if isinstance(merged.get("locale"), str):
        merged["locale"] = merged["locale"].lower()
    for text in ("display_name", "tax_label"):
        if isinstance(merged.get(text), str):
            merged[text] = merged[text].strip()
    if errors := _errors_for(merged, changes):
        raise ValidationFailed("Some settings are invalid: " + ", ".join(sorted(errors)) + ".", fields=errors)
    changed = {field: merged[field] for field in EDITABLE if merged[field] != before[field]}
    if not changed:
        return current
    for field, value in changed.items():
        setattr(current, field, value)
    current.save(update_fields=[*changed, "updated_at"])
    if {"display_name", "locale"} & set(changed):
        from branding.selectors import forget

        transaction.on_commit(forget)  # the cached look carries the name and the language
    if "locale" in changed:
        transaction.on_commit(_reindex_search)
    if "currency" in changed:
        from marketplace.catalogue.listings import listings_pause_for_currency

        listings_pause_for_currency(actor=actor, settings=current, old=before["currency"], new=changed["currency"])
    audit_record(
        actor=actor,
        action="settings.changed",
        target=current,
        before={field: before[field] for field in changed},
        after=changed,
    )
    return current


def _reindex_search() -> None:
    from marketplace.search.tasks import reindex_listings

    reindex_listings.delay()
