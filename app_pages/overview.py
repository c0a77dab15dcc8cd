"""Overview (/): what is off target, today and this week, the open backlog, then the monthly headline tiles."""
from datetime import datetime

import streamlit as st

from csq.core.i18n import describe_filter, fmt_datetime, fmt_duration, fmt_month, value_label
from csq.dashboard import layout, state, url, widgets
from csq.metrics.display import format_value, indicator_name
from csq.metrics.indicators import INDICATORS
from csq.metrics.periods import covers
from csq.overview import report, spark, today
from csq.overview.headline import (
    format_delta,
    kind_notes,
    kinds_with_data,
    off_target,
    tile,
    tile_keys,
    tile_notes,
)
from csq.telephony.views import answered_only_note

v = state.view()
f = v.filter
layout.responsive()
st.title(v.tr("app_title"))
as_of = v.as_of()
st.caption(" · ".join(x for x in (
    v.tr("period", a=fmt_month(f.period_from, v.lang), b=fmt_month(f.period_to, v.lang)) if f.period_from else "",
    v.tr("as_of", t=fmt_datetime(as_of, v.lang)) if as_of else "",
    describe_filter(f, v.lang)) if x))
if covers(f, v.catalog.running) and v.catalog.running:
    st.warning(v.tr("period_in_progress", m=fmt_month(v.catalog.running, v.lang), t=fmt_datetime(as_of, v.lang)),
               icon=":material/hourglass_top:")

current = v.kpis(f)[0]
previous = v.kpis(v.previous)[0] if v.previous else None
keys = tile_keys(v.cached(kinds_with_data))  # the headline, and calls' (callbacks' …) where the store has them
trend = v.kpis(f, ("month",), keys)
targets = v.targets()
notes = v.cached(tile_notes, keys, v.lang)
kind_lines = v.cached(kind_notes, keys, v.lang)


def misses_section() -> None:
    """What is off target, first: on a phone it is the first thing a manager reads."""
    st.subheader(v.tr("off_target"))
    misses = off_target(current, targets)
    if not misses:
        st.success(v.tr("all_on_target"))
    for miss in misses:
        c1, c2 = st.columns([3, 1], vertical_alignment="center")
        c1.markdown(miss.text(v.lang))
        c2.page_link("app_pages/monitoring.py", label=v.tr("explain"), icon=":material/search_insights:",
                     query_params=url.link_params({"indicator": miss.key}))


def window_title(w: today.Window) -> str:
    """Return a window's heading with the moments it covers."""
    if w.name == "today":
        span = v.tr("ov_window_today", d=fmt_datetime(w.start.date(), v.lang), t=f"{as_of:%H:%M}")
    elif w.name == "yesterday":
        span = v.tr("ov_window_day", d=fmt_datetime(w.start.date(), v.lang))
    else:
        span = v.tr("ov_window_week", a=fmt_datetime(w.start.date(), v.lang), w=w.start.isocalendar().week)
    return f"**{v.tr('ov_' + w.name)}** · {span}"


def now_section(moment: datetime) -> None:
    """Today, yesterday and this week against the same window a week earlier: tiles wide, one table on phones."""
    st.subheader(v.tr("ov_now"), help=v.tr("ov_now_help", t=fmt_datetime(moment, v.lang)))
    found = v.cached(today.strip, f, moment)
    with st.container(key="wide_now"):
        for w in found:
            with st.container(border=True):
                st.markdown(window_title(w))
                for col, k in zip(st.columns(len(today.STRIP)), today.STRIP):
                    now, before = w.now.value(k), w.week_before.value(k)
                    better = INDICATORS[k].better
                    col.metric(indicator_name(k, v.lang), format_value(k, now, v.lang),
                               format_delta(k, now, before, v.lang),
                               delta_color="off" if better is None else "normal" if better == "higher" else "inverse",
                               help=f"n = {w.now.n(k):,} · {v.tr('ov_week_before')}: {format_value(k, before, v.lang)}"
                                    f" (n = {w.week_before.n(k):,})")
    with st.container(key="phone_now"):
        widgets.table(st, [{v.tr("ov_indicator"): indicator_name(k, v.lang),
                            **{v.tr("ov_" + w.name): window_cell(k, w) for w in found}} for k in today.STRIP],
                      key="ov_now_compact")


def window_cell(k: str, w: today.Window) -> str:
    """Return one window's value with its change on a week earlier, e.g. '18 (+7)'."""
    delta = format_delta(k, w.now.value(k), w.week_before.value(k), v.lang)
    return format_value(k, w.now.value(k), v.lang) + (f" ({delta})" if delta else "")


def backlog_section(moment: datetime) -> None:
    """The open backlog by age and priority, and the tickets breaching now."""
    b = v.cached(today.backlog, f, moment)
    c1, c2 = st.columns(2)
    with c1:
        st.subheader(v.tr("ov_backlog"), help=v.tr("ov_backlog_help", t=fmt_datetime(moment, v.lang)))
        if not b.total:
            st.info(v.tr("ov_no_backlog"))
        else:
            st.caption(v.tr("ov_backlog_total", n=f"{b.total:,}", b=f"{b.total_breaching:,}"))
            widgets.table(st, backlog_rows(b), key="ov_backlog")
    with c2:
        st.subheader(v.tr("ov_breaching"))
        rows = v.cached(today.breaching_now, f, moment, 10)
        if not rows:
            st.success(v.tr("ov_breaching_none"))
            return
        st.caption(v.tr("ov_breaching_count", shown=len(rows), n=f"{b.total_breaching:,}"))
        widgets.table(st, [{
            v.tr("ticket_id"): r["ticket_id"], v.tr("priority"): value_label("priority", r["priority"], v.lang),
            v.tr("team"): r["team"] or "–", v.tr("breach"): v.tr(f"breach_{r['breach']}"),
            v.tr("ov_over_by"): fmt_duration(r["over_min"], v.lang)} for r in rows], key="ov_breaching")
        st.page_link("app_pages/monitoring.py", label=v.tr("ov_see_breaches"), icon=":material/list:",
                     query_params=url.link_params())


def backlog_rows(b: today.Backlog) -> list[dict[str, str]]:
    """Return the backlog as display rows: one per age band, a column per priority, 'open (breaching)'."""
    def cell(band: str | None, prio: str | None) -> str:
        n, late = b.count(band, prio), b.count(band, prio, breaching=True)
        return f"{n:,} ({late:,})" if late else f"{n:,}"

    bands: list[str | None] = [key for key, _ in today.AGE_BANDS] + [None]
    return [{v.tr("ov_age"): v.tr(band) if band else v.tr("ov_total"),
             **{value_label("priority", p, v.lang): cell(band, p) for p in b.priorities()},
             v.tr("ov_total"): cell(band, None)} for band in bands]


def tiles_section() -> None:
    """The monthly headline tiles on wide screens, and the same figures as a compact list on phones."""
    st.subheader(v.tr("ov_monthly"))
    months = [str(r.group("month")) for r in trend]
    tiles = [tile(key, current, previous, targets.get(key), v.lang, notes.get(key, "")) for key in keys]
    with st.container(key="wide_tiles"):
        for i, tl in enumerate(tiles):
            if i % 4 == 0:
                cols = st.columns(4)  # one row of columns per four tiles keeps the rows aligned
            with cols[i % 4].container(border=True, height="stretch"):
                # The name goes above the metric: metric labels are cut to one line, and ours are long.
                st.markdown(f"**{tl.label}**", help=tl.help)
                st.metric(tl.label, tl.value, tl.delta, delta_color=tl.delta_color, delta_arrow=tl.delta_arrow,
                          label_visibility="collapsed")
                if tl.note:
                    st.caption(tl.note)  # the threshold the figure is counted on, beside it
                if len(months) > 1:
                    st.plotly_chart(spark.sparkline(months, [r.value(tl.key) for r in trend], tl.key,
                                                    targets.get(tl.key), v.lang),
                                    key=f"spark_{tl.key}", config={"displayModeBar": False, "staticPlot": True})
                st.markdown(tl.status_md)
                with st.popover(v.tr("formula"), width="stretch"):
                    st.markdown(tl.formula_md)
    with st.container(key="phone_tiles"):
        widgets.table(st, [{v.tr("ov_indicator"): tl.label, v.tr("ov_this_period"): tl.value,
                            v.tr("ov_status"): tl.status_text, v.tr("ov_change"): tl.delta or "–"}
                           for tl in tiles], key="ov_tiles_compact", height=35 * (len(tiles) + 1) + 3)
        for line in kind_lines:
            st.caption(line)  # a list has no room beside each figure: the thresholds once, under it
    narrowed = answered_only_note(f, v.lang) if any(INDICATORS[k].kind == "calls" for k in keys) else None
    if narrowed:
        st.caption(narrowed)

if not current.n("tickets"):
    st.info(v.tr("no_match"))
misses_section()
if as_of is not None:
    now_section(as_of)
    backlog_section(as_of)
tiles_section()

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
