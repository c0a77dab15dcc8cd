"""Calendar quarters (2026Q1): what a callback plan covers and what the callback indicators are read by."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from csq.errors import InputRefused

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]\s*([1-4])\s*$")


@dataclass(frozen=True, order=True)
class Quarter:
    """One calendar quarter: its year and number 1–4."""

    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Return the quarter written as 2026Q1 (or 2026-Q1); raise InputRefused otherwise."""
        m = _QUARTER.match(str(text))
        if not m:
            raise InputRefused(f"{text!r} is not a quarter.", "Write the quarter as YYYYQn, e.g. 2026Q1.")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        """Return the quarter a day falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def label(self) -> str:
        """Return the quarter as text, 2026Q1."""
        return f"{self.year}Q{self.q}"

    @property
    def start(self) -> date:
        """Return the quarter's first day."""
        return date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> date:
        """Return the quarter's last day."""
        return self.next().start - timedelta(days=1)

    @property
    def months(self) -> tuple[str, str]:
        """Return the quarter's first and last month as YYYY-MM (a Filter's period)."""
        return f"{self.year}-{3 * self.q - 2:02d}", f"{self.year}-{3 * self.q:02d}"

    def next(self) -> Quarter:
        """Return the quarter after this one."""
        return Quarter(self.year + 1, 1) if self.q == 4 else Quarter(self.year, self.q + 1)

    def previous(self) -> Quarter:
        """Return the quarter before this one."""
        return Quarter(self.year - 1, 4) if self.q == 1 else Quarter(self.year, self.q - 1)

    def year_ago(self) -> date:
        """Return the first day of the twelve months before the quarter (the window a plan draws customers from)."""
        return date(self.year - 1, self.start.month, 1)
