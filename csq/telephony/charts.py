"""Telephony charts: a weekday × half-hour heat-map of one figure (service level, abandon rate or staffing gap)."""
from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from csq.metrics.display import CHART_FONT

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
