"""The control-chart chooser pages share (SPEC §4b): which chart and which baseline, bound to the URL.

The URL carries `chart` (p_prime, p or xmr; auto stays out of links) and `baseline` as YYYY-MM:YYYY-MM.
"""
from __future__ import annotations

import streamlit as st

from csq.core.i18n import fmt_month
from csq.dashboard import url
from csq.dashboard.state import View
from csq.errors import InputRefused
from csq.metrics.control_limits import CHART_CHOICES
from csq.metrics.spc import Baseline, ControlChart
from csq.metrics.spc_words import chart_reason, signal_lines


def _baseline_from_url(months: list[str]) -> Baseline:
    """Return the baseline the URL names when both months are ones the store has, else every month shown."""
    try:
        b = Baseline.parse(st.query_params.get("baseline"))
    except InputRefused:
        return Baseline()
    return b if b.start in months and b.end in months else Baseline()


def chart_controls(v: View, rates: bool) -> tuple[str, Baseline]:
    """Return the chart kind and the baseline the page's chooser (seeded from the URL) asks for.

    `rates` says whether a rate is on the page: without one only auto and XmR are offered.
    """
    kinds = list(CHART_CHOICES) if rates else ["auto", "xmr"]
    months = [m for m in v.catalog.months if m != v.catalog.running]
    url.page_param("chart", kinds, "auto")
    if st.session_state.get("p_chart") not in kinds:   # a p chart picked for a rate, then a mean chosen
        st.session_state["p_chart"] = "auto"
    if "p_baseline_mode" not in st.session_state:
        b = _baseline_from_url(months)
        st.session_state["p_baseline_mode"] = "range" if b.chosen else "all"
        st.session_state["p_baseline_from"] = b.start or (months[0] if months else None)
        st.session_state["p_baseline_to"] = b.end or (months[min(5, len(months) - 1)] if months else None)
    left, mid = st.columns(2)
    chart = left.segmented_control(v.tr("spc_chart"), kinds, key="p_chart", help=v.tr("spc_chart_help"),
                                   format_func=lambda k: v.tr(f"spc_chart_{k}")) or "auto"
    url.set_page_param("chart", None if chart == "auto" else chart)
    mode = mid.segmented_control(v.tr("spc_baseline"), ["all", "range"], key="p_baseline_mode",
                                 help=v.tr("spc_baseline_help"),
                                 format_func=lambda m: v.tr(f"spc_baseline_{m}")) or "all"
    baseline = Baseline()
    if mode == "range" and months:
        a, b = st.columns(2)
        first = a.selectbox(v.tr("spc_baseline_from"), months, key="p_baseline_from",
                            format_func=lambda m: fmt_month(m, v.lang))
        last = b.selectbox(v.tr("spc_baseline_to"), months, key="p_baseline_to",
                           format_func=lambda m: fmt_month(m, v.lang))
        first, last = sorted((str(first), str(last)))   # picked the wrong way round is still a range
        baseline = Baseline(first, last)
    url.set_page_param("baseline", baseline.text())
    return chart, baseline


def kind_for(chart: str, unit: str) -> str:
    """Return the chart to draw for a unit: a p or p′ request falls back to auto (XmR) for what is not a rate."""
    return chart if unit == "rate" or chart == "xmr" else "auto"


def show_signals(v: View, chart: ControlChart, title: str) -> None:
    """Render the chart's why and its broken rules, each named in words with its months."""
    st.caption(chart_reason(chart, v.lang))
    if chart.reason == "few_months":
        st.caption(v.tr("not_enough_months"))
        return
    lines = signal_lines(chart, v.lang)
    if not lines:
        st.caption(v.tr("no_signals"))
        return
    with st.expander(f"{title} · {v.tr('spc_signals_n', n=len(lines))}", expanded=True):
        for line in lines:
            st.markdown(f"- {line}")
