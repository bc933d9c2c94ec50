"""Forms of the admin console's trust and people pages. They parse what a person typed; the domain
services decide what is allowed and say why not (their errors are put next to these fields)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, UserStatus
from marketplace.catalogue.models import ListingStatus
from marketplace.common.money import CURRENCY_EXPONENTS, Money
from marketplace.disputes.models import DisputeState, Outcome
from marketplace.providers.models import BadgeKind, ProviderStatus

REASON_WIDGET = forms.Textarea(attrs={"rows": 3})


def _any(label, choices) -> list[tuple[str, str]]:
    return [("", label), *choices]


# --- providers ----------------------------------------------------------------------------------------


class ProviderFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_any(_("Every application"), ProviderStatus.choices)
    )


class ProviderDecisionForm(forms.Form):
    DECISIONS = [
        ("approve", _("Approve")),
        ("request_info", _("Ask for more information")),
        ("reject", _("Reject")),
    ]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    badges = forms.MultipleChoiceField(
        label=_("Badges (with an approval)"),
        choices=BadgeKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=REASON_WIDGET,
        help_text=_("Required to reject or ask for more: the applicant reads it in the email we send."),
    )


# --- listings -----------------------------------------------------------------------------------------


class ListingFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=_any(_("Every status but drafts"), [c for c in ListingStatus.choices if c[0] != ListingStatus.DRAFT]),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _any(
            _("Every category"), [(c.public_id, "— " * c.depth + c.name) for c in categories]
        )


class ListingActionForm(forms.Form):
    ACTIONS = [("approve", _("Approve")), ("reject", _("Reject")), ("pause", _("Pause"))]
    action = forms.ChoiceField(choices=ACTIONS)  # the button pressed
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=REASON_WIDGET,
        help_text=_("Required to reject or pause: the provider sees it on their listing."),
    )


# --- bookings -----------------------------------------------------------------------------------------


class BookingFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)
    workflow = forms.ChoiceField(label=_("Workflow"), required=False)
    provider = forms.CharField(label=_("Provider"), required=False, max_length=100)
    client = forms.CharField(label=_("Client"), required=False, max_length=100)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, states=(), workflows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = _any(_("Any state"), [(s, s.replace("_", " ").capitalize()) for s in states])
        self.fields["workflow"].choices = _any(_("Any workflow"), list(workflows))
        self.fields["provider"].widget.attrs["placeholder"] = _("Name or email")
        self.fields["client"].widget.attrs["placeholder"] = _("Name or email")


class InterveneForm(forms.Form):
    action = forms.ChoiceField()  # the button pressed
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=REASON_WIDGET,
        help_text=_("Both parties see it on the booking's timeline; it is also written to the audit log."),
    )

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(a, a) for a in actions]


# --- disputes -----------------------------------------------------------------------------------------


class DisputeFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=_any(_("Every dispute"), DisputeState.choices))


class DisputeNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Private note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the marketplace's mediators see notes; the parties never do."),
    )


class MinorUnitsField(forms.DecimalField):
    """An amount typed in the currency's units ("12.50") and given back in integer minor units (1250)."""

    def __init__(self, *, currency: str = "USD", **kwargs):
        self.currency = currency
        exponent = CURRENCY_EXPONENTS.get(currency, 2)
        super().__init__(min_value=Decimal(0), max_digits=15, decimal_places=exponent, **kwargs)
        self.widget.attrs.update({"step": str(Decimal(1).scaleb(-exponent)), "inputmode": "decimal"})

    def clean(self, value):
        amount = super().clean(value)
        if amount is None:
            return None
        return int(amount.scaleb(CURRENCY_EXPONENTS.get(self.currency, 2)))


class DisputeDecisionForm(forms.Form):
    OUTCOMES = [
        (Outcome.FULL_REFUND.value, _("Refund the client in full")),
        (Outcome.RELEASE.value, _("Release everything to the provider")),
        (Outcome.PARTIAL_REFUND.value, _("Split: part refunded, the rest released")),
    ]
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOMES, widget=forms.RadioSelect)
    refund_amount = MinorUnitsField(label=_("Refund to the client"), required=False)
    release_amount = MinorUnitsField(label=_("Release to the provider"), required=False)
    reason = forms.CharField(
        label=_("Reasons for the decision"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Both parties read it. At least 10 characters."),
    )

    def __init__(self, *args, currency: str = "USD", amount: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        hints = {
            "refund_amount": _("For a split: what goes back to the client, in %(currency)s."),
            "release_amount": _("The rest, to the provider: the two parts add up to %(total)s, the amount in dispute."),
        }
        total = Money(amount, currency).format() if currency in CURRENCY_EXPONENTS else str(amount)
        for name, hint in hints.items():  # amounts in the dispute's currency
            self.fields[name] = MinorUnitsField(
                label=self.fields[name].label,
                required=False,
                currency=currency,
                help_text=hint % {"currency": currency, "total": total},
            )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Outcome.PARTIAL_REFUND:
            for name in ("refund_amount", "release_amount"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Enter this part of the split."))
        else:  # the amounts only matter for a split
            data["refund_amount"] = data["release_amount"] = None
        return data


# --- reviews ------------------------------------------------------------------------------------------


class ReviewModerationForm(forms.Form):
    ACTIONS = [("hide", _("Hide")), ("restore", _("Restore")), ("keep", _("Keep as it is"))]
    action = forms.ChoiceField(choices=ACTIONS)  # the button pressed
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The author sees it when their review is hidden or restored."),
    )


# --- members ------------------------------------------------------------------------------------------


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=_any(_("Any role"), Role.choices))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_any(_("Any status"), UserStatus.choices))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"placeholder": _("Name or email"), "type": "search"})


class MemberStatusForm(forms.Form):
    status = forms.ChoiceField(choices=UserStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason (for the audit log)"), required=False, max_length=500, widget=REASON_WIDGET
    )


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple)


class InvitationForm(RolesForm):
    email = forms.EmailField(label=_("Email address"))

    field_order = ["email", "roles"]
