from django import forms

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
