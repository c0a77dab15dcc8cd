"""Plotly figures for the pages: labelled in the page's language, with units, and no-data months left empty."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from csq.format import format_value
from csq.i18n import fmt_month_short, indicator_name, t, value_label
from csq.indicators import INDICATORS
from csq.settings import Target

_FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
_UNIT = {"rate": ("%", "%"), "min": ("分钟", "min"), "h": ("小时", "h"), "count": ("件", "tickets"),
         "score": ("分", "points"), "points": ("分", "points")}


def _scale(key: str, value: float | None) -> float | None:
    """Return the value as plotted: rates as percentages, everything else unchanged."""
    if value is None:
        return None
    return value * 100 if INDICATORS[key].unit == "rate" else value


def axis_title(key: str, lang: str) -> str:
    """Return the y-axis title: the indicator name with its unit."""
    unit = _UNIT.get(INDICATORS[key].unit, ("", ""))[0 if lang == "zh" else 1]
    return f"{indicator_name(key, lang)} ({unit})" if unit else indicator_name(key, lang)


def _layout(fig: go.Figure, title: str, lang: str, height: int = 380) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0, "font": {"size": 15}}, height=height,
                      margin={"l": 10, "r": 10, "t": 50, "b": 10}, font={"family": _FONT},
                      legend={"orientation": "h", "y": -0.18}, hovermode="x unified")
    # At most a dozen month labels, so they stay readable on a phone; hover still names every month.
    fig.update_xaxes(nticks=12, automargin=True)
    return fig


def trend_figure(points: Sequence[Any], key: str, target: Target | None, lang: str) -> go.Figure:
    """Return the monthly trend with its centre line, control limits, target and flagged months."""
    months = [fmt_month_short(p.month, lang) for p in points]
    fig = go.Figure()
    values = [_scale(key, p.value) for p in points]
    hover = [f"{format_value(key, p.value, lang)} · n = {p.n:,}" for p in points]
    fig.add_trace(go.Scatter(x=months, y=values, mode="lines+markers", name=indicator_name(key, lang),
                             text=hover, hovertemplate="%{text}<extra></extra>", connectgaps=False,
                             line={"color": "#1f6feb", "width": 2}))
    if any(p.center is not None for p in points):
        for attr, label, dash in (("ucl", t("ucl", lang), "dot"), ("center", t("center_line", lang), "dash"),
                                  ("lcl", t("lcl", lang), "dot")):
            fig.add_trace(go.Scatter(x=months, y=[_scale(key, getattr(p, attr)) for p in points], mode="lines",
                                     name=label, line={"color": "#8b949e", "width": 1, "dash": dash,
                                                       "shape": "hv" if attr != "center" else "linear"},
                                     hoverinfo="skip"))
    flagged = [(m, v) for m, v, p in zip(months, values, points) if p.signals and v is not None]
    if flagged:
        fig.add_trace(go.Scatter(x=[m for m, _ in flagged], y=[v for _, v in flagged], mode="markers",
                                 name=t("signals", lang), marker={"color": "#d1242f", "size": 12, "symbol": "circle-open",
                                                                  "line": {"width": 2}}, hoverinfo="skip"))
    if target is not None:
        fig.add_hline(y=_scale(key, target.target), line={"color": "#1a7f37", "width": 1.5},
                      annotation_text=f"{t('target', lang)} {format_value(key, target.target, lang)}",
                      annotation_position="top left")
    fig.update_yaxes(title=axis_title(key, lang), rangemode="tozero" if INDICATORS[key].unit == "count" else "normal")
    return _layout(fig, f"{indicator_name(key, lang)} · {t('trend', lang)}", lang)


def breakdown_figure(rows: Sequence[dict[str, Any]], field: str, key: str, lang: str) -> go.Figure:
    """Return a horizontal bar per group; groups without data are listed with 'no data', not a zero bar."""
    data = sorted(rows, key=lambda r: (r.get(key) is None, -(r.get(key) or 0)))
    labels = [value_label(field, r.get(field), lang) for r in data]
    values = [_scale(key, r.get(key)) for r in data]
    text = [f"{format_value(key, r.get(key), lang)} · n = {r['n'].get(key, 0):,}" for r in data]
    fig = go.Figure(go.Bar(x=[v if v is not None else 0 for v in values], y=labels, orientation="h", text=text,
                           textposition="auto", marker={"color": ["#1f6feb" if v is not None else "#d0d7de"
                                                                  for v in values]},
                           hovertemplate="%{y}: %{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title=t(field, lang))
    fig.update_xaxes(title=axis_title(key, lang))
    return _layout(fig, f"{indicator_name(key, lang)} · {t(field, lang)}", lang,
                   height=max(260, 34 * len(data) + 90))


def heatmap_figure(rows: Sequence[dict[str, Any]], field: str, key: str, lang: str) -> go.Figure:
    """Return a group × month heat-map; cells without data stay blank."""
    groups = sorted({r[field] for r in rows if r.get(field) is not None})
    months = sorted({r["month"] for r in rows if r.get("month")})
    cell = {(r[field], r["month"]): r for r in rows}
    z = [[_scale(key, cell.get((g, m), {}).get(key)) for m in months] for g in groups]
    text = [[format_value(key, cell[(g, m)].get(key), lang) + f" · n = {cell[(g, m)]['n'].get(key, 0):,}"
             if (g, m) in cell else t("no_data", lang) for m in months] for g in groups]
    better = INDICATORS[key].better
    scale = "RdYlGn" if better == "higher" else ("RdYlGn_r" if better == "lower" else "Blues")
    fig = go.Figure(go.Heatmap(z=z, x=[fmt_month_short(m, lang) for m in months],
                               y=[value_label(field, g, lang) for g in groups], text=text, colorscale=scale,
                               hovertemplate="%{y} · %{x}: %{text}<extra></extra>", hoverongaps=False,
                               colorbar={"title": {"text": _UNIT.get(INDICATORS[key].unit, ("", ""))[0 if lang == "zh" else 1]}}))
    return _layout(fig, f"{indicator_name(key, lang)} · {t('heatmap', lang)}", lang,
                   height=max(260, 30 * len(groups) + 120))
