"""Forms of the activity pages: one per booking action (with the data and reason the workflow asks
for), messages, reviews, disputes and notification preferences. They parse what people type; the
services decide whether it is allowed."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from marketplace.common.money import CURRENCY_EXPONENTS
from marketplace.disputes.models import DisputeReason, Outcome
from web.client.discovery.forms import TEST_CARDS, CheckoutForm, NoValueTextInput

STARS = [(str(n), str(n)) for n in range(5, 0, -1)]
MILESTONE_ROWS = 5


def to_minor(amount: Decimal, currency: str) -> int:
    return int((amount * (10 ** CURRENCY_EXPONENTS.get(currency, 2))).to_integral_value())


class MoneyField(forms.DecimalField):
    """An amount typed in the currency's major units (35.50), kept as minor units (3550)."""

    def __init__(self, *, currency: str = "USD", **kwargs):
        self.currency = currency
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("decimal_places", CURRENCY_EXPONENTS.get(currency, 2))
        kwargs.setdefault("max_digits", 14)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "step": "any"})

    def clean(self, value):
        amount = super().clean(value)
        return None if amount is None else to_minor(amount, self.currency)


class ActionForm(forms.Form):
    """An action without data: the button is the whole form."""

    action = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, booking=None, **kwargs):
        self.booking = booking
        super().__init__(*args, **kwargs)

    def payload(self) -> tuple[str, dict | None]:
        """(reason, data) for `booking_act`."""
        return self.cleaned_data.get("reason", "") or "", None


class CardForm(ActionForm):
    """Paying with the built-in test processor's card form: the same fields and checks as checkout
    (a card number that passes the Luhn check, never written back into the page; expiry; CVC)."""

    card_number = forms.CharField(
        label=_("Card number"),
        max_length=30,
        help_text=TEST_CARDS,
        widget=NoValueTextInput(
            attrs={"autocomplete": "cc-number", "inputmode": "numeric", "placeholder": "4242 4242 4242 4242"}
        ),
    )
    card_expiry = forms.CharField(
        label=_("Expiry (MM/YY)"),
        max_length=7,
        widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "inputmode": "numeric", "placeholder": "12/30"}),
    )
    card_cvc = forms.CharField(
        label=_("Security code"),
        max_length=4,
        widget=NoValueTextInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric", "placeholder": "123"}),
    )
    clean_card_number = CheckoutForm.clean_card_number
    clean_card_expiry = CheckoutForm.clean_card_expiry
    clean_card_cvc = CheckoutForm.clean_card_cvc

    def payload(self):
        return "", {"payment_method": self.cleaned_data["card_number"]}


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class OptionalReasonForm(ActionForm):
    reason = forms.CharField(
        label=_("What happened (optional)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class QuoteForm(ActionForm):
    price = forms.DecimalField(label=_("Price"), min_value=Decimal("0"), max_digits=14, decimal_places=3)
    terms = forms.CharField(
        label=_("Terms"),
        max_length=5000,
        help_text=_("What you will do, what is included and when."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=60, initial=7, help_text=_("From 1 to 60 days.")
    )

    def __init__(self, *args, booking=None, **kwargs):
        super().__init__(*args, booking=booking, **kwargs)
        currency = booking.currency if booking is not None else "USD"
        self.fields["price"] = MoneyField(currency=currency, label=_("Price (%(currency)s)") % {"currency": currency})

    def payload(self):
        data = self.cleaned_data
        return "", {"price": data["price"], "terms": data["terms"], "valid_days": data["valid_days"]}


class MilestoneQuoteForm(ActionForm):
    """A milestone project's quote: terms, validity and up to five milestones (empty rows are left out)."""

    terms = QuoteForm.base_fields["terms"]
    valid_days = QuoteForm.base_fields["valid_days"]

    def __init__(self, *args, booking=None, **kwargs):
        super().__init__(*args, booking=booking, **kwargs)
        currency = booking.currency if booking is not None else "USD"
        for row in range(MILESTONE_ROWS):
            number = row + 1
            self.fields[f"milestone_{row}_title"] = forms.CharField(
                label=_("Milestone %(n)s: title") % {"n": number}, max_length=120, required=False
            )
            self.fields[f"milestone_{row}_amount"] = MoneyField(
                currency=currency,
                label=_("Milestone %(n)s: amount (%(currency)s)") % {"n": number, "currency": currency},
                required=False,
            )
            self.fields[f"milestone_{row}_due_date"] = forms.DateField(
                label=_("Milestone %(n)s: due date") % {"n": number},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )

    def rows(self):
        return [
            [self[f"milestone_{row}_{name}"] for name in ("title", "amount", "due_date")]
            for row in range(MILESTONE_ROWS)
        ]

    def clean(self):
        cleaned = super().clean()
        plan = []
        for row in range(MILESTONE_ROWS):
            values = [cleaned.get(f"milestone_{row}_{name}") for name in ("title", "amount", "due_date")]
            if not any(v not in (None, "") for v in values):
                continue
            title, amount, due = values
            for name, value in zip(("title", "amount", "due_date"), values, strict=True):
                if value in (None, "") and not self.has_error(f"milestone_{row}_{name}"):
                    self.add_error(f"milestone_{row}_{name}", _("Fill this in, or empty the whole row."))
            plan.append({"title": title, "amount": amount, "due_date": due.isoformat() if due else None})
        if not plan and not self.errors:
            self.add_error("milestone_0_title", _("Add at least one milestone."))
        cleaned["milestones"] = plan
        return cleaned

    def payload(self):
        data = self.cleaned_data
        return "", {"terms": data["terms"], "valid_days": data["valid_days"], "milestones": data["milestones"]}


class CounterForm(ActionForm):
    message = forms.CharField(
        label=_("Your counter-offer"),
        max_length=5000,
        help_text=_("Say what you would change: price, scope or dates. The provider can send a new quote."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def payload(self):
        return "", {"message": self.cleaned_data["message"]}


class DeliverForm(ActionForm):
    note = forms.CharField(
        label=_("Delivery note"),
        max_length=5000,
        help_text=_("What you delivered and where to find it."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def payload(self):
        return "", {"note": self.cleaned_data["note"]}


class MilestoneForm(ActionForm):
    """A milestone action (accept): the milestone is named by the row it is on."""

    milestone = forms.CharField(widget=forms.HiddenInput)

    def payload(self):
        return self.cleaned_data.get("reason", "") or "", {"milestone": self.cleaned_data["milestone"]}


class MilestoneDeliverForm(MilestoneForm):
    note = DeliverForm.base_fields["note"]

    def payload(self):
        return "", {"milestone": self.cleaned_data["milestone"], "note": self.cleaned_data["note"]}


class MilestoneChangesForm(MilestoneForm):
    reason = forms.CharField(label=_("What should change"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ChangesForm(ActionForm):
    reason = MilestoneChangesForm.base_fields["reason"]


class RescheduleForm(ActionForm):
    starts_at = forms.ChoiceField(
        label=_("New time"), help_text=_("Free times in the next two weeks, in your time zone.")
    )

    def __init__(self, *args, booking=None, slots=(), **kwargs):
        super().__init__(*args, booking=booking, **kwargs)
        self.fields["starts_at"].choices = list(slots)

    def payload(self):
        return "", {"starts_at": self.cleaned_data["starts_at"]}


# What each workflow action asks for. Actions not listed are a button (ActionForm).
ACTION_FORMS: dict[str, type[ActionForm]] = {
    "pay": CardForm,
    "accept_quote": CardForm,
    "decline": ReasonForm,
    "cancel_by_provider": ReasonForm,
    "send_quote": QuoteForm,
    "counter": CounterForm,
    "deliver": DeliverForm,
    "request_changes": ChangesForm,
    "reschedule": RescheduleForm,
    "report_provider_no_show": OptionalReasonForm,
    "report_client_no_show": OptionalReasonForm,
    "deliver_milestone": MilestoneDeliverForm,
    "accept_milestone": MilestoneForm,
}
MILESTONE_ACTION_FORMS: dict[str, type[ActionForm]] = {"request_changes": MilestoneChangesForm}


def action_form_class(action: str, *, workflow: str) -> type[ActionForm]:
    if workflow == "milestone":
        if action in MILESTONE_ACTION_FORMS:
            return MILESTONE_ACTION_FORMS[action]
        if action == "send_quote":
            return MilestoneQuoteForm
    return ACTION_FORMS.get(action, ActionForm)


# --- messages -------------------------------------------------------------------------------------


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(
        label=_("Attach a file"),
        required=False,
        help_text=_("PDF, PNG or JPEG, at most %(mb)s MB.") % {"mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("What is wrong with this message?"), max_length=1000, min_length=5)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)


# --- reviews --------------------------------------------------------------------------------------


class ReviewForm(forms.Form):
    overall = forms.TypedChoiceField(
        label=_("Overall"), choices=STARS, coerce=int, widget=forms.RadioSelect(attrs={"class": "star-input"})
    )
    text = forms.CharField(
        label=_("Your review"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"rating_{criterion['key']}"] = forms.TypedChoiceField(
                label=criterion["label"],
                choices=STARS,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "star-input"}),
            )

    def criteria_fields(self):
        return [self[f"rating_{c['key']}"] for c in self.criteria]

    def ratings(self) -> dict:
        return {c["key"]: self.cleaned_data[f"rating_{c['key']}"] for c in self.criteria}


class ResponseForm(forms.Form):
    text = forms.CharField(label=_("Your public response"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


# --- disputes -------------------------------------------------------------------------------------

EVIDENCE_HINT = _("Optional: a PDF, PNG or JPEG of at most 10 MB (photos, messages, documents).")


class DisputeOpenForm(forms.Form):
    reason = forms.ChoiceField(label=_("What went wrong"), choices=DisputeReason.choices)
    desired_outcome = forms.ChoiceField(label=_("What you are asking for"), choices=Outcome.choices)
    description = forms.CharField(
        label=_("Describe the problem"),
        min_length=20,
        max_length=5000,
        help_text=_("At least 20 characters. The other side and, if it comes to it, a mediator will read this."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    milestone = forms.ChoiceField(label=_("Milestone"), required=False)
    evidence = forms.FileField(label=_("Evidence"), required=False, help_text=EVIDENCE_HINT)

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        if milestones:
            self.fields["milestone"].choices = [("", _("The whole project"))] + [
                (m.public_id, m.title) for m in milestones
            ]
        else:
            del self.fields["milestone"]


class DisputeMessageForm(forms.Form):
    text = forms.CharField(
        label=_("Add to the dispute"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(label=_("Evidence"), required=False, help_text=EVIDENCE_HINT)


class ProposalForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Settlement"), choices=Outcome.choices, widget=forms.RadioSelect)
    refund_amount = forms.DecimalField(
        label=_("Refund to the client"),
        required=False,
        min_value=Decimal("0"),
        help_text=_("Only for a partial refund."),
    )
    text = forms.CharField(
        label=_("Comment"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, currency: str = "USD", **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["refund_amount"] = MoneyField(
            currency=currency,
            label=_("Refund to the client (%(currency)s)") % {"currency": currency},
            required=False,
            help_text=_("Only for a partial refund."),
        )


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why the decision is wrong"), min_length=10, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class EscalateForm(forms.Form):
    text = forms.CharField(
        label=_("Note for the mediator (optional)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- notifications --------------------------------------------------------------------------------


class PreferencesForm(forms.Form):
    """One e-mail and one digest switch per kind; essential kinds are shown, always on."""

    def __init__(self, *args, preferences=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.preferences = list(preferences)
        for item in self.preferences:
            if item["essential"]:
                continue
            self.fields[f"{item['kind']}:email"] = forms.BooleanField(
                required=False, initial=item["email"], label=_("E-mail")
            )
            if item["digestible"]:
                self.fields[f"{item['kind']}:digest"] = forms.BooleanField(
                    required=False, initial=item["digest"], label=_("In the daily digest")
                )

    def items(self) -> list[dict]:
        out = []
        for item in self.preferences:
            if item["essential"]:
                continue
            email = self.cleaned_data[f"{item['kind']}:email"]
            change = {"kind": item["kind"], "email": email}
            if item["digestible"]:
                change["digest"] = email and self.cleaned_data[f"{item['kind']}:digest"]
            out.append(change)
        return out
