from django import forms

from marketplace.common.money import CURRENCY_EXPONENTS
from marketplace.configuration.models import BookingWorkflow
from marketplace.configuration.services import LOCALES


class SettingsForm(forms.Form):
    """The settings screen for marketplace admins; values are checked again by the service."""

    display_name = forms.CharField(max_length=120)
    currency = forms.ChoiceField(choices=[(c, c) for c in sorted(CURRENCY_EXPONENTS)])
    time_zone = forms.CharField(max_length=64, help_text="IANA name, e.g. Europe/London")
    locale = forms.ChoiceField(choices=[(code, code) for code in sorted(LOCALES)])
    default_commission_bps = forms.IntegerField(
        min_value=0, max_value=10_000, label="Default commission (basis points)", help_text="1000 = 10%"
    )
    min_price = forms.IntegerField(min_value=0, label="Minimum price (minor units)")
    max_price = forms.IntegerField(min_value=0, required=False, label="Maximum price (minor units)")
    allowed_workflows = forms.MultipleChoiceField(choices=BookingWorkflow.choices, widget=forms.CheckboxSelectMultiple)
    listing_moderation = forms.BooleanField(required=False, label="Review new listings before they go live")
    provider_verification_required = forms.BooleanField(required=False, label="Verify providers before they publish")
    review_window_days = forms.IntegerField(min_value=1, max_value=90)
    dispute_window_days = forms.IntegerField(min_value=0, max_value=30)
    tax_rate_bps = forms.IntegerField(
        min_value=0, max_value=10_000, label="Tax rate (basis points)", help_text="2000 = 20%; printed on receipts"
    )
    tax_inclusive = forms.BooleanField(required=False, label="Prices include tax")
    tax_label = forms.CharField(max_length=20, label="Tax name", help_text="e.g. VAT, GST, Sales tax")
