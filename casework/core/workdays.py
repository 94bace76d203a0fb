"""Working days for response targets and update cadence: weekdays that are not bank holidays.

Bank holidays come from the maintained ``holidays`` library, ``holidays.UK(subdiv="ENG")``. England and
Wales share the same bank holidays (the library's Wales list, ``subdiv="WLS"``, is identical), so one list
serves both; Scotland and Northern Ireland differ and are not used. One-off holidays such as the
coronation (8 May 2023) come from the library too; keep it up to date.

Conventions, all in the partnership's local time (Europe/London by default):

- A target is due at the end (17:00) of a working day.
- A report received on a working day before 17:00 counts from that day; one received after 17:00, at a
  weekend or on a bank holiday counts from the next working day. The day of receipt is day 0, so
  "1 working day" from Monday 10:00 is Tuesday 17:00, and from Friday 18:00 it is Tuesday 17:00.
- Naive datetimes are taken to be UTC, as everywhere in the product.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

END_OF_DAY = time(17, 0)
DEFAULT_TZ = "Europe/London"


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.UK(subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    """True when ``day`` is a bank holiday in England and Wales."""
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """True for Monday to Friday when not an England-and-Wales bank holiday."""
    return day.weekday() < 5 and not is_bank_holiday(day)


def next_working_day(day: date) -> date:
    """The first working day strictly after ``day``."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _local(dt: datetime, tz: str) -> datetime:
    aware = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(tz))


def receipt_day(received: datetime, tz: str = DEFAULT_TZ) -> date:
    """The working day a report received at ``received`` counts from (day 0)."""
    local = _local(received, tz)
    day = local.date()
    if is_working_day(day) and local.time() < END_OF_DAY:
        return day
    return next_working_day(day)


def add_working_days(start: datetime, days: int, tz: str = DEFAULT_TZ) -> datetime:
    """17:00 local on the working day ``days`` working days after ``start``'s receipt day, as UTC."""
    if days < 0:
        raise ValueError("days must be zero or more")
    day = receipt_day(start, tz)
    for _ in range(days):
        day = next_working_day(day)
    return datetime.combine(day, END_OF_DAY, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def working_days_between(a: datetime, b: datetime, tz: str = DEFAULT_TZ) -> int:
    """Working days after ``a``'s local date up to and including ``b``'s (negative when b is earlier)."""
    first, last = _local(a, tz).date(), _local(b, tz).date()
    if last < first:
        return -working_days_between(b, a, tz)
    count = 0
    day = first
    while day < last:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def format_date_for_resident(dt: datetime | date, tz: str = DEFAULT_TZ) -> str:
    """A date as residents read it, e.g. "Tuesday 24 November" (local date; no year, no leading zero)."""
    day = _local(dt, tz).date() if isinstance(dt, datetime) else dt
    return f"{day:%A} {day.day} {day:%B}"
