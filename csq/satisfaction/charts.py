"""Satisfaction figures: month ticks for half-width charts, and this period against the same months a year earlier."""
from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from csq.core.i18n import fmt_month, t
from csq.metrics import display
from csq.metrics.display import axis_title, chart_layout, format_value, month_axis
from csq.metrics.indicators import INDICATORS


def month_ticks(months: Sequence[str], lang: str, most: int = 8) -> tuple[list[str], list[str]]:
    """Return (tick values as fmt_month shows them, short tick texts): at most `most` ticks, the year only where
    it starts or changes, so that a half-width chart keeps its month labels level and apart."""
    return display.month_ticks(months, lang, most)


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
    month_axis(fig, [str(m["month"]) for m in months], lang)
    fig.update_yaxes(title=axis_title(key, lang))
    fig.update_layout(hovermode="x unified")
    return chart_layout(fig, "", 320)
