"""Satisfaction figures: month ticks for half-width charts, and this period against the same months a year earlier."""
from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from csq.core.i18n import fmt_month, t
from csq.metrics.display import axis_title, format_value
from csq.metrics.indicators import INDICATORS


def month_ticks(months: Sequence[str], lang: str, most: int = 8) -> tuple[list[str], list[str]]:
    """Return (tick values as fmt_month shows them, short tick texts): at most `most` ticks, the year only where
    it starts or changes, so that a half-width chart keeps its month labels level and apart."""
    step = max(1, math.ceil(len(months) / most))
    values, texts, last_year = [], [], None
    for m in months[::step]:
        year, mon = m[:4], int(m[5:7])
        short = f"{mon}月" if lang == "zh" else "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()[mon - 1]
        values.append(fmt_month(m, lang))
        texts.append(short if year == last_year else f"{short}<br>{year}")
        last_year = year
    return values, texts


def yoy_figure(months: Sequence[dict[str, object]], key: str, lang: str) -> go.Figure:
    """Return this period's months against the same months a year earlier, as two lines with n on hover."""
    scale = 100.0 if INDICATORS[key].unit == "rate" else 1.0
    x = [fmt_month(str(m["month"]), lang) for m in months]
    fig = go.Figure()
    for prefix, label, color, dash in (("prev_", "sat_yoy_previous", "#8b949e", "dash"),
                                       ("", "sat_yoy_current", "#1f6feb", "solid")):
        values = [m[f"{prefix}{key}"] for m in months]
        counts = [int(m[f"{prefix}n_{key}"]) for m in months]  # type: ignore[call-overload]
        y = [None if x_ is None else float(x_) * scale for x_ in values]  # type: ignore[arg-type]
        text = [f"{format_value(key, x_, lang)} · n = {n:,}" for x_, n in zip(values, counts)]  # type: ignore[arg-type]
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", name=t(label, lang), text=text,
                                 hovertemplate="%{text}<extra></extra>", connectgaps=False,
                                 line={"color": color, "dash": dash, "width": 2}))
    fig.update_xaxes(type="category")
    fig.update_yaxes(title=axis_title(key, lang))
    fig.update_layout(height=300, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      legend={"orientation": "h", "y": -0.2}, hovermode="x unified")
    return fig
