"""The audit log: filtered by action or family, actor, target and days; paginated; each row told as
a sentence ("Dana approved provider Amira") with what changed in a disclosure."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.audit.selectors import audit_actions, audit_events, audit_target_names
from web.manage.operations.forms import AuditFilterForm
from web.permissions import allowed

PAGE_SIZE = 25

SENTENCES = {
    "provider.applied": gettext_lazy("%(actor)s applied to become a provider"),
    "provider.approve": gettext_lazy("%(actor)s approved provider %(target)s"),
    "provider.reject": gettext_lazy("%(actor)s turned down provider %(target)s"),
    "provider.request_info": gettext_lazy("%(actor)s asked provider %(target)s for more information"),
    "provider.document_added": gettext_lazy("%(actor)s added a verification document"),
    "listing.created": gettext_lazy("%(actor)s created listing %(target)s"),
    "listing.submit": gettext_lazy("%(actor)s submitted listing %(target)s"),
    "listing.approve": gettext_lazy("%(actor)s approved listing %(target)s"),
    "listing.reject": gettext_lazy("%(actor)s rejected listing %(target)s"),
    "listing.pause": gettext_lazy("%(actor)s paused listing %(target)s"),
    "listing.resume": gettext_lazy("%(actor)s resumed listing %(target)s"),
    "listing.archive": gettext_lazy("%(actor)s archived listing %(target)s"),
    "listing.duplicated": gettext_lazy("%(actor)s made listing %(target)s as a copy"),
    "listing.image_added": gettext_lazy("%(actor)s added a picture to listing %(target)s"),
    "listing.image_removed": gettext_lazy("%(actor)s removed a picture from listing %(target)s"),
    "listings.paused_for_currency": gettext_lazy(
        "%(actor)s changed the currency, pausing listings priced in the old one"
    ),
    "dispute.opened": gettext_lazy("%(actor)s opened dispute %(target)s"),
    "dispute.decided": gettext_lazy("%(actor)s decided dispute %(target)s"),
    "dispute.appeal_decided": gettext_lazy("%(actor)s decided the appeal of dispute %(target)s"),
    "user.registered": gettext_lazy("%(target)s joined"),
    "user.created_as_first_admin": gettext_lazy("%(target)s became the first admin"),
    "user.status_changed": gettext_lazy("%(actor)s changed the status of %(target)s"),
    "user.roles_changed": gettext_lazy("%(actor)s changed the roles of %(target)s"),
    "invitation.created": gettext_lazy("%(actor)s invited %(target)s"),
    "invitation.revoked": gettext_lazy("%(actor)s revoked the invitation of %(target)s"),
    "settings.changed": gettext_lazy("%(actor)s changed the marketplace's settings"),
    "category.created": gettext_lazy("%(actor)s created category %(target)s"),
    "category.changed": gettext_lazy("%(actor)s changed category %(target)s"),
    "category.review_criteria_changed": gettext_lazy("%(actor)s changed the review criteria of %(target)s"),
    "attribute.defined": gettext_lazy("%(actor)s added an attribute to %(target)s"),
    "attribute.changed": gettext_lazy("%(actor)s changed an attribute of %(target)s"),
    "attribute.removed": gettext_lazy("%(actor)s removed an attribute from %(target)s"),
    "api_key.created": gettext_lazy("%(actor)s made API key %(target)s"),
    "api_key.revoked": gettext_lazy("%(actor)s revoked API key %(target)s"),
    "branding.published": gettext_lazy("%(actor)s published new branding"),
    "notifications.setting_changed": gettext_lazy("%(actor)s changed notification %(target)s"),
    "review.hidden": gettext_lazy("%(actor)s hid review %(target)s"),
    "review.restored": gettext_lazy("%(actor)s restored review %(target)s"),
    "review.responded": gettext_lazy("%(actor)s answered review %(target)s"),
    "review.reported": gettext_lazy("%(actor)s reported review %(target)s"),
    "reputation.thresholds_changed": gettext_lazy("%(actor)s changed the reputation levels"),
    "message.reported": gettext_lazy("%(actor)s reported a message"),
    "conversation.viewed_by_staff": gettext_lazy("%(actor)s read conversation %(target)s"),
}
FAMILY_SENTENCES = {
    "booking": gettext_lazy("%(actor)s stepped in on booking %(target)s: %(action)s"),
}


def _strong(text: str):
    return format_html("<strong>{}</strong>", text)


def _shown(value) -> str:
    if value in (None, "", [], {}):
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def describe(event, names: dict) -> dict:
    """An event as people read it: a sentence, and each changed field's before and after."""
    actor = event.actor.full_name or event.actor.email if event.actor else _("The system")
    target = names.get((event.target_type, event.target_id), event.target_id)
    family, _dot, verb = event.action.partition(".")
    template = (
        SENTENCES.get(event.action) or FAMILY_SENTENCES.get(family) or gettext_lazy("%(actor)s: %(action)s %(target)s")
    )
    sentence = mark_safe(  # noqa: S308 - our own text, escaped, with escaped names put in
        conditional_escape(str(template))
        % {"actor": _strong(actor), "target": _strong(target), "action": conditional_escape(verb.replace("_", " "))}
    )
    fields = list(dict.fromkeys([*event.before, *event.after]))
    changes = [(field, _shown(event.before.get(field)), _shown(event.after.get(field))) for field in fields]
    return {"event": event, "sentence": sentence, "changes": changes}


@allowed("audit.view")
def audit(request):
    form = AuditFilterForm(request.GET, actions=audit_actions())
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        events = audit_events(
            action=data["action"],
            actor=data["actor"],
            target=data["target"],
            since=data["from"],
            until=data["to"],
        )
    else:
        status, events = 400, audit_events().none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    names = audit_target_names(page.object_list)
    rows = [describe(event, names) for event in page.object_list]
    filtered = any(request.GET.get(name) for name in ("action", "actor", "target", "from", "to"))
    return render(
        request,
        "manage/operations/audit.html",
        {"form": form, "page_obj": page, "rows": rows, "filtered": filtered},
        status=status,
    )
