"""Receipts numbered by concurrent postings from separate processes: the counter's row lock hands the
numbers out one at a time, and the number of a posting that rolls back goes to the next one."""

import pytest

from tests.invoicing.race_numbers import ATTEMPTS
from tests.processes import run_script

pytestmark = pytest.mark.django_db


def test_concurrent_postings_number_their_receipts_without_gaps():
    result = run_script("tests/invoicing/race_numbers.py")

    outcomes = result["outcomes"]
    assert [o[1] for o in outcomes].count("rolled_back") == 1, outcomes
    assert all(status in ("committed", "rolled_back") for _, status, _ in outcomes), outcomes
    committed = sorted(number for _, status, number in outcomes if status == "committed")
    # one receipt before the race, then one per committed capture: 1…ATTEMPTS with no gap
    expected = [f"R-{n:06d}" for n in range(1, ATTEMPTS + 1)]
    assert result["receipts"] == expected and committed == expected[1:]
    assert result["last"] == ATTEMPTS
