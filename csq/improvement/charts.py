"""Figures and display texts of the Improvement page: Pareto, effect check bars and DiD lines, fishbone, scope,
p-values and net effects."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from csq.core.i18n import fmt_fixed, t, value_label
from csq.core.kinds import CAUSES
from csq.errors import CsqError
from csq.improvement.did import NetEffect
from csq.metrics.display import axis_title, chart_layout, format_value, indicator_name, unit_label
from csq.metrics.filters import scope_pairs
from csq.metrics.indicators import INDICATORS

# Names of the tests effect.check may report, as people know them.
TESTS = {"fisher_exact": ("Fisher 精确检验", "Fisher's exact test"),
         "chi2_contingency": ("卡方检验（两比例）", "Chi-square test (two proportions)"),
         "poisson_means_test": ("泊松检验", "Poisson test"),
         "mannwhitneyu": ("Mann–Whitney U 检验", "Mann–Whitney U test"),
         "did_z": ("双重差分 z 检验", "Difference-in-differences z-test")}
# Decimals of a change on each DiD scale: pp and per-day one, points two, ln(1 + min) three.
_DID_DIGITS = {"pp": 1, "points": 2, "ln1p_min": 3, "per_day": 1}


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


def comparison_text(scope: str | None, lang: str) -> str:
    """Return the comparison group in words: 'Rest of the center: not Team = A', or none for a whole-center scope."""
    if not scope or not scope.strip():
        return t("impr_no_comparison", lang)
    return t("impr_rest_of_center", lang, scope=scope_text(scope, lang))


def change_text(value: float, scale: str, lang: str) -> str:
    """Return a change on a DiD scale with its sign and unit: '+6.4 pp', '−0.646 ln(1+min)', '+0.04 points'."""
    return f"{fmt_fixed(value, _DID_DIGITS[scale], sign=True)}{t('impr_did_unit_' + scale, lang)}"


def net_text(net: NetEffect, lang: str) -> str:
    """Return the net effect d with its unit, and for durations the relative change exp(d) − 1."""
    text = change_text(net.d, net.scale, lang)
    if net.relative is None:
        return text
    return f"{text} ({t('impr_did_relative', lang, r=fmt_fixed(net.relative * 100, 1, sign=True) + '%')})"


def did_formula(net: NetEffect, p: float | None, lang: str) -> str:
    """Return the DiD formula with the four levels, d, SE and p filled in, and the n of each cell."""
    digits = _DID_DIGITS[net.scale] + 1
    lv = [fmt_fixed(c.level, digits) for c in net.cells]
    se = "—" if math.isnan(net.se) else fmt_fixed(net.se, digits)
    text = t("impr_did_formula", lang, sb=lv[0], sa=lv[1], cb=lv[2], ca=lv[3], d=change_text(net.d, net.scale, lang),
             se_terms=t("impr_did_se_" + net.scale, lang), se=se, p=p_text(p))
    n = [f"{c.n:,}" for c in net.cells]
    return f"{text} · {t('impr_did_cells', lang, sb=n[0], sa=n[1], cb=n[2], ca=n[3])}"


def _shown(level: float, scale: str, unit: str) -> float:
    """Return a DiD level as the chart plots it: ln(1 + min) turned back into minutes or hours, others as they are."""
    if scale != "ln1p_min":
        return level
    minutes = math.expm1(level)
    return minutes / 60 if unit == "h" else minutes


def did_figure(c: Any, lang: str) -> go.Figure:
    """Return the DiD lines of one effect check: scope and comparison before → after, the counterfactual dashed."""
    key, net = str(c.indicator), c.net
    unit = INDICATORS[key].unit
    x = [t("impr_before", lang), t("impr_after", lang)]
    sb, sa, cb, ca = (_shown(cell.level, net.scale, unit) for cell in net.cells)
    what = _shown(net.scope_before.level + net.comparison_change, net.scale, unit)
    fig = go.Figure()
    fig.add_scatter(x=x, y=[sb, sa], name=t("impr_scope_line", lang), mode="lines+markers",
                    line={"color": "#2980b9", "width": 3}, customdata=[net.scope_before.n, net.scope_after.n],
                    hovertemplate="%{y:,.2f} · n = %{customdata:,}<extra></extra>")
    fig.add_scatter(x=x, y=[cb, ca], name=t("impr_comparison_line", lang), mode="lines+markers",
                    line={"color": "#95a5a6", "width": 3}, customdata=[net.comparison_before.n, net.comparison_after.n],
                    hovertemplate="%{y:,.2f} · n = %{customdata:,}<extra></extra>")
    fig.add_scatter(x=x, y=[sb, what], name=t("impr_counterfactual", lang), mode="lines",
                    line={"color": "#2980b9", "dash": "dash", "width": 1.5}, hovertemplate="%{y:,.2f}<extra></extra>")
    name = indicator_name(key, lang)
    axis = t("impr_did_axis_" + net.scale, lang, name=name, unit=unit_label(key, lang))
    fig.update_yaxes(title=axis, tickformat=",")
    fig.update_xaxes(title=t("impr_window_col", lang))
    return chart_layout(fig, t("impr_did_title", lang, id=c.action_id, name=name), 360)


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
