"""Document numbers without gaps: R-000001, R-000002… per marketplace (its schema) and series.

A number is drawn inside the posting's transaction by locking the series' counter row
(`SELECT … FOR UPDATE`) and incrementing it. A second posting waits for the first to commit or roll
back; a rollback undoes the increment, so no number is ever skipped. The price is that postings of
one series in one marketplace issue their documents one at a time."""

from __future__ import annotations

from marketplace.invoicing.models import NumberCounter, Series


def number_draw(series: Series) -> tuple[int, str]:
    """The next number of `series` and its printed form, e.g. (42, "R-000042"). Call it inside the
    transaction that stores the document (Django refuses the row lock outside one)."""
    counters = NumberCounter.objects.select_for_update()
    counter = counters.filter(series=series).first()
    if counter is None:
        # First document of the series: create the counter, or wait for whoever is creating it.
        NumberCounter.objects.bulk_create([NumberCounter(series=series)], ignore_conflicts=True)
        counter = counters.get(series=series)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"{series}-{counter.last:06d}"
