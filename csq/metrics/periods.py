"""Complete and running periods: which month the data is still filling, and the default period without it.

A center that exports nightly has, on 1 December, one day of December in the store. That month is
"running": it is shown when chosen, marked as in progress, but it is never in the default period, never
flagged by a control chart, never a candidate problem and never compared year on year with whole months.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from csq.core.months import Month
from csq.metrics.asof import as_of
from csq.metrics.filters import Filter
from csq.store import Store

DEFAULT_MONTHS = 6  # the default period: the last six complete months


def running_month(moment: datetime | None) -> Month | None:
    """Return the month the data is still filling as of `moment`, or None when that month is complete.

    A month counts as complete once the data reaches its last day: a monthly export taken on the 1st
    holds the whole previous month, yet its last ticket is rarely stamped exactly at midnight.
    """
    if moment is None:
        return None
    month = Month.of(moment)
    last_day = month.end - timedelta(days=1)
    return None if moment >= last_day else month


def store_running_month(store: Store) -> str | None:
    """Return the running month ('YYYY-MM') of the store's data as of its latest ticket, or None."""
    month = running_month(as_of(store))
    return None if month is None else str(month)


def complete_months(months: Sequence[str], running: str | None) -> list[str]:
    """Return the months without the running one."""
    return [m for m in months if m != running]


def default_period(months: Sequence[str], running: str | None, length: int = DEFAULT_MONTHS
                   ) -> tuple[str | None, str | None]:
    """Return (from, to) of the default period: the last `length` complete months (all months if none is)."""
    whole = complete_months(months, running) or list(months)
    if not whole:
        return None, None
    return whole[max(0, len(whole) - length)], whole[-1]


def covers(f: Filter, running: str | None) -> bool:
    """Return True when the filter's period includes the running month."""
    if running is None:
        return False
    return (not f.period_from or f.period_from <= running) and (not f.period_to or running <= f.period_to)


def without_running(f: Filter, running: str | None) -> Filter | None:
    """Return the filter with its period ended before the running month, or None when nothing is left.

    Only a period that ends in the running month is shortened; one that starts after it has no whole month.
    """
    if not covers(f, running) or running is None:
        return f
    before = str(Month.parse(running) + -1)
    if f.period_from and f.period_from > before:
        return None
    return replace(f, period_to=before)
