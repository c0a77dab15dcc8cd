"""Improvement tracking (/improvement): Pareto, signals, PDCA action register, fishbone, and the effect check."""

from datetime import date, timedelta

import streamlit as st

from csq.core import roles
from csq.core.i18n import describe_filter, fmt_datetime, fmt_fixed, fmt_month
from csq.core.kinds import CAUSES, PDCA
from csq.dashboard import state, widgets
from csq.improvement import actions, effect, pareto
from csq.improvement import charts as ic
from csq.ingest.importer import import_bytes
from csq.metrics.display import format_value, indicator_name
from csq.metrics.indicators import INDICATORS, formula
from csq.metrics.spc_words import describe_signal

v = state.view()
f = v.filter
can_edit = roles.may(v.role, "action")


def label(prefix: str, value: object) -> str:
    """Return the translated label of a stage, status or cause value ('—' for none)."""
    return v.tr(f"impr_{prefix}_{value}") if value else "—"


def verdict_label(verdict: str) -> str:
    """Return a verdict's label with a colour marker."""
    mark = {"effective": ":green", "not_effective": ":red", "insufficient_data": ":gray", "pending": ":orange"}
    return f"{mark[verdict]}[{v.tr('verdict_' + verdict)}]"


def start_draft(title: str, indicator: str, scope: str) -> None:
    """Prefill the new-action form (it opens at the top of the page on the rerun)."""
    st.session_state.update({"impr_new_open": True, "impr_new_title": title, "impr_new_indicator": indicator,
                             "impr_new_scope": scope, "impr_new_cause": None})


def flash(text: str) -> None:
    """Keep a success message for the next run and rerun (data changed)."""
    st.session_state["impr_flash"] = text
    st.rerun()


def run_write(fn, *args, **kwargs) -> dict | None:
    """Return the result of an action write, or show the error and return None."""
    with widgets.reported():
        with v.writing() as store:
            return fn(store, *args, role=v.role, user=v.user or None, **kwargs)
    return None


st.title(v.tr("improvement"))
moment = v.as_of()
st.caption(" · ".join(x for x in (
    v.tr("period", a=fmt_month(f.period_from, v.lang), b=fmt_month(f.period_to, v.lang)) if f.period_from else "",
    describe_filter(f, v.lang), v.tr("impr_as_of", t=fmt_datetime(moment, v.lang)) if moment else "") if x))
st.caption(v.tr("impr_caption"))
if "impr_flash" in st.session_state:
    st.success(st.session_state.pop("impr_flash"))
if not can_edit:
    st.info(v.tr("impr_read_only", role=v.role))


def new_action_form() -> None:
    """The new-action form, prefilled from a Pareto bar or a signal, or blank."""
    if not can_edit:
        return
    if not st.session_state.get("impr_new_open"):
        if st.button(v.tr("impr_new_blank"), key="impr_new_blank", icon=":material/add:"):
            start_draft("", "complaint_rate", "; ".join(f"{k}={x}" for k, xs in f.conditions().items() for x in xs))
            st.rerun()
        return
    start0 = moment.date() if moment else date.today()
    with st.form("impr_new_form", border=True):
        st.subheader(v.tr("impr_new_title"))
        title = st.text_input(v.tr("impr_f_title"), key="impr_new_title")
        c1, c2 = st.columns(2)
        cause = c1.selectbox(v.tr("impr_f_cause"), CAUSES, key="impr_new_cause", index=None,
                             format_func=lambda c: label("cause", c))
        key = c2.selectbox(v.tr("impr_f_indicator"), list(INDICATORS), key="impr_new_indicator",
                           format_func=lambda k: indicator_name(k, v.lang))
        scope = st.text_input(v.tr("impr_f_scope"), key="impr_new_scope", help=v.tr("impr_f_scope_help"))
        measure = st.text_area(v.tr("impr_f_measure"), key="impr_new_measure")
        c1, c2, c3 = st.columns(3)
        owner = c1.text_input(v.tr("impr_f_owner"), key="impr_new_owner")
        start = c2.date_input(v.tr("impr_f_start"), value=start0, key="impr_new_start")
        due = c3.date_input(v.tr("impr_f_due"), value=effect.add_months(start0, 2), key="impr_new_due")
        c1, c2 = st.columns(2)
        before = c1.number_input(v.tr("impr_f_before"), 1, 24, 3, key="impr_new_before")
        after = c2.number_input(v.tr("impr_f_after"), 1, 24, 3, key="impr_new_after")
        b1, b2 = st.columns(2)
        save = b1.form_submit_button(v.tr("impr_create"), type="primary", key="impr_new_save")
        discard = b2.form_submit_button(v.tr("impr_cancel_form"), key="impr_new_discard")
    if discard:
        st.session_state["impr_new_open"] = False
        st.rerun()
    if save:
        made = run_write(actions.create, {"title": title, "cause_category": cause, "indicator": key, "scope": scope,
                                          "measure": measure, "owner": owner, "start_date": start, "due_date": due,
                                          "before_months": int(before), "after_months": int(after)})
        if made:
            st.session_state["impr_new_open"] = False
            st.session_state["impr_edit_id"] = made["action_id"]
            flash(v.tr("impr_created", id=made["action_id"]))


@st.fragment
def pareto_section() -> None:
    """The Pareto of one problem source, and starting an action from one of its bars."""
    src = st.segmented_control(v.tr("impr_source"), pareto.SOURCES, key="impr_pareto_source", default="complaints",
                               format_func=lambda s: v.tr(f"impr_src_{s}")) or "complaints"
    what = v.tr(f"impr_src_{src}")
    bars = v.cached(pareto.pareto_for, src, f)
    if not bars:
        st.info(v.tr("no_match"))
        return
    event = st.plotly_chart(ic.pareto_figure(bars, what, v.lang), key="impr_pareto_chart", on_select="rerun",
                            selection_mode="points")
    cats = [b.category for b in bars]
    picked = event.selection.points if event and event.selection else []
    if picked:
        idx = picked[0].get("point_index", picked[0].get("pointIndex"))
        if isinstance(idx, int) and 0 <= idx < len(cats):
            st.session_state["impr_pareto_category"] = idx
    st.caption(v.tr("impr_pareto_note"))
    widgets.table(st, [{v.tr("category"): b.category or v.tr("impr_uncategorised"), v.tr("impr_count"): b.count,
                   v.tr("impr_share"): f"{b.share * 100:.1f}%", v.tr("impr_cumulative"): f"{b.cumulative * 100:.1f}%",
                   v.tr("impr_vital"): "✓" if b.vital else ""} for b in bars],
                 hide_index=True, width="stretch", key="impr_pareto_table")
    if st.session_state.get("impr_pareto_category") not in range(len(cats)):
        st.session_state["impr_pareto_category"] = 0
    i = st.selectbox(v.tr("impr_pick_category"), range(len(cats)), key="impr_pareto_category",
                     format_func=lambda j: f"{cats[j] or v.tr('impr_uncategorised')} ({bars[j].count:,})")
    if can_edit and st.button(v.tr("impr_start_action"), key="impr_pareto_start", type="primary",
                              icon=":material/add_task:"):
        name = cats[i] or v.tr("impr_uncategorised")
        start_draft(v.tr("impr_draft_pareto", what=what, category=name), pareto.SOURCE_INDICATOR[src],
                    pareto.action_scope(f, src, cats[i]))
        st.rerun()


def signals_section() -> None:
    """Months where an indicator broke its control limits on the worse side, as candidate problems."""
    found = v.cached(pareto.signals, f)
    if not found:
        st.info(v.tr("impr_no_signals"))
        return
    st.caption(v.tr("impr_signals_note"))
    lines = [f"{indicator_name(s.key, v.lang)} · {describe_signal(s.chart, s.signal, v.lang)}" for s in found]
    for line in lines[:30]:
        st.markdown(f"- {line}")
    j = st.selectbox(v.tr("impr_pick_signal"), range(len(found)), key="impr_signal_pick",
                     format_func=lambda k: lines[k])
    if can_edit and st.button(v.tr("impr_start_action"), key="impr_signal_start", icon=":material/add_task:"):
        s = found[j]
        start_draft(v.tr("impr_draft_signal", name=indicator_name(s.key, v.lang), month=s.point.month), s.key,
                    pareto.action_scope(f, "signal", None))
        st.rerun()


def register_section(items: list[dict]) -> None:
    """Key figures, the register as table and PDCA board, editing, workload and import."""
    row = v.kpis(f, (), ("action_on_time_rate",))[0]
    months = 2
    c1, c2, c3 = st.columns(3)
    c1.metric(v.tr("impr_on_time"), format_value("action_on_time_rate", row.value("action_on_time_rate"), v.lang),
              help=f"{formula('action_on_time_rate', v.lang)} · n = {row.n('action_on_time_rate')}")
    c2.metric(v.tr("impr_open"), sum(1 for a in items if a["status"] not in actions.CLOSED))
    c3.metric(v.tr("impr_overdue_n"), sum(1 for a in items if a["overdue"]), help=v.tr("impr_overdue_help", m=months))
    if not items:
        st.info(v.tr("impr_no_actions"))
    else:
        tab_table, tab_board = st.tabs([v.tr("impr_table"), v.tr("impr_board")], key="impr_register_tabs",
                                       on_change="rerun")
        with tab_table:
            widgets.table(st, [{v.tr("impr_col_id"): a["action_id"], v.tr("impr_f_title"): a["title"],
                           v.tr("impr_f_cause"): label("cause", a["cause_category"]),
                           v.tr("impr_f_indicator"): indicator_name(a["indicator"], v.lang) if a["indicator"] else "—",
                           v.tr("impr_f_scope"): ic.scope_text(a["scope"], v.lang), v.tr("impr_f_owner"): a["owner"] or "—",
                           v.tr("impr_f_start"): a["start_date"], v.tr("impr_f_due"): a["due_date"],
                           v.tr("impr_f_completed"): a["completed_at"],
                           v.tr("impr_f_stage"): label("stage", a["pdca_stage"]),
                           v.tr("impr_f_status"): label("status", a["status"]),
                           v.tr("impr_overdue"): "⚠️" if a["overdue"] else ""} for a in items],
                         hide_index=True, width="stretch", key="impr_register_table")
        with tab_board:
            cols = st.columns(4)
            for col, stage in zip(cols, PDCA):
                col.markdown(f"**{label('stage', stage)}**")
                staged = [a for a in items if a["pdca_stage"] == stage and a["status"] != "cancelled"]
                if not staged:
                    col.caption(v.tr("impr_none_in_stage"))
                for a in staged:
                    box = col.container(border=True)
                    box.markdown(f"**{a['action_id']}** {a['title']}")
                    late = f" · :red[{v.tr('impr_overdue')}]" if a["overdue"] else ""
                    box.caption(f"{a['owner'] or '—'} · {v.tr('impr_f_due')} {a['due_date'] or '—'}{late}")
    if items and can_edit:
        edit_panel(items)
    st.subheader(v.tr("impr_workload"))
    load = actions.workload(items)
    if load:
        widgets.table(st, [{v.tr("impr_f_owner"): w["owner"], v.tr("impr_wl_open"): w["open"],
                       v.tr("impr_overdue"): w["overdue"], v.tr("impr_wl_total"): w["total"]} for w in load],
                     hide_index=True, width="stretch", key="impr_workload_table")
    if can_edit:
        import_panel()


def edit_panel(items: list[dict]) -> None:
    """Move an action through PDCA, edit its fields, or cancel it."""
    st.subheader(v.tr("impr_edit"))
    ids = [a["action_id"] for a in items]
    if st.session_state.get("impr_edit_id") not in ids:
        st.session_state["impr_edit_id"] = ids[0]
    aid = st.selectbox(v.tr("impr_pick_action"), ids, key="impr_edit_id",
                       format_func=lambda x: f"{x} {next(a['title'] for a in items if a['action_id'] == x)}")
    a = next(x for x in items if x["action_id"] == aid)
    st.caption(f"{label('stage', a['pdca_stage'])} · {label('status', a['status'])}")
    move_panel(a)
    with st.expander(v.tr("impr_edit_fields")):
        with st.form(f"impr_edit_form_{aid}", border=False):
            owner = st.text_input(v.tr("impr_f_owner"), value=a["owner"] or "", key=f"impr_e_owner_{aid}")
            measure = st.text_area(v.tr("impr_f_measure"), value=a["measure"] or "", key=f"impr_e_measure_{aid}")
            scope = st.text_input(v.tr("impr_f_scope"), value=a["scope"] or "", key=f"impr_e_scope_{aid}")
            c1, c2, c3, c4 = st.columns(4)
            due = c1.date_input(v.tr("impr_f_due"), value=a["due_date"], key=f"impr_e_due_{aid}")
            start = c2.date_input(v.tr("impr_f_start"), value=a["start_date"], key=f"impr_e_start_{aid}")
            before = c3.number_input(v.tr("impr_f_before"), 1, 24, int(a["before_months"] or 3), key=f"impr_e_b_{aid}")
            after = c4.number_input(v.tr("impr_f_after"), 1, 24, int(a["after_months"] or 3), key=f"impr_e_a_{aid}")
            notes = st.text_area(v.tr("impr_f_notes"), value=a["notes"] or "", key=f"impr_e_notes_{aid}")
            verification = st.text_input(v.tr("impr_f_verification"), value=a["verification"] or "",
                                         key=f"impr_e_ver_{aid}")
            if st.form_submit_button(v.tr("impr_save"), key=f"impr_e_save_{aid}"):
                saved = run_write(actions.update, aid, {
                    "owner": owner, "measure": measure, "scope": scope, "due_date": due, "start_date": start,
                    "before_months": int(before), "after_months": int(after), "notes": notes,
                    "verification": verification})
                if saved:
                    flash(v.tr("impr_saved", id=aid))
        if a["status"] != "cancelled" and st.button(v.tr("impr_cancel_action"), key="impr_cancel_go"):
            if run_write(actions.cancel, aid):
                flash(v.tr("impr_cancelled", id=aid))


def move_panel(a: dict) -> None:
    """Move an action on through PDCA: the next stage is preselected; going back takes a deliberate switch."""
    aid = a["action_id"]
    if a["status"] == "cancelled":
        st.caption(v.tr("impr_no_move_cancelled"))
        return
    back = False
    if a["pdca_stage"] != "plan":  # going back starts a new round: never the default
        back = st.toggle(v.tr("impr_move_back"), key=f"impr_move_back_{aid}", value=False)
    choices = actions.stage_choices(a, back=back)
    if not choices:
        st.caption(v.tr("impr_cycle_done"))
        return
    if st.session_state.get("impr_move_for") != [aid, back] or st.session_state.get("impr_move_stage") not in choices:
        st.session_state["impr_move_stage"] = choices[0]  # another action (or direction): its next stage
        st.session_state["impr_move_for"] = [aid, back]
    c1, c2, c3 = st.columns([2, 2, 1], vertical_alignment="bottom")
    stage = c1.selectbox(v.tr("impr_move_to"), choices, key="impr_move_stage", format_func=lambda s: label("stage", s))
    done = c2.date_input(v.tr("impr_f_completed"), value=a["completed_at"] or (moment.date() if moment else None),
                         key=f"impr_move_done_{aid}")
    if c3.button(v.tr("impr_move"), key="impr_move_go", type="primary"):
        moved = run_write(actions.move, aid, stage, completed_at=done if stage in ("check", "act") else None)
        if moved:
            st.session_state["impr_effect_id"] = aid  # the effect check then shows the action just moved
            flash(v.tr("impr_moved", id=aid, stage=label("stage", stage)))


def import_panel() -> None:
    """Import actions from a CSV or Excel file (a batch like any import, with rollback on the Import page)."""
    with st.expander(v.tr("impr_import")):
        st.caption(v.tr("impr_import_help"))
        up = st.file_uploader(v.tr("impr_import_file"), type=["csv", "xlsx", "xls"], key="impr_import_file")
        if up is not None and st.button(v.tr("impr_import_go"), key="impr_import_go"):
            with v.writing() as store:
                result = import_bytes(store, up.getvalue(), up.name, "actions", user=v.user or None, role=v.role)
            if result.status == "committed":
                flash(v.tr("impr_import_done", n=result.rows_loaded, b=result.batch_id))
            elif result.status == "duplicate":
                st.info(v.tr("impr_import_dup", b=result.batch_id))
            else:
                st.error(f"{result.message}\n\n{result.fix}")
                if result.errors:
                    widgets.table(st, [e.as_dict() for e in result.errors], key="impr_import_errors", hide_index=True)


def effect_section(items: list[dict]) -> None:
    """Every action's verdict, and one action's before/after chart, numbers and the return-to-Plan offer."""
    checks = {c.action_id: c for c in v.cached(effect.check_all)}
    if not checks:
        st.info(v.tr("impr_no_actions"))
        return
    titles = {a["action_id"]: a["title"] for a in items}
    widgets.table(st, [{v.tr("impr_col_id"): c.action_id, v.tr("impr_f_title"): titles.get(c.action_id, ""),
                   v.tr("impr_f_indicator"): indicator_name(c.indicator, v.lang) if c.indicator else "—",
                   v.tr("impr_before"): format_value(c.indicator, c.before.value, v.lang) if c.indicator else "—",
                   v.tr("impr_after"): format_value(c.indicator, c.after.value, v.lang) if c.indicator else "—",
                   v.tr("impr_method_label"): v.tr("impr_method_" + c.method),
                   v.tr("impr_net_effect"): ic.net_text(c.net, v.lang) if c.net else "—",
                   v.tr("impr_p_value"): ic.p_text(c.p_value),
                   v.tr("impr_verdict"): v.tr("verdict_" + c.verdict)} for c in checks.values()],
                 hide_index=True, width="stretch", key="impr_effect_table")
    ids = list(checks)
    if st.session_state.get("impr_effect_id") not in ids:
        st.session_state["impr_effect_id"] = st.session_state.get("impr_edit_id") if st.session_state.get(
            "impr_edit_id") in ids else ids[0]
    aid = st.selectbox(v.tr("impr_effect_pick"), ids, key="impr_effect_id",
                       format_func=lambda x: f"{x} {titles.get(x, '')}")
    c = checks[aid]
    st.markdown(f"#### {v.tr('impr_verdict')}: {verdict_label(c.verdict)}")
    st.caption(v.tr(c.reason))
    if c.indicator in INDICATORS and (c.before.value is not None or c.after.value is not None):
        st.plotly_chart(ic.effect_figure(c, v.lang), key="impr_effect_chart")
    if c.indicator in INDICATORS:
        comparison_panel(c)
        windows = [(v.tr("impr_before"), c.before), (v.tr("impr_after"), c.after)]
        if c.comparison:
            rest = v.tr("impr_comparison")
            windows += [(f"{rest} · {v.tr('impr_before')}", c.comparison.before),
                        (f"{rest} · {v.tr('impr_after')}", c.comparison.after)]
        rows = []
        for name, w in windows:
            span = v.tr("impr_window", a=w.start, b=w.end - timedelta(days=1)) if w.start and w.end else "—"
            rows.append({"": name, v.tr("value"): format_value(c.indicator, w.value, v.lang), v.tr("impr_n"): f"{w.n:,}",
                         v.tr("impr_window_col"): span})
        widgets.fixed_table(st, rows)
        st.caption(f"{v.tr('impr_test')}: {ic.test_name(c.test, v.lang)} · {v.tr('impr_p_value')}: {ic.p_text(c.p_value)} · "
                   f"{v.tr('formula')}: {formula(c.indicator, v.lang)}")
    a = next((x for x in items if x["action_id"] == aid), {})
    st.caption(v.tr("impr_method", b=a.get("before_months") or 3, a=a.get("after_months") or 3, n=effect.MIN_N))
    if c.verdict == "not_effective" and can_edit and a.get("pdca_stage") != "plan":
        if st.button(v.tr("impr_return_plan"), key="impr_return_plan", icon=":material/undo:"):
            note = v.tr("impr_return_note", p=f"{c.p_value:.3g}" if c.p_value is not None else "—")
            if run_write(actions.move, aid, "plan", note=note):
                flash(v.tr("impr_moved", id=aid, stage=label("stage", "plan")))


def comparison_panel(c: effect.EffectCheck) -> None:
    """The method, scope and comparison group of one check; for DiD both changes, the net effect, lines, formula."""
    st.caption(f"{v.tr('impr_method_label')}: {v.tr('impr_method_' + c.method)} · "
               f"{v.tr('impr_f_scope')}: {ic.scope_text(c.scope, v.lang) if c.scope else v.tr('all')} · "
               f"{v.tr('impr_comparison')}: {ic.comparison_text(c.scope, v.lang)}")
    if c.comparison is None:
        st.info(v.tr("impr_no_season_control"))
    if c.net is None:
        return
    m1, m2, m3 = st.columns(3)
    m1.metric(v.tr("impr_scope_change"), ic.change_text(c.net.scope_change, c.net.scale, v.lang))
    m2.metric(v.tr("impr_comparison_change"), ic.change_text(c.net.comparison_change, c.net.scale, v.lang))
    m3.metric(v.tr("impr_net_effect"), ic.change_text(c.net.d, c.net.scale, v.lang))
    if c.net.relative is not None:
        m3.caption(v.tr("impr_did_relative", r=f"{fmt_fixed(c.net.relative * 100, 1, sign=True)}%"))
    st.plotly_chart(ic.did_figure(c, v.lang), key="impr_did_chart")
    st.caption(ic.did_formula(c.net, c.p_value, v.lang))


def cause_section(items: list[dict]) -> None:
    """The fishbone: six cause bones with their actions, and the same as a table."""
    groups = actions.by_cause(items)
    st.plotly_chart(ic.fishbone_figure(groups, v.lang), key="impr_fishbone")
    st.subheader(v.tr("impr_cause_table"))
    widgets.table(st, [{v.tr("impr_f_cause"): label("cause", c) if c else v.tr("impr_cause_none"),
                   v.tr("impr_col_id"): a["action_id"], v.tr("impr_f_title"): a["title"],
                   v.tr("impr_f_status"): label("status", a["status"]), v.tr("impr_overdue"): "⚠️" if a["overdue"] else ""}
                  for c, acts in groups.items() for a in acts], hide_index=True, width="stretch",
                 key="impr_cause_table")


items = v.cached(actions.list_actions)
new_action_form()
tabs = st.tabs([v.tr("impr_tab_pareto"), v.tr("impr_tab_register"), v.tr("impr_tab_effect"),
                v.tr("impr_tab_cause"), v.tr("impr_tab_signals")], key="impr_tabs", on_change="rerun")
with tabs[0]:
    pareto_section()
with tabs[1]:
    register_section(items)
with tabs[2]:
    effect_section(items)
with tabs[3]:
    cause_section(items)
with tabs[4]:
    signals_section()
