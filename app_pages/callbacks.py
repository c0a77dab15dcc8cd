"""Callbacks (/callbacks, 客户回访): the quarter's plan per engineer with progress and downloads, a caller's results
form, the four questions' answers with the suggestions and open issues searchable (masked to the role), second
callbacks due and overdue, and the three callback indicators by engineer and team with their trend by quarter."""

from dataclasses import replace
from datetime import datetime, time

import streamlit as st

from csq.callbacks import charts, progress, results, sheets
from csq.callbacks.plan import make_plan, stored_plan
from csq.callbacks.quarters import Quarter
from csq.core.i18n import fmt_datetime, t
from csq.core.kinds import CALLBACK_RESULTS
from csq.core.privacy import mask_id, mask_name, mask_phone
from csq.dashboard import state, widgets
from csq.improvement import actions
from csq.metrics.callbacks import CALLBACK_KEYS, followup_days
from csq.metrics.display import format_value, indicator_name
from csq.metrics.filters import Filter
from csq.metrics.indicators import formula
from csq.store.settings import setting_int

v = state.view()
unmask = v.may("unmask")
can_write = v.may("import")
moment = v.as_of()
st.title(v.tr("callbacks"))
st.caption(v.tr("cb_intro"))
quarters = v.cached(progress.planned_quarters)
here = Quarter.of(moment.date()).label if moment else None
options = sorted({*quarters, *([here] if here else [])}, reverse=True)
if not options:
    st.info(v.tr("cb_no_data"))
    st.stop()
quarter = st.selectbox(v.tr("cb_quarter"), options, index=options.index(here) if here in options else 0,
                       key="cb_quarter")
q = Quarter.parse(quarter)
# Callbacks carry an engineer and a team only: the other global filters would leave every figure empty.
conditions = tuple((k, vals) for k, vals in v.filter.where if k in ("agent", "team"))
qf = Filter(*q.months, conditions)
rules = v.tr("cb_rules", n=v.cached(setting_int, "callbacks_per_agent", 5), days=v.cached(followup_days),
             t=fmt_datetime(moment, v.lang) if moment else "–")
st.caption(" · ".join(x for x in (rules, v.tr("cb_filters_note") if len(conditions) < len(v.filter.where) else "")
                      if x))
if "cb_flash" in st.session_state:
    st.success(st.session_state.pop("cb_flash"))
if not can_write:
    st.info(v.tr("cb_read_only", role=v.role))


def flash(text: str) -> None:
    """Keep a success message for the next run and rerun (the data changed)."""
    st.session_state["cb_flash"] = text
    st.rerun()


def fv(key: str, value: float | None) -> str:
    """Return a figure formatted for the page's language."""
    return format_value(key, value, v.lang)


def customer(cid: str | None, name: str | None, phone: str | None) -> dict[str, object]:
    """Return the customer's columns as the role may see them."""
    if not unmask:
        cid, name, phone = mask_id(cid), mask_name(name), mask_phone(phone)
    return {t("import_f_customer_id", v.lang): cid, t("import_f_customer_name", v.lang): name,
            t("import_f_customer_phone", v.lang): phone}


def yes_no(value: bool | None) -> str:
    """Return a yes/no answer in words."""
    return v.tr("cb_unanswered") if value is None else v.tr("cb_yes" if value else "cb_no")


figures = v.kpis(qf, (), CALLBACK_KEYS)[0]
targets = v.targets()
for col, key in zip(st.columns(len(CALLBACK_KEYS)), CALLBACK_KEYS):
    with col.container(border=True, height="stretch"):
        st.metric(indicator_name(key, v.lang), fv(key, figures.value(key)),
                  help=f"{formula(key, v.lang)}\n\nn = {figures.n(key):,}")
        target = targets.get(key)
        st.caption(" · ".join((f"{v.tr('target')} {fv(key, target.target)}" if target else v.tr("status_none"),
                               f"n = {figures.n(key):,}")))

plan_rows = v.cached(stored_plan, q)
tab_plan, tab_results, tab_second, tab_figures = st.tabs(
    [v.tr("cb_tab_plan"), v.tr("cb_tab_results"), v.tr("cb_tab_second"), v.tr("cb_tab_figures")])


def draw_form(again: bool) -> None:
    """The seed and the button that draws the quarter's plan (again: withdrawing the callbacks not yet made)."""
    c1, c2 = st.columns([1, 3])
    seed = int(c1.number_input(v.tr("cb_seed"), 0, 10**9, 1, key=f"cb_seed_{int(again)}", help=v.tr("cb_seed_help")))
    if c2.button(v.tr("cb_redraw" if again else "cb_draw"), key=f"cb_draw_{int(again)}", type="primary"):
        with widgets.reported():
            with v.writing() as store:
                plan = make_plan(store, q.label, None, seed, replace=again, role=v.role, user=v.user or None)
            if plan.status == "unchanged":
                st.info(v.tr("cb_unchanged", q=q.label))
            else:
                flash(v.tr("cb_drawn", q=q.label, n=len(plan.rows), b=plan.batch_id))


with tab_plan:
    if not plan_rows:
        st.info(f"{v.tr('cb_no_plan', q=q.label)} {v.tr('cb_no_plan_how', q=q.label)}")
        if can_write:
            draw_form(False)
    else:
        st.subheader(v.tr("cb_progress"))
        widgets.table(st, [{t("agent", v.lang): p.agent, t("team", v.lang): p.team, v.tr("cb_planned"): p.planned,
                            v.tr("cb_due_now"): p.due, v.tr("cb_made"): p.made, v.tr("cb_reached"): p.reached,
                            v.tr("cb_satisfied_n"): p.satisfied,
                            v.tr("cb_progress_pct"): f"{p.made / p.planned:.0%}" if p.planned else "–",
                            v.tr("cb_needs_second"): p.needs_second, v.tr("cb_seconds_made"): p.seconds_made,
                            v.tr("cb_seconds_overdue"): p.seconds_overdue}
                           for p in v.cached(progress.progress, q.label)], key="cb_progress_table")
        st.subheader(v.tr("cb_plan_list"))
        widgets.table(st, [{v.tr("import_f_callback_id"): r.callback_id, v.tr("import_f_planned_for"): r.planned_for,
                            t("agent", v.lang): r.agent, **customer(r.customer_id, r.customer_name, r.customer_phone),
                            v.tr("cb_status"): v.tr("cb_status_made" if r.called else "cb_status_open")}
                           for r in plan_rows], key="cb_plan_table")
        if not unmask:
            st.caption(v.tr("cb_masked_note"))
        d1, d2 = st.columns(2)
        d1.download_button(v.tr("cb_download_csv"), lambda: sheets.plan_export(plan_rows, "csv", v.lang, v.role),
                           f"callbacks_{q.label}.csv", "text/csv", key="cb_download_csv")
        d2.download_button(v.tr("cb_download_xlsx"), lambda: sheets.plan_export(plan_rows, "xlsx", v.lang, v.role),
                           f"callbacks_{q.label}.xlsx", key="cb_download_xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        if unmask:
            c1, c2 = st.columns([1, 3])
            fmt = c1.selectbox(v.tr("cb_caller_format"), sheets.FORMATS, key="cb_caller_format")
            if c2.button(v.tr("cb_caller_export"), key="cb_caller_export", icon=":material/contact_phone:"):
                with widgets.reported():
                    with v.writing() as store:
                        st.session_state["cb_caller_file"] = (q.label, fmt, sheets.caller_export(
                            store, q.label, fmt, v.lang, v.role, v.user or None))
            ready = st.session_state.get("cb_caller_file")
            if ready and ready[0] == q.label:
                st.success(v.tr("cb_caller_ready"))
                st.download_button(v.tr("cb_caller_download"), ready[2], f"callers_{q.label}.{ready[1]}",
                                   key="cb_caller_download")
        if can_write:
            with st.expander(v.tr("cb_redraw_open")):
                draw_form(True)


def answer_form(prefix: str, choices: dict[str, str]) -> dict[str, object] | None:
    """The result form (the call, its result and the four answers) over `choices`; the entry when submitted."""
    with st.form(f"{prefix}_form", border=True):
        picked = st.selectbox(v.tr("cb_pick"), list(choices), format_func=choices.get, key=f"{prefix}_pick")
        c1, c2, c3 = st.columns(3)
        day = c1.date_input(v.tr("cb_called_day"), value=moment.date() if moment else None, key=f"{prefix}_day")
        at = c2.time_input(v.tr("cb_called_time"), value=time(10, 0), key=f"{prefix}_time")
        result = c3.selectbox(v.tr("cb_result"), CALLBACK_RESULTS, key=f"{prefix}_result",
                              format_func=lambda r: v.tr(f"result_{r}"))
        answers = [None, True, False]
        satisfied = st.radio(v.tr("cb_q_satisfied"), answers, format_func=yes_no, horizontal=True,
                             key=f"{prefix}_satisfied")
        suggestion = st.text_input(v.tr("cb_q_suggestion"), key=f"{prefix}_suggestion")
        attitude = st.radio(v.tr("cb_q_attitude"), answers, format_func=yes_no, horizontal=True,
                            key=f"{prefix}_attitude")
        issue = st.text_input(v.tr("cb_q_open_issue"), key=f"{prefix}_issue")
        if not st.form_submit_button(v.tr("cb_save"), type="primary", key=f"{prefix}_save"):
            return None
    return {"callback_id": picked, "called_at": datetime.combine(day, at) if day else None, "result": result,
            "satisfied": satisfied, "suggestion": suggestion, "attitude_ok": attitude, "open_issue": issue}


def save(fn, entry: dict[str, object]) -> None:
    """Write an entry through the one door for page writes; flash what was saved, or show the error."""
    cid = str(entry.pop("callback_id"))
    with widgets.reported():
        with v.writing() as store:
            row = fn(store, cid, entry, role=v.role, user=v.user or None)
        flash(v.tr("cb_saved", id=row["callback_id"]))


with tab_results:
    open_rows = {r.callback_id: f"{r.callback_id} · {r.agent or '–'} · "
                                f"{r.customer_id if unmask else mask_id(r.customer_id)} · {r.planned_for}"
                 for r in plan_rows if not r.called}
    if can_write:
        st.subheader(v.tr("cb_entry"))
        if open_rows:
            entry = answer_form("cb_entry", open_rows)
            if entry:
                save(results.record_result, entry)
        else:
            st.info(v.tr("cb_entry_none"))
    st.subheader(v.tr("cb_answers"))
    search = st.text_input(v.tr("cb_search"), key="cb_search", help=v.tr("cb_search_help"))
    found = v.cached(results.answers, qf, search, unmask).to_pylist()
    if not found:
        st.info(v.tr("cb_no_match" if search.strip() else "cb_no_answers"))
    else:
        widgets.table(st, [{v.tr("import_f_callback_id"): a["callback_id"] if not a["follow_up_of"] else
                            f"{a['callback_id']} ({v.tr('cb_second_of', id=a['follow_up_of'])})",
                            v.tr("cb_called_time"): fmt_datetime(a["called_at"], v.lang),
                            t("agent", v.lang): a["agent"],
                            t("import_f_customer_name", v.lang): a["customer_name"],
                            v.tr("cb_result"): v.tr(f"result_{a['result']}") if a["result"] else None,
                            v.tr("cb_q_satisfied"): yes_no(a["satisfied"]) if a["result"] == "reached" else None,
                            v.tr("cb_q_suggestion"): a["suggestion"],
                            v.tr("cb_q_attitude"): yes_no(a["attitude_ok"]) if a["result"] == "reached" else None,
                            v.tr("cb_q_open_issue"): a["open_issue"]} for a in found], key="cb_answers_table")
    st.subheader(v.tr("cb_open_issues"))
    issues = [a for a in found if a["issue_open"]]
    if not issues:
        st.caption(v.tr("cb_no_open_issues"))
    else:
        labels = {a["callback_id"]: f"{a['callback_id']} · {a['agent'] or '–'} · {a['open_issue']}" for a in issues}
        chosen = st.selectbox(v.tr("cb_open_issues"), list(labels), format_func=labels.get, key="cb_issue_pick")
        if v.may("action") and st.button(v.tr("cb_start_action"), key="cb_start_action", icon=":material/add_task:"):
            issue = next(a for a in issues if a["callback_id"] == chosen)
            # The title carries the issue as this role sees it: an action is read by every role.
            with widgets.reported():
                with v.writing() as store:
                    made = actions.create(store, {"title": v.tr("cb_action_title", issue=issue["open_issue"],
                                                                id=chosen),
                                                  "indicator": "callback_satisfaction_rate",
                                                  "scope": f"agent={issue['agent']}" if issue["agent"] else None,
                                                  "start_date": moment.date() if moment else None},
                                          role=v.role, user=v.user or None)
                flash(v.tr("cb_action_made", id=made["action_id"]))

with tab_second:
    due = v.cached(results.due, unmask)
    st.subheader(v.tr("cb_due_list"))
    if not due:
        st.info(v.tr("cb_due_none"))
    else:
        st.caption(v.tr("cb_due_counts", due=len(due), overdue=sum(d.overdue for d in due)))
        widgets.table(st, [{v.tr("cb_status"): v.tr("cb_overdue" if d.overdue else "cb_due"),
                            v.tr("cb_due_by"): fmt_datetime(d.due_by, v.lang),
                            v.tr("import_f_callback_id"): d.callback_id, t("agent", v.lang): d.agent,
                            **customer(d.customer_id, d.customer_name, d.customer_phone),
                            v.tr("cb_reasons"): "、".join(v.tr(f"cb_reason_{r}") for r in d.reasons),
                            v.tr("cb_q_open_issue"): d.open_issue} for d in due], key="cb_due_table")
        if can_write:
            st.subheader(v.tr("cb_second_entry"))
            entry = answer_form("cb_second", {d.callback_id: f"{d.callback_id} · {d.agent or '–'} · {d.customer_id}"
                                              for d in due})
            if entry:
                save(results.record_second, entry)

with tab_figures:
    for by, title in (("agent", "cb_by_agent"), ("team", "cb_by_team")):
        st.subheader(v.tr(title))
        widgets.table(st, [{t(by, v.lang): r.group(by), **{indicator_name(k, v.lang): fv(k, r.value(k))
                                                            for k in CALLBACK_KEYS},
                            **{f"n · {indicator_name(k, v.lang)}": r.n(k) for k in CALLBACK_KEYS}}
                           for r in v.kpis(qf, (by,), CALLBACK_KEYS)], key=f"cb_by_{by}")
    st.subheader(v.tr("cb_trend"))
    shown = [q]
    while len(shown) < 8:
        shown.insert(0, shown[0].previous())
    trend = [(p, v.kpis(replace(qf, period_from=p.months[0], period_to=p.months[1]), (), CALLBACK_KEYS)[0])
             for p in shown]
    st.plotly_chart(charts.trend_figure(
        [p.label for p in shown], {indicator_name(k, v.lang): [r.value(k) for _p, r in trend] for k in CALLBACK_KEYS},
        {indicator_name(k, v.lang): targets[k].target if k in targets else None for k in CALLBACK_KEYS},
        v.tr("cb_trend")), key="cb_trend_chart")
    widgets.table(st, [{v.tr("cb_quarter"): p.label, **{indicator_name(k, v.lang): fv(k, r.value(k))
                                                        for k in CALLBACK_KEYS},
                        v.tr("cb_n"): " / ".join(str(r.n(k)) for k in CALLBACK_KEYS)} for p, r in trend],
                  key="cb_trend_table")
