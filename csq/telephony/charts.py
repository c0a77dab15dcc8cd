"""Telephony charts: a weekday × half-hour heat-map of one figure (service level, abandon rate or staffing gap)."""
from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from csq.metrics.display import CHART_FONT, chart_layout

_DAYS = {"zh": ("", "周一", "周二", "周三", "周四", "周五", "周六", "周日"),
         "en": ("", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def weekday_name(weekday: int, lang: str) -> str:
    """Return the short name of an ISO weekday (1 = Monday) in the language."""
    return _DAYS["zh" if lang == "zh" else "en"][weekday]


def heat_figure(cells: Sequence[tuple[int, str, float | None]], title: str, lang: str, percent: bool = True,
                colorscale: str = "RdYlGn", zmid: float | None = None) -> go.Figure:
    """Return the heat-map of (weekday, half-hour, value) cells: weekdays as rows, half-hours as columns."""
    slots = sorted({c[1] for c in cells})
    days = sorted({c[0] for c in cells})
    grid = {(d, s): v for d, s, v in cells}
    z = [[(None if grid.get((d, s)) is None else grid[(d, s)] * (100 if percent else 1)) for s in slots] for d in days]
    fig = go.Figure(go.Heatmap(z=z, x=slots, y=[weekday_name(d, lang) for d in days], colorscale=colorscale,
                               zmid=zmid, hoverongaps=False,
                               colorbar={"title": "%" if percent else ""}))
    fig.update_layout(title=title, font={"family": CHART_FONT}, height=320, margin={"l": 40, "r": 10, "t": 40, "b": 30},
                      yaxis={"autorange": "reversed"})
    return fig


def wait_label(low: float | None, high: float | None, lang: str) -> str:
    """Return a bin's label in seconds: '0 s' for no wait, '5–10 s', '> 300 s' for the open last bin."""
    unit = "秒" if lang == "zh" else " s"
    if low is None:
        return f"0{unit}"
    if high is None:
        return f"> {low:g}{unit}"
    return f"{low:g}–{high:g}{unit}"


def wait_figure(bins: Sequence[tuple[str, int, int]], mark_after: int | None, mark_label: str,
                names: tuple[str, str], title: str) -> go.Figure:
    """Return stacked bars of (label, answered, abandoned) per bin, a dashed line after bin `mark_after` (the
    service-level threshold: waits at or under it are to its left)."""
    x = [b[0] for b in bins]
    fig = go.Figure([go.Bar(x=x, y=[b[1] for b in bins], name=names[0], marker_color="#4C78A8"),
                     go.Bar(x=x, y=[b[2] for b in bins], name=names[1], marker_color="#E45756")])
    if mark_after is not None:
        fig.add_vline(x=mark_after + 0.5, line={"color": "#444", "width": 1.5, "dash": "dash"})
        fig.add_annotation(x=mark_after + 0.5, y=1, yref="paper", text=mark_label, showarrow=False, xanchor="left",
                           yanchor="top", font={"size": 12})
    fig.update_layout(barmode="stack", xaxis={"type": "category"})
    return chart_layout(fig, title, 340)  # the house layout: the legend below the (automargin) tick labels
