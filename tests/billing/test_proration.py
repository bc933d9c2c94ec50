"""Upgrade amounts: integer minor units, rounded in the customer's favour."""

from datetime import UTC, datetime, timedelta

from billing import proration

START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 3, 31, tzinfo=UTC)  # 30 days


def test_upgrade_in_period_charges_the_difference_for_the_rest_of_the_period_rounded_down():
    # given a third of the period left
    now = END - timedelta(days=10)

    # when Starter (4,900) becomes Growth (14,900)
    amount = proration.upgrade_in_period(old_price=4_900, new_price=14_900, period_start=START, period_end=END, now=now)

    # then 10,000 × 1/3 = 3,333.33… is charged as 3,333
    assert amount == 3_333


def test_upgrade_at_the_very_start_or_end_of_the_period():
    full = proration.upgrade_in_period(old_price=4_900, new_price=14_900, period_start=START, period_end=END, now=START)
    none = proration.upgrade_in_period(old_price=4_900, new_price=14_900, period_start=START, period_end=END, now=END)

    assert (full, none) == (10_000, 0)


def test_a_new_yearly_period_credits_the_unused_month_rounded_up():
    # given two thirds of a monthly 4,900 left: 3,266.66… unused
    now = START + timedelta(days=10)

    # when switching to a yearly 149,000
    amount = proration.upgrade_new_period(
        old_price=4_900, new_price=149_000, period_start=START, period_end=END, now=now
    )

    # then the credit is rounded up to 3,267
    assert amount == 149_000 - 3_267
