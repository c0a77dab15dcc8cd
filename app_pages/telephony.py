"""Telephony (/telephony, 话务): the six call indicators with their thresholds, by month, by queue, team and agent,
by weekday and half-hour, and the Erlang C staffing table against the agents who answered, with a what-if."""

import streamlit as st

from csq.core.i18n import describe_filter, fmt_month, t
from csq.dashboard import state, widgets
from csq.metrics.calls import CALL_KEYS, thresholds
from csq.metrics.display import format_value, indicator_name
from csq.metrics.filters import Filter
from csq.metrics.indicators import formula
from csq.overview.headline import format_target
from csq.telephony import charts as tel_charts
from csq.telephony.quality import formula as quality_formula
from csq.telephony.quality import queue_quality
from csq.telephony.staffing import WhatIf, staffing
from csq.telephony.views import answered_only, answered_only_note, interval_heat
from csq.telephony.waits import wait_distribution

v = state.view()
f = v.filter
st.title(v.tr("telephony"))
limits = v.cached(thresholds)
st.caption(" · ".join(x for x in (
    v.tr("period", a=fmt_month(f.period_from, v.lang), b=fmt_month(f.period_to, v.lang)) if f.period_from else "",
    describe_filter(f, v.lang), v.tr("tel_intro")) if x))
keys = tuple(CALL_KEYS)
current = v.kpis(f, (), keys)[0]
if not current.n("calls_offered"):
    st.info(v.tr("tel_no_calls"))
    st.stop()
st.caption(v.tr("tel_thresholds", text=limits.describe(v.lang)))
narrowed = answered_only_note(f, v.lang)
if narrowed:
    st.warning(narrowed, icon=":material/info:")
targets = v.targets()


def fv(key: str, value: float | None) -> str:
    """Return a value formatted with its unit in the page's language."""
    return format_value(key, value, v.lang)


for i, key in enumerate(keys):
    if i % 3 == 0:
        cols = st.columns(3)  # three to a row: six in one row cut the longer names and values (273.5 秒) short
    with cols[i % 3].container(border=True, height="stretch"):
        st.metric(indicator_name(key, v.lang), fv(key, current.value(key)),
                  help=f"{formula(key, v.lang)}\n\n{limits.describe(v.lang)}\n\nn = {current.n(key):,}")
        # The target with its direction, and the threshold this figure is counted on, beside the figure.
        st.caption(" · ".join(x for x in (format_target(key, targets.get(key), v.lang), limits.note(key, v.lang),
                                          f"n = {current.n(key):,}") if x))

st.subheader(v.tr("tel_by_month"))
monthly = v.kpis(f, ("month",), keys)
widgets.table(st, [{v.tr("month"): fmt_month(r.group("month"), v.lang),
                    **{indicator_name(k, v.lang): fv(k, r.value(k)) for k in keys}} for r in monthly],
              key="tel_monthly")

st.subheader(v.tr("tel_by_group"))
by = st.segmented_control(v.tr("tel_group_by"), ["queue", "team", "agent"], default="queue", key="tel_by",
                          format_func=lambda x: t(x, v.lang)) or "queue"
groups = v.kpis(f, (by,), keys)
if answered_only(Filter(), (by,)):
    st.caption(v.tr("tel_group_answered_only"))
widgets.table(st, [{v.tr(by): r.group(by) or v.tr("tel_no_value"), **{indicator_name(k, v.lang): fv(k, r.value(k)) for k in keys},
                    "n": r.n("calls_offered")} for r in groups], key="tel_groups")

st.subheader(v.tr("tel_quality"))
quality = v.cached(queue_quality, f)
if not any(q.calls_linked for q in quality):
    st.info(v.tr("tel_quality_none"))
else:
    st.caption(quality_formula(v.lang))
    # The two rates first, so a phone shows them without scrolling sideways.
    widgets.table(st, [{v.tr("queue"): q.queue or v.tr("tel_no_queue"),
                        indicator_name("fcr_rate", v.lang): fv("fcr_rate", q.fcr_rate), v.tr("tel_n_fcr"): q.n_fcr,
                        indicator_name("csat_rate", v.lang): fv("csat_rate", q.csat_rate), v.tr("tel_n_csat"): q.n_csat,
                        v.tr("tel_inbound"): q.calls, v.tr("tel_linked"): q.calls_linked, v.tr("tel_tickets"): q.tickets}
                       for q in quality], key="tel_quality")

st.subheader(v.tr("tel_heat"))
heat_key = st.segmented_control(v.tr("tel_heat_key"), ["service_level", "abandon_rate"], default="service_level",
                                key="tel_heat_key", format_func=lambda k: indicator_name(k, v.lang)) or "service_level"
cells = v.cached(interval_heat, f)
st.plotly_chart(tel_charts.heat_figure([(c.weekday, c.interval, getattr(c, heat_key)) for c in cells],
                                       indicator_name(heat_key, v.lang), v.lang,
                                       colorscale="RdYlGn" if heat_key == "service_level" else "RdYlGn_r"),
                key="tel_heat_chart")

st.subheader(v.tr("tel_waits"))
waits = v.cached(wait_distribution, f)
if not waits.offered:
    st.info(v.tr("tel_waits_none"))
else:
    st.caption(v.tr("tel_waits_how", short=f"{waits.short_abandon_s:g}", sl=f"{waits.service_level_s:g}",
                    n=f"{waits.offered:,}"))
    edge = next((k for k, b in enumerate(waits.bins) if b.high == waits.service_level_s), None)
    st.plotly_chart(tel_charts.wait_figure(
        [(tel_charts.wait_label(b.low, b.high, v.lang), b.answered, b.abandoned) for b in waits.bins], edge,
        v.tr("tel_waits_mark", sl=f"{waits.service_level_s:g}"),
        (v.tr("tel_waits_answered"), v.tr("tel_waits_abandoned")), ""), key="tel_waits_chart")

st.subheader(v.tr("tel_staffing"))
c1, c2, c3, c4, c5 = st.columns(5)
weeks = int(c1.number_input(v.tr("tel_weeks"), 1, 52, 8, key="tel_weeks"))
volume = c2.number_input(v.tr("tel_volume"), -90.0, 500.0, 0.0, step=5.0, key="tel_volume")
aht = c3.number_input(v.tr("tel_aht"), 0.0, 7200.0, 0.0, step=10.0, key="tel_aht")
target = c4.number_input(v.tr("tel_target"), 0.5, 0.99, 0.8, step=0.05, key="tel_target")
shrinkage = c5.number_input(v.tr("tel_shrinkage"), 0.0, 0.9, 0.3, step=0.05, key="tel_shrinkage")
st.caption(v.tr("tel_staffing_how", weeks=weeks))
table = v.cached(staffing, f, weeks, WhatIf(target, None, shrinkage, volume / 100, aht or None))
if table.short_intervals:
    st.warning(v.tr("tel_short", n=len(table.short_intervals)), icon=":material/warning:")
st.plotly_chart(tel_charts.heat_figure([(i.weekday, i.interval, i.gap) for i in table.intervals],
                                       v.tr("tel_gap"), v.lang, percent=False, colorscale="RdBu", zmid=0),
                key="tel_gap_chart")
widgets.table(st, [{v.tr("tel_weekday"): tel_charts.weekday_name(i.weekday, v.lang), v.tr("tel_interval"): i.interval,
                    v.tr("tel_calls"): round(i.calls, 1), v.tr("tel_aht_s"): None if i.aht_s is None else round(i.aht_s),
                    v.tr("tel_agents"): i.agents,
                    indicator_name("service_level", v.lang): fv("service_level", i.service_level),
                    v.tr("tel_asa_s"): None if i.asa_s is None else round(i.asa_s, 1),
                    v.tr("tel_headcount"): None if i.headcount is None else round(i.headcount, 1),
                    v.tr("tel_answered_by"): round(i.answered_by, 1),
                    v.tr("tel_gap"): None if i.gap is None else round(i.gap, 1)} for i in table.intervals],
              key="tel_staffing_table")
