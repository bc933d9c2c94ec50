"""Forms of the admin console's operations pages. They parse what people type into what the domain
services take (percentages into basis points, one option per line into lists); the services check the
values again and name each bad field."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.bookings.workflows import CANCELLATION_POLICIES, TUNABLE_TIMERS
from marketplace.catalogue.models import AttributeType
from marketplace.common.errors import DomainError
from marketplace.configuration.models import BookingWorkflow

# --- reports ----------------------------------------------------------------------------------------

LONGEST_PERIOD_DAYS = 731  # two years
LONGEST_DAILY_PERIOD_DAYS = 366


class ReportForm(forms.Form):
    """The overview's period: this month, the last 30 days, or from–to; per day or per month."""

    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[("month", _("This month")), ("30d", _("Last 30 days")), ("custom", _("From – to"))],
    )
    per = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Automatic")), ("day", _("Per day")), ("month", _("Per month"))],
    )

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        # "from" and "to" are Python keywords: declared here, read as form["from"].
        self.fields["from"] = forms.DateField(
            label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
        self.fields["to"] = forms.DateField(
            label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
        self.order_fields(["period", "from", "to", "per"])

    def clean(self):
        data = super().clean()
        period = data.get("period") or ("custom" if data.get("from") or data.get("to") else "month")
        if period == "month":
            first, last = self.today.replace(day=1), self.today
        elif period == "30d":
            first, last = self.today - datetime.timedelta(days=29), self.today
        else:
            first, last = data.get("from"), data.get("to")
            if first is None and "from" not in self.errors:
                self.add_error("from", _("Choose the first day."))
            if last is None and "to" not in self.errors:
                self.add_error("to", _("Choose the last day."))
            if first is None or last is None:
                return data
            if last < first:
                self.add_error("to", _("The last day is before the first."))
                return data
            if (last - first).days >= LONGEST_PERIOD_DAYS:
                self.add_error("to", _("Choose at most two years."))
                return data
        days = (last - first).days + 1
        per = data.get("per") or ("day" if days <= 62 else "month")
        if per == "day" and days > LONGEST_DAILY_PERIOD_DAYS:
            self.add_error("per", _("Per day shows at most a year; choose per month."))
            return data
        data.update(period=period, first=first, last=last, per=per)
        return data


# --- categories -------------------------------------------------------------------------------------


def percent_to_bps(value: Decimal | None) -> int | None:
    """12.5 (%) -> 1250 basis points; None stays None (inherit)."""
    return None if value is None else int(value * 100)


def bps_to_percent(bps: int | None) -> Decimal | None:
    return None if bps is None else Decimal(bps) / 100


class CommissionField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Commission (%)"))
        super().__init__(
            required=False,
            min_value=0,
            max_value=100,
            max_digits=5,
            decimal_places=2,
            widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            **kwargs,
        )


def tree_choices(nodes, *, blank: str, exclude: set[int] = frozenset()) -> list[tuple[str, str]]:
    """Categories as indented choices (their public ids), `blank` first."""
    return [("", blank)] + [
        (node.category.public_id, "\u2003" * node.depth + node.category.name)
        for node in nodes
        if node.category.pk not in exclude
    ]


def workflow_choices(allowed: list[str], *, blank: str) -> list[tuple[str, str]]:
    labels = dict(BookingWorkflow.choices)
    return [("", blank)] + [(key, labels[key]) for key in BookingWorkflow.values if key in allowed]


class CategoryCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    parent = forms.ChoiceField(label=_("Inside"), required=False)
    workflow = forms.ChoiceField(label=_("Booking workflow"), required=False)
    commission = CommissionField(help_text=_("Leave empty to use the parent's (or the marketplace's default)."))

    def __init__(self, *args, nodes, allowed_workflows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = tree_choices(nodes, blank=_("Top level"))
        self.fields["workflow"].choices = workflow_choices(allowed_workflows, blank=_("Same as the parent"))

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "parent": data["parent"] or None,
            "workflow": data["workflow"] or None,
            "commission_bps": percent_to_bps(data["commission"]),
        }


class CategoryDetailsForm(forms.Form):
    """Rename or move a category."""

    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.SlugField(
        label=_("Address"), max_length=80, help_text=_("Used in links: lower-case letters, digits and hyphens.")
    )
    parent = forms.ChoiceField(label=_("Inside"), required=False)
    position = forms.IntegerField(
        label=_("Position"), min_value=0, help_text=_("Order among its siblings: lower comes first.")
    )

    def __init__(self, *args, nodes, category, **kwargs):
        super().__init__(*args, **kwargs)
        below = {node.category.pk for node in nodes if category.pk in node.category.path}
        self.fields["parent"].choices = tree_choices(nodes, blank=_("Top level"), exclude=below)

    def changes(self, category) -> dict:
        data = self.cleaned_data
        current_parent = category.parent.public_id if category.parent_id else ""
        changes = {"name": data["name"], "slug": data["slug"], "position": data["position"]}
        if (data["parent"] or "") != current_parent:
            changes["parent"] = data["parent"] or None
        return changes


class CategoryTermsForm(forms.Form):
    """A category's commission override and booking workflow (empty: inherit)."""

    commission = CommissionField()
    workflow = forms.ChoiceField(label=_("Booking workflow"), required=False)

    def __init__(self, *args, allowed_workflows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workflow"].choices = workflow_choices(allowed_workflows, blank=_("Same as the parent"))

    def changes(self) -> dict:
        data = self.cleaned_data
        return {"commission_bps": percent_to_bps(data["commission"]), "workflow": data["workflow"] or None}


CRITERIA_ROWS = 8


class ReviewCriteriaForm(forms.Form):
    """What clients rate in the category besides the overall stars: up to eight criteria."""

    inherit = forms.BooleanField(label=_("Use the parent category's criteria"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(CRITERIA_ROWS):
            self.fields[f"key_{row}"] = forms.RegexField(
                label=_("Key"),
                regex=r"^[a-z][a-z0-9_]{0,39}$",
                required=False,
                error_messages={"invalid": _("Lower-case letters, digits and _, starting with a letter.")},
            )
            self.fields[f"label_{row}"] = forms.CharField(label=_("Label"), max_length=60, required=False)

    @staticmethod
    def initial_for(criteria: list[dict] | None) -> dict:
        initial = {"inherit": criteria is None}
        for row, criterion in enumerate(criteria or []):
            initial[f"key_{row}"], initial[f"label_{row}"] = criterion["key"], criterion["label"]
        return initial

    def rows(self):
        """The filled rows and three empty ones (at most eight in all)."""
        source = self.data if self.is_bound else self.initial
        filled = [row for row in range(CRITERIA_ROWS) if source.get(f"key_{row}") or source.get(f"label_{row}")]
        shown = min(max(filled, default=-1) + 4, CRITERIA_ROWS)
        return [(self[f"key_{row}"], self[f"label_{row}"]) for row in range(shown)]

    def clean(self):
        data = super().clean()
        for row in range(CRITERIA_ROWS):
            key, label = data.get(f"key_{row}"), (data.get(f"label_{row}") or "").strip()
            if key and not label:
                self.add_error(f"label_{row}", _("Give the label clients see."))
            elif label and not key and f"key_{row}" not in self.errors:
                self.add_error(f"key_{row}", _("Give a key, e.g. communication."))
        return data

    def criteria(self) -> list[dict] | None:
        data = self.cleaned_data
        if data["inherit"]:
            return None
        return [
            {"key": data[f"key_{row}"], "label": data[f"label_{row}"].strip()}
            for row in range(CRITERIA_ROWS)
            if data.get(f"key_{row}")
        ]

    def apply_error(self, exc: DomainError) -> None:
        """The service names rows as criteria.<n>.key/label (of the rows given, in order)."""
        given = [row for row in range(CRITERIA_ROWS) if self.cleaned_data.get(f"key_{row}")]
        for name, errors in exc.fields.items():
            parts = name.split(".")
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(given):
                for error in errors:
                    self.add_error(f"{parts[2]}_{given[int(parts[1])]}", error)
            else:
                for error in errors:
                    self.add_error(None, error)


class AttributeForm(forms.Form):
    """A custom attribute listings in the category fill. `key` and `type` only when defining one."""

    key = forms.RegexField(
        label=_("Key"),
        regex=r"^[a-z0-9_]{1,60}$",
        help_text=_("Stored with every listing and used in search filters, e.g. years_experience. It never changes."),
        error_messages={"invalid": _("Lower-case letters, digits and underscores (at most 60).")},
    )
    label = forms.CharField(label=_("Label"), max_length=120)
    type = forms.ChoiceField(label=_("Type"), choices=AttributeType.choices, help_text=_("It never changes either."))
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False, help_text=_("Numbers: years, hours, pages…"))
    min_value = forms.DecimalField(label=_("Lowest"), required=False, max_digits=14, decimal_places=4)
    max_value = forms.DecimalField(label=_("Highest"), required=False, max_digits=14, decimal_places=4)
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Choice types: one option per line."),
    )
    required = forms.BooleanField(label=_("Listings must fill it"), required=False)
    filterable = forms.BooleanField(label=_("Offer it as a search filter"), required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["key"], self.fields["type"]

    @staticmethod
    def initial_for(definition) -> dict:
        return {
            "label": definition.label,
            "unit": definition.unit,
            "min_value": definition.min_value,
            "max_value": definition.max_value,
            "choices": "\n".join(definition.choices),
            "required": definition.required,
            "filterable": definition.filterable,
            "position": definition.position,
        }

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["choices"] = [line.strip() for line in data["choices"].splitlines() if line.strip()]
        data["position"] = data.get("position") or 0
        data["unit"] = data["unit"].strip()
        return data


# --- workflows and policies -------------------------------------------------------------------------

POLICY_CHOICES = [
    ("", _("Same as the parent")),
    ("flexible", _("Flexible")),
    ("moderate", _("Moderate")),
    ("strict", _("Strict")),
    ("custom", _("Custom tiers")),
]
TIER_ROWS = 5


class BookingSettingsForm(forms.Form):
    """A category's timer lengths (empty: inherit) and cancellation policy."""

    policy = forms.ChoiceField(label=_("Cancellation policy"), choices=POLICY_CHOICES, required=False)

    def __init__(self, *args, timer_labels: dict[str, tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in TUNABLE_TIMERS.items():
            label, hint = timer_labels[name]
            self.fields[name] = forms.IntegerField(
                label=label, help_text=hint, required=False, min_value=low, max_value=high
            )
        for row in range(TIER_ROWS):
            self.fields[f"hours_{row}"] = forms.IntegerField(label=_("Notice (hours)"), required=False, min_value=0)
            self.fields[f"percent_{row}"] = forms.IntegerField(
                label=_("Refund (%)"), required=False, min_value=0, max_value=100
            )
        self.order_fields([*TUNABLE_TIMERS, "policy"])

    @staticmethod
    def initial_for(booking_settings: dict) -> dict:
        initial = dict(booking_settings.get("timers", {}))
        policy = booking_settings.get("cancellation_policy")
        if isinstance(policy, list):
            initial["policy"] = "custom"
            for row, (hours, percent) in enumerate(policy[:TIER_ROWS]):
                initial[f"hours_{row}"], initial[f"percent_{row}"] = hours, percent
        elif policy in CANCELLATION_POLICIES:
            initial["policy"] = policy
        return initial

    def timer_fields(self):
        return [self[name] for name in TUNABLE_TIMERS]

    def tier_rows(self):
        return [(self[f"hours_{row}"], self[f"percent_{row}"]) for row in range(TIER_ROWS)]

    def clean(self):
        data = super().clean()
        if data.get("policy") == "custom":
            rows = [
                (data.get(f"hours_{row}"), data.get(f"percent_{row}"))
                for row in range(TIER_ROWS)
                if data.get(f"hours_{row}") is not None or data.get(f"percent_{row}") is not None
            ]
            if not rows and not any(f"hours_{row}" in self.errors for row in range(TIER_ROWS)):
                self.add_error("policy", _("Give at least one tier: hours of notice and the refund."))
            for row in range(TIER_ROWS):
                hours, percent = data.get(f"hours_{row}"), data.get(f"percent_{row}")
                if (hours is None) != (percent is None):
                    missing = f"hours_{row}" if hours is None else f"percent_{row}"
                    if missing not in self.errors:
                        self.add_error(missing, _("Fill both of the tier's boxes."))
        return data

    def booking_settings(self) -> dict:
        data = self.cleaned_data
        settings: dict = {}
        timers = {name: data[name] for name in TUNABLE_TIMERS if data.get(name) is not None}
        if timers:
            settings["timers"] = timers
        policy = data.get("policy")
        if policy == "custom":
            tiers = [
                [data[f"hours_{row}"], data[f"percent_{row}"]]
                for row in range(TIER_ROWS)
                if data.get(f"hours_{row}") is not None and data.get(f"percent_{row}") is not None
            ]
            settings["cancellation_policy"] = sorted(tiers, key=lambda tier: -tier[0])
        elif policy:
            settings["cancellation_policy"] = policy
        return settings

    def apply_error(self, exc: DomainError) -> None:
        """The service's messages start with what they are about: "timers.<name>: …" or
        "cancellation_policy: …"; each goes next to its field."""
        for field, errors in exc.fields.items():
            for error in errors:
                about, _sep, message = error.partition(": ")
                message = message[:1].upper() + message[1:]
                if about.startswith("timers.") and about[7:] in self.fields:
                    self.add_error(about[7:], message)
                elif about == "cancellation_policy":
                    self.add_error("policy", message)
                else:
                    self.add_error(None, error if field == "booking_settings" else f"{field}: {error}")
        if not exc.fields:
            self.add_error(None, exc.message)


# --- notifications ----------------------------------------------------------------------------------


class NotificationWordingForm(forms.Form):
    enabled = forms.BooleanField(label=_("Send this notification"), required=False)
    subject = forms.CharField(label=_("Subject"), max_length=300, required=False)
    body = forms.CharField(
        label=_("Message"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def apply_error(self, exc: DomainError) -> None:
        """The service's messages for a kind start with the field: "subject: …", "body: …"."""
        for errors in exc.fields.values():
            for error in errors:
                about, _sep, message = error.partition(": ")
                if about in ("subject", "body"):
                    self.add_error(about, message[:1].upper() + message[1:])
                else:
                    self.add_error("enabled" if "essential" in error else None, error)


# --- audit log --------------------------------------------------------------------------------------


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("What"), required=False)
    actor = forms.EmailField(label=_("Who (email)"), required=False)
    target = forms.CharField(label=_("About (id)"), required=False, max_length=64)

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        families = sorted({action.split(".", 1)[0] for action in actions})
        self.fields["action"].choices = [
            ("", _("Everything")),
            (_("Families"), [(family, _("All of %(family)s") % {"family": family}) for family in families]),
            (_("Actions"), [(action, action) for action in actions]),
        ]
        self.fields["from"] = forms.DateField(
            label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
        self.fields["to"] = forms.DateField(
            label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
        )

    def clean(self):
        data = super().clean()
        if data.get("from") and data.get("to") and data["to"] < data["from"]:
            self.add_error("to", _("The last day is before the first."))
        return data


# --- API keys ---------------------------------------------------------------------------------------


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=80, help_text=_("Name it after what uses it, e.g. CRM sync or Data warehouse.")
    )
