"""Workflows and policies: per category, the booking workflow, commission, cancellation policy and
timer lengths in effect, where each comes from (set here, inherited from a category above, the
marketplace's default or the preset's), and a form to tune a category's timers and policy. Timers
the payment processor cannot honour are refused by the service, with the reason."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.bookings.workflows import CANCELLATION_POLICIES, TUNABLE_TIMERS, timer_defaults
from marketplace.catalogue.selectors import category_by_public_id, category_tree
from marketplace.catalogue.services import category_update
from marketplace.common.errors import DomainError
from marketplace.configuration.models import BookingWorkflow
from marketplace.configuration.selectors import marketplace_settings
from web.manage.operations.forms import BookingSettingsForm, bps_to_percent
from web.permissions import allowed

# Each tunable timer: its label and what it does (the unit is in the label).
TIMERS = {
    "payment_within_minutes": (
        gettext_lazy("Checkout expires after (minutes)"),
        gettext_lazy("An unpaid instant booking lets its slot go after this long."),
    ),
    "accept_within_hours": (
        gettext_lazy("Request expires after (hours)"),
        gettext_lazy("A request to book lapses when the provider has not answered by then; the card hold is let go."),
    ),
    "quote_grace_hours": (
        gettext_lazy("Quote expiry grace (hours)"),
        gettext_lazy("Extra time after a quote's own expiry before it lapses."),
    ),
    "auto_complete_after_hours": (
        gettext_lazy("Auto-complete after the session (hours)"),
        gettext_lazy("A session is completed, and its money released, this long after it ends."),
    ),
    "auto_accept_after_days": (
        gettext_lazy("Auto-accept a delivery after (days)"),
        gettext_lazy("Delivered work the client has not answered is accepted, and paid, after this long."),
    ),
    "reschedule_until_hours": (
        gettext_lazy("Rescheduling allowed until (hours before)"),
        gettext_lazy("Clients and providers may move a session up to this long before it starts."),
    ),
    "release_within_days": (
        gettext_lazy("Milestone projects paid out within (days)"),
        gettext_lazy("Every milestone of a project is released within this long of the client's payment."),
    ),
}
POLICY_NAMES = {
    "flexible": gettext_lazy("Flexible"),
    "moderate": gettext_lazy("Moderate"),
    "strict": gettext_lazy("Strict"),
}


def policy_tiers(policy) -> list[list[int]]:
    return CANCELLATION_POLICIES[policy] if isinstance(policy, str) else policy


def policy_name(policy) -> str:
    return str(POLICY_NAMES.get(policy, policy)) if isinstance(policy, str) else _("Custom")


def _timer_rows(node, defaults: dict, workflow_labels: dict) -> list[dict]:
    """Every tunable timer for `node`'s category: its value and where it comes from, and the
    workflows that use it (the category's own workflow first)."""
    rows = []
    workflow = node.workflow.value
    for name in TUNABLE_TIMERS:
        label, hint = TIMERS[name]
        used_by = defaults[name]
        set_on = node.timers.get(name)
        rows.append(
            {
                "name": name,
                "label": label,
                "hint": hint,
                "value": set_on.value if set_on else used_by.get(workflow),
                "source": set_on.source if set_on else None,
                "applies": workflow in used_by,
                "used_by": [workflow_labels[key] for key in used_by],
                "defaults": [(workflow_labels[key], value) for key, value in used_by.items()],
            }
        )
    return rows


def _policy_row(node) -> dict:
    policy = node.cancellation_policy
    return {"name": policy_name(policy.value), "tiers": policy_tiers(policy.value), "source": policy.source}


@allowed("marketplace.configure")
def workflows(request):
    nodes = category_tree()
    settings = marketplace_settings()
    labels = dict(BookingWorkflow.choices)
    rows = [
        {
            "node": node,
            "workflow": labels.get(node.workflow.value, node.workflow.value),
            "workflow_allowed": node.workflow.value in settings.allowed_workflows,
            "commission": bps_to_percent(node.commission_bps.value),
            "policy": _policy_row(node),
            "timers_set": [
                (TIMERS[name][0], inherited.value, inherited.source)
                for name, inherited in node.timers.items()
                if name in TIMERS
            ],
        }
        for node in nodes
    ]
    context = {
        "rows": rows,
        "default_commission": bps_to_percent(settings.default_commission_bps),
        "allowed": [labels[key] for key in BookingWorkflow.values if key in settings.allowed_workflows],
        "policies": [(POLICY_NAMES[key], tiers) for key, tiers in CANCELLATION_POLICIES.items()],
    }
    return render(request, "manage/operations/workflows.html", context)


@allowed("marketplace.configure")
def category_policies(request, public_id: str):
    category = category_by_public_id(public_id)
    if category is None:
        raise Http404(_("No such category."))
    nodes = category_tree()
    node = next(n for n in nodes if n.category.pk == category.pk)
    parent = next((n for n in nodes if n.category.pk == category.parent_id), None)
    timer_labels = {name: (label, hint) for name, (label, hint) in TIMERS.items()}
    form = BookingSettingsForm(
        request.POST or None,
        timer_labels=timer_labels,
        initial=BookingSettingsForm.initial_for(category.booking_settings or {}),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                category_update(actor=request.user, category=category, booking_settings=form.booking_settings())
            except DomainError as exc:
                form.apply_error(exc)
            else:
                messages.success(
                    request, _("Saved: the booking settings of “%(name)s” and below.") % {"name": category.name}
                )
                return redirect(reverse("manage:category-policies", kwargs={"public_id": category.public_id}))
        status = 400
    labels = dict(BookingWorkflow.choices)
    defaults = timer_defaults()
    timers = [
        {
            **row,
            "field": form[row["name"]],
            "help": _timer_help(row, _inherited_timer(parent, row["name"], defaults, node)),
        }
        for row in _timer_rows(node, defaults, labels)
    ]
    context = {
        "category": category,
        "node": node,
        "form": form,
        "workflow": labels.get(node.workflow.value, node.workflow.value),
        "commission": bps_to_percent(node.commission_bps.value),
        "timers": timers,
        "used_timers": [t for t in timers if t["applies"]],
        "other_timers": [t for t in timers if not t["applies"]],
        "others_open": any(
            t["field"].errors or t["field"].value() not in (None, "") for t in timers if not t["applies"]
        ),
        "policy": _policy_row(node),
        "inherited_policy": _policy_row(parent)
        if parent
        else {"name": policy_name("flexible"), "tiers": policy_tiers("flexible"), "source": None},
        "policies": [(key, POLICY_NAMES[key], tiers) for key, tiers in CANCELLATION_POLICIES.items()],
    }
    return render(request, "manage/operations/category_policies.html", context, status=status)


def _inherited_timer(parent, name: str, defaults: dict, node) -> dict:
    """What the category gets when it leaves `name` empty: the parent's, else the preset default."""
    inherited = parent.timers.get(name) if parent else None
    if inherited is not None:
        return {"value": inherited.value, "source": inherited.source}
    return {"value": defaults[name].get(node.workflow.value), "source": None}


def _timer_help(row: dict, inherited: dict) -> str:
    """What a timer does and what an empty box means here."""
    if inherited["source"] is not None:
        empty = _("Empty: %(value)s, from %(name)s.") % {"value": inherited["value"], "name": inherited["source"].name}
    elif inherited["value"] is not None:
        empty = _("Empty: %(value)s, the preset's default.") % {"value": inherited["value"]}
    else:
        empty = _("Empty: the default of the workflow that uses it.")
    if row["applies"]:
        return f"{row['hint']} {empty}"
    used = _("Used by: %(flows)s.") % {"flows": ", ".join(str(flow) for flow in row["used_by"])}
    return f"{row['hint']} {empty} {used}"
