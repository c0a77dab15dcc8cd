"""Showing indicators to people: names, values with their units, "no data" for an empty denominator, axis titles,
and the chart layout every chart module shares (legend strip, month ticks, reference lines)."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from csq.core.i18n import fmt_fixed, fmt_month, t
from csq.metrics.indicators import INDICATORS

if TYPE_CHECKING:  # plotly is imported only where a figure is drawn, so the CLI's value formatting stays light
    import plotly.graph_objects as go

NO_DATA = {"en": "no data", "zh": "无数据"}
# The font stack every chart uses, so Chinese labels render with a CJK font wherever one is installed.
CHART_FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
_UNITS = {"min": {"en": " min", "zh": " 分钟"}, "h": {"en": " h", "zh": " 小时"}, "s": {"en": " s", "zh": " 秒"}}
_AXIS_UNIT = {"rate": ("%", "%"), "min": ("分钟", "min"), "h": ("小时", "h"), "count": ("件", "tickets"),
              "score": ("分", "points"), "points": ("分", "points"), "s": ("秒", "s")}


def indicator_name(key: str, lang: str) -> str:
    """Return an indicator's name in the language (the key itself when unknown)."""
    ind = INDICATORS.get(key)
    return key if ind is None else (ind.name_zh if lang == "zh" else ind.name_en)


def format_value(key: str, value: float | None, lang: str = "en") -> str:
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
    return fmt_fixed(value, 1, sign=unit == "points")  # '0.0', never '-0.0'


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


# Chart layout shared by the chart modules (csq/<domain>/charts.py, csq/overview/spark.py).
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# A horizontal legend in its own strip at the foot of the figure: plotly reserves that strip before it places the
# axes, so month labels and the axis title always sit above it, at any width.
LEGEND_BELOW = {"orientation": "h", "x": 0, "xanchor": "left", "xref": "paper", "y": 0, "yanchor": "bottom",
                "yref": "container", "title": {"text": ""}}


def month_ticks(months: Sequence[str], lang: str, most: int = 8) -> tuple[list[str], list[str]]:
    """Return (tick values as fmt_month shows them, short tick texts): at most `most` ticks, the year only where it
    starts or changes, so that month labels stay level and apart even on a phone."""
    step = max(1, math.ceil(len(months) / most))
    values, texts, last_year = [], [], None
    for m in months[::step]:
        year, mon = m[:4], int(m[5:7])
        short = f"{mon}月" if lang == "zh" else _MONTH_ABBR[mon - 1]
        values.append(fmt_month(m, lang))
        texts.append(short if year == last_year else f"{short}<br>{year}")
        last_year = year
    return values, texts


def month_axis(fig: go.Figure, months: Sequence[str], lang: str, most: int = 8) -> go.Figure:
    """Return fig with its x axis as months: the traces' x must be fmt_month(month); level, thinned, titled ticks."""
    values, texts = month_ticks(months, lang, most)
    fig.update_xaxes(type="category", tickmode="array", tickvals=values, ticktext=texts, tickangle=0,
                     automargin=True, title={"text": t("month", lang)})
    return fig


def chart_layout(fig: go.Figure, title: str, height: int, legend: bool = True) -> go.Figure:
    """Return fig with the house layout: CHART_FONT, title top left, small margins, axes that grow the margins for
    their labels, and the legend (when shown) in a horizontal strip below the x axis."""
    fig.update_layout(title={"text": title, "x": 0, "font": {"size": 15}}, height=height, font={"family": CHART_FONT},
                      margin={"l": 10, "r": 10, "t": 50 if title else 24, "b": 10}, showlegend=legend)
    if legend:
        fig.update_layout(legend=LEGEND_BELOW)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def reference_line(fig: go.Figure, y: float, label: str, color: str, dash: str = "solid") -> go.Figure:
    """Return fig with a horizontal line at y across the plot, named in the legend instead of by an annotation on
    the line, which would sit on the first or last point."""
    import plotly.graph_objects as go

    fig.add_hline(y=y, line={"color": color, "width": 1.5, "dash": dash})
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=label, hoverinfo="skip",
                             line={"color": color, "width": 1.5, "dash": dash}))
    return fig
