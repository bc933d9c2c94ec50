"""The tax inside an amount: net + tax is always the amount, net is the nearest whole minor unit."""

from hypothesis import given
from hypothesis import strategies as st

from marketplace.invoicing.tax import rate_text, tax_in, tax_share

rates = st.integers(min_value=0, max_value=10_000)


@given(gross=st.integers(min_value=0, max_value=10**12), rate_bps=rates)
def test_net_is_the_amount_without_tax_rounded_to_the_nearest_unit(gross, rate_bps):
    tax = tax_in(gross, rate_bps=rate_bps)
    net = gross - tax
    divisor = 10_000 + rate_bps

    assert 0 <= tax <= gross
    # |net − gross / (1 + rate)| ≤ ½, with a half rounded up
    assert -divisor < 2 * (net * divisor - gross * 10_000) <= divisor


def test_known_amounts_and_halves_rounded_up():
    assert tax_in(12_000, rate_bps=2000) == 2_000
    assert tax_in(10_001, rate_bps=2000) == 1_667  # net 8334.17 → 8334
    assert tax_in(3, rate_bps=10_000) == 1  # net 1.5 → 2, not 1
    assert tax_in(999, rate_bps=0) == 0


@given(parts=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=8), rate_bps=rates)
def test_refunds_in_parts_give_back_exactly_the_tax_of_the_whole(parts, rate_bps):
    given_back, credited = 0, 0
    for amount in parts:
        share = tax_share(amount, before=given_back, rate_bps=rate_bps)
        assert 0 <= share <= amount
        given_back, credited = given_back + amount, credited + share

    assert credited == tax_in(given_back, rate_bps=rate_bps)


def test_rates_read_as_percentages():
    rates = (0, 2000, 1950, 825, 5, 10_000)
    assert [rate_text(bps) for bps in rates] == ["0%", "20%", "19.5%", "8.25%", "0.05%", "100%"]
