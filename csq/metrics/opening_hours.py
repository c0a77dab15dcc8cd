"""Opening hours of a business calendar as a table of spans with cumulative open time (SPEC §4a).

A business clock reads `B(ts)`, the open microseconds of a calendar before `ts`: the cumulative time of
the span that starts last at or before `ts`, plus how far `ts` is into that span. The spans are built
once per calendar and date range (a few hundred rows a year) and joined to tickets with an ASOF join,
so no ticket is ever looped over in Python.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar
import numpy as np
import pyarrow as pa

from csq.store.calendars import MAX_SPANS, WEEKDAYS, Calendar, Span

_EPOCH = datetime(1970, 1, 1)
_US_PER_MIN = 60_000_000
US_PER_DAY = 86_400_000_000


def holiday_status(day: date) -> str | None:
    """Return "off" for a Chinese statutory holiday or 调休 day off, "makeup" for a 调休 working day, else None.

    Days outside the years chinesecalendar knows return None: they follow the weekly hours.
    """
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    if name is None:
        return None  # an ordinary weekday or weekend
    return "off" if on_holiday else "makeup"


def holiday_years() -> tuple[int, int]:
    """Return the first and last year whose Chinese holidays the installed chinesecalendar knows."""
    years = sorted({d.year for d in chinese_calendar.holidays})
    return years[0], years[-1]


def day_spans(cal: Calendar, day: date) -> tuple[Span, ...]:
    """Return the opening spans (minutes from midnight) of one date on a calendar.

    Precedence: the center's closed days, then its extra working days, then the holiday source
    (statutory day off closed, 调休 working day with the make-up weekday's hours), then the weekly hours.
    """
    if day in cal.closed:
        return ()
    makeup = cal.hours[WEEKDAYS.index(cal.makeup_day)]
    if day in cal.working:
        return cal.hours[day.weekday()] or makeup
    if cal.holidays == "cn":
        status = holiday_status(day)
        if status == "off":
            return ()
        if status == "makeup":
            return makeup
    return cal.hours[day.weekday()]


def _days(first: date, last: date) -> Iterable[date]:
    """Return every date from first to last inclusive."""
    for i in range((last - first).days + 1):
        yield first + timedelta(days=i)


@lru_cache(maxsize=32)
def spans_table(cal: Calendar, first: date, last: date) -> pa.Table:
    """Return the calendar's open spans over [first, last]: cal, start_us, end_us, cum_us (open time before).

    Microseconds count from 1970-01-01 on the naive local clock, as DuckDB's epoch_us of a TIMESTAMP does.
    Touching spans (e.g. 00:00–24:00 on consecutive days) are kept apart; the lookup is the same.
    """
    starts: list[int] = []
    ends: list[int] = []
    for day in _days(first, last):
        base = (datetime(day.year, day.month, day.day) - _EPOCH) // timedelta(microseconds=1)
        for s, e in day_spans(cal, day):
            starts.append(base + s * _US_PER_MIN)
            ends.append(base + e * _US_PER_MIN)
    start = np.asarray(starts, dtype=np.int64)
    end = np.asarray(ends, dtype=np.int64)
    cum = np.concatenate([[0], np.cumsum(end - start)[:-1]]) if len(start) else np.zeros(0, np.int64)
    return pa.table({"cal": pa.array([cal.name] * len(start), pa.string()), "start_us": start,
                     "end_us": end, "cum_us": cum.astype(np.int64)})



def spans_per_day(cal: Calendar) -> int:
    """Return the most opening spans any date of the calendar can have (weekdays, make-up and extra days)."""
    return max((len(spans) for spans in cal.hours), default=0)


def _span_columns(n: int) -> list[str]:
    """Return the names of the per-day span columns: s1, e1, s2, e2, …"""
    return [f"{c}{i}" for i in range(1, n + 1) for c in ("s", "e")]


@lru_cache(maxsize=32)
def days_table(cal: Calendar, first: date, last: date) -> pa.Table:
    """Return one row per date over [first, last]: cal, day (days since 1970-01-01), cum_us (open time before
    the date), and the date's opening spans as s1, e1 … s{MAX_SPANS}, e{MAX_SPANS} (microseconds from
    midnight, NULL where the date has fewer spans).

    B(ts) is then cum_us of ts's date plus Σ max(0, min(time of day, e) − s): an equality join on the date,
    which costs a fraction of a range or ASOF join per moment looked up.
    """
    days, cum, cols = [], [], {c: [] for c in _span_columns(MAX_SPANS)}
    total = 0
    for day in _days(first, last):
        spans = day_spans(cal, day)
        days.append((day - _EPOCH.date()).days)
        cum.append(total)
        for i in range(MAX_SPANS):
            s, e = spans[i] if i < len(spans) else (None, None)
            cols[f"s{i + 1}"].append(None if s is None else s * _US_PER_MIN)
            cols[f"e{i + 1}"].append(None if e is None else e * _US_PER_MIN)
        total += sum(e - s for s, e in spans) * _US_PER_MIN
    return pa.table({"cal": pa.array([cal.name] * len(days), pa.string()), "day": pa.array(days, pa.int64()),
                     "cum_us": pa.array(cum, pa.int64()),
                     **{c: pa.array(v, pa.int64()) for c, v in cols.items()}})


def business_sql(cal: str, ts: str, day: str, spans_per_day: int = MAX_SPANS) -> str:
    """Return the SQL of B(ts): the open microseconds of calendar `cal` before moment `ts` (epoch µs).

    `day` is the alias of the days_table row joined on (cal, ts // US_PER_DAY); on 24x7 B(ts) = ts. Only the
    first `spans_per_day` span columns are read: the most any date of the calendars in use has.
    """
    tod = f"({ts} - {day}.day * {US_PER_DAY})"
    spans = " + ".join(f"coalesce(greatest(0, least({tod}, {day}.e{i}) - {day}.s{i}), 0)"
                       for i in range(1, max(1, spans_per_day) + 1))
    return f"(CASE WHEN {ts} IS NULL THEN NULL WHEN {cal} = '24x7' THEN {ts} ELSE {day}.cum_us + {spans} END)"
