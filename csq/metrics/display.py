"""Showing indicators to people: names, values with their units, "no data" for an empty denominator, axis titles."""
from __future__ import annotations

from csq.metrics.indicators import INDICATORS

NO_DATA = {"en": "no data", "zh": "无数据"}
# The font stack every chart uses, so Chinese labels render with a CJK font wherever one is installed.
CHART_FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
_UNITS = {"min": {"en": " min", "zh": " 分钟"}, "h": {"en": " h", "zh": " 小时"}}
_AXIS_UNIT = {"rate": ("%", "%"), "min": ("分钟", "min"), "h": ("小时", "h"), "count": ("件", "tickets"),
              "score": ("分", "points"), "points": ("分", "points")}


def indicator_name(key: str, lang: str) -> str:
    """Return an indicator's name in the language (the key itself when unknown)."""
    ind = INDICATORS.get(key)
    return key if ind is None else (ind.name_zh if lang == "zh" else ind.name_en)


def format_value(key: str, value: float | int | None, lang: str = "en") -> str:
    """Return the value as shown on screen: '90.1%', '3.2 min', '1,234', or 'no data' for None."""
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


def unit_label(key: str, lang: str) -> str:
    """Return the unit an indicator is plotted in ('%', '分钟', 'tickets' …), '' for none."""
    return _AXIS_UNIT.get(INDICATORS[key].unit, ("", ""))[0 if lang == "zh" else 1]


def axis_title(key: str, lang: str) -> str:
    """Return a chart axis title: the indicator name with its unit."""
    unit = unit_label(key, lang)
    return f"{indicator_name(key, lang)} ({unit})" if unit else indicator_name(key, lang)


def plotted(key: str, value: float | None) -> float | None:
    """Return the value as a chart plots it: rates as percentages, everything else unchanged."""
    if value is None:
        return None
    return value * 100 if INDICATORS[key].unit == "rate" else value
