"""Free-slot arithmetic: weekly rules in the provider's zone, overrides, daylight saving, buffers,
seats, notice and horizon (pure functions, no database)."""

from datetime import UTC, date, datetime, time, timedelta

from marketplace.bookings.availability import Busy, Rules, Window, candidate_slots, free_slots


def _rules(**changes) -> Rules:
    values = {
        "time_zone": "Europe/London",
        "weekly": {d: [Window(time(9), time(12))] for d in range(7)},
        "overrides": {},
        "slot": timedelta(hours=1),
        "step": timedelta(hours=1),
        "buffer_before": timedelta(0),
        "buffer_after": timedelta(0),
        "min_notice": timedelta(0),
        "horizon": timedelta(days=400),
        "capacity": 1,
    }
    values.update(changes)
    return Rules(**values)


NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _starts(slots) -> list[str]:
    return [s.start.strftime("%m-%d %H:%M") for s in slots]


def test_weekly_rules_are_wall_clock_times_in_the_provider_zone():
    winter = candidate_slots(_rules(), date(2026, 1, 5), date(2026, 1, 5))
    summer = candidate_slots(_rules(), date(2026, 7, 6), date(2026, 7, 6))

    assert [s.strftime("%H:%M") for s, _ in winter] == ["09:00", "10:00", "11:00"]  # GMT = UTC
    assert [s.strftime("%H:%M") for s, _ in summer] == ["08:00", "09:00", "10:00"]  # BST = UTC+1


def test_the_spring_forward_gap_is_skipped_and_slots_keep_their_real_length():
    rules = _rules(weekly={6: [Window(time(0), time(4))]})  # 2027-03-28 is a Sunday; 01:00 -> 02:00

    slots = candidate_slots(rules, date(2027, 3, 28), date(2027, 3, 28))

    assert [s.strftime("%H:%M") for s, _ in slots] == ["00:00", "01:00", "02:00"]  # local 00, 02, 03
    assert all(end - start == timedelta(hours=1) for start, end in slots)


def test_the_repeated_autumn_hour_is_offered_once():
    rules = _rules(weekly={6: [Window(time(0), time(3))]})  # 2026-10-25 is a Sunday; 02:00 -> 01:00

    slots = candidate_slots(rules, date(2026, 10, 25), date(2026, 10, 25))

    assert [s.strftime("%d %H:%M") for s, _ in slots] == ["24 23:00", "25 00:00", "25 02:00"]


def test_an_override_replaces_the_weekly_rules_and_an_empty_one_closes_the_day():
    rules = _rules(overrides={date(2026, 1, 5): [Window(time(14), time(16))], date(2026, 1, 6): []})

    slots = free_slots(rules, date(2026, 1, 5), date(2026, 1, 7), [], now=NOW)

    assert _starts(slots) == ["01-05 14:00", "01-05 15:00", "01-07 09:00", "01-07 10:00", "01-07 11:00"]


def test_bookings_block_with_buffers_and_time_off_blocks_every_seat():
    rules = _rules(buffer_after=timedelta(minutes=30))
    booked = Busy(datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2026, 1, 5, 10, 30, tzinfo=UTC), seat=1)
    away = Busy(datetime(2026, 1, 6, 0, tzinfo=UTC), datetime(2026, 1, 7, 0, tzinfo=UTC))

    slots = free_slots(rules, date(2026, 1, 5), date(2026, 1, 6), [booked, away], now=NOW)

    # 09:00 and 10:00 overlap the booking's 09:00-10:30; the 6th is time off.
    assert _starts(slots) == ["01-05 11:00"]


def test_group_sessions_stay_open_until_every_seat_is_taken():
    rules = _rules(capacity=3)
    start, end = datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2026, 1, 5, 10, tzinfo=UTC)

    two_taken = free_slots(
        rules, date(2026, 1, 5), date(2026, 1, 5), [Busy(start, end, 1), Busy(start, end, 2)], now=NOW
    )
    all_taken = free_slots(rules, date(2026, 1, 5), date(2026, 1, 5), [Busy(start, end, s) for s in (1, 2, 3)], now=NOW)

    assert [(s.start.hour, s.seats_left) for s in two_taken] == [(9, 1), (10, 3), (11, 3)]
    assert [s.start.hour for s in all_taken] == [10, 11]


def test_minimum_notice_and_horizon():
    rules = _rules(min_notice=timedelta(hours=2), horizon=timedelta(days=1))
    now = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)

    slots = free_slots(rules, date(2026, 1, 5), date(2026, 1, 7), [], now=now)

    assert _starts(slots) == ["01-05 11:00"]  # 09:00 and 10:00 are too soon; the 6th is past the horizon
