"""The small trend line on an Overview tile: coloured by the target status of its latest month, first and last
month labelled, the target as a thin dashed line."""
from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from csq.core.i18n import fmt_month, fmt_month_short
from csq.metrics.display import CHART_FONT, format_value, plotted
from csq.metrics.indicators import target_status
from csq.store.settings import Target

# Line colour by target status (csq.metrics.indicators.target_status); None = no target or no data: grey.
STATUS_COLOURS: dict[str | None, str] = {"green": "#1a7f37", "amber": "#e8740c", "red": "#d1242f", None: "#8b949e"}
TARGET_COLOUR = "#57606a"
HEIGHT = 90


def spark_status(values: Sequence[float | None], target: Target | None) -> str | None:
    """Return the target status of the latest month with a value ('green', 'amber', 'red'), None without one."""
    last = next((v for v in reversed(values) if v is not None), None)
    return target_status(last, target)


def _y_range(key: str, values: Sequence[float | None], target: Target | None) -> list[float] | None:
    """Return a y range holding every value and the target line (a line alone does not widen plotly's range)."""
    ys = [y for v in values if (y := plotted(key, v)) is not None]
    if target is not None:
        ys.append(plotted(key, target.target) or 0.0)
    if not ys:
        return None
    lo, hi = min(ys), max(ys)
    pad = (hi - lo) * 0.12 or abs(hi) * 0.05 or 1.0
    return [lo - pad, hi + pad]


def sparkline(months: Sequence[str], values: Sequence[float | None], key: str, target: Target | None,
              lang: str) -> go.Figure:
    """Return a tile-sized line of `key` by month ('YYYY-MM', values as the engine gives them, None = no data):
    coloured by the latest month's target status, first and last month as ticks, last value marked, no legend."""
    colour = STATUS_COLOURS[spark_status(values, target)]
    x = [fmt_month(m, lang) for m in months]
    y = [plotted(key, v) for v in values]
    text = [format_value(key, v, lang) for v in values]
    fig = go.Figure(go.Scatter(x=x, y=y, mode="lines", line={"color": colour, "width": 2}, connectgaps=False,
                               text=text, hovertemplate="%{x}: %{text}<extra></extra>", cliponaxis=False))
    last = next((i for i in range(len(y) - 1, -1, -1) if y[i] is not None), None)
    if last is not None:
        fig.add_trace(go.Scatter(x=[x[last]], y=[y[last]], mode="markers", text=[text[last]], cliponaxis=False,
                                 marker={"color": colour, "size": 7}, hovertemplate="%{x}: %{text}<extra></extra>"))
    if target is not None:
        fig.add_hline(y=plotted(key, target.target), line={"color": TARGET_COLOUR, "width": 1, "dash": "dash"})
    ends = sorted({0, len(months) - 1}) if months else []
    fig.update_xaxes(type="category", tickmode="array", tickvals=[x[i] for i in ends], tickangle=0,
                     ticktext=[fmt_month_short(months[i], lang) for i in ends], showgrid=False, ticks="",
                     tickfont={"size": 10}, automargin=True, fixedrange=True)
    fig.update_yaxes(visible=False, range=_y_range(key, values, target), fixedrange=True)
    fig.update_layout(height=HEIGHT, showlegend=False, font={"family": CHART_FONT}, hovermode="closest",
                      margin={"l": 26, "r": 26, "t": 6, "b": 4}, dragmode=False,
                      paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)")
    return fig
