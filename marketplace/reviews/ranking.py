"""The ranking score: a Bayesian average, so a listing with one five-star review does not outrank
one with two hundred reviews averaging 4.8.

    score = (C · m + Σ ratings) / (C + n)

`m` is the marketplace's mean overall rating (of every visible client review), `n` the number of the
listing's (or provider's) visible reviews and `C` the prior weight: every listing starts as if it
had `C` reviews at the marketplace's mean, and its own reviews pull it away from there as they add
up. With C = 5, a single 5★ review in a marketplace averaging 4.2 scores 4.33, while 40 reviews
averaging 4.8 score 4.73."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

PRIOR_WEIGHT = 5  # C: how many reviews' worth of trust the marketplace's mean is given
NEUTRAL_MEAN = Decimal("3")  # m while the marketplace has no visible review yet (the middle of 1-5)


def bayesian_score(*, count: int, total: int, mean: Decimal, weight: int = PRIOR_WEIGHT) -> Decimal | None:
    """The score of `count` ratings adding up to `total`, or None without ratings (never ranked
    above reviewed listings on merit it does not have)."""
    if count == 0:
        return None
    return ((weight * mean + total) / (weight + count)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def rounded_average(value) -> Decimal | None:
    """An average as stored and shown: two decimals."""
    return None if value is None else Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
