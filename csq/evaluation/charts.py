"""Plotly figures of the Evaluation page: SERVQUAL gaps with CIs, gaps across waves, a scorecard trend."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from csq.core.i18n import fmt_month, t
from csq.metrics.display import chart_layout, month_axis, reference_line

_COLOURS = ("#8250df", "#1f6feb", "#d1242f", "#1a7f37", "#bf8700")


def _label_range(gaps: Sequence[float], low: Sequence[float], high: Sequence[float]) -> list[float]:
    """Return the x range of the gap chart: zero, every whisker, and room beyond the whiskers for the labels."""
    lo, hi = min([0.0, *low]), max([0.0, *high])
    span = (hi - lo) or 1.0
    return [lo - span * (0.3 if any(g < 0 for g in gaps) else 0.05),
            hi + span * (0.3 if any(g >= 0 for g in gaps) else 0.05)]


def gap_figure(dims: Sequence[dict[str, Any]], lang: str, confidence: float) -> go.Figure:
    """Return horizontal bars of each dimension's gap (widest at the top) with CI whiskers and n in the hover."""
    rows = sorted((d for d in dims if d["gap"] is not None), key=lambda d: -d["gap"])
    names = [t(f"ev_dim_{d['dimension']}", lang) for d in rows]
    gaps = [d["gap"] for d in rows]
    low = [d["gap"] if d["ci_low"] is None else min(d["ci_low"], d["gap"]) for d in rows]
    high = [d["gap"] if d["ci_high"] is None else max(d["ci_high"], d["gap"]) for d in rows]
    hover = [f"{n}: {g:+.2f} · E {d['expectation']:.2f} · P {d['perception']:.2f} · n = {d['n']:,}"
             for n, g, d in zip(names, gaps, rows)]
    fig = go.Figure(go.Bar(x=gaps, y=names, orientation="h", hovertext=hover, hoverinfo="text", name="",
                           marker={"color": ["#d1242f" if g < 0 else "#1a7f37" for g in gaps]},
                           error_x={"type": "data", "array": [h - g for h, g in zip(high, gaps)],
                                    "arrayminus": [g - lo for lo, g in zip(low, gaps)], "color": "#57606a"}))
    # Each value stands beyond the outer end of its whisker, on the bar's side of zero: a whisker that reaches
    # over the bar's base (a small gap, a wide CI) can then cross neither the bar's label nor a tiny bar's label.
    fig.add_trace(go.Scatter(x=[lo if g < 0 else h for g, lo, h in zip(gaps, low, high)], y=names, mode="text",
                             text=[f"{g:+.2f}" for g in gaps], hoverinfo="skip", cliponaxis=False,
                             textposition=["middle left" if g < 0 else "middle right" for g in gaps]))
    fig.add_vline(x=0, line={"color": "#57606a", "width": 1})
    fig.update_xaxes(title=t("ev_gap_axis", lang), zeroline=False, range=_label_range(gaps, low, high))
    fig.update_yaxes(title=t("ev_dimension", lang))
    return chart_layout(fig, t("ev_gap_chart", lang, p=round(confidence * 100)), 300, legend=False)


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
    return chart_layout(fig, t("ev_waves_chart", lang), 360)


def score_trend_figure(rows: Sequence[dict[str, Any]], bands: dict[str, float], lang: str) -> go.Figure:
    """Return the composite score by month with the grade band lines, named in the legend."""
    fig = go.Figure(go.Scatter(x=[fmt_month(r["month"], lang) for r in rows], y=[r["score"] for r in rows],
                               mode="lines+markers", name=t("ev_score", lang), connectgaps=False,
                               text=[f"n = {r['n']:,}" for r in rows], line={"color": "#1f6feb", "width": 2}))
    for key, colour in (("excellent", "#1a7f37"), ("good", "#bf8700"), ("pass", "#d1242f")):
        # In the legend, not on the line: a label at the line's left end sat on the first month's point.
        reference_line(fig, bands[key], f"{t(f'ev_grade_{key}', lang)} ≥ {bands[key]:g}", colour, "dot")
    month_axis(fig, [r["month"] for r in rows], lang)
    fig.update_yaxes(title=t("ev_score_axis", lang), range=[max(0, min([bands["pass"] - 10] + [r["score"] for r in rows
                                                                    if r["score"] is not None]) - 2), 100])
    return chart_layout(fig, t("ev_score_trend", lang), 340)
