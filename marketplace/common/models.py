import secrets
from functools import partial

from django.db import models

# Crockford-like alphabet: no 0/O/1/I/L confusion when ids are read aloud or typed from an email.
_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def new_public_id(prefix: str) -> str:
    """A non-guessable id for objects users see, e.g. `usr_k3m9...` (20 random chars, ~98 bits)."""
    return f"{prefix}_" + "".join(secrets.choice(_ALPHABET) for _ in range(20))


def PublicIdField(prefix: str) -> models.CharField:  # noqa: N802 - reads like a field class
    return models.CharField(max_length=32, unique=True, editable=False, default=partial(new_public_id, prefix))


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
