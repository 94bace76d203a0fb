"""Reporting periods for the partnership's measures: financial-year quarters (April to March) or any dates.

A quarter is written ``2026-27-Q1`` (April to June 2026); ``2026-27-Q4`` is January to March 2027.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from casework.core.clock import LONDON
from casework.insight.stats import InvalidPeriod, Period, period_from

_QUARTER = re.compile(r"^(\d{4})-(\d{2})-Q([1-4])$")
QUARTER_MONTHS = {1: 4, 2: 7, 3: 10, 4: 1}


def quarter_period(code: str) -> Period:
    """The dates of a financial-year quarter such as ``2026-27-Q1``; InvalidPeriod when not understood."""
    match = _QUARTER.match(code.strip())
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise InvalidPeriod("quarter: use the form 2026-27-Q1 (financial year April to March)")
    year, q = int(match.group(1)), int(match.group(3))
    month = QUARTER_MONTHS[q]
    start = date(year + (1 if q == 4 else 0), month, 1)
    after = date(start.year + (1 if month == 10 else 0), (month + 3 - 1) % 12 + 1, 1)
    return Period(start, after - timedelta(days=1))


def quarter_of(day: date) -> str:
    """The financial-year quarter code a day falls in."""
    fy = day.year if day.month >= 4 else day.year - 1
    q = {4: 1, 5: 1, 6: 1, 7: 2, 8: 2, 9: 2, 10: 3, 11: 3, 12: 3, 1: 4, 2: 4, 3: 4}[day.month]
    return f"{fy}-{(fy + 1) % 100:02d}-Q{q}"


def recent_quarters(now: datetime, count: int = 8) -> list[tuple[str, str]]:
    """(code, label) for the current quarter and the ones before it, newest first, for the picker."""
    day = now.astimezone(LONDON).date()
    out = []
    for _ in range(count):
        code = quarter_of(day)
        period = quarter_period(code)
        out.append((code, f"{code} ({period.start:%b %Y} to {period.end:%b %Y})"))
        day = period.start - timedelta(days=1)
    return out


def measures_period(args: Mapping[str, str], *, now: datetime) -> tuple[Period, str | None]:
    """The period chosen: a quarter (``quarter=``), else from/to dates, else the current quarter."""
    code = (args.get("quarter") or "").strip()
    if code:
        return quarter_period(code), code
    if args.get("from") or args.get("to"):
        return period_from(args, now=now), None
    current = quarter_of(now.astimezone(LONDON).date())
    return quarter_period(current), current
