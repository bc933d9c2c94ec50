from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.common.money import CURRENCY_EXPONENTS
from marketplace.configuration.models import BookingWorkflow
from marketplace.configuration.services import LOCALES


class SettingsForm(forms.Form):
    """The settings screen for marketplace admins; values are checked again by the service."""

    display_name = forms.CharField(max_length=120, label=_("Marketplace name"))
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=[(c, c) for c in sorted(CURRENCY_EXPONENTS)],
        help_text=_("Changing it pauses listings priced in the old currency until their providers reprice them."),
    )
    time_zone = forms.CharField(
        max_length=64, label=_("Time zone"), help_text=_("IANA name, e.g. Europe/London. Reports count days in it.")
    )
    locale = forms.ChoiceField(label=_("Language"), choices=[(code, code) for code in sorted(LOCALES)])
    default_commission_bps = forms.IntegerField(
        min_value=0,
        max_value=10_000,
        label=_("Default commission (basis points)"),
        help_text=_("1000 = 10%. Categories may set their own."),
    )
    min_price = forms.IntegerField(
        min_value=0, label=_("Minimum price (minor units)"), help_text=_("In cents or pence: 1000 = 10.00.")
    )
    max_price = forms.IntegerField(
        min_value=0, required=False, label=_("Maximum price (minor units)"), help_text=_("Empty: no maximum.")
    )
    allowed_workflows = forms.MultipleChoiceField(
        label=_("Booking workflows allowed"), choices=BookingWorkflow.choices, widget=forms.CheckboxSelectMultiple
    )
    listing_moderation = forms.BooleanField(required=False, label=_("Review new listings before they go live"))
    provider_verification_required = forms.BooleanField(required=False, label=_("Verify providers before they publish"))
    review_window_days = forms.IntegerField(
        min_value=1,
        max_value=90,
        label=_("Review window (days)"),
        help_text=_("How long after a booking is completed both sides may review it."),
    )
    dispute_window_days = forms.IntegerField(
        min_value=0,
        max_value=30,
        label=_("Dispute window (days)"),
        help_text=_("How long after a session ends its client may open a dispute (before the money is released)."),
    )
    allow_inquiries = forms.BooleanField(required=False, label=_("Clients may message providers before booking"))
    mask_contact_details = forms.BooleanField(
        required=False, label=_("Hide e-mail addresses and phone numbers in messages before booking")
    )
    tax_rate_bps = forms.IntegerField(
        min_value=0,
        max_value=10_000,
        label=_("Tax rate (basis points)"),
        help_text=_("2000 = 20%; printed on receipts"),
    )
    tax_inclusive = forms.BooleanField(required=False, label=_("Prices include tax"))
    tax_label = forms.CharField(max_length=20, label=_("Tax name"), help_text=_("e.g. VAT, GST, Sales tax"))
