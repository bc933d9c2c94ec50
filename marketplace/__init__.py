"""The marketplace: one Django app per domain, installed in every tenant schema."""
