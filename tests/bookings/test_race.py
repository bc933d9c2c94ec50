"""No double booking under contention: separate processes, each with its own connection, book the same
slots at the same instant; the database's exclusion constraint lets exactly `capacity` through per
slot and everyone else gets a clean 409."""

import pytest

from tests.processes import run_script

pytestmark = pytest.mark.django_db


def _race(attempts: int, slots: int, capacity: int) -> dict:
    return run_script("tests/bookings/race.py", "alpha", str(attempts), str(slots), str(capacity))


def test_many_clients_one_slot_exactly_one_booking():
    result = _race(attempts=16, slots=1, capacity=1)

    assert result["statuses"] == [201] + [409] * 15
    assert result["bookings"] == 1


def test_a_group_session_fills_exactly_its_seats():
    result = _race(attempts=12, slots=1, capacity=3)

    assert result["statuses"] == [201] * 3 + [409] * 9
    assert (result["bookings"], result["distinct_seats"]) == (3, 3)


def test_clients_spread_over_slots_fill_each_once():
    result = _race(attempts=20, slots=4, capacity=1)

    assert result["statuses"].count(201) == 4 and set(result["statuses"]) == {201, 409}
    assert (result["bookings"], result["distinct_seats"]) == (4, 4)
