"""Figures and display texts of the Improvement page: Pareto, effect check bars, fishbone, scope and p-values."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from csq.core.i18n import t, value_label
from csq.core.kinds import CAUSES
from csq.errors import CsqError
from csq.metrics.display import axis_title, chart_layout, format_value, indicator_name
from csq.metrics.filters import scope_pairs
from csq.metrics.indicators import INDICATORS

# Names of the tests effect.check may report, as people know them.
TESTS = {"fisher_exact": ("Fisher 精确检验", "Fisher's exact test"),
         "chi2_contingency": ("卡方检验（两比例）", "Chi-square test (two proportions)"),
         "poisson_means_test": ("泊松检验", "Poisson test"),
         "mannwhitneyu": ("Mann–Whitney U 检验", "Mann–Whitney U test")}


def p_text(p: float | None) -> str:
    """Return a p-value for people: '0.0123', '< 0.0001' for tiny ones, '—' when there is none."""
    if p is None:
        return "—"
    return "< 0.0001" if p < 0.0001 else f"{p:.4f}"


def test_name(test: str | None, lang: str) -> str:
    """Return the statistical test's name in the language ('—' when none was run)."""
    if not test:
        return "—"
    pair = TESTS.get(test)
    return test if pair is None else pair[0 if lang == "zh" else 1]


def scope_text(scope: str | None, lang: str) -> str:
    """Return an action scope in words, e.g. 'team=售后组; channel=phone' → '班组 = 售后组 · 渠道 = 电话'."""
    if not scope or not scope.strip():
        return "—"
    try:
        pairs = scope_pairs(scope)
    except CsqError:
        return scope  # an unreadable scope is shown as written; the effect check says it cannot be read
    grouped: dict[str, list[str]] = {}
    for field, value in pairs:
        grouped.setdefault(field, []).append(value_label(field, value, lang))
    sep = "、" if lang == "zh" else ", "
    return " · ".join(f"{t(k, lang)} = {sep.join(vals)}" for k, vals in grouped.items())


def pareto_figure(bars: Sequence[Any], what: str, lang: str) -> go.Figure:
    """Return Pareto bars by count (vital few in red) with the cumulative share line and the 80 % line."""
    names = [b.category or t("impr_uncategorised", lang) for b in bars]
    fig = go.Figure()
    fig.add_bar(x=names, y=[b.count for b in bars], name=t("impr_count", lang),
                marker_color=["#c0392b" if b.vital else "#95a5a6" for b in bars],
                hovertemplate="%{x}: %{y:,}<extra></extra>")
    fig.add_scatter(x=names, y=[b.cumulative * 100 for b in bars], name=t("impr_cumulative", lang), yaxis="y2",
                    mode="lines+markers", line={"color": "#2c3e50"}, hovertemplate="%{y:.1f}%<extra></extra>")
    # Labelled at the right end: the tallest bars stand at the left and would hide the label there.
    fig.add_hline(y=80, yref="y2", line_dash="dash", line_color="#e67e22", annotation_text=t("impr_line80", lang),
                  annotation_position="bottom right", annotation_font_color="#e67e22")
    fig.update_layout(yaxis={"title": t("impr_count_axis", lang), "tickformat": ",d"},
                      yaxis2={"title": t("impr_cumulative_axis", lang), "overlaying": "y", "side": "right",
                              "range": [0, 105], "tickvals": [0, 20, 40, 60, 80, 100], "ticksuffix": "%",
                              "showgrid": False})
    fig.update_xaxes(title=t("category", lang))
    return chart_layout(fig, t("impr_pareto_title", lang, what=what), 420)


def effect_figure(c: Any, lang: str) -> go.Figure:
    """Return the before/after bars of one effect check, labelled with value and n, the axis with its unit."""
    key = str(c.indicator)
    scale = 100 if INDICATORS[key].unit == "rate" else 1
    windows = (c.before, c.after)
    values = [None if w.value is None else w.value * scale for w in windows]
    text = [f"{format_value(key, w.value, lang)}<br>n = {w.n:,}" for w in windows]
    fig = go.Figure(go.Bar(x=[t("impr_before", lang), t("impr_after", lang)], y=values, text=text,
                           textposition="auto", marker_color=["#95a5a6", "#2980b9"], hoverinfo="text"))
    fig.update_yaxes(title=axis_title(key, lang), rangemode="tozero", tickformat=",")
    fig.update_xaxes(title=t("impr_window_col", lang))
    return chart_layout(fig, f"{c.action_id} · {indicator_name(key, lang)}", 340, legend=False)


def fishbone_figure(groups: Mapping[str | None, Sequence[dict[str, Any]]], lang: str) -> go.Figure:
    """Return the fishbone: six cause bones with their action ids (titles on hover) and the problem as head."""
    fig = go.Figure()
    fig.add_shape(type="line", x0=0, y0=0, x1=10, y1=0, line={"width": 3, "color": "#2c3e50"})
    fig.add_annotation(x=10.2, y=0, text=f"<b>{t('impr_fishbone_head', lang)}</b>", showarrow=False,
                       xanchor="left")
    for i, cause in enumerate(CAUSES):
        x, y = 2 + 3 * (i % 3), (4 if i < 3 else -4)
        acts = list(groups.get(cause, []))
        fig.add_shape(type="line", x0=x, y0=y, x1=x + 2, y1=0, line={"width": 2, "color": "#7f8c8d"})
        fig.add_annotation(x=x, y=y, text=f"<b>{t(f'impr_cause_{cause}', lang)}</b> ({len(acts)})", showarrow=False,
                           yanchor="bottom" if y > 0 else "top", font={"size": 14})
        # Only the short ids sit on the bone so that they fit between two bones on a phone; titles are on
        # hover and in the table below.
        ids = [a["action_id"] for a in acts]
        shown = ids[:4] + ([f"+{len(ids) - 4}"] if len(ids) > 4 else [])
        fig.add_annotation(x=x + 1.1, y=y / 2, text="<br>".join(shown) or "—", showarrow=False, align="left",
                           xanchor="left", font={"size": 11})
        fig.add_scatter(x=[x + 1.1], y=[y / 2], mode="markers", marker={"size": 30, "opacity": 0},
                        hoverinfo="text", hovertext="<br>".join(f"{a['action_id']} {a['title']}" for a in acts)
                        or t(f"impr_cause_{cause}", lang))
    fig.update_layout(xaxis={"visible": False, "range": [-0.5, 13.5]}, yaxis={"visible": False, "range": [-6, 6]})
    fig = chart_layout(fig, "", 460, legend=False)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 20, "b": 10})
    return fig
