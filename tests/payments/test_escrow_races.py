"""Two releases or refunds of one booking at once, and two payouts for one provider, from separate
processes: the booking's (or provider's) row lock puts them in order, so one wins and the other is a
clean 409 (or, for the same key, the same result)."""

import pytest

from tests.processes import run_script

pytestmark = pytest.mark.django_db


def test_concurrent_releases_refunds_and_payouts():
    result = run_script("tests/payments/race_release.py")

    outcomes = result["outcomes"]
    assert all(status in ("ok", 409) for _, _, status, _ in outcomes), outcomes  # never a 500
    releases = [o for o in outcomes if o[0] == "release"]
    payouts = [o for o in outcomes if o[0] == "payout"]
    refunds = [o for o in outcomes if o[0] == "refund"]
    # the same refund sent twice at once: both answer with the one journal transaction
    assert [o[2] for o in refunds] == ["ok", "ok"] and refunds[0][3] == refunds[1][3]
    # two different releases of everything: at most one wins, the loser is a clean 409
    winners = [o for o in releases if o[2] == "ok"]
    assert len(winners) <= 1 and all(o[3] == "release_exceeds_escrow" for o in releases if o[2] == 409)
    released = 10_000 if winners else 0
    assert result["state"] == {
        "captured": 10_000,
        "released": released,
        "refunded": 6_000,
        "held": 0 if winners else 4_000,
    }
    assert result["journals"] == sorted(["capture", "refund-a", *(o[1] for o in winners)])
    assert result["sum"] == 0
    # two payouts of 5,000 from a 9,000 balance: one goes; the other finds it in flight (or, if the
    # bank already answered, finds too little left)
    assert sorted(str(o[2]) for o in payouts) == ["409", "ok"]
    assert [o[3] for o in payouts if o[2] == 409][0] in ("payout_in_flight", "payout_exceeds_available")
    left = result["earnings"]
    assert left["available"] == 4_000 and left["in_transit"] + left["paid_out"] == 5_000
