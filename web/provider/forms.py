"""Forms of the provider dashboard. They parse what people type — decimals in the marketplace's
currency, dates and times in the provider's zone, comma-separated lists — into what the services
take. The services check the rules and name each problem; `place_errors` puts those names back on
the fields."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from marketplace.catalogue.models import AttributeType, LocationType, PricingModel
from marketplace.common.errors import DomainError
from marketplace.common.money import CURRENCY_EXPONENTS
from marketplace.payments.models import PayoutSchedule
from web.forms import apply_domain_error

DOCUMENT_ACCEPT = "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"
IMAGE_ACCEPT = "image/png,image/jpeg,image/webp,.png,.jpg,.jpeg,.webp"


def place_errors(form: forms.BaseForm, exc: DomainError, rename: Callable[[str], str | None] | None = None) -> None:
    """A service's field errors on `form`, with the service's field names turned into the form's
    by `rename` (None: not a field of this form; shown at the top)."""
    fields: dict[str, list[str]] = {}
    for name, errors in exc.fields.items():
        target = rename(name) if rename else name
        fields.setdefault(target if target in form.fields else "__all__", []).extend(errors)
    general = fields.pop("__all__", [])
    apply_domain_error(form, DomainError(exc.message, code=exc.code, fields=fields))
    for error in general:
        if error not in form.non_field_errors():
            form.add_error(None, error)


def comma_list(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def to_minor(amount: Decimal, currency: str) -> int:
    """A decimal amount in `currency` as integer minor units (the form allows no finer fraction)."""
    return int((amount * 10 ** CURRENCY_EXPONENTS[currency]).to_integral_value())


def from_minor(amount: int | None, currency: str) -> Decimal | None:
    if amount is None:
        return None
    exponent = CURRENCY_EXPONENTS[currency]
    return (Decimal(amount) / 10**exponent).quantize(Decimal(1).scaleb(-exponent))


def money_field(currency: str, *, label, required: bool = True, help_text="") -> forms.DecimalField:
    exponent = CURRENCY_EXPONENTS[currency]
    step = "1" if exponent == 0 else f"0.{'0' * (exponent - 1)}1"
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=14,
        decimal_places=exponent,
        min_value=Decimal(0),
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": step, "inputmode": "decimal"}),
    )


# --- the application and the profile -------------------------------------------------------------


class ProfileForm(forms.Form):
    headline = forms.CharField(
        label=_("Headline"),
        max_length=140,
        help_text=_("One line clients read first, e.g. “Brand designer for early-stage startups”."),
    )
    bio = forms.CharField(
        label=_("About you"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Your experience, how you work, what clients can expect."),
    )
    skills = forms.CharField(label=_("Skills"), required=False, help_text=_("Separate them with commas."))
    languages = forms.CharField(label=_("Languages"), required=False, help_text=_("Separate them with commas."))
    location = forms.CharField(label=_("Location"), required=False, max_length=120, help_text=_("City or region."))
    remote = forms.BooleanField(label=_("I also work remotely (online)"), required=False)

    PROFILE_FIELDS = ("headline", "bio", "skills", "languages", "location", "remote")

    @staticmethod
    def initial_of(profile) -> dict:
        if profile is None:
            return {"remote": True}
        return {
            "headline": profile.headline,
            "bio": profile.bio,
            "skills": ", ".join(profile.skills),
            "languages": ", ".join(profile.languages),
            "location": profile.location,
            "remote": profile.remote,
        }

    def profile_values(self) -> dict:
        data = self.cleaned_data
        return {
            "headline": data["headline"],
            "bio": data["bio"],
            "skills": comma_list(data["skills"]),
            "languages": comma_list(data["languages"]),
            "location": data["location"],
            "remote": data["remote"],
        }


def _document_field(label, help_text) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
    )


class ApplicationForm(ProfileForm):
    """The profile and the verification documents, sent together."""

    DOCUMENT_FIELDS = ("identity", "credential", "licence")

    identity = _document_field(_("Identity document"), _("Passport, identity card or driving licence."))
    credential = _document_field(_("Credential"), _("A degree, diploma or certificate."))
    licence = _document_field(_("Professional licence"), _("If your profession is licensed."))

    def documents(self) -> dict:
        return {kind: self.cleaned_data.get(kind) for kind in self.DOCUMENT_FIELDS if self.cleaned_data.get(kind)}


def application_field(name: str) -> str:
    """The service names a document's problem `documents.<kind>`; the form's field is the kind."""
    return name.split(".", 1)[1] if name.startswith("documents.") else name


class PortfolioForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    link = forms.CharField(
        label=_("Link"), required=False, max_length=500, help_text=_("Where to see the work, e.g. https://…")
    )
    image = forms.FileField(
        label=_("Picture"),
        required=False,
        help_text=_("PNG, JPEG or WEBP."),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )


class PictureForm(forms.Form):
    file = forms.FileField(label=_("Picture"), widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}))


class ResponseForm(forms.Form):
    text = forms.CharField(label=_("Your public response"), widget=forms.Textarea(attrs={"rows": 3}))


# --- listings --------------------------------------------------------------------------------------


YES_NO = [("", _("Not said")), ("yes", _("Yes")), ("no", _("No"))]


def _plain(number: Decimal | None) -> str | None:
    """50.0000 → "50", 2.5000 → "2.5" (never "5E+1")."""
    return None if number is None else format(number.normalize(), "f")


def attribute_field(definition) -> forms.Field:
    """A form field for one attribute definition. Nothing is required here: the service says what
    is missing, next to the field."""
    label = definition.label + ("" if not definition.required else " *")
    kind = definition.type
    hint = ""
    if kind == AttributeType.NUMBER:
        low = _plain(definition.min_value)
        high = _plain(definition.max_value)
        unit = f" {definition.unit}" if definition.unit else ""
        if low is not None and high is not None:
            hint = _("From %(low)s to %(high)s%(unit)s.") % {"low": low, "high": high, "unit": unit}
        elif unit:
            hint = _("In %(unit)s.") % {"unit": definition.unit}
        attrs = {"step": "any", "inputmode": "decimal"}
        if low is not None:
            attrs["min"] = low
        if high is not None:
            attrs["max"] = high
        return forms.DecimalField(label=label, required=False, help_text=hint, widget=forms.NumberInput(attrs=attrs))
    if kind == AttributeType.CHOICE:
        return forms.ChoiceField(
            label=label, required=False, choices=[("", _("Choose…"))] + [(c, c) for c in definition.choices]
        )
    if kind == AttributeType.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            label=label,
            required=False,
            choices=[(c, c) for c in definition.choices],
            widget=forms.CheckboxSelectMultiple,
        )
    if kind == AttributeType.BOOLEAN:
        return forms.ChoiceField(label=label, required=False, choices=YES_NO)
    if kind == AttributeType.DATE:
        return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    return forms.CharField(label=label, required=False, max_length=500)


def attribute_initial(definition, value):
    if value is None:
        return None
    if definition.type == AttributeType.BOOLEAN:
        return "yes" if value else "no"
    return value


class ListingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 8}))
    category = forms.ChoiceField(label=_("Category"))
    pricing_model = forms.ChoiceField(label=_("Pricing"), choices=PricingModel.choices)
    location_type = forms.ChoiceField(label=_("Where the work happens"), choices=LocationType.choices)
    address = forms.CharField(
        label=_("Address"), required=False, max_length=255, help_text=_("For on-site work: where clients meet you.")
    )

    def __init__(self, *args, categories=(), definitions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Choose a category…"))] + [
            (c.public_id, "\u2003" * c.depth + c.name) for c in categories
        ]
        self.definitions = list(definitions)
        for definition in self.definitions:
            self.fields[f"attr_{definition.key}"] = attribute_field(definition)

    def attribute_fields(self):
        return [self[f"attr_{d.key}"] for d in self.definitions]

    def attribute_values(self) -> dict:
        values = {}
        for definition in self.definitions:
            value = self.cleaned_data.get(f"attr_{definition.key}")
            if value in (None, "", []):
                continue
            if definition.type == AttributeType.NUMBER:
                value = str(value)
            elif definition.type == AttributeType.BOOLEAN:
                value = value == "yes"
            elif definition.type == AttributeType.DATE:
                value = value.isoformat()
            values[definition.key] = value
        return values


class PackageForm(forms.Form):
    name = forms.CharField(label=_("Package name"), max_length=60)
    price = forms.DecimalField(label=_("Price"))  # replaced per currency
    duration_minutes = forms.IntegerField(
        label=_("Session length (minutes)"), required=False, min_value=0, help_text=_("For sessions.")
    )
    delivery_days = forms.IntegerField(
        label=_("Delivery time (days)"), required=False, min_value=0, help_text=_("For projects.")
    )
    description = forms.CharField(
        label=_("What it includes"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["price"] = money_field(currency, label=_("Price (%(currency)s)") % {"currency": currency})

    def value(self) -> dict:
        data = self.cleaned_data
        package = {"name": data["name"], "price": to_minor(data["price"], self.currency)}
        for field in ("duration_minutes", "delivery_days"):
            if data.get(field) is not None:
                package[field] = data[field]
        if data.get("description"):
            package["description"] = data["description"]
        return package


class AddOnForm(forms.Form):
    name = forms.CharField(label=_("Add-on name"), max_length=80)
    price = forms.DecimalField(label=_("Price"))
    extra_minutes = forms.IntegerField(label=_("Extra minutes"), required=False, min_value=0)
    extra_days = forms.IntegerField(label=_("Extra days"), required=False, min_value=0)

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["price"] = money_field(currency, label=_("Price (%(currency)s)") % {"currency": currency})

    def value(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "price": to_minor(data["price"], self.currency),
            "extra_minutes": data.get("extra_minutes") or 0,
            "extra_days": data.get("extra_days") or 0,
        }


MAX_PACKAGES, MAX_ADD_ONS = 5, 10


def package_formset(data, *, initial: list[dict], currency: str, extra: int):
    formset = forms.formset_factory(
        PackageForm, extra=extra, can_delete=True, max_num=MAX_PACKAGES, absolute_max=MAX_PACKAGES
    )
    return formset(data, prefix="packages", initial=initial, form_kwargs={"currency": currency})


def add_on_formset(data, *, initial: list[dict], currency: str, extra: int):
    formset = forms.formset_factory(
        AddOnForm, extra=extra, can_delete=True, max_num=MAX_ADD_ONS, absolute_max=MAX_ADD_ONS
    )
    return formset(data, prefix="add_ons", initial=initial, form_kwargs={"currency": currency})


def filled_forms(formset) -> list[tuple[int, forms.Form]]:
    """The rows to save, with their index in the formset: empty new rows and rows marked for
    removal are left out."""
    rows = []
    for index, form in enumerate(formset.forms):
        if index >= formset.initial_form_count() and not form.has_changed():
            continue
        if formset.can_delete and form.cleaned_data.get("DELETE"):
            continue
        rows.append((index, form))
    return rows


class ImageForm(forms.Form):
    file = forms.FileField(
        label=_("Add a picture"),
        help_text=_("PNG, JPEG or WEBP, at most %(mb)s MB; up to 10 per listing.")
        % {"mb": settings.IMAGE_MAX_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )


# --- availability --------------------------------------------------------------------------------


WEEKDAYS = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
MAX_WINDOWS_PER_DAY, MAX_OVERRIDES = 8, 30


def _time_field(label) -> forms.TimeField:
    return forms.TimeField(label=label, required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


class ScheduleForm(forms.Form):
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        help_text=_("Your windows are read in this zone, e.g. Europe/London."),
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )
    slot_minutes = forms.IntegerField(
        label=_("Session length (minutes)"), help_text=_("Packages with their own length use theirs.")
    )
    step_minutes = forms.IntegerField(label=_("Start a session every (minutes)"))
    buffer_before_minutes = forms.IntegerField(label=_("Free time before (minutes)"))
    buffer_after_minutes = forms.IntegerField(label=_("Free time after (minutes)"))
    min_notice_minutes = forms.IntegerField(label=_("Minimum notice (minutes)"), help_text=_("120 = two hours."))
    horizon_days = forms.IntegerField(label=_("Bookable up to (days ahead)"))
    capacity = forms.IntegerField(label=_("Seats per session"), help_text=_("More than 1 for group sessions."))

    NUMBERS = (
        "slot_minutes",
        "step_minutes",
        "buffer_before_minutes",
        "buffer_after_minutes",
        "min_notice_minutes",
        "horizon_days",
        "capacity",
    )

    def __init__(self, *args, rows: list[int], override_rows: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows, self.override_rows = rows, override_rows
        for day, count in enumerate(rows):
            for index in range(count):
                self.fields[f"w{day}_{index}_start"] = _time_field(
                    _("%(day)s, window %(n)s, from") % {"day": WEEKDAYS[day], "n": index + 1}
                )
                self.fields[f"w{day}_{index}_end"] = _time_field(
                    _("%(day)s, window %(n)s, to") % {"day": WEEKDAYS[day], "n": index + 1}
                )
        for index in range(override_rows):
            n = index + 1
            self.fields[f"o{index}_date"] = forms.DateField(
                label=_("Date %(n)s") % {"n": n}, required=False, widget=forms.DateInput(attrs={"type": "date"})
            )
            self.fields[f"o{index}_start"] = _time_field(_("Date %(n)s, from") % {"n": n})
            self.fields[f"o{index}_end"] = _time_field(_("Date %(n)s, to") % {"n": n})
            self.fields[f"o{index}_closed"] = forms.BooleanField(label=_("Closed all day"), required=False)

    def days(self):
        """Per weekday: its name and its rows of (from, to) bound fields."""
        return [
            (
                day,
                WEEKDAYS[day],
                [(self[f"w{day}_{i}_start"], self[f"w{day}_{i}_end"]) for i in range(count)],
            )
            for day, count in enumerate(self.rows)
        ]

    def override_fields(self):
        return [
            (self[f"o{i}_date"], self[f"o{i}_start"], self[f"o{i}_end"], self[f"o{i}_closed"])
            for i in range(self.override_rows)
        ]

    def clean(self):
        data = super().clean()
        for index in range(self.override_rows):
            day, start, end = data.get(f"o{index}_date"), data.get(f"o{index}_start"), data.get(f"o{index}_end")
            closed = data.get(f"o{index}_closed")
            if day is None and (start or end or closed):
                self.add_error(f"o{index}_date", _("Choose the date."))
            elif day is not None and not closed and not (start or end):
                self.add_error(f"o{index}_start", _("Give the hours, or tick “Closed all day”."))
        return data

    def schedule_values(self) -> tuple[dict, list[str], list[str]]:
        """The values for the service, and which form field each sent window and override is
        shown on (the service names them by their place in the lists)."""
        data = self.cleaned_data
        weekly, weekly_fields = [], []
        for day, count in enumerate(self.rows):
            for index in range(count):
                start, end = data.get(f"w{day}_{index}_start"), data.get(f"w{day}_{index}_end")
                if start is None and end is None:
                    continue
                weekly.append({"weekday": day, "start": _hhmm(start), "end": _hhmm(end)})
                weekly_fields.append(f"w{day}_{index}_start")
        overrides, override_fields = [], []
        for index in range(self.override_rows):
            day = data.get(f"o{index}_date")
            if day is None:
                continue
            closed = data.get(f"o{index}_closed")
            start, end = data.get(f"o{index}_start"), data.get(f"o{index}_end")
            overrides.append(
                {
                    "date": day.isoformat(),
                    "start": None if closed else _hhmm(start),
                    "end": None if closed else _hhmm(end),
                }
            )
            override_fields.append(f"o{index}_date" if closed else f"o{index}_start")
        values = {"time_zone": data["time_zone"].strip(), "weekly": weekly, "overrides": overrides}
        values.update({name: data[name] for name in self.NUMBERS})
        return values, weekly_fields, override_fields


def _hhmm(value) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def schedule_field(name: str, weekly_fields: list[str], override_fields: list[str]) -> str | None:
    """Where a service error about the schedule goes: `weekly[3]` → the 4th window sent."""
    for prefix, fields in (("weekly", weekly_fields), ("overrides", override_fields)):
        if name.startswith(prefix + "["):
            index = int(name[len(prefix) + 1 : name.index("]")])
            return fields[index] if index < len(fields) else None
        if name == prefix:
            return None
    return name


class TimeOffForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    ends_at = forms.DateTimeField(
        label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    note = forms.CharField(label=_("Note (only you see it)"), required=False, max_length=200)


class ExternalCalendarForm(forms.Form):
    url = forms.CharField(
        label=_("Calendar address (ICS)"),
        max_length=1000,
        help_text=_("The “secret address in iCal format” of your Google, Outlook or Apple calendar."),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )


# --- earnings --------------------------------------------------------------------------------------


class PayeeForm(forms.Form):
    bank_account = forms.CharField(
        label=_("Bank account number"),
        required=False,
        max_length=34,
        help_text=_("Where your payouts are sent."),
    )
    schedule = forms.ChoiceField(label=_("Pay me"), choices=PayoutSchedule.choices, initial=PayoutSchedule.MANUAL)


class PayoutScheduleForm(forms.Form):
    schedule = forms.ChoiceField(label=_("Pay me"), choices=PayoutSchedule.choices)


class PayoutForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"))  # replaced per currency
    key = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["amount"] = money_field(
            currency,
            label=_("Amount (%(currency)s)") % {"currency": currency},
            required=False,
            help_text=_("Leave empty to pay out everything available."),
        )


class StatementForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (included)"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("Use a date on or after the first."))
        return data
