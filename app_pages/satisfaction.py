"""Satisfaction trends (/satisfaction): CSAT, mean, NPS and response rate with control limits, breakdowns,
score distribution, year on year, drivers and comments."""

import streamlit as st

from csq.core import roles
from csq.core.i18n import describe_filter, fmt_fixed, fmt_month, t, value_label
from csq.dashboard import control_chart, state, widgets
from csq.metrics import spc
from csq.metrics.display import format_value, indicator_name
from csq.metrics.indicators import INDICATORS, formula
from csq.metrics.periods import without_running
from csq.metrics.results import Figure, Result
from csq.monitoring import charts
from csq.satisfaction import analysis as sat
from csq.satisfaction import charts as sat_charts

v = state.view()
f = v.filter
st.title(v.tr("satisfaction"))
st.caption(" · ".join(x for x in (
    v.tr("period", a=fmt_month(f.period_from, v.lang), b=fmt_month(f.period_to, v.lang)) if f.period_from else "",
    describe_filter(f, v.lang), v.tr("sat_intro")) if x))

targets = v.targets()
current = v.kpis(f, (), sat.KEYS)[0]
if not any(current.n(k) for k in sat.KEYS):
    st.info(v.tr("sat_no_surveys"))
    st.stop()


def fv(key: str, value: float | None) -> str:
    """Return a value formatted with its unit in the page's language."""
    return format_value(key, value, v.lang)


warning = sat.response_warning(current, targets.get("survey_response_rate"))
if warning == "low":
    st.warning(v.tr("sat_low_response", rate=fv("survey_response_rate", current.value("survey_response_rate")),
                    target=fv("survey_response_rate", targets["survey_response_rate"].target),
                    n=f"{current.n('survey_response_rate'):,}"), icon=":material/warning:")
elif warning == "few":
    st.warning(v.tr("sat_few_answers", n=current.n("csat_rate"), min=sat.MIN_ANSWERS), icon=":material/warning:")

cols = st.columns(4)
for col, key in zip(cols, sat.KEYS):
    target = targets.get(key)
    with col.container(border=True, height="stretch"):
        st.metric(indicator_name(key, v.lang), fv(key, current.value(key)),
                  help=f"{formula(key, v.lang)}\n\nn = {current.n(key):,}")
        st.caption(" · ".join(x for x in (
            f"{v.tr('target')} {fv(key, target.target)}" if target else v.tr("status_none"),
            f"n = {current.n(key):,}") if x))


@st.fragment(parallel=True)  # sections load side by side; one slow query holds up only its own
def trends_section() -> None:
    """Each indicator by month with its target, n and control limits, and the months that broke a rule."""
    st.subheader(v.tr("sat_trends"))
    st.caption(v.tr("sat_limits_how"))
    kind, baseline = control_chart.chart_controls(v, rates=True)
    monthly = v.kpis(spc.widened(f, baseline), ("month",), sat.KEYS)
    for i, key in enumerate(sat.KEYS):
        if i % 2 == 0:
            grid = st.columns(2)   # one row per pair keeps the reading order when columns stack on a phone
        unit = INDICATORS[key].unit
        chart = spc.control_chart(monthly, key, unit, v.catalog.running, control_chart.kind_for(kind, unit),
                                  baseline, (f.period_from, f.period_to))
        with grid[i % 2]:
            if not any(p.value is not None for p in chart.points):
                st.markdown(f"**{indicator_name(key, v.lang)}**")
                st.info(v.tr("no_match"))
                continue
            st.plotly_chart(charts.trend_figure(chart, key, targets.get(key), v.lang), key=f"sat_trend_{key}")
            few = [fmt_month(p.month, v.lang) for p in chart.points if p.value is not None and p.n < sat.MIN_ANSWERS]
            if few:
                st.caption(v.tr("sat_months_few", min=sat.MIN_ANSWERS, months=", ".join(few)))
            control_chart.show_signals(v, chart, indicator_name(key, v.lang))


@st.fragment(parallel=True)
def breakdown_section() -> None:
    """One indicator by channel, team or type, each group against limits that follow its n."""
    st.subheader(v.tr("sat_breakdown"))
    c1, c2 = st.columns(2)
    by = c1.segmented_control(v.tr("sat_breakdown_by"), list(sat.BREAKDOWN_FIELDS), key="sat_by", default="channel",
                              format_func=lambda x: t(x, v.lang)) or "channel"
    key = c2.selectbox(v.tr("sat_indicator"), list(sat.KEYS), key="sat_key",
                       format_func=lambda k: indicator_name(k, v.lang))
    points = v.cached(sat.breakdown, f, by, key)
    if not points:
        st.info(v.tr("no_match"))
        return
    st.caption(v.tr("sat_breakdown_how"))
    rows = [Result({by: p.group}, {key: Figure(key, p.value, p.n)}) for p in points]
    st.plotly_chart(charts.breakdown_figure(rows, by, key, v.lang), key="sat_breakdown_chart")
    flag = {"above": v.tr("sat_above"), "below": v.tr("sat_below"), None: v.tr("sat_within")}
    widgets.table(st, [{v.tr("sat_group"): value_label(by, p.group, v.lang), v.tr("sat_value"): fv(key, p.value),
                   "n": p.n, v.tr("sat_center"): fv(key, p.center), v.tr("sat_lcl"): fv(key, p.lcl),
                   v.tr("sat_ucl"): fv(key, p.ucl),
                   v.tr("sat_flag"): flag[p.signal] + (f" · {v.tr('sat_few')}" if p.n < sat.MIN_ANSWERS else "")}
                  for p in points], hide_index=True, width="stretch", key="sat_breakdown_table")
    out = [f"{value_label(by, p.group, v.lang)} ({flag[p.signal]})" for p in points if p.signal]
    if out:
        st.markdown(v.tr("sat_flagged_groups", groups="; ".join(out)))


@st.fragment(parallel=True)
def distribution_section() -> None:
    """How many answers gave each csat score, and the NPS groups."""
    st.subheader(v.tr("sat_distribution"))
    d = v.cached(sat.distribution, f)
    left, right = st.columns(2)
    for col, scale, keys, title in ((left, "csat", list(d.csat), "sat_csat_scores"),
                                    (right, "nps", list(d.nps_groups), "sat_nps_groups")):
        counts = d.csat if scale == "csat" else d.nps_groups
        labels = [str(k) if scale == "csat" else v.tr(f"sat_nps_{k}") for k in keys]
        share = [d.share(scale, k) for k in keys]
        col.markdown(f"**{v.tr(title)}** · n = {sum(counts.values()):,}")
        col.bar_chart({v.tr("sat_score"): labels, v.tr("sat_answers"): [counts[k] for k in keys]},
                      x=v.tr("sat_score"), y=v.tr("sat_answers"), sort=False, height=220,
                      horizontal=scale == "nps")   # the group names are long: bars across keep them readable
        widgets.table(col, [{v.tr("sat_score"): lab, v.tr("sat_answers"): counts[k],
                        v.tr("sat_share"): "—" if s is None else f"{s * 100:.1f}%"}
                       for lab, k, s in zip(labels, keys, share)], hide_index=True, width="stretch",
                      key=f"sat_dist_{scale}")


@st.fragment(parallel=True)
def yoy_section() -> None:
    """This period against the same months a year earlier, with a test of whether the change is real."""
    st.subheader(v.tr("sat_yoy"))
    y = v.cached(sat.year_over_year, f)
    whole = without_running(f, v.catalog.running)  # as compared_period(), from the cached catalog
    if whole is None:
        st.info(v.tr("sat_yoy_running", m=fmt_month(v.catalog.running, v.lang)))
        return
    if whole.period_from and whole.period_to:
        st.caption(v.tr("sat_yoy_period", a=f"{fmt_month(whole.period_from, v.lang)} – "
                                             f"{fmt_month(whole.period_to, v.lang)}",
                        b=f"{fmt_month(sat.year_earlier(whole).period_from, v.lang)} – "
                          f"{fmt_month(sat.year_earlier(whole).period_to, v.lang)}"))
    if whole != f:
        st.caption(v.tr("sat_yoy_without_running", m=fmt_month(v.catalog.running, v.lang)))
    table = []
    for r in y["totals"]:
        key, p = r["key"], r["p_value"]
        change = r["change"]
        verdict = (v.tr("sat_yoy_no_prev") if r["previous"] is None else "—" if p is None
                   else v.tr("sat_yoy_sig") if p < sat.SIGNIFICANCE else v.tr("sat_yoy_not_sig"))
        if change is None:
            change_text = "—"
        elif INDICATORS[key].unit == "rate":
            change_text = f"{fmt_fixed(change * 100, 1, sign=True)} {'pp' if v.lang == 'en' else '个百分点'}"
        else:  # never '-0.0'
            change_text = fmt_fixed(change, 1 if key == "nps" else 3, sign=True)
        table.append({v.tr("indicator"): indicator_name(key, v.lang), v.tr("sat_yoy_current"): fv(key, r["current"]),
                      v.tr("sat_yoy_n_current"): r["n_current"], v.tr("sat_yoy_previous"): fv(key, r["previous"]),
                      v.tr("sat_yoy_n_previous"): r["n_previous"], v.tr("sat_yoy_change"): change_text,
                      v.tr("sat_yoy_p"): "—" if p is None else f"{p:.3f}", v.tr("sat_yoy_verdict"): verdict})
    widgets.table(st, table, hide_index=True, width="stretch", key="sat_yoy_table")
    st.caption(v.tr("sat_yoy_how"))
    if y["months"]:
        key = st.selectbox(v.tr("sat_yoy_months"), list(sat.KEYS), key="sat_yoy_key",
                           format_func=lambda k: indicator_name(k, v.lang))
        st.plotly_chart(sat_charts.yoy_figure(y["months"], key, v.lang), key="sat_yoy_chart")


@st.fragment(parallel=True)
def drivers_section() -> None:
    """Satisfaction against what happened to the linked ticket, and which driver matters most."""
    st.subheader(v.tr("sat_drivers"))
    total, linked = v.cached(sat.linked_answers, f)
    if not linked:
        st.info(v.tr("sat_no_link"))
        return
    st.caption(v.tr("sat_linked", linked=f"{linked:,}", total=f"{total:,}"))
    found = v.cached(sat.drivers, f)
    st.success(sat.driver_sentence(found, v.lang), icon=":material/lightbulb:")
    widgets.table(st, [{v.tr("sat_driver"): v.tr(f"sat_driver_{d.name}"),
                   v.tr("sat_bucket"): v.tr(f"sat_bucket_{d.name}_{b['bucket']}"), "n": b["n"],
                   indicator_name("csat_rate", v.lang): fv("csat_rate", b["csat_rate"]),
                   indicator_name("csat_mean", v.lang): fv("csat_mean", b["csat_mean"]),
                   "Cramér's V": "—" if d.cramers_v is None else f"{d.cramers_v:.2f}"}
                  for d in found for b in d.buckets], hide_index=True, width="stretch", key="sat_drivers_table")
    st.caption(v.tr("sat_driver_how"))


@st.fragment(parallel=True)
def comments_section() -> None:
    """Searchable comments with score, channel, team and date; personal data masked unless allowed."""
    st.subheader(v.tr("sat_comments"))
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")   # room for the whole toggle label
    search = c1.text_input(v.tr("sat_search"), key="sat_search", placeholder=v.tr("sat_search_placeholder"))
    unmask = False
    if roles.may(v.role, "unmask"):
        unmask = c2.toggle(v.tr("show_personal"), key="sat_unmask", value=False)
    limit = 500
    table = v.cached(sat.comments, f, search, unmask, limit)
    if table.num_rows == 0:
        st.info(v.tr("sat_no_comments"))
        return
    st.caption(v.tr("sat_comments_capped" if table.num_rows >= limit else "sat_comments_count", n=f"{table.num_rows:,}")
               + ("" if unmask else " · " + v.tr("sat_masked_note")))
    widgets.table(st, [{v.tr("sat_col_date"): r["answered_at"], v.tr("sat_col_csat"): r["csat"],
                   v.tr("sat_col_nps"): r["nps"], v.tr("channel"): value_label("channel", r["channel"], v.lang),
                   v.tr("team"): r["team"] or "—", v.tr("type"): value_label("type", r["type"], v.lang),
                   v.tr("sat_col_comment"): r["comment"], v.tr("sat_col_ticket"): r["ticket_id"],
                   v.tr("sat_col_customer_name"): r["customer_name"],
                   v.tr("sat_col_customer_phone"): r["customer_phone"]}
                  for r in table.to_pylist()], hide_index=True, width="stretch",
                 key="sat_comments_table")


trends_section()
breakdown_section()
distribution_section()
yoy_section()
drivers_section()
comments_section()
