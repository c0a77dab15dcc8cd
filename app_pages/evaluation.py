"""Evaluation (/evaluation): SERVQUAL gaps and diagnosis, QA scorecard, agent and team scorecards, training."""

import streamlit as st

from csq.core import roles
from csq.core.i18n import describe_filter, fmt_month, t
from csq.dashboard import state, widgets
from csq.evaluation import charts, qa, scorecard, servqual, training
from csq.evaluation import tables as tb
from csq.metrics.display import indicator_name

v = state.view()
f = v.filter
lang = v.lang
st.title(v.tr("evaluation"))
st.caption(" · ".join(x for x in (
    v.tr("period", a=fmt_month(f.period_from, lang), b=fmt_month(f.period_to, lang)) if f.period_from else "",
    describe_filter(f, lang)) if x))
targets = v.targets()


def q(fn, *args):
    """Return fn(store, *args), cached on the function, its arguments and the data version."""
    return v.cached(fn, *args)


tab_sq, tab_qa, tab_sc, tab_tr = st.tabs([v.tr("ev_tab_servqual"), v.tr("ev_tab_qa"), v.tr("ev_tab_scorecard"),
                                          v.tr("ev_tab_training")],
                                         key="ev_tabs", on_change="rerun")


def servqual_tab() -> None:
    """SERVQUAL: headline gaps, the chart, the plain-words diagnosis, dimensions, items, waves."""
    o = q(servqual.overview, f)
    if not o["respondents"]:
        st.info(v.tr("ev_sq_filtered") if f.conditions() else v.tr("ev_sq_none"))
        return
    p = round(o["confidence"] * 100)
    c1, c2, c3 = st.columns(3)
    c1.metric(v.tr("ev_weighted_gap"), tb.num(o["weighted_gap"], lang, sign=True),
              help=f"{v.tr('ev_ci', p=p)}: {tb.num(o['weighted_ci_low'], lang, sign=True)} … "
                   f"{tb.num(o['weighted_ci_high'], lang, sign=True)} · n = {o['respondents']:,}")
    c2.metric(v.tr("ev_unweighted_gap"), tb.num(o["unweighted_gap"], lang, sign=True))
    c3.metric(v.tr("ev_respondents"), f"{o['respondents']:,}", help=v.tr("ev_with_points", n=o["with_points"]))
    criteria = q(qa.criteria, f)
    diag = q(servqual.diagnosis, f, o["dimensions"], criteria)
    st.markdown(tb.biggest_text(o, diag, lang, targets))
    st.plotly_chart(charts.gap_figure(o["dimensions"], lang, o["confidence"]), key="ev_gap_chart")
    widgets.table(st, tb.dimension_rows(o["dimensions"], lang, o["confidence"]), hide_index=True, width="stretch",
                 key="ev_dims")
    weak = tb.weak_alpha(o["dimensions"], servqual.ALPHA_OK)
    if weak:
        st.warning(v.tr("ev_alpha_warn", dims=("、" if lang == "zh" else ", ").join(tb.dim_name(d, lang) for d in weak)))
    with st.expander(v.tr("ev_formula_sq")):
        st.markdown(v.tr("ev_formula_sq_body"))
    st.subheader(v.tr("ev_diagnosis"))
    st.caption(v.tr("ev_diagnosis_help"))
    # A static table wraps the long driver lists that a scrolling grid would cut off.
    widgets.fixed_table(st, tb.diagnosis_rows(diag, lang, targets), hide_index=True)
    with st.expander(v.tr("ev_items")):
        widgets.table(st, tb.item_rows(o["items"], lang), hide_index=True, width="stretch", key="ev_items")
    st.subheader(v.tr("ev_waves"))
    low = tb.low_n_waves(o["waves"])
    if low:
        st.warning(v.tr("ev_waves_low_n", min_n=o["min_wave_n"],
                        waves=("、" if lang == "zh" else ", ").join(
                            f"{w['wave']}（n = {w['n']:,}）" if lang == "zh" else f"{w['wave']} (n = {w['n']:,})"
                            for w in low)))
    if len(o["waves"]) > 1:  # a low-n wave is plotted under its marked name
        st.plotly_chart(charts.waves_figure(tb.labelled_waves(o["waves"], lang), servqual.DIMENSIONS, lang),
                        key="ev_waves_chart")
    else:
        st.caption(v.tr("ev_one_wave"))
    widgets.table(st, tb.wave_rows(o["waves"], servqual.DIMENSIONS, lang), hide_index=True, width="stretch",
                 key="ev_waves_table")


def qa_tab() -> None:
    """QA scorecard: headline, criteria, by agent and evaluator, evaluator agreement."""
    head = v.kpis(f, (), ("qa_score", "qa_critical_fail_rate"))[0]
    if not head.n("qa_score"):
        st.info(v.tr("ev_no_qa"))
        return
    c1, c2, c3 = st.columns(3)
    c1.metric(indicator_name("qa_score", lang), tb.num(head.value("qa_score"), lang, 1))
    c2.metric(indicator_name("qa_critical_fail_rate", lang), f"{head.value('qa_critical_fail_rate') * 100:.1f}%")
    c3.metric(v.tr("ev_evaluations"), f"{head.n('qa_score'):,}")
    with st.expander(v.tr("formula")):
        st.markdown(v.tr("ev_formula_qa_body"))
    st.subheader(v.tr("ev_criteria"))
    widgets.table(st, tb.criteria_rows(q(qa.criteria, f), lang), hide_index=True, width="stretch",
                 key="ev_criteria")
    left, right = st.columns(2)
    left.markdown(f"**{v.tr('ev_by_agent')}**")
    widgets.table(left, tb.qa_group_rows(q(qa.by_agent, f), "agent", lang), hide_index=True,
                   width="stretch", key="ev_qa_agents", height=360)
    right.markdown(f"**{v.tr('ev_by_evaluator')}**")
    widgets.table(right, tb.qa_group_rows(q(qa.by_evaluator, f), "evaluator", lang), hide_index=True,
                    width="stretch", key="ev_qa_evaluators")
    st.subheader(v.tr("ev_agreement"))
    a = q(qa.agreement, f)
    for sentence in tb.agreement_texts(a, lang, qa.CONFIDENCE):
        st.markdown(sentence)
    if a["tickets"]:
        c1, c2, c3 = st.columns(3)
        c1.metric(v.tr("ev_double"), f"{a['tickets']:,}")
        c2.metric(v.tr("ev_critical_agreement"), f"{a['critical_agreement'] * 100:.1f}%")
        c3.metric(v.tr("ev_mad"), tb.num(a["mean_abs_difference"], lang, 1))
        widgets.table(st, tb.offset_rows(a, lang, qa.CONFIDENCE), hide_index=True, width="stretch", key="ev_offsets")


def weights_editor() -> None:
    """Let roles that may change targets edit the scoring weights, grade bands and minimum n (audited)."""
    w, bands = scorecard.weights(v.store), scorecard.grade_bands(v.store)
    with st.expander(v.tr("ev_edit_weights")), st.form("ev_weights_form", border=False):
        cols = st.columns(3)
        new_w = {k: cols[i % 3].number_input(scorecard.component_name(k, lang), min_value=0.0, max_value=1000.0,
                                             value=float(w[k]), step=5.0, key=f"ev_w_{k}")
                 for i, k in enumerate(scorecard.COMPONENTS)}
        cols = st.columns(4)
        new_b = {k: cols[i].number_input(v.tr(f"ev_band_{k}"), min_value=0.0, max_value=100.0, value=float(bands[k]),
                                         step=5.0, key=f"ev_b_{k}") for i, k in enumerate(scorecard.DEFAULT_BANDS)}
        least = cols[3].number_input(v.tr("ev_min_n"), min_value=0, value=scorecard.min_n(v.store), step=5,
                                     key="ev_min_n")
        if st.form_submit_button(v.tr("ev_save"), key="ev_save_weights", type="primary"):
            with widgets.reported():
                scorecard.validate_weights(new_w)
                with v.writing() as store:
                    scorecard.set_weights(store, new_w, v.user, role=v.role)
                    scorecard.set_grade_bands(store, new_b, v.user, role=v.role)
                    scorecard.set_min_n(store, int(least), v.user, role=v.role)
                st.success(v.tr("ev_saved"))
                st.rerun()


def scorecard_tab() -> None:
    """Agent and team scorecard: table with grade and rank, how it is computed, and a clicked row's detail."""
    by = st.segmented_control(v.tr("ev_by"), ["agent", "team"], key="ev_by", default="agent",
                              format_func=lambda x: t(x, lang)) or "agent"
    rows = q(scorecard.scorecard, f, by, v.previous)
    w, bands, least = scorecard.weights(v.store), scorecard.grade_bands(v.store), scorecard.min_n(v.store)
    with st.expander(v.tr("ev_how_score")):
        st.markdown(tb.how_score_md(w, bands, least, lang))
    if roles.may(v.role, "settings"):  # weights are settings (admin), as on the Settings page
        weights_editor()
    if not rows:
        st.info(v.tr("ev_no_scorecard"))
        return
    st.caption(tb.grade_note(rows, bands, lang))
    st.caption(v.tr("ev_min_n_note", n=least) + " " + v.tr("ev_pick_row"))
    # Rank and name stay pinned: on a phone the component columns scroll sideways under them.
    event = widgets.table(st, tb.scorecard_rows(rows, by, lang), key=f"ev_scorecard_{by}",
                       on_select="rerun", selection_mode="single-row",
                       column_config={v.tr("ev_score"): st.column_config.ProgressColumn(
                           v.tr("ev_score"), format="%.1f", min_value=0, max_value=100),
                           v.tr("ev_rank"): st.column_config.TextColumn(pinned=True),
                           t(by, lang): st.column_config.TextColumn(pinned=True)})
    picked = event.selection.rows if event and event.selection else []
    if picked:
        detail(by, str(rows[picked[0]][by]), tb.trend_lines(rows, bands))


def detail(by: str, who: str, lines: dict) -> None:
    """One agent's or team's monthly composite against the period's grade cut-offs, QA criteria and training."""
    st.subheader(v.tr("ev_detail", who=who))
    narrowed = f.only(by, who)
    trend = q(scorecard.trend, f, by, who)
    if any(r["score"] is not None for r in trend):
        st.plotly_chart(charts.score_trend_figure(trend, lines, lang), key="ev_detail_trend")
        st.caption(v.tr("ev_detail_lines"))
    left, right = st.columns(2)
    left.markdown(f"**{v.tr('ev_criteria')}**")
    widgets.table(left, tb.criteria_rows(q(qa.criteria, narrowed), lang), hide_index=True,
                   width="stretch", key="ev_detail_criteria")
    right.markdown(f"**{v.tr('ev_tab_training')}**")
    widgets.table(right, tb.pass_rate_rows(q(training.pass_rates, narrowed, ("course",)), "course", lang),
                    hide_index=True, width="stretch", key="ev_detail_training")


def training_tab() -> None:
    """Training: pass rate by course and team, and agents below the pass mark with QA before and after."""
    head = v.kpis(f, (), ("training_pass_rate",))[0]
    if not head.n("training_pass_rate"):
        st.info(v.tr("ev_no_training"))
        return
    target = targets.get("training_pass_rate")
    st.metric(indicator_name("training_pass_rate", lang), f"{head.value('training_pass_rate') * 100:.1f}%",
              help=f"n = {head.n('training_pass_rate'):,}"
                   + (f" · {v.tr('target')} {target.target * 100:.0f}%" if target else ""))
    left, right = st.columns(2)
    left.markdown(f"**{v.tr('ev_by_course')}**")
    widgets.table(left, tb.pass_rate_rows(q(training.pass_rates, f, ("course",)), "course", lang),
                   hide_index=True, width="stretch", key="ev_tr_course")
    right.markdown(f"**{v.tr('ev_by_team')}**")
    widgets.table(right, tb.pass_rate_rows(q(training.pass_rates, f, ("team",)), "team", lang),
                    hide_index=True, width="stretch", key="ev_tr_team")
    st.subheader(v.tr("ev_below"))
    st.caption(v.tr("ev_below_help", days=training.WINDOW_DAYS))
    below = q(training.below_pass, f)
    if not below:
        st.success(v.tr("ev_all_passed"))
        return
    widgets.table(st, tb.below_rows(below, lang), hide_index=True, width="stretch", key="ev_tr_below")


with tab_sq:
    servqual_tab()
with tab_qa:
    qa_tab()
with tab_sc:
    scorecard_tab()
with tab_tr:
    training_tab()
