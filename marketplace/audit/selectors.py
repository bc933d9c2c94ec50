"""Reading the audit trail: filtered, newest first, and the names of what the rows are about."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.apps import apps
from django.db.models import QuerySet

from marketplace.audit.models import AuditEvent


def audit_events(
    *,
    action: str = "",
    actor: str = "",
    target: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """The marketplace's audit trail, newest first. `action` is one action ("dispute.decided") or a
    family ("dispute": every dispute.* action); `actor` an email (any case); `target` a public id;
    `since`/`until` days, both included, in the current time zone."""
    events = AuditEvent.objects.select_related("actor")
    if action:
        events = events.filter(action=action) if "." in action else events.filter(action__startswith=f"{action}.")
    if actor:
        events = events.filter(actor__email__iexact=actor.strip())
    if target:
        events = events.filter(target_id=target.strip())
    if since:
        events = events.filter(created_at__date__gte=since)
    if until:
        events = events.filter(created_at__date__lte=until)
    return events


def audit_actions() -> list[str]:
    """Every action the trail holds, sorted (for a filter)."""
    return sorted(AuditEvent.objects.values_list("action", flat=True).distinct().order_by())


def _person(user) -> str:
    return user.full_name or user.email


# How to name a target, per model: (related rows to load with it, the name).
_NAMES: dict[str, tuple[tuple[str, ...], Callable]] = {
    "accounts.user": ((), _person),
    "accounts.invitation": ((), lambda invitation: invitation.email),
    "accounts.apikey": ((), lambda key: key.name),
    "providers.providerprofile": (("user",), lambda profile: _person(profile.user)),
    "catalogue.category": ((), lambda category: category.name),
    "catalogue.listing": ((), lambda listing: listing.title),
    "bookings.booking": (("listing",), lambda booking: f"{booking.listing.title} ({booking.public_id})"),
    "disputes.dispute": (
        ("booking__listing",),
        lambda dispute: f"{dispute.booking.listing.title} ({dispute.public_id})",
    ),
    "configuration.marketplacesettings": ((), lambda settings: settings.display_name),
    "notifications.marketplacenotificationsetting": ((), lambda setting: setting.kind),
}


def audit_target_names(events: Iterable[AuditEvent]) -> dict[tuple[str, str], str]:
    """{(target_type, target_id): a readable name} for the targets of `events` that still exist: one
    query per kind of target among them (a page of the log names a handful of kinds)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        wanted[event.target_type].add(event.target_id)
    names: dict[tuple[str, str], str] = {}
    for target_type, ids in wanted.items():
        try:
            model = apps.get_model(target_type)
        except (LookupError, ValueError):
            continue
        related, name = _NAMES.get(target_type, ((), str))
        by_public_id = any(f.name == "public_id" for f in model._meta.get_fields())
        if by_public_id:
            rows = model.objects.filter(public_id__in=ids)
        else:
            rows = model.objects.filter(pk__in=[i for i in ids if i.isdigit()])
        for row in rows.select_related(*related) if related else rows:
            key = row.public_id if by_public_id else str(row.pk)
            names[(target_type, key)] = name(row)
    return names
