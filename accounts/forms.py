from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


class LoginForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class RegisterForm(forms.Form):
    full_name = forms.CharField(max_length=150, required=False, label="Your name")
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    roles = forms.MultipleChoiceField(
        choices=[(Role.CLIENT.value, "I want to book services"), (Role.PROVIDER.value, "I want to offer services")],
        widget=forms.CheckboxSelectMultiple,
        initial=[Role.CLIENT.value],
        required=False,
        label="I am here to",
    )
    invitation = forms.CharField(required=False, widget=forms.HiddenInput)


class EmailForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class NewPasswordForm(forms.Form):
    new_password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class ProfileForm(forms.Form):
    full_name = forms.CharField(max_length=150, required=False, label=_("Your name"))


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("New email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label=_("Your password"),
        help_text=_("To confirm it is you."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("New password"),
        help_text=_("At least 8 characters, not only digits, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
