"""What every web form shares: a service's DomainError shown next to the fields it names."""

from __future__ import annotations

from django import forms

from marketplace.common.errors import DomainError


def apply_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Put a service's field errors on the form's fields (the rest, and the message when no field
    is named, at the top of the form)."""
    placed = False
    for field, errors in exc.fields.items():
        name = field if field in form.fields else None
        for error in errors:
            form.add_error(name, error)
        placed = placed or name is not None
    if not placed and exc.message not in form.non_field_errors():
        form.add_error(None, exc.message)
