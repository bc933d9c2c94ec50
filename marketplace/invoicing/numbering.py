"""Document numbers without gaps: R-000001, R-000002… per marketplace (its schema) and series.

A number is drawn inside the posting's transaction by locking the series' counter row
(`SELECT … FOR UPDATE`) and incrementing it. A second posting waits for the first to commit or roll
back; a rollback undoes the increment, so no number is ever skipped. The price is that postings of
one series in one marketplace issue their documents one at a time."""

from __future__ import annotations

from django.db import connection

from marketplace.invoicing.models import NumberCounter, Series


def number_draw(series: Series) -> tuple[int, str]:
    """The next number of `series` and its printed form, e.g. (42, "R-000042"). Call it inside the
    transaction that stores the document: the increment commits or rolls back with it."""
    last = _increment(series)
    if last is None:
        # First document of the series: create the counter, or wait for whoever is creating it.
        NumberCounter.objects.bulk_create([NumberCounter(series=series)], ignore_conflicts=True)
        last = _increment(series)
    return last, f"{series}-{last:06d}"


def _increment(series: Series) -> int | None:
    """Add one to the series' counter and read it, in one statement (the UPDATE takes the row lock)."""
    table = NumberCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET last = last + 1 WHERE series = %s RETURNING last", [str(series)])
        row = cursor.fetchone()
    return row[0] if row else None
