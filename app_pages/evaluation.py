"""Evaluation (/evaluation): SERVQUAL gaps and diagnosis, QA scorecard, the QA sample, agent and team scorecards,
training."""

import streamlit as st

from csq.core import roles
from csq.core.i18n import describe_filter, fmt_month, t
from csq.dashboard import state, widgets
from csq.evaluation import charts, qa, sampling, scorecard, servqual, training
from csq.evaluation import sample_tables as stb
from csq.evaluation import tables as tb
from csq.metrics.display import format_value, indicator_name
from csq.metrics.indicators import formula

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


tab_sq, tab_qa, tab_qs, tab_sc, tab_tr = st.tabs([v.tr("ev_tab_servqual"), v.tr("ev_tab_qa"),
                                                  v.tr("ev_tab_qa_sample"), v.tr("ev_tab_scorecard"),
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


def qa_sample_tab() -> None:
    """QA sample (SPEC §4d): a draw form, a week's drawn tickets with downloads, coverage, and sampled against not."""
    rules = q(sampling.rules)
    st.caption(v.tr("qs_intro", n=rules.per_agent, factor=rules.new_agent_factor, days=rules.new_agent_days))
    if v.may("qa_sample"):
        draw_form(rules)
    weeks = q(sampling.weeks)
    if weeks:
        sample_week(st.selectbox(v.tr("qs_week"), weeks, key="qs_week"))
    else:
        st.info(v.tr("qs_none"))
    key = "qa_coverage_rate"
    st.subheader(v.tr("qs_coverage"))
    head = v.kpis(f, (), (key,))[0]
    if not head.n(key):
        st.info(v.tr("qs_no_coverage"))
    else:
        st.metric(indicator_name(key, lang), format_value(key, head.value(key), lang),
                  help=f"{formula(key, lang)} · n = {head.n(key):,}")
        by = "team" if f.values("agent") else "agent"
        st.caption(v.tr("qs_coverage_by", by=t(by, lang)))
        widgets.table(st, stb.coverage_rows(v.kpis(f, (by,), (key,)), by, lang), hide_index=True, width="stretch",
                      key="qs_coverage_table")
    st.subheader(v.tr("qs_compare"))
    sides = q(sampling.sampled_vs_unsampled, f)
    if not any(c.evaluations for c in sides):
        st.info(v.tr("ev_no_qa"))
        return
    st.caption(v.tr("qs_compare_help"))
    widgets.table(st, stb.comparison_rows(sides, lang), hide_index=True, width="stretch", key="qs_compare_table")


def draw_form(rules: sampling.Rules) -> None:
    """Let roles that may draw the QA sample draw a week (audited; a week already drawn only with replace)."""
    last = sampling.Week.last_complete(v.as_of())
    with st.expander(v.tr("qs_draw_title")), st.form("qs_draw_form", border=False):
        c1, c2, c3 = st.columns(3)
        week = c1.text_input(v.tr("qs_draw_week"), value=last.label if last else "", key="qs_draw_week")
        n = c2.number_input(v.tr("qs_per_agent"), min_value=1, max_value=200, value=rules.per_agent, step=1,
                            key="qs_per_agent")
        seed = c3.number_input(v.tr("qs_seed"), min_value=0, value=sampling.DEFAULT_SEED, step=1, key="qs_seed")
        replace = st.checkbox(v.tr("qs_replace"), key="qs_replace")
        if st.form_submit_button(v.tr("qs_draw_button"), key="qs_draw", type="primary"):
            with widgets.reported():
                with v.writing() as store:
                    drawn = sampling.draw(store, week, int(n), int(seed), replace, v.user or None, role=v.role)
                st.session_state["qs_week"] = drawn.week  # the week just drawn is the one shown next
                st.toast(v.tr("qs_drawn_ok", week=drawn.week, n=len(drawn.tickets)))
                st.rerun()


def sample_week(week: str) -> None:
    """One week's sample in force: counts and coverage, who drew it, the drawn tickets and their downloads."""
    drawn = q(sampling.stored, week)
    unmask = v.may("unmask")
    rows = q(sampling.sample_rows, week, unmask)
    total, evaluated, reasons = stb.week_counts(rows)
    st.caption(v.tr("qs_whole_week"))
    c1, c2, c3 = st.columns(3)
    c1.metric(v.tr("qs_drawn"), f"{total:,}")
    c2.metric(v.tr("qs_evaluated_n"), f"{evaluated:,}")
    c3.metric(v.tr("qs_week_coverage"), format_value("qa_coverage_rate", evaluated / total if total else None, lang),
              help=f"{formula('qa_coverage_rate', lang)} · n = {total:,}")
    r = drawn.rules
    info = v.tr("qs_draw_info", id=drawn.draw_id, seed=r.seed, n=r.per_agent, factor=r.new_agent_factor,
                by=drawn.drawn_by, at=f"{drawn.drawn_at:%Y-%m-%d %H:%M}")
    if drawn.replaced:
        info += v.tr("qs_draw_replaces", id=drawn.replaced)
    sep = "、" if lang == "zh" else ", "
    shown = sep.join(f"{v.tr(f'qs_reason_{k}')} {reasons[k]:,}" for k in sampling.REASONS if k in reasons)
    st.caption(f"{info} · {v.tr('qs_reasons', text=shown)}")
    widgets.table(st, stb.sample_table_rows(rows, lang), hide_index=True, width="stretch", key="qs_table")
    if not unmask:
        st.caption(v.tr("qs_masked"))
    d1, d2, d3 = st.columns(3)
    # Made only when asked for, masked as on screen (SPEC §10).
    d1.download_button(v.tr("qs_download_csv"), lambda: sampling.sample_export(v.store, week, "csv", unmask, lang),
                       file_name=f"qa_sample_{week}.csv", mime="text/csv", key="qs_csv", icon=":material/download:")
    d2.download_button(v.tr("qs_download_csv_raw"), lambda: sampling.sample_export(v.store, week, "csv", unmask),
                       file_name=f"qa_sample_{week}_raw.csv", mime="text/csv", key="qs_csv_raw",
                       icon=":material/data_object:")
    d3.download_button(v.tr("qs_download_xlsx"), lambda: sampling.sample_export(v.store, week, "xlsx", unmask, lang),
                       file_name=f"qa_sample_{week}.xlsx", key="qs_xlsx", icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


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
with tab_qs:
    qa_sample_tab()
with tab_sc:
    scorecard_tab()
with tab_tr:
    training_tab()
