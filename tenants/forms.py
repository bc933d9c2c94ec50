from django import forms

from billing.models import Interval
from billing.selectors import plans_offered
from tenants.models import TenantKind


class SignupForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Your name")
    email = forms.EmailField(label="Work email", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    name = forms.CharField(max_length=120, label="Marketplace name")
    slug = forms.CharField(max_length=63, label="Web address", help_text="Lower-case letters, digits and hyphens.")
    kind = forms.ChoiceField(choices=TenantKind.choices, label="Kind of organisation")
    plan = forms.ChoiceField(
        label="Plan", initial="starter", required=False, help_text="Every plan starts with a free trial."
    )
    interval = forms.ChoiceField(choices=Interval.choices, initial=Interval.MONTH, required=False, label="Billed")

    def __init__(self, *args, signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(plan.code, plan.name) for plan in plans_offered()]
        if signed_in:  # an operator launching another marketplace: no new account needed
            for field in ("full_name", "email", "password"):
                del self.fields[field]

    def clean_plan(self) -> str:
        return self.cleaned_data["plan"] or "starter"

    def clean_interval(self) -> str:
        return self.cleaned_data["interval"] or Interval.MONTH
