"""Working days: weekends and England-and-Wales bank holidays are skipped; targets end at 17:00 local."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from casework.core.workdays import (
    add_working_days,
    format_date_for_resident,
    is_working_day,
    receipt_day,
    working_days_between,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[arg-type,misc]


def test_one_working_day_from_a_monday_morning_is_tuesday_at_five_in_winter() -> None:
    assert add_working_days(utc(2026, 11, 23, 10, 0), 1) == utc(2026, 11, 24, 17, 0)


def test_the_deadline_is_five_pm_london_time_so_four_pm_utc_in_summer() -> None:
    assert add_working_days(utc(2026, 6, 15, 9, 0), 1) == utc(2026, 6, 16, 16, 0)


def test_the_result_is_timezone_aware_utc() -> None:
    due = add_working_days(utc(2026, 6, 15, 9, 0), 2)
    assert due.tzinfo is UTC


def test_zero_working_days_is_the_end_of_the_day_of_receipt() -> None:
    assert add_working_days(utc(2026, 11, 23, 10, 0), 0) == utc(2026, 11, 23, 17, 0)


def test_a_friday_report_is_due_on_monday_for_one_working_day() -> None:
    assert add_working_days(utc(2026, 11, 20, 10, 0), 1) == utc(2026, 11, 23, 17, 0)


def test_a_report_after_five_on_friday_counts_from_monday() -> None:
    assert receipt_day(utc(2026, 11, 20, 18, 0)) == date(2026, 11, 23)
    assert add_working_days(utc(2026, 11, 20, 18, 0), 1) == utc(2026, 11, 24, 17, 0)


def test_a_weekend_report_counts_from_monday() -> None:
    assert add_working_days(utc(2026, 11, 21, 12, 0), 0) == utc(2026, 11, 23, 17, 0)
    assert add_working_days(utc(2026, 11, 22, 12, 0), 5) == utc(2026, 11, 30, 17, 0)


def test_five_working_days_span_a_weekend() -> None:
    assert add_working_days(utc(2026, 11, 23, 10, 0), 5) == utc(2026, 11, 30, 17, 0)


def test_christmas_and_boxing_day_substitutes_are_skipped() -> None:
    # 2026: Christmas Friday 25th, Boxing Day Saturday 26th with its substitute on Monday 28th.
    assert add_working_days(utc(2026, 12, 24, 10, 0), 1) == utc(2026, 12, 29, 17, 0)


def test_christmas_falling_at_a_weekend_moves_the_bank_holidays_to_monday_and_tuesday() -> None:
    # 2022: Christmas Sunday, Boxing Day Monday 26th, substitute Tuesday 27th.
    assert add_working_days(utc(2022, 12, 23, 10, 0), 1) == utc(2022, 12, 28, 17, 0)


def test_good_friday_and_easter_monday_are_skipped() -> None:
    # 2026: Good Friday 3 April, Easter Monday 6 April.
    assert add_working_days(utc(2026, 4, 2, 10, 0), 1) == utc(2026, 4, 7, 16, 0)


def test_the_early_may_and_spring_bank_holidays_are_skipped() -> None:
    assert not is_working_day(date(2026, 5, 4))
    assert not is_working_day(date(2026, 5, 25))
    assert add_working_days(utc(2026, 5, 22, 10, 0), 1) == utc(2026, 5, 26, 16, 0)


def test_one_off_bank_holidays_such_as_the_coronation_are_skipped() -> None:
    assert not is_working_day(date(2023, 5, 8))
    assert add_working_days(utc(2023, 5, 5, 10, 0), 1) == utc(2023, 5, 9, 16, 0)


def test_scottish_only_holidays_are_working_days() -> None:
    assert is_working_day(date(2026, 1, 2))  # 2 January is a holiday in Scotland only
    assert is_working_day(date(2026, 11, 30))  # St Andrew's Day, Scotland only


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError):
        add_working_days(utc(2026, 11, 23, 10, 0), -1)


def test_naive_times_are_taken_as_utc() -> None:
    assert add_working_days(datetime(2026, 11, 23, 10, 0), 1) == utc(2026, 11, 24, 17, 0)


def test_working_days_between_counts_the_days_after_the_first_up_to_the_second() -> None:
    assert working_days_between(utc(2026, 11, 23, 9), utc(2026, 11, 23, 16)) == 0
    assert working_days_between(utc(2026, 11, 23, 9), utc(2026, 11, 24, 9)) == 1
    assert working_days_between(utc(2026, 11, 20, 9), utc(2026, 11, 23, 9)) == 1
    assert working_days_between(utc(2026, 11, 23, 9), utc(2026, 12, 7, 9)) == 10


def test_working_days_between_skips_bank_holidays_and_is_negative_backwards() -> None:
    assert working_days_between(utc(2026, 12, 24, 9), utc(2026, 12, 29, 9)) == 1
    assert working_days_between(utc(2026, 11, 24, 9), utc(2026, 11, 23, 9)) == -1


def test_a_date_is_written_for_residents_as_weekday_day_and_month() -> None:
    assert format_date_for_resident(utc(2026, 11, 24, 17, 0)) == "Tuesday 24 November"
    assert format_date_for_resident(utc(2026, 6, 1, 12, 0)) == "Monday 1 June"


def test_a_date_for_residents_is_the_london_date() -> None:
    assert format_date_for_resident(utc(2026, 6, 30, 23, 30)) == "Wednesday 1 July"
    assert format_date_for_resident(date(2026, 12, 25)) == "Friday 25 December"
