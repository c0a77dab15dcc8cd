"""The one month and period type: arithmetic across years, ranges, quarters, the previous period, bad input."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from csq.core.months import Month, Period, add_months, month_range
from csq.errors import InputRefused


def test_month_arithmetic_crosses_years() -> None:
    assert Month.parse("2025-01") + -1 == Month(2024, 12)
    assert Month(2024, 12) + 13 == Month(2026, 1)
    assert Month(2026, 1) - Month(2024, 12) == 13
    assert str(Month(7, 3)) == "0007-03"
    assert Month(2025, 3).quarter == "2025Q1" and Month(2025, 10).quarter == "2025Q4"
    assert Month(2025, 12).start == datetime(2025, 12, 1) and Month(2025, 12).end == datetime(2026, 1, 1)


def test_periods_have_a_length_a_previous_period_and_quarters() -> None:
    p = Period.parse("2025-11", "2026-02")
    assert len(p) == 4 and [str(m) for m in p] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert p.previous() == Period(Month(2025, 7), Month(2025, 10))
    assert p.shifted(-12) == Period(Month(2024, 11), Month(2025, 2))
    assert Month(2026, 1) in p and Month(2026, 3) not in p
    assert Period.quarter("2025q4") == Period(Month(2025, 10), Month(2025, 12))
    assert Period.quarter("2025Q1").previous() == Period.quarter("2024Q4")


@pytest.mark.parametrize("text", ["2025-13", "2025-3", "25-03", "", None, "2025-00"])
def test_a_bad_month_is_refused_with_the_format(text: object) -> None:
    with pytest.raises(InputRefused, match="YYYY-MM"):
        Month.parse(text, "from")


def test_a_period_ending_before_it_starts_and_a_bad_quarter_are_refused() -> None:
    with pytest.raises(InputRefused, match="ends before it starts"):
        Period.parse("2025-05", "2025-04")
    with pytest.raises(InputRefused, match="not a quarter"):
        Period.quarter("2025Q0")


def test_month_range_and_add_months_keep_the_last_day() -> None:
    assert month_range("2024-11", "2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert month_range("2025-02", "2025-01") == []
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2025, 5, 15), -17) == date(2023, 12, 15)
