"""Forms of the platform console: list filters, lifecycle actions with their reason, recording a
payment, a support session, a plan's terms. Amounts are typed in major units ("149.00") and handed
to the services in integer minor units of the currency."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.entitlements import FEATURE_NAMES
from billing.models import FEATURES, LIMITS, Interval, InvoiceKind, InvoiceStatus, Plan, SubscriptionStatus
from marketplace.common.money import CURRENCY_EXPONENTS
from tenants.models import TenantStatus
from web.platform.plans import LIMIT_WORDS

ANY = [("", _("Any"))]


def _plans() -> list[tuple[str, str]]:
    return [(plan.code, plan.name) for plan in Plan.objects.order_by("rank")]


def to_minor_units(amount: Decimal, currency: str) -> int | None:
    """`amount` in whole units as an integer of minor units; None when it has more decimals than the
    currency's minor unit allows."""
    scaled = amount * (10 ** CURRENCY_EXPONENTS[currency])
    return int(scaled) if scaled == scaled.to_integral_value() else None


def from_minor_units(amount: int, currency: str) -> Decimal:
    exponent = CURRENCY_EXPONENTS[currency]
    return (Decimal(amount) / (10**exponent)).quantize(Decimal(1).scaleb(-exponent))


# --- filters (GET) -----------------------------------------------------------------------------------


class TenantFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, address or owner")}),
    )
    status = forms.ChoiceField(required=False, label=_("Status"), choices=ANY + TenantStatus.choices)
    plan = forms.ChoiceField(required=False, label=_("Plan"))
    subscription = forms.ChoiceField(required=False, label=_("Subscription"), choices=ANY + SubscriptionStatus.choices)
    health = forms.ChoiceField(
        required=False,
        label=_("Health"),
        choices=ANY
        + [
            ("attention", _("Needs attention")),
            ("problem", _("Problems")),
            ("warning", _("Warnings")),
            ("ok", _("Healthy")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = ANY + _plans()


class SubscriptionFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label=_("Marketplace"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or address")}),
    )
    status = forms.ChoiceField(required=False, label=_("Status"), choices=ANY + SubscriptionStatus.choices)
    plan = forms.ChoiceField(required=False, label=_("Plan"))
    interval = forms.ChoiceField(required=False, label=_("Billed"), choices=ANY + Interval.choices)
    collection = forms.ChoiceField(
        required=False,
        label=_("Collection"),
        choices=ANY + [("automatic", _("Card (self-service)")), ("invoiced", _("Invoice (contract)"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = ANY + _plans()


class InvoiceFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Number or marketplace")}),
    )
    status = forms.ChoiceField(required=False, label=_("Status"), choices=ANY + InvoiceStatus.choices)
    kind = forms.ChoiceField(
        required=False,
        label=_("Kind"),
        choices=ANY + [(InvoiceKind.PERIOD, _("Period")), (InvoiceKind.UPGRADE, _("Upgrade"))],
    )
    failed = forms.BooleanField(required=False, label=_("Failed collection only"))


class SupportSessionFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Staff, member or address")}),
    )
    state = forms.ChoiceField(
        required=False,
        label=_("State"),
        choices=ANY
        + [("open", _("Open")), ("ended", _("Ended")), ("expired", _("Expired")), ("unused", _("Link not used"))],
    )


# --- actions (POST) ----------------------------------------------------------------------------------


class SuspendForm(forms.Form):
    reason = forms.CharField(
        max_length=255,
        label=_("Reason for suspending"),
        help_text=_("Shown to the marketplace's visitors and kept in its history."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReactivateForm(forms.Form):
    reason = forms.CharField(
        max_length=255, label=_("Reason for reactivating"), widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(forms.Form):
    reason = forms.CharField(max_length=255, label=_("Reason for closing"), widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.CharField(
        max_length=63,
        label=_("Type the marketplace's address to confirm"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )

    def __init__(self, *args, slug: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.slug = slug
        self.fields["confirm"].help_text = _("Its data is kept for the retention period, then removed.")

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip().lower()
        if value != self.slug:
            raise forms.ValidationError(_("Type %(slug)s exactly.") % {"slug": self.slug})
        return value


class PaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount received"),
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=3,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    reference = forms.CharField(
        max_length=100,
        label=_("Payment reference"),
        help_text=_("The bank transfer's reference; recording the same reference again changes nothing."),
    )

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["amount"].help_text = _("In %(currency)s, e.g. 149.00.") % {"currency": currency}

    def clean_amount(self) -> int:
        minor = to_minor_units(self.cleaned_data["amount"], self.currency)
        if minor is None:
            raise forms.ValidationError(_("Use at most %(n)d decimals.") % {"n": CURRENCY_EXPONENTS[self.currency]})
        return minor


class SupportForm(forms.Form):
    member = forms.CharField(max_length=32, label=_("Member"), widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        max_length=500,
        label=_("Reason"),
        help_text=_(
            "Why you need to see the marketplace as this member, e.g. the support ticket. Kept in both audit logs."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PlanForm(forms.Form):
    """A plan's name and terms. Saving changed terms adds a version (`billing.services.plan_update`)."""

    name = forms.CharField(max_length=80, label=_("Name"))
    currency = forms.ChoiceField(label=_("Currency"), choices=[(c, c) for c in sorted(CURRENCY_EXPONENTS)])
    monthly_price = forms.DecimalField(label=_("Monthly price"), min_value=Decimal(0), max_digits=14, decimal_places=3)
    yearly_price = forms.DecimalField(label=_("Yearly price"), min_value=Decimal(0), max_digits=14, decimal_places=3)
    trial_days = forms.IntegerField(label=_("Free trial (days)"), min_value=0, max_value=365)
    platform_fee_bps = forms.IntegerField(
        label=_("Transaction fee (basis points)"),
        min_value=0,
        max_value=10_000,
        help_text=_("The platform's share of each released booking: 300 is 3%."),
    )
    features = forms.MultipleChoiceField(
        label=_("Features"),
        required=False,
        choices=[(key, FEATURE_NAMES.get(key, key)) for key in FEATURES],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in LIMITS:  # one field per limit; empty means unlimited
            self.fields[f"limit_{key}"] = forms.IntegerField(
                label=str(LIMIT_WORDS[key]) + (" (MB)" if key == "storage_mb" else ""),
                min_value=0,
                required=False,
                help_text=_("Empty: unlimited."),
            )

    @property
    def limit_fields(self):
        return [self[f"limit_{key}"] for key in LIMITS]

    def clean(self):
        data = super().clean()
        currency = data.get("currency")
        if currency:
            for name in ("monthly_price", "yearly_price"):
                if data.get(name) is not None:
                    minor = to_minor_units(data[name], currency)
                    if minor is None:
                        self.add_error(name, _("Use at most %(n)d decimals.") % {"n": CURRENCY_EXPONENTS[currency]})
                    else:
                        data[name] = minor
        return data

    def terms(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "currency": data["currency"],
            "monthly_price": data["monthly_price"],
            "yearly_price": data["yearly_price"],
            "trial_days": data["trial_days"],
            "platform_fee_bps": data["platform_fee_bps"],
            "limits": {key: data.get(f"limit_{key}") for key in LIMITS},
            "features": list(data["features"]),
        }

    @classmethod
    def initial_for(cls, plan: Plan) -> dict:
        version = plan.current_version
        initial = {
            "name": plan.name,
            "currency": version.currency,
            "monthly_price": from_minor_units(version.monthly_price, version.currency),
            "yearly_price": from_minor_units(version.yearly_price, version.currency),
            "trial_days": version.trial_days,
            "platform_fee_bps": version.platform_fee_bps,
            "features": list(version.features),
        }
        return initial | {f"limit_{key}": version.limit(key) for key in LIMITS}


class NewPlanForm(PlanForm):
    code = forms.SlugField(
        max_length=40, label=_("Code"), help_text=_("Lower-case letters, digits and hyphens; never changes.")
    )
    rank = forms.IntegerField(
        min_value=0, label=_("Rank"), help_text=_("Its place from small to large: decides upgrade or downgrade.")
    )

    field_order = ["code", "name", "rank"]
