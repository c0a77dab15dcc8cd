"""Overview (/): headline tiles against targets, and what is off target."""
import streamlit as st

from csq.core.i18n import describe_filter, fmt_datetime, fmt_month
from csq.dashboard import state, url
from csq.overview import report
from csq.overview.headline import HEADLINE, off_target, tile

v = state.view()
f = v.filter
st.title(v.tr("app_title"))
as_of = v.as_of()
st.caption(" · ".join(x for x in (
    v.tr("period", a=fmt_month(f.period_from, v.lang), b=fmt_month(f.period_to, v.lang)) if f.period_from else "",
    v.tr("as_of", t=fmt_datetime(as_of, v.lang)) if as_of else "",
    describe_filter(f, v.lang)) if x))

current = v.kpis(f)[0]
previous = v.kpis(v.previous)[0] if v.previous else None
trend = v.kpis(f, ("month",), HEADLINE)
targets = v.targets()

if not current.n("tickets"):
    st.info(v.tr("no_match"))

st.subheader(v.tr("headline"))
for i, key in enumerate(HEADLINE):
    if i % 4 == 0:
        cols = st.columns(4)  # one row of columns per four tiles keeps the rows aligned
    tl = tile(key, current, previous, targets.get(key), trend, v.lang)
    with cols[i % 4].container(border=True, height="stretch"):
        # The name goes above the metric: metric labels are cut to one line, and ours are long.
        st.markdown(f"**{tl.label}**", help=tl.help)
        st.metric(tl.label, tl.value, tl.delta, delta_color=tl.delta_color, delta_arrow=tl.delta_arrow, chart_data=tl.spark or None,
                  chart_type="line", label_visibility="collapsed")
        st.markdown(tl.status_md)
        with st.popover(v.tr("formula"), width="stretch"):
            st.markdown(tl.formula_md)

st.subheader(v.tr("off_target"))
misses = off_target(current, targets)
if not misses:
    st.success(v.tr("all_on_target"))
for miss in misses:
    c1, c2 = st.columns([3, 1], vertical_alignment="center")
    c1.markdown(miss.text(v.lang))
    c2.page_link("app_pages/monitoring.py", label=v.tr("explain"), icon=":material/search_insights:",
                 query_params=url.link_params({"indicator": miss.key}))

st.subheader(v.tr("report_link"))
quarters = report.quarters(v.catalog.months)
if quarters:
    chosen = report.quarters([f.period_to])[0] if f.period_to else quarters[-1]
    c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
    quarter = c1.selectbox(v.tr("report_quarter"), quarters, index=quarters.index(chosen) if chosen in quarters else 0,
                           key="report_quarter")
    c2.download_button(v.tr("report_download", fmt="HTML"), data=lambda: report.html_bytes(v.store, quarter, v.lang),
                       file_name=f"csq_report_{quarter}.html", mime="text/html", key="report_html",
                       on_click="ignore", icon=":material/summarize:")
