"""Monitoring (/monitoring): trend with control limits, breakdowns, SLA compliance and breached tickets."""
import streamlit as st

from csq.core import exports, roles
from csq.core.i18n import describe_filter, fmt_month, t
from csq.dashboard import state, url
from csq.metrics import spc
from csq.metrics.display import indicator_name
from csq.metrics.indicators import INDICATORS
from csq.monitoring import charts, tickets

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


@st.fragment(parallel=True)  # sections load side by side; one slow query holds up only its own
def trend_section() -> None:
    """Monthly trend with target line and control limits, and the months that broke a rule."""
    rows = v.kpis(f, ("month",), (key,))
    points = spc.control_chart(rows, key, INDICATORS[key].unit)
    if not any(p.value is not None for p in points):
        st.info(v.tr("no_match"))
        return
    st.plotly_chart(charts.trend_figure(points, key, target, v.lang), key="trend_chart")
    flagged = [p for p in points if p.signals]
    if sum(p.value is not None for p in points) < 3:
        st.caption(v.tr("not_enough_months"))
    elif flagged:
        beyond = sum("beyond_limits" in p.signals for p in points)
        if INDICATORS[key].unit == "rate" and beyond > sum(p.value is not None for p in points) / 2:
            st.caption(v.tr("overdispersed"))
        with st.expander(f"{v.tr('signals')} ({len(flagged)})", expanded=True):
            for p in flagged:
                st.markdown(f"- {spc.explain(p, v.lang)}")
    else:
        st.caption(v.tr("no_signals"))


@st.fragment(parallel=True)
def breakdown_section() -> None:
    """The indicator by team, channel, type or priority over the period, and the team × month heat-map."""
    st.subheader(v.tr("breakdown"))
    by = st.segmented_control(v.tr("breakdown_by"), ["team", "channel", "type", "priority"], key="breakdown_by",
                              default="team", format_func=lambda x: t(x, v.lang)) or "team"
    rows = [r for r in v.kpis(f, (by,), (key,)) if r.group(by) is not None]
    if not rows:
        st.info(v.tr("no_match"))
        return
    st.plotly_chart(charts.breakdown_figure(rows, by, key, v.lang), key="breakdown_chart")
    heat = v.kpis(f, ("team", "month"), (key,))
    heat = [r for r in heat if r.group("team") is not None and r.value(key) is not None]
    if heat:
        st.plotly_chart(charts.heatmap_figure(heat, "team", key, v.lang), key="heatmap_chart")


@st.fragment(parallel=True)
def sla_section() -> None:
    """SLA compliance by priority and by type."""
    st.subheader(v.tr("sla_compliance"))
    left, right = st.columns(2)
    for col, by in ((left, "priority"), (right, "type")):
        table = v.cached(tickets.sla_rows, f, by, v.lang)
        col.markdown(f"**{t(by, v.lang)}**")
        col.dataframe(table, hide_index=True, width="stretch", key=f"sla_{by}")


@st.fragment(parallel=True)
def tickets_section() -> None:
    """Breached and overdue tickets, masked, with a drill-down to one ticket and a CSV export."""
    unmask = False
    if roles.may(v.role, "unmask"):
        unmask = st.toggle(v.tr("show_personal"), key="unmask", value=False)
    tab_breached, tab_overdue = st.tabs([v.tr("breached"), v.tr("overdue")], key="ticket_tabs", on_change="rerun")
    for tab, which in ((tab_breached, "breached"), (tab_overdue, "overdue")):
        with tab:
            table = v.cached(tickets.ticket_list, f, which, unmask)
            if table.num_rows == 0:
                st.info(v.tr("no_match"))
                continue
            shown = table.slice(0, 500)
            st.caption(v.tr("rows_shown", n=f"{shown.num_rows:,}", total=f"{table.num_rows:,}")
                       + ("" if unmask else " · " + v.tr("masked_note")))
            event = st.dataframe(tickets.display_table(shown, v.lang), hide_index=True, width="stretch",
                                 on_select="rerun", selection_mode="single-row", key=f"list_{which}")
            st.download_button(v.tr("download_csv"), exports.to_csv_bytes(table), file_name=f"{which}_tickets.csv",
                               mime="text/csv", key=f"csv_{which}", icon=":material/download:")
            picked = event.selection.rows if event and event.selection else []
            if picked:
                record = tickets.display_table(shown.slice(picked[0], 1), v.lang).to_pylist()[0]
                st.markdown(f"**{v.tr('ticket_detail')} · {record[v.tr('ticket_id')]}**")
                st.table({k: "—" if val is None else str(val) for k, val in record.items()})


trend_section()
breakdown_section()
sla_section()
st.subheader(v.tr("breached"))
tickets_section()
