"""What the activity pages share: rendering a service's refusal next to a form, and the
conversation block (thread, composer) embedded on booking and dispute pages."""

from __future__ import annotations

import re

from django.utils import timezone

from marketplace.common.errors import DomainError
from marketplace.messaging import selectors as messaging
from marketplace.messaging.models import MemberRole

_MILESTONE_FIELD = re.compile(r"^data\.milestones\[(\d+)\]\.(\w+)$")


def form_error(exc: DomainError, *, aliases: dict[str, str] | None = None) -> DomainError:
    """`exc` with its field names as the web forms call them: `data.price` → `price`,
    `data.milestones[0].title` → `milestone_0_title`, plus any `aliases` (service name → form name).
    `allowed_actions` (the list a refused transition carries) is not a field."""
    aliases = aliases or {}
    fields: dict[str, list[str]] = {}
    for name, errors in exc.fields.items():
        if name == "allowed_actions":
            continue
        found = _MILESTONE_FIELD.match(name)
        if found:
            name = f"milestone_{found.group(1)}_{found.group(2)}"
        elif name.startswith("data."):
            name = name[len("data.") :]
        fields.setdefault(aliases.get(name, name), []).extend(errors)
    return DomainError(exc.message, code=exc.code, fields=fields)


def thread_context(user, conversation, role: str, *, before: str | None = None, q: str | None = None) -> dict:
    """A page of `conversation` for `user` (already let in by the messaging service as `role`):
    messages oldest first, the cursor for older ones, who read what, and the other party."""
    page = messaging.thread(user, conversation, before=before, q=q)
    members = list(conversation.members.select_related("user").order_by("id"))
    others = [m for m in members if m.user_id != user.pk and m.role in (MemberRole.CLIENT, MemberRole.PROVIDER)]
    seen_until = max((m.last_read_at for m in others if m.last_read_at), default=None)
    messages = list(reversed(page.messages))
    return {
        "conversation": conversation,
        "thread_role": role,
        "is_party": role in (MemberRole.CLIENT, MemberRole.PROVIDER),
        "thread_messages": messages,
        "next_before": page.next_before,
        "last_message_id": messages[-1].public_id if messages else "",
        "others": [m.user for m in others],
        "other": others[0].user if others else None,
        "seen_until": seen_until,
        "thread_q": q or "",
        "now": timezone.now(),
    }
