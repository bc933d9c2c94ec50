"""Forms of the discovery pages: the search filters, the slot picker's parameters, checkout and the
question to a provider. They parse what people type; the search backend and the booking services
decide the rest."""

from __future__ import annotations

import zoneinfo
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.catalogue.models import AttributeType, Category, LocationType
from marketplace.common.money import CURRENCY_EXPONENTS
from marketplace.search.api.views import LEVELS_AT_LEAST
from marketplace.search.backends.base import ListingQuery

PAGE_SIZE = 12
QUERY_MAX = 200
SORTS = [
    ("relevance", _("Best match")),
    ("price_asc", _("Price: low to high")),
    ("price_desc", _("Price: high to low")),
    ("newest", _("Newest")),
    ("rating", _("Rating")),
]
LOCATIONS = [("", _("Anywhere")), (LocationType.ONLINE, _("Online")), (LocationType.ON_SITE, _("In person"))]
LEVELS = [("", _("Any level")), ("rising", _("Rising and Top rated")), ("top_rated", _("Top rated only"))]
TEST_CARDS = _("Test cards: 4242 4242 4242 4242 is paid, 4000 0000 0000 0002 is declined. No real money moves.")


def to_minor(amount: Decimal, currency: str) -> int:
    return int((amount * (10 ** CURRENCY_EXPONENTS.get(currency, 2))).to_integral_value())


def from_minor(amount: int | None, currency: str) -> str:
    if amount is None:
        return ""
    exponent = CURRENCY_EXPONENTS.get(currency, 2)
    return str((Decimal(amount) / (10**exponent)).normalize()) if exponent else str(amount)


def valid_zone(name: str) -> str | None:
    """`name` when it is an IANA time zone."""
    if not name or len(name) > 64:
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return name


class SearchForm(forms.Form):
    """The search box and every filter, read from the query string (a GET form: shareable URLs).
    Attribute filters arrive as `attr.<key>` (repeatable for multiple choice: each must hold)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=QUERY_MAX,
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "list": "search-suggestions", "enterkeyhint": "search"}
        ),
    )
    category = forms.CharField(required=False, max_length=40)
    price_min = forms.DecimalField(label=_("From"), required=False, min_value=0, max_digits=14, decimal_places=3)
    price_max = forms.DecimalField(label=_("To"), required=False, min_value=0, max_digits=14, decimal_places=3)
    location_type = forms.ChoiceField(label=_("Where"), required=False, choices=LOCATIONS)
    verified = forms.BooleanField(label=_("Verified providers only"), required=False)
    level = forms.ChoiceField(label=_("Reputation"), required=False, choices=LEVELS)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def __init__(self, data, *, currency: str, filterable_for):
        """`filterable_for(category)` → the filterable attribute definitions of a category (or of
        none) by key."""
        super().__init__(data)
        self.currency = currency
        self.filterable_for = filterable_for
        self.chosen_category: Category | None = None
        self.definitions: dict = {}
        self.chosen_attributes: dict[str, list[str]] = {}
        for name in ("price_min", "price_max"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "any", "placeholder": ""})

    def clean_category(self):
        public_id = self.cleaned_data.get("category") or ""
        if not public_id:
            return None
        category = Category.objects.filter(public_id=public_id, is_active=True).first()
        if category is None:
            raise forms.ValidationError(_("That category does not exist (any more)."))
        self.chosen_category = category
        return category

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("price_min"), cleaned.get("price_max")
        if low is not None and high is not None and high < low:
            self.add_error("price_max", _("Must not be below the lowest price."))
        if "category" in self.errors:
            return cleaned
        self.definitions = self.filterable_for(self.chosen_category)
        for name in self.data:
            if not name.startswith("attr."):
                continue
            key, values = name[5:], [v for v in self.data.getlist(name) if v != ""]
            definition = self.definitions.get(key)
            if definition is None:
                continue  # a filter of another category (the category was just changed): dropped
            if definition.type in (AttributeType.CHOICE, AttributeType.MULTI_CHOICE):
                unknown = [v for v in values if v not in definition.choices]
                if unknown:
                    message = _("%(label)s has no option “%(value)s”.")
                    self.add_error(None, message % {"label": definition.label, "value": unknown[0]})
                    continue
            if len(values) > 1 and definition.type != AttributeType.MULTI_CHOICE:
                values = values[:1]
            if values:
                self.chosen_attributes[key] = values
        return cleaned

    def listing_query(self, *, category_ids: tuple[int, ...]) -> ListingQuery:
        data = self.cleaned_data
        page = data.get("page") or 1
        attributes = tuple(
            (key, _typed(self.definitions[key], value), self.definitions[key].type == AttributeType.MULTI_CHOICE)
            for key, values in self.chosen_attributes.items()
            for value in values
        )
        return ListingQuery(
            text=(data.get("q") or "").strip(),
            category_ids=category_ids,
            price_min=to_minor(data["price_min"], self.currency) if data.get("price_min") is not None else None,
            price_max=to_minor(data["price_max"], self.currency) if data.get("price_max") is not None else None,
            location_type=data.get("location_type") or None,
            attributes=attributes,
            verified_only=bool(data.get("verified")),
            levels=LEVELS_AT_LEAST.get(data.get("level") or "", ()),
            sort=data.get("sort") or "relevance",
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
            facet_attribute_keys=tuple(self.definitions) if self.chosen_category is not None else (),
        )


def _typed(definition, value: str):
    """A filter value as listings store it: numbers as numbers, yes/no as booleans."""
    if definition.type == AttributeType.NUMBER:
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        return int(number) if number == number.to_integral_value() else float(number)
    if definition.type == AttributeType.BOOLEAN:
        return value in ("true", "1", "yes")
    return value


class SlotsForm(forms.Form):
    """What the slot picker shows: a package (and add-ons) for a week, in a time zone."""

    package = forms.CharField(required=False, max_length=60)
    add_ons = forms.MultipleChoiceField(required=False, choices=())
    tz = forms.CharField(required=False, max_length=64)
    week = forms.DateField(required=False)
    starts_at = forms.CharField(required=False, max_length=40)

    def __init__(self, data, *, listing):
        super().__init__(data)
        self.listing = listing
        self.fields["add_ons"].choices = [(a.name, a.name) for a in listing.add_ons.all()]

    def clean_package(self):
        packages = list(self.listing.packages.all())
        name = self.cleaned_data.get("package")
        found = next((p for p in packages if p.name == name), None) if name else (packages[0] if packages else None)
        if found is None:
            raise forms.ValidationError(_("Choose one of this listing's packages."))
        return found

    def clean_tz(self):
        name = self.cleaned_data.get("tz") or ""
        if name and valid_zone(name) is None:
            raise forms.ValidationError(_("Use a time zone such as Europe/London."))
        return name

    def clean_week(self):
        week = self.cleaned_data.get("week")
        if week is not None and abs((week - date.today()).days) > 800:
            raise forms.ValidationError(_("Choose a week within the next two years."))
        return week


class NoValueTextInput(forms.TextInput):
    """A text input that never writes its value back into the page (card numbers, security codes)."""

    def get_context(self, name, value, attrs):
        return super().get_context(name, None, attrs)


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2:
            number = number * 2 - 9 if number > 4 else number * 2
        total += number
    return total % 10 == 0


def _package_label(package, currency: str) -> str:
    from web.templatetags.web import money

    parts = [package.name, money(package.price, currency)]
    if package.duration_minutes:
        parts.append(_("%(n)d min") % {"n": package.duration_minutes})
    if package.delivery_days:
        parts.append(_("delivered in %(n)d days") % {"n": package.delivery_days})
    return " · ".join(str(p) for p in parts)


def _add_on_label(add_on, currency: str) -> str:
    from web.templatetags.web import money

    label = f"{add_on.name} · +{money(add_on.price, currency)}"
    if add_on.extra_minutes:
        label += " · " + str(_("+%(n)d min") % {"n": add_on.extra_minutes})
    return label


class CheckoutForm(forms.Form):
    """A booking's choices (package, add-ons, the slot or what is needed) and the card."""

    package = forms.ChoiceField(label=_("Package"), widget=forms.RadioSelect)
    add_ons = forms.MultipleChoiceField(label=_("Add-ons"), required=False, widget=forms.CheckboxSelectMultiple)
    starts_at = forms.CharField(required=False, max_length=40)
    tz = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("Message"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    booking = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, data=None, *, listing, flow, card: str, initial=None):
        """`card`: "local" (a card form for the built-in test processor), "stripe" (Stripe Elements
        fill `payment_method`) or "" (nothing to pay now)."""
        super().__init__(data, initial=initial)
        self.listing, self.flow, self.card = listing, flow, card
        self.fields["package"].choices = [(p.name, _package_label(p, listing.currency)) for p in listing.packages.all()]
        if not self.initial.get("package") and self.fields["package"].choices:
            # The package the price summary shows when none is chosen yet: the first one.
            self.initial["package"] = self.fields["package"].choices[0][0]
        self.fields["add_ons"].choices = [(a.name, _add_on_label(a, listing.currency)) for a in listing.add_ons.all()]
        if not flow.slot_based:
            del self.fields["starts_at"]
            self.fields["message"].required = True
            self.fields["message"].min_length = 10
            self.fields["message"].label = _("What do you need?")
            self.fields["message"].help_text = _(
                "Describe the work, your timeline and anything the provider should know (at least 10 characters)."
            )
        else:
            self.fields["message"].label = _("Note for the provider (optional)")
        if card == "local":
            self.fields["card_number"] = forms.CharField(
                label=_("Card number"),
                max_length=30,
                help_text=TEST_CARDS,
                widget=NoValueTextInput(
                    attrs={"autocomplete": "cc-number", "inputmode": "numeric", "placeholder": "4242 4242 4242 4242"}
                ),
            )
            self.fields["card_expiry"] = forms.CharField(
                label=_("Expiry (MM/YY)"),
                max_length=7,
                widget=forms.TextInput(
                    attrs={"autocomplete": "cc-exp", "inputmode": "numeric", "placeholder": "12/30"}
                ),
            )
            self.fields["card_cvc"] = forms.CharField(
                label=_("Security code"),
                max_length=4,
                widget=NoValueTextInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric", "placeholder": "123"}),
            )
        elif card == "stripe":
            self.fields["payment_method"] = forms.CharField(
                required=True,
                max_length=255,
                widget=forms.HiddenInput,
                error_messages={"required": _("Enter your card details.")},
            )

    def clean_starts_at(self):
        value = self.cleaned_data.get("starts_at") or ""
        if not value:
            raise forms.ValidationError(_("Choose a time."))
        from django.utils.dateparse import parse_datetime

        parsed = parse_datetime(value)
        if parsed is None or parsed.tzinfo is None:
            raise forms.ValidationError(_("Choose one of the times shown."))
        return value

    def clean_tz(self):
        return valid_zone(self.cleaned_data.get("tz") or "") or timezone.get_current_timezone_name()

    def clean_card_number(self):
        digits = "".join(self.cleaned_data["card_number"].split()).replace("-", "")
        if not digits.isdigit() or not 12 <= len(digits) <= 19 or not _luhn(digits):
            raise forms.ValidationError(_("Check the card number: it is not a valid card number."))
        return digits

    def clean_card_expiry(self):
        value = self.cleaned_data["card_expiry"].replace(" ", "")
        month, _sep, year = value.partition("/")
        if not (month.isdigit() and year.isdigit() and 1 <= int(month) <= 12 and len(year) in (2, 4)):
            raise forms.ValidationError(_("Use the month and year on the card, such as 12/30."))
        year_full = int(year) + (2000 if len(year) == 2 else 0)
        today = timezone.localdate()
        if (year_full, int(month)) < (today.year, today.month):
            raise forms.ValidationError(_("This card has expired."))
        return f"{int(month):02d}/{year_full % 100:02d}"

    def clean_card_cvc(self):
        value = self.cleaned_data["card_cvc"].strip()
        if not value.isdigit() or len(value) not in (3, 4):
            raise forms.ValidationError(_("Use the 3 or 4 digits on the back of the card."))
        return value

    def payment_method(self) -> str | None:
        if self.card == "local":
            return self.cleaned_data["card_number"]
        if self.card == "stripe":
            return self.cleaned_data["payment_method"]
        return None

    @property
    def card_field(self) -> str:
        """The field a declined card's message is shown next to."""
        return "card_number" if self.card == "local" else "payment_method"


class InquiryForm(forms.Form):
    body = forms.CharField(
        label=_("Your question"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The provider replies in your messages."),
    )
