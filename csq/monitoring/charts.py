"""Plotly figures for the pages: labelled in the page's language, with units, and no-data months left empty."""
from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import pyarrow as pa

from csq.core.i18n import fmt_month, t, value_label
from csq.metrics.display import (
    axis_title,
    chart_layout,
    format_value,
    indicator_name,
    month_axis,
    plotted,
    reference_line,
    unit_label,
)
from csq.metrics.indicators import INDICATORS
from csq.metrics.results import Result
from csq.metrics.spc import ControlChart
from csq.metrics.spc_words import explain
from csq.store.settings import Target


def _layout(fig: go.Figure, title: str, height: int = 380, legend: bool = True) -> go.Figure:
    """Return fig with the shared chart layout; a trend (with a legend) gets one hover label per month."""
    fig.update_layout(hovermode="x unified" if legend else "closest")
    return chart_layout(fig, title, height, legend)


def target_label(key: str, target: Target, lang: str) -> str:
    """Return the target as the legend names it: '目标 ≥ 90.0%', 'Target ≤ 5.0 min'."""
    sign = "≥" if target.direction == "higher" else "≤"
    return f"{t('target', lang)} {sign} {format_value(key, target.target, lang)}"


# One marker per run rule (SPEC §4b), so a month that broke two rules shows both and each hover names its rule.
_RULE_MARKERS = {"beyond_limits": ("#d1242f", "circle-open", 14), "run_of_8": ("#bc4c00", "square-open", 18),
                 "trend_of_6": ("#8250df", "triangle-up-open", 22), "two_of_three": ("#9a6700", "diamond-open", 26)}


def trend_figure(chart: ControlChart, key: str, target: Target | None, lang: str) -> go.Figure:
    """Return the monthly trend with its centre line, control limits, target and a marker per broken rule."""
    points = chart.points
    months = [fmt_month(p.month, lang) for p in points]
    fig = go.Figure()
    values = [plotted(key, p.value) for p in points]
    hover = [f"{format_value(key, p.value, lang)} · n = {p.n:,}" for p in points]
    fig.add_trace(go.Scatter(x=months, y=values, mode="lines+markers", name=indicator_name(key, lang),
                             text=hover, hovertemplate="%{text}<extra></extra>", connectgaps=False,
                             line={"color": "#1f6feb", "width": 2}))
    if any(p.center is not None for p in points):
        for attr, label, dash in (("ucl", t("ucl", lang), "dot"), ("center", t("center_line", lang), "dash"),
                                  ("lcl", t("lcl", lang), "dot")):
            fig.add_trace(go.Scatter(x=months, y=[plotted(key, getattr(p, attr)) for p in points], mode="lines",
                                     name=label, line={"color": "#8b949e", "width": 1, "dash": dash,
                                                       "shape": "hv" if attr != "center" else "linear"},
                                     hoverinfo="skip"))
    for rule, (colour, symbol, size) in _RULE_MARKERS.items():
        hit = [(m, v, p) for m, v, p in zip(months, values, points) if rule in p.signals and v is not None]
        if hit:
            fig.add_trace(go.Scatter(x=[m for m, _, _ in hit], y=[v for _, v, _ in hit], mode="markers",
                                     name=t(f"spc_rule_{rule}", lang), text=[explain(p, lang) for _, _, p in hit],
                                     hovertemplate="%{text}<extra>%{fullData.name}</extra>",
                                     marker={"color": colour, "size": size, "symbol": symbol, "line": {"width": 2}}))
    running = [(m, v) for m, v, p in zip(months, values, points) if getattr(p, "partial", False) and v is not None]
    if running:
        # The month in progress: drawn hollow and named, so its month-to-date value never reads as a fall.
        fig.add_trace(go.Scatter(x=[m for m, _ in running], y=[v for _, v in running], mode="markers",
                                 name=t("in_progress", lang), hoverinfo="skip",
                                 marker={"color": "white", "size": 10, "symbol": "circle",
                                         "line": {"width": 2, "color": "#1f6feb"}}))
    if target is not None:
        # Named in the legend: a label on the line itself sat on the first month's point.
        reference_line(fig, plotted(key, target.target) or 0.0, target_label(key, target, lang), "#1a7f37")
    month_axis(fig, [p.month for p in points], lang)
    fig.update_yaxes(title=axis_title(key, lang), rangemode="tozero" if INDICATORS[key].unit == "count" else "normal")
    return _layout(fig, f"{indicator_name(key, lang)} · {t('trend', lang)}")


def period_figure(rows: Sequence[Result], grain: str, key: str, target: Target | None, lang: str) -> go.Figure:
    """Return the trend by ISO week or by day: value and n per period, the target, no control limits."""
    labels = [str(r.group(grain)) for r in rows]
    values = [plotted(key, r.value(key)) for r in rows]
    hover = [f"{lab}: {format_value(key, r.value(key), lang)} · n = {r.n(key):,}" for lab, r in zip(labels, rows)]
    fig = go.Figure(go.Scatter(x=labels, y=values, mode="lines+markers", name=indicator_name(key, lang), text=hover,
                               hovertemplate="%{text}<extra></extra>", connectgaps=False,
                               line={"color": "#1f6feb", "width": 2}, marker={"size": 4}))
    if target is not None:
        reference_line(fig, plotted(key, target.target) or 0.0, target_label(key, target, lang), "#1a7f37")
    fig.update_xaxes(type="category", nticks=8, tickangle=0, title={"text": t(grain, lang)})
    fig.update_yaxes(title=axis_title(key, lang), rangemode="tozero" if INDICATORS[key].unit == "count" else "normal")
    return _layout(fig, f"{indicator_name(key, lang)} · {t('trend_' + grain, lang)}")


def breakdown_figure(rows: Sequence[Result], field: str, key: str, lang: str) -> go.Figure:
    """Return a horizontal bar per group; groups without data are listed with 'no data', not a zero bar."""
    data = sorted(rows, key=lambda r: (r.value(key) is None, -(r.value(key) or 0)))
    labels = [value_label(field, r.group(field), lang) for r in data]
    values = [plotted(key, r.value(key)) for r in data]
    text = [f"{format_value(key, r.value(key), lang)} · n = {r.n(key):,}" for r in data]
    fig = go.Figure(go.Bar(x=[v if v is not None else 0 for v in values], y=labels, orientation="h", text=text,
                           textposition="auto", marker={"color": ["#1f6feb" if v is not None else "#d0d7de"
                                                                  for v in values]},
                           hovertemplate="%{y}: %{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title=t(field, lang))
    fig.update_xaxes(title=axis_title(key, lang))
    return _layout(fig, f"{indicator_name(key, lang)} · {t(field, lang)}", height=max(260, 34 * len(data) + 90),
                   legend=False)


def heatmap_figure(rows: Sequence[Result], field: str, key: str, lang: str) -> go.Figure:
    """Return a group × month heat-map; cells without data stay blank."""
    groups = sorted({g for r in rows if (g := r.group(field)) is not None})
    months = sorted({m for r in rows if (m := r.group("month"))})
    cell = {(r.group(field), r.group("month")): r.figure(key) for r in rows}
    z = [[plotted(key, cell[(g, m)].value) if (g, m) in cell else None for m in months] for g in groups]
    text = [[format_value(key, cell[(g, m)].value, lang) + f" · n = {cell[(g, m)].n:,}"
             if (g, m) in cell else t("no_data", lang) for m in months] for g in groups]
    better = INDICATORS[key].better
    scale = "RdYlGn" if better == "higher" else ("RdYlGn_r" if better == "lower" else "Blues")
    fig = go.Figure(go.Heatmap(z=z, x=[fmt_month(m, lang) for m in months],
                               y=[value_label(field, g, lang) for g in groups], text=text, colorscale=scale,
                               hovertemplate="%{y} · %{x}: %{text}<extra></extra>", hoverongaps=False,
                               colorbar={"title": {"text": unit_label(key, lang)}, "thickness": 12}))
    month_axis(fig, months, lang)
    fig.update_yaxes(title=t(field, lang))
    return _layout(fig, f"{indicator_name(key, lang)} · {t('heatmap', lang)}", height=max(260, 30 * len(groups) + 150),
                   legend=False)


_BACKLOG_COLORS = {"new": "#8b949e", "open": "#1f6feb", "pending": "#d4a72c", "on_hold": "#8250df"}


def backlog_figure(table: pa.Table, lang: str) -> go.Figure:
    """Return the daily backlog (csq.monitoring.backlog) as areas stacked by status, in the table's status order."""
    rows = table.to_pylist()
    statuses = list(dict.fromkeys(str(r["status"]) for r in rows))
    fig = go.Figure()
    for status in statuses:
        part = [r for r in rows if r["status"] == status]
        label = value_label("event_status", status, lang)
        fig.add_trace(go.Scatter(x=[r["day"] for r in part], y=[r["tickets"] for r in part], mode="lines",
                                 name=label, stackgroup="backlog", line={"width": 0.5,
                                                                        "color": _BACKLOG_COLORS.get(status)},
                                 hovertemplate=f"{label}: %{{y:,}}<extra></extra>"))
    fig.update_xaxes(title={"text": t("day", lang)}, tickformat="%Y-%m-%d")
    fig.update_yaxes(title={"text": t("mon_backlog_axis", lang)}, rangemode="tozero")
    return _layout(fig, t("mon_backlog", lang))
