from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from billing.models import Interval
from billing.selectors import plans_offered
from tenants.models import TenantKind


class SignupForm(forms.Form):
    full_name = forms.CharField(
        max_length=150, label=_("Your name"), widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(label=_("Work email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not a common one. It signs you in to your marketplace's admin too."),
    )
    name = forms.CharField(
        max_length=120, label=_("Marketplace name"), widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    slug = forms.CharField(
        max_length=63,
        label=_("Web address"),
        help_text=_("Lower-case letters, digits and hyphens. You can add your own domain later."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
                # checked as you type: the fragment lands in #slug-check (a live region)
                "hx-get": reverse_lazy("platform:slug-check"),
                "hx-trigger": "input changed delay:300ms, blur",
                "hx-target": "#slug-check",
                "hx-indicator": "#slug-checking",
                "hx-sync": "this:replace",
            }
        ),
    )
    kind = forms.ChoiceField(choices=TenantKind.choices, label=_("Kind of organisation"))
    plan = forms.ChoiceField(
        label=_("Plan"),
        initial="starter",
        required=False,
        help_text=_("Every plan starts with a free trial; no card needed until it ends."),
        widget=forms.RadioSelect,
    )
    interval = forms.ChoiceField(
        choices=[(Interval.MONTH, _("Monthly")), (Interval.YEAR, _("Yearly"))],
        initial=Interval.MONTH,
        required=False,
        label=_("Billed"),
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(plan.code, plan.name) for plan in plans_offered()]
        if signed_in:  # an operator launching another marketplace: no new account needed
            for field in ("full_name", "email", "password"):
                del self.fields[field]

    def clean_slug(self) -> str:
        return self.cleaned_data["slug"].strip().lower()

    def clean_plan(self) -> str:
        return self.cleaned_data["plan"] or "starter"

    def clean_interval(self) -> str:
        return self.cleaned_data["interval"] or Interval.MONTH
