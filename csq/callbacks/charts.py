"""Callback charts: the three callback rates by quarter, each against its target."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from csq.metrics.display import CHART_FONT


def trend_figure(quarters: Sequence[str], series: Mapping[str, Sequence[float | None]],
                 targets: Mapping[str, float | None], title: str) -> go.Figure:
    """Return one line per rate (fractions, drawn as %) over the quarters, a quarter without data left as a gap."""
    fig = go.Figure()
    for name, values in series.items():
        fig.add_trace(go.Scatter(x=list(quarters), y=[None if x is None else x * 100 for x in values],
                                 mode="lines+markers", name=name, connectgaps=False))
        target = targets.get(name)
        if target is not None:
            fig.add_hline(y=target * 100, line_dash="dot", line_width=1, opacity=0.5)
    fig.update_layout(title=title, font={"family": CHART_FONT}, height=340, yaxis={"title": "%", "rangemode": "tozero"},
                      margin={"l": 40, "r": 10, "t": 40, "b": 30}, legend={"orientation": "h", "y": -0.2})
    return fig
