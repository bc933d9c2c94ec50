"""The tax inside an amount a client paid or got back.

The amount charged is always the booking's price, so every amount the ledger moves already contains
the tax, whether the marketplace shows its prices with tax (`tax_inclusive`) or without it:

    net = gross × 10 000 / (10 000 + rate_bps), rounded half up to a whole minor unit
    tax = gross − net

so net + tax == gross, always. `tax_inclusive` only changes how a document reads (line amounts
with tax, or net lines with the tax added below); the numbers are the same."""

from __future__ import annotations

BPS = 10_000


def tax_in(gross: int, *, rate_bps: int) -> int:
    """The tax contained in `gross` (minor units, ≥ 0) at `rate_bps`."""
    divisor = BPS + rate_bps
    net = (2 * gross * BPS + divisor) // (2 * divisor)  # half up: ⌊x + ½⌋
    return gross - net


def tax_share(amount: int, *, before: int, rate_bps: int) -> int:
    """The tax in `amount` given back after `before` was already given back: the tax of the running
    total minus the tax already credited, so refunds in parts credit exactly the receipt's tax once
    they add up to the whole payment."""
    return tax_in(before + amount, rate_bps=rate_bps) - tax_in(before, rate_bps=rate_bps)


def rate_text(rate_bps: int) -> str:
    """2000 → "20%", 1950 → "19.5%", 825 → "8.25%"."""
    whole, hundredths = divmod(rate_bps, 100)
    return f"{whole}%" if not hundredths else f"{whole}.{hundredths:02d}".rstrip("0") + "%"
