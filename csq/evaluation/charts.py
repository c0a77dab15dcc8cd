"""Plotly figures of the Evaluation page: SERVQUAL gaps with CIs, gaps across waves, a scorecard trend."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from csq.core.i18n import fmt_month, t
from csq.metrics.display import CHART_FONT

_COLOURS = ("#8250df", "#1f6feb", "#d1242f", "#1a7f37", "#bf8700")


def _layout(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0, "font": {"size": 15}}, height=height, font={"family": CHART_FONT},
                      margin={"l": 10, "r": 10, "t": 50, "b": 10}, legend={"orientation": "h", "y": -0.2})
    return fig


def gap_figure(dims: Sequence[dict[str, Any]], lang: str, confidence: float) -> go.Figure:
    """Return horizontal bars of each dimension's gap (widest at the top) with CI whiskers and n in the hover."""
    rows = sorted((d for d in dims if d["gap"] is not None), key=lambda d: -d["gap"])
    names = [t(f"ev_dim_{d['dimension']}", lang) for d in rows]
    gaps = [d["gap"] for d in rows]
    plus = [(d["ci_high"] - d["gap"]) if d["ci_high"] is not None else 0 for d in rows]
    minus = [(d["gap"] - d["ci_low"]) if d["ci_low"] is not None else 0 for d in rows]
    hover = [f"{n}: {g:+.2f} · E {d['expectation']:.2f} · P {d['perception']:.2f} · n = {d['n']:,}"
             for n, g, d in zip(names, gaps, rows)]
    # The value sits at the bar's base (by the zero line) so the CI whisker at the bar's end never covers it.
    fig = go.Figure(go.Bar(x=gaps, y=names, orientation="h", text=[f"{g:+.2f}" for g in gaps],
                           textposition="inside", insidetextanchor="start",
                           textfont={"color": "white"}, hovertext=hover, hoverinfo="text",
                           marker={"color": ["#d1242f" if g < 0 else "#1a7f37" for g in gaps]},
                           error_x={"type": "data", "array": plus, "arrayminus": minus, "color": "#57606a"}))
    fig.add_vline(x=0, line={"color": "#57606a", "width": 1})
    fig.update_xaxes(title=t("ev_gap_axis", lang), zeroline=False)
    return _layout(fig, t("ev_gap_chart", lang, p=round(confidence * 100)), height=300)


def waves_figure(waves: Sequence[dict[str, Any]], dimensions: Sequence[str], lang: str) -> go.Figure:
    """Return the gap of each dimension and the weighted gap across survey waves."""
    fig = go.Figure()
    x = [w["wave"] for w in waves]
    for colour, d in zip(_COLOURS, dimensions):
        fig.add_trace(go.Scatter(x=x, y=[w[d] for w in waves], mode="lines+markers", name=t(f"ev_dim_{d}", lang),
                                 line={"color": colour, "width": 1.5}))
    fig.add_trace(go.Scatter(x=x, y=[w["weighted_gap"] for w in waves], mode="lines+markers",
                             name=t("ev_weighted_gap", lang), line={"color": "#24292f", "width": 3, "dash": "dash"}))
    fig.add_hline(y=0, line={"color": "#8b949e", "width": 1})
    fig.update_yaxes(title=t("ev_gap_axis", lang))
    fig.update_xaxes(type="category", title=t("ev_wave", lang))
    # The section heading above already names the chart; a second identical title would only repeat it.
    return _layout(fig, t("ev_waves_chart", lang))


def score_trend_figure(rows: Sequence[dict[str, Any]], bands: dict[str, float], lang: str) -> go.Figure:
    """Return the composite score by month with the grade band lines."""
    fig = go.Figure(go.Scatter(x=[fmt_month(r["month"], lang) for r in rows], y=[r["score"] for r in rows],
                               mode="lines+markers", name=t("ev_score", lang), connectgaps=False,
                               text=[f"n = {r['n']:,}" for r in rows], line={"color": "#1f6feb", "width": 2}))
    for key, colour in (("excellent", "#1a7f37"), ("good", "#bf8700"), ("pass", "#d1242f")):
        fig.add_hline(y=bands[key], line={"color": colour, "width": 1, "dash": "dot"},
                      annotation_text=t(f"ev_grade_{key}", lang), annotation_position="top left")
    fig.update_yaxes(title=t("ev_score_axis", lang), range=[max(0, min([bands["pass"] - 10] + [r["score"] for r in rows
                                                                    if r["score"] is not None]) - 2), 100])
    return _layout(fig, t("ev_score_trend", lang), height=320)
