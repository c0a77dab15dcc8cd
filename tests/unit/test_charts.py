"""Chart rough edges (issue 13): every figure built from small inputs has labelled axes with tick labels, a legend
outside the plot, target labels off the first point, bar labels clear of their error bars, and the Overview
sparkline coloured by the target status of its latest month."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from types import SimpleNamespace as NS

import plotly.graph_objects as go
import pyarrow as pa
import pytest

from csq.core.i18n import fmt_month
from csq.evaluation import charts as ec
from csq.improvement import charts as ic
from csq.metrics import spc
from csq.metrics.display import CHART_FONT
from csq.metrics.results import Figure, Result
from csq.monitoring import charts as mc
from csq.overview.spark import sparkline
from csq.satisfaction import charts as sc
from csq.store.settings import Target

MONTHS = [f"2024-{m:02d}" for m in range(7, 13)] + [f"2025-{m:02d}" for m in range(1, 13)]
CSAT = [0.88, 0.90, 0.89, 0.91, 0.91, 0.86, 0.86, 0.93, 0.88, 0.88, 0.94, 0.90, 0.93, 0.90, 0.91, 0.87, 0.91, 0.93]
CSAT_TARGET = Target("csat_rate", "higher", 0.90, 0.05)
TEAMS = ["一组", "二组", "售后组"]


def _points(values: list[float | None] = CSAT) -> spc.ControlChart:
    """Return a control chart of csat_rate over MONTHS (limits and signals included)."""
    rows = [Result({"month": m}, {"csat_rate": Figure("csat_rate", v, 0 if v is None else 200)})
            for m, v in zip(MONTHS, values)]
    return spc.control_chart(rows, "csat_rate", "rate")


def _dims(*gaps: tuple[str, float, float, float]) -> list[dict]:
    """Return SERVQUAL dimension rows (dimension, gap, ci_low, ci_high) as servqual.summary gives them."""
    return [{"dimension": d, "gap": g, "ci_low": lo, "ci_high": hi, "expectation": 6.0, "perception": 6.0 + g,
             "n": 300} for d, g, lo, hi in gaps]


GAPS = _dims(("tangibles", 0.30, 0.10, 0.50), ("reliability", -0.10, -0.40, 0.20), ("assurance", 0.02, -0.25, 0.27),
             ("empathy", -1.10, -1.30, -0.90))
BARS = [NS(category=c, count=n, vital=i < 2, cumulative=cum)
        for i, (c, n, cum) in enumerate((("账单查询", 50, 0.40), ("物流配送", 40, 0.72), (None, 35, 1.0)))]
CHECK = NS(indicator="csat_rate", action_id="A-001", before=NS(value=0.84, n=300), after=NS(value=0.90, n=320))

BUILDERS: dict[str, Callable[[str], go.Figure]] = {
    "trend": lambda lang: mc.trend_figure(_points(), "csat_rate", CSAT_TARGET, lang),
    "trend_no_target": lambda lang: mc.trend_figure(_points(), "csat_rate", None, lang),
    "breakdown": lambda lang: mc.breakdown_figure(
        [Result({"team": g}, {"csat_rate": Figure("csat_rate", 0.8 + i / 20, 100)}) for i, g in enumerate(TEAMS)],
        "team", "csat_rate", lang),
    "heatmap": lambda lang: mc.heatmap_figure(
        [Result({"team": g, "month": m}, {"csat_rate": Figure("csat_rate", 0.9, 10)}) for g in TEAMS for m in MONTHS],
        "team", "csat_rate", lang),
    "yoy": lambda lang: sc.yoy_figure([{"month": m, "csat_rate": 0.9, "n_csat_rate": 10, "prev_csat_rate": 0.85,
                                        "prev_n_csat_rate": 9} for m in MONTHS], "csat_rate", lang),
    "gap": lambda lang: ec.gap_figure(GAPS, lang, 0.95),
    "waves": lambda lang: ec.waves_figure([{"wave": f"2025Q{q}", "empathy": -0.5, "weighted_gap": -0.4}
                                           for q in (1, 2, 3)], ["empathy"], lang),
    "score_trend": lambda lang: ec.score_trend_figure([{"month": m, "score": 70 + i, "n": 50}
                                                       for i, m in enumerate(MONTHS)],
                                                      {"excellent": 90, "good": 80, "pass": 60}, lang),
    "pareto": lambda lang: ic.pareto_figure(BARS, "投诉", lang),
    "effect": lambda lang: ic.effect_figure(CHECK, lang),
    "fishbone": lambda lang: ic.fishbone_figure({"people": [{"action_id": "A-001", "title": "培训"}]}, lang),
    "spark": lambda lang: sparkline(MONTHS, CSAT, "csat_rate", CSAT_TARGET, lang),
    "backlog": lambda lang: mc.backlog_figure(pa.table({
        "day": [date(2025, 3, d) for d in (1, 1, 2, 2)], "status": ["open", "pending"] * 2,
        "tickets": [3, 1, 2, 2]}), lang),
}
UNTITLED_AXES = {"spark"}  # a tile-sized line: its months are the ticks, its value and unit stand on the tile


def _used_axes(fig: go.Figure) -> dict[str, list[go.Scatter]]:
    """Return the layout name of every axis a trace is drawn on ('xaxis', 'yaxis2' …) with the traces on it."""
    used: dict[str, list] = {}
    for tr in fig.data:
        for letter in "xy":
            ref = getattr(tr, f"{letter}axis", None) or letter
            used.setdefault(f"{letter}axis{ref[1:]}", []).append(tr)
    return used


def _categories(traces: list, letter: str) -> set[str]:
    """Return every category the traces put on their `letter` axis."""
    return {str(v) for tr in traces for v in (getattr(tr, letter) or ()) if v is not None}


def _legend_shown(fig: go.Figure) -> bool:
    """Return whether plotly draws a legend: showlegend True, or unset with two or more legend entries."""
    if fig.layout.showlegend is not None:
        return bool(fig.layout.showlegend)
    return sum(tr.showlegend is not False for tr in fig.data) > 1


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(BUILDERS))
def test_every_visible_axis_has_tick_labels_and_a_title(name: str, lang: str) -> None:
    fig = BUILDERS[name](lang)
    checked = 0
    for axis_name, traces in _used_axes(fig).items():
        axis = fig.layout[axis_name]
        if axis.visible is False:
            continue
        checked += 1
        assert axis.showticklabels is not False, axis_name
        if axis.tickvals is not None:
            assert len(axis.tickvals) > 0, axis_name
            if axis.ticktext is not None:
                assert len(axis.ticktext) == len(axis.tickvals) and all(str(x).strip() for x in axis.ticktext)
            if axis.type == "category":
                # Tick values that name no category draw no label at all: the Satisfaction charts' missing months.
                assert set(map(str, axis.tickvals)) <= _categories(traces, axis_name[0]), axis_name
        if name not in UNTITLED_AXES:
            assert axis.title.text and axis.title.text.strip(), axis_name
    assert checked or name == "fishbone", "every chart but the fishbone has visible axes"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(BUILDERS))
def test_the_legend_sits_outside_the_plot_and_fonts_stay_cjk(name: str, lang: str) -> None:
    fig = BUILDERS[name](lang)
    assert fig.layout.font.family == CHART_FONT
    if not _legend_shown(fig):
        return
    lg = fig.layout.legend
    assert lg.orientation == "h"
    below_container = lg.yref == "container" and lg.yanchor == "bottom" and lg.y is not None and lg.y <= 0.05
    below_paper = lg.yref in (None, "paper") and lg.y is not None and lg.y < 0 and lg.yanchor == "top"
    above_paper = lg.yref in (None, "paper") and lg.y is not None and lg.y > 1 and lg.yanchor == "bottom"
    assert below_container or below_paper or above_paper, lg


@pytest.mark.parametrize("name", ["trend", "yoy", "heatmap", "score_trend"])
def test_month_ticks_stay_level_and_few(name: str) -> None:
    fig = BUILDERS[name]("zh")
    x = fig.layout.xaxis
    assert x.tickangle == 0 and x.automargin is True
    assert 1 < len(x.tickvals) <= 8 < len(MONTHS)   # 18 months, at most 8 labels: no tilting into the legend
    assert x.ticktext[0] == "7月<br>2024" and "1月<br>2025" in x.ticktext


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_satisfaction_page_ticks_name_the_trend_months(lang: str) -> None:
    """The page's readable_trend sets month_ticks on trend_figure: each tick must be one of the chart's months."""
    points = _points()
    fig = mc.trend_figure(points, "csat_rate", CSAT_TARGET, lang)
    values, texts = sc.month_ticks([p.month for p in points.points], lang)
    assert set(values) <= set(fig.data[0].x) and len(texts) == len(values)
    assert list(fig.layout.xaxis.tickvals) == values   # the figure already carries those ticks itself


def _left_end_annotations(fig: go.Figure, first: object) -> list:
    """Return annotations anchored at the plot's left edge or on the first point."""
    return [a for a in fig.layout.annotations or ()
            if a.x == first or (str(a.xref or "").endswith(("domain", "paper")) and a.x == 0)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_target_label_is_not_on_the_first_point(lang: str) -> None:
    fig = BUILDERS["trend"](lang)
    assert _left_end_annotations(fig, fig.data[0].x[0]) == []
    shapes = [s for s in fig.layout.shapes if s.y0 == s.y1]
    assert [s.y0 for s in shapes] == [pytest.approx(90.0)]    # the target line, in percent
    names = [tr.name for tr in fig.data]
    assert ("目标 ≥ 90.0%" if lang == "zh" else "Target ≥ 90.0%") in names   # named in the legend instead


def test_grade_band_labels_are_not_on_the_first_point() -> None:
    fig = BUILDERS["score_trend"]("zh")
    assert _left_end_annotations(fig, fig.data[0].x[0]) == []
    assert sorted(s.y0 for s in fig.layout.shapes) == [60, 80, 90]
    assert {"优秀 ≥ 90", "良好 ≥ 80", "合格 ≥ 60"} <= {tr.name for tr in fig.data}


def test_pareto_80_line_label_stands_at_the_right_end() -> None:
    (note,) = BUILDERS["pareto"]("en").layout.annotations
    assert note.x == 1 and note.xanchor == "right"


@pytest.mark.parametrize("name", list(BUILDERS))
def test_no_bar_label_sits_where_its_error_bar_is(name: str) -> None:
    for tr in BUILDERS[name]("en").data:
        if tr.type == "bar" and any(getattr(tr, e).array is not None for e in ("error_x", "error_y")):
            # A label on the bar (at its end, or at a base the whisker reaches over) would be crossed.
            assert tr.text is None and tr.texttemplate is None, name


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_gap_labels_stand_beyond_the_whiskers(lang: str) -> None:
    fig = ec.gap_figure(GAPS, lang, 0.95)
    bar, labels = fig.data
    assert labels.mode == "text" and labels.showlegend is not True
    lo, hi = fig.layout.xaxis.range
    for g, plus, minus, x, text, pos, y in zip(bar.x, bar.error_x.array, bar.error_x.arrayminus, labels.x,
                                                labels.text, labels.textposition, labels.y):
        assert text == f"{g:+.2f}" and y in bar.y
        if g < 0:    # left of the whisker's left end, pointing away from the bar
            assert x == pytest.approx(g - minus) and pos == "middle left" and lo < x
        else:
            assert x == pytest.approx(g + plus) and pos == "middle right" and x < hi
    assert {"-0.10", "+0.02"} <= set(labels.text)   # whiskers across zero: labels still clear of them


def test_gap_figure_without_cis_still_labels_each_bar() -> None:
    fig = ec.gap_figure(_dims(("empathy", -0.5, None, None), ("tangibles", 0.2, None, None)), "en", 0.95)
    assert list(fig.data[1].x) == [0.2, -0.5] and list(fig.data[1].text) == ["+0.20", "-0.50"]


def _hue(colour: str) -> str:
    """Return 'green', 'orange', 'red' or 'grey' for a '#rrggbb' colour."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    if max(r, g, b) - min(r, g, b) < 30:
        return "grey"
    if g > r and g > b:
        return "green"
    return "orange" if r > b and g > 0.35 * r else "red"


@pytest.mark.parametrize(("key", "target", "last", "hue"), [
    ("csat_rate", CSAT_TARGET, 0.93, "green"),
    ("csat_rate", CSAT_TARGET, 0.87, "orange"),     # 3 points short, within the 5-point warning band
    ("csat_rate", CSAT_TARGET, 0.70, "red"),
    ("csat_rate", None, 0.93, "grey"),
    ("frt_median_min", Target("frt_median_min", "lower", 5.0, 2.0), 4.0, "green"),
    ("frt_median_min", Target("frt_median_min", "lower", 5.0, 2.0), 6.5, "orange"),
    ("frt_median_min", Target("frt_median_min", "lower", 5.0, 2.0), 9.0, "red"),
])
def test_sparkline_colour_follows_the_latest_months_target_status(key: str, target: Target | None, last: float,
                                                                  hue: str) -> None:
    values = [0.5 if key == "csat_rate" else 20.0] * 5 + [last]   # earlier months are red: only the last counts
    fig = sparkline(MONTHS[:6], values, key, target, "zh")
    line, marker = fig.data
    assert _hue(line.line.color) == hue and marker.marker.color == line.line.color


def test_sparkline_uses_the_last_month_with_data() -> None:
    fig = sparkline(MONTHS[:4], [0.80, 0.95, None, None], "csat_rate", CSAT_TARGET, "en")
    line, marker = fig.data
    assert _hue(line.line.color) == "green"
    assert list(marker.x) == [fmt_month("2024-08", "en")] and list(marker.y) == [pytest.approx(95.0)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sparkline_labels_first_and_last_month_marks_the_last_value_and_the_target(lang: str) -> None:
    fig = sparkline(MONTHS, CSAT, "csat_rate", CSAT_TARGET, lang)
    line, marker = fig.data
    x = fig.layout.xaxis
    assert list(x.tickvals) == [line.x[0], line.x[-1]]
    assert list(x.ticktext) == (["24年7月", "25年12月"] if lang == "zh" else ["Jul 24", "Dec 25"])
    assert x.showticklabels is not False and x.tickangle == 0
    assert list(marker.y) == [pytest.approx(93.0)] and marker.x[0] == line.x[-1]
    (target,) = fig.layout.shapes
    assert target.y0 == target.y1 == pytest.approx(90.0) and target.line.dash == "dash" and target.line.width <= 1
    lo, hi = fig.layout.yaxis.range
    assert lo < min(line.y) and max(line.y) < hi and lo < 90 < hi
    assert fig.layout.showlegend is False and fig.layout.height <= 120
    assert all(getattr(fig.layout.margin, side) <= 30 for side in ("l", "r", "t", "b"))
    assert "%{x}" in line.hovertemplate and "%{text}" in line.hovertemplate
    assert line.text[0] == "88.0%" and len(line.text) == len(MONTHS)


def test_sparkline_keeps_the_target_in_view_and_copes_with_little_data() -> None:
    far = sparkline(MONTHS[:3], [0.50, 0.52, 0.51], "csat_rate", CSAT_TARGET, "en")
    assert far.layout.yaxis.range[1] > 90     # a dashed line off the chart would say nothing
    one = sparkline(["2025-03"], [0.9], "csat_rate", CSAT_TARGET, "zh")
    assert list(one.layout.xaxis.ticktext) == ["25年3月"]
    empty = sparkline([], [], "tickets", None, "en")
    assert _hue(empty.data[0].line.color) == "grey" and len(empty.data) == 1
    gaps = sparkline(MONTHS[:3], [None, 1200, None], "tickets", None, "en")
    assert gaps.data[0].text[1] == "1,200" and re.fullmatch(r"\w+ \d{4}", gaps.data[1].x[0])
