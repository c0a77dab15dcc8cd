"""Formatting indicator values for people: units, percentages, and "no data" for an empty denominator."""
from __future__ import annotations

NO_DATA = {"en": "no data", "zh": "无数据"}
_UNITS = {"min": {"en": " min", "zh": " 分钟"}, "h": {"en": " h", "zh": " 小时"}}


def format_value(key: str, value: float | int | None, lang: str = "en") -> str:
    """Return the value as shown on screen: '90.1%', '3.2 min', '1,234', or 'no data' for None."""
    from csq.indicators import INDICATORS

    if value is None:
        return NO_DATA.get(lang, NO_DATA["en"])
    unit = INDICATORS[key].unit if key in INDICATORS else ""
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "count":
        return f"{int(value):,}"
    if unit in _UNITS:
        return f"{value:,.1f}{_UNITS[unit].get(lang, _UNITS[unit]['en'])}"
    return f"{value:,.1f}" if unit != "points" else f"{value:+.1f}"
