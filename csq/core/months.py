"""Months and periods: the one type for 'YYYY-MM', month arithmetic, ranges, quarters and the previous period."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from csq.errors import InputRefused

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month; `Month(2025, 3) + 1` is April, `b - a` the number of months between them."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: object, what: str = "") -> Month:
        """Return the month written 'YYYY-MM', or raise InputRefused naming `what` (e.g. 'from')."""
        m = _MONTH.match(text.strip()) if isinstance(text, str) else None
        if not m or not 1 <= int(m.group(2)) <= 12:
            label = f"The {what} month" if what else "The month"
            raise InputRefused(f"{label} {text!r} is not a month.", "Write it as YYYY-MM, e.g. 2025-03.")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, d: date) -> Month:
        """Return the month a date or timestamp falls in."""
        return cls(d.year, d.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def _index(self) -> int:
        return self.year * 12 + self.month - 1

    def __add__(self, months: int) -> Month:
        year, month0 = divmod(self._index() + months, 12)
        return Month(year, month0 + 1)

    def __sub__(self, other: Month) -> int:
        return self._index() - other._index()

    @property
    def first_day(self) -> date:
        """Return the first day of the month."""
        return date(self.year, self.month, 1)

    @property
    def start(self) -> datetime:
        """Return midnight at the start of the month."""
        return datetime(self.year, self.month, 1)

    @property
    def end(self) -> datetime:
        """Return midnight at the start of the next month (the exclusive end)."""
        return (self + 1).start

    @property
    def quarter(self) -> str:
        """Return the quarter the month is in, written like 2025Q1."""
        return f"{self.year}Q{(self.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class Period:
    """A run of whole months from `first` to `last` inclusive."""

    first: Month
    last: Month

    @classmethod
    def parse(cls, first: str, last: str) -> Period:
        """Return the period between two 'YYYY-MM' months, or raise InputRefused when it ends before it starts."""
        p = cls(Month.parse(first, "from"), Month.parse(last, "to"))
        if p.last < p.first:
            raise InputRefused(f"The period {first} to {last} ends before it starts.", "Swap --from and --to.")
        return p

    @classmethod
    def quarter(cls, text: str) -> Period:
        """Return the three months of a quarter written like 2025Q1, or raise InputRefused."""
        m = _QUARTER.match(text.strip().upper())
        if not m:
            raise InputRefused(f"{text!r} is not a quarter.", "Write the quarter like 2025Q1 (Q1 to Q4).")
        first = Month(int(m.group(1)), 3 * int(m.group(2)) - 2)
        return cls(first, first + 2)

    def __len__(self) -> int:
        return self.last - self.first + 1

    def __iter__(self) -> Iterator[Month]:
        return (self.first + i for i in range(len(self)))

    def __contains__(self, m: object) -> bool:
        return isinstance(m, Month) and self.first <= m <= self.last

    def previous(self) -> Period:
        """Return the period of the same length that ends just before this one starts."""
        return self.shifted(-len(self))

    def shifted(self, months: int) -> Period:
        """Return the period moved by a number of months (-12: the same months a year earlier)."""
        return Period(self.first + months, self.last + months)

    @property
    def start(self) -> datetime:
        """Return midnight at the start of the first month."""
        return self.first.start

    @property
    def end(self) -> datetime:
        """Return midnight after the last month (the exclusive end)."""
        return self.last.end


def month_range(first: str, last: str) -> list[str]:
    """Return every 'YYYY-MM' from first to last inclusive (empty when last is before first)."""
    a, b = Month.parse(first), Month.parse(last)
    return [str(a + i) for i in range(max(0, b - a + 1))]


def add_months(d: date, months: int) -> date:
    """Return the same day `months` calendar months later (the month's last day when it is shorter)."""
    m = Month.of(d) + months
    last = ((m + 1).first_day - timedelta(days=1)).day
    return date(m.year, m.month, min(d.day, last))
