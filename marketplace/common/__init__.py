"""Building blocks shared by every app: the base model, public ids, domain errors."""
