"""Monitoring (/monitoring): trend with control limits, breakdowns, daily backlog, SLA compliance and breached
tickets."""
import streamlit as st

from csq.core import exports, roles
from csq.core.i18n import describe_filter, fmt_month, fmt_number, t
from csq.dashboard import control_chart, state, url, widgets
from csq.metrics import spc
from csq.metrics.clock import CLOCKS
from csq.metrics.display import indicator_name
from csq.metrics.indicators import BUSINESS_KEYS, INDICATORS, formula
from csq.monitoring import backlog, charts, tickets

v = state.view()
f = v.filter
st.title(v.tr("monitoring"))
st.caption(" · ".join(x for x in (
    v.tr("period", a=fmt_month(f.period_from, v.lang), b=fmt_month(f.period_to, v.lang)) if f.period_from else "",
    describe_filter(f, v.lang)) if x))

keys = list(INDICATORS)
url.page_param("indicator", keys, "frt_sla_rate")
key = st.selectbox(v.tr("indicator"), keys, key="p_indicator", format_func=lambda k: indicator_name(k, v.lang))
url.set_page_param("indicator", key)
target = v.targets().get(key)
# Durations can be shown on the business clock of each ticket's SLA rule (SPEC §4a); the rates always are.
clock = "calendar"
if key in BUSINESS_KEYS:
    url.page_param("clock", list(CLOCKS), "calendar")
    clock = st.segmented_control(v.tr("mon_clock"), list(CLOCKS), key="p_clock", help=v.tr("mon_clock_help"),
                                 format_func=lambda c: v.tr(f"mon_clock_{c}")) or "calendar"
    url.set_page_param("clock", None if clock == "calendar" else clock)  # the default stays out of shared links
st.caption(f"{v.tr('formula')}: {formula(key, v.lang, clock)}")


@st.fragment(parallel=True)  # sections load side by side; one slow query holds up only its own
def trend_section() -> None:
    """Trend by month (with control limits and the months that broke a rule), ISO week or day."""
    url.page_param("grain", ["month", "week", "day"], "month")
    grain = st.segmented_control(v.tr("grain"), ["month", "week", "day"], key="p_grain",
                                 format_func=lambda x: t(x, v.lang)) or "month"
    url.set_page_param("grain", None if grain == "month" else grain)  # the default stays out of shared links
    if grain != "month":
        by_period = v.kpis(f, (grain,), (key,), clock)
        if not by_period:
            st.info(v.tr("no_match"))
            return
        st.plotly_chart(charts.period_figure(by_period, grain, key, target, v.lang), key="trend_chart_" + grain)
        st.caption(v.tr("grain_note"))
        return
    kind, baseline = control_chart.chart_controls(v, INDICATORS[key].unit == "rate")
    # The period widened to hold a baseline chosen before it; the points shown stay the period's.
    rows = v.kpis(spc.widened(f, baseline), ("month",), (key,), clock)
    with widgets.reported():
        chart = spc.control_chart(rows, key, INDICATORS[key].unit, v.catalog.running, kind, baseline,
                                  (f.period_from, f.period_to))
        if not any(p.value is not None for p in chart.points):
            st.info(v.tr("no_match"))
            return
        st.plotly_chart(charts.trend_figure(chart, key, target, v.lang), key="trend_chart")
        beyond = sum("beyond_limits" in p.signals for p in chart.points)
        if chart.chart == "p" and beyond > chart.months_with_data / 2:
            st.caption(v.tr("overdispersed"))
        control_chart.show_signals(v, chart, indicator_name(key, v.lang))


@st.fragment(parallel=True)
def breakdown_section() -> None:
    """The indicator by team, channel, type or priority over the period, and the team × month heat-map."""
    st.subheader(v.tr("breakdown"))
    by = st.segmented_control(v.tr("breakdown_by"), ["team", "channel", "type", "priority"], key="breakdown_by",
                              default="team", format_func=lambda x: t(x, v.lang)) or "team"
    rows = [r for r in v.kpis(f, (by,), (key,), clock) if r.group(by) is not None]
    if not rows:
        st.info(v.tr("no_match"))
        return
    st.plotly_chart(charts.breakdown_figure(rows, by, key, v.lang), key="breakdown_chart")
    heat = v.kpis(f, ("team", "month"), (key,), clock)
    heat = [r for r in heat if r.group("team") is not None and r.value(key) is not None]
    if heat:
        st.plotly_chart(charts.heatmap_figure(heat, "team", key, v.lang), key="heatmap_chart")


@st.fragment(parallel=True)
def backlog_section() -> None:
    """Open tickets at the end of each day stacked by status, and whether a status history stands behind them."""
    st.subheader(v.tr("mon_backlog"), help=v.tr("mon_backlog_help"))
    table = v.cached(backlog.backlog, f)
    if table.num_rows == 0:
        st.info(v.tr("no_match"))
        return
    st.plotly_chart(charts.backlog_figure(table, v.lang), key="backlog_chart")
    with_history, total = v.cached(backlog.history_coverage, f)
    if with_history == 0:
        st.caption(v.tr("mon_backlog_no_history"))
    elif with_history < total:
        st.caption(v.tr("mon_backlog_partial", n=fmt_number(with_history, v.lang)))


@st.fragment(parallel=True)
def sla_section() -> None:
    """SLA compliance by priority and by type."""
    st.subheader(v.tr("sla_compliance"))
    left, right = st.columns(2)
    for col, by in ((left, "priority"), (right, "type")):
        table = v.cached(tickets.sla_rows, f, by, v.lang)
        col.markdown(f"**{t(by, v.lang)}**")
        widgets.table(col, table, key=f"sla_{by}")


def ticket_tab(which: str, unmask: bool) -> None:
    """One ticket list: the first LIST_LIMIT rows, how many there are, both CSVs, and a picked row's record."""
    listed = v.cached(tickets.listed, f, which, unmask, v.lang)
    table, shown = listed.table, listed.shown
    if table.num_rows == 0:
        st.info(v.tr("no_match"))
        return
    total = v.cached(tickets.ticket_total, f, which)
    n, all_n = fmt_number(table.num_rows, v.lang), fmt_number(total, v.lang)
    capped = total > table.num_rows
    st.caption(" · ".join((v.tr("mon_rows_capped", n=n, total=all_n) if capped else v.tr("mon_rows_all", total=all_n),
                           v.tr("mon_sorted"), *(() if unmask else (v.tr("masked_note"),)))))
    event = widgets.table(st, shown, key=f"list_{which}", on_select="rerun", selection_mode="single-row")
    left, mid, right = st.columns(3)
    # The CSV in the page's language (headers, labels, rounded numbers) by default; the raw codes beside it.
    left.download_button(v.tr("mon_csv_shown", n=n) if capped else v.tr("download_csv"),
                         lambda: exports.localised_csv_bytes(table, v.lang), file_name=f"{which}_tickets.csv",
                         mime="text/csv", key=f"csv_{which}", icon=":material/download:")
    mid.download_button(v.tr("export_csv_raw"), lambda: exports.to_csv_bytes(table), file_name=f"{which}_tickets_raw.csv",
                        mime="text/csv", key=f"csv_raw_{which}", help=v.tr("export_csv_raw_help"),
                        icon=":material/data_object:")
    if capped:  # the whole list, made only when asked for, masked as on screen
        right.download_button(v.tr("mon_csv_all", total=all_n),
                              lambda: tickets.ticket_export(v.store, f, which, unmask, v.lang),
                              file_name=f"{which}_tickets_all.csv", mime="text/csv", key=f"csv_all_{which}",
                              icon=":material/download:")
    picked = event.selection.rows if event and event.selection else []
    if picked and picked[0] < shown.num_rows:
        record = shown.slice(picked[0], 1).to_pylist()[0]
        st.markdown(f"**{v.tr('ticket_detail')} · {record[v.tr('ticket_id')]}**")
        widgets.fixed_table(st, tickets.detail_rows(record, v.lang), hide_index=True)


@st.fragment(parallel=True)
def tickets_section() -> None:
    """Breached and overdue tickets, masked, with a drill-down to one ticket and the CSV exports."""
    unmask = False
    if roles.may(v.role, "unmask"):
        unmask = st.toggle(v.tr("show_personal"), key="unmask", value=False)
    tab_breached, tab_overdue = st.tabs([v.tr("breached"), v.tr("overdue")], key="ticket_tabs", on_change="rerun")
    for tab, which in ((tab_breached, "breached"), (tab_overdue, "overdue")):
        with tab:
            ticket_tab(which, unmask)


trend_section()
breakdown_section()
backlog_section()
sla_section()
st.subheader(v.tr("breached"))
tickets_section()
