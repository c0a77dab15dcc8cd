"""Settings (/settings): targets, SLA rules with a match preview, business calendars and pause statuses with a
preview of the tickets they move, scoring weights, timezone, reset to defaults."""
import streamlit as st

from csq.configuration import calendars as calendar_edit
from csq.configuration import editing as configuration
from csq.configuration import numbers
from csq.core import roles
from csq.core.i18n import fmt_number, value_label
from csq.core.kinds import CHANNELS, PRIORITIES, TYPES
from csq.dashboard import state, widgets
from csq.evaluation import scorecard
from csq.metrics.display import indicator_name
from csq.metrics.opening_hours import holiday_years
from csq.store import settings
from csq.store.calendars import ALWAYS, WEEKDAYS, WORKDAYS_9_18, Calendar

v = state.view("target")
may_targets = roles.may(v.role, "target")
may_settings = roles.may(v.role, "settings")
user = v.user or None
ROW_PX = 35  # Streamlit's default grid row height


def saved(message_key: str) -> None:
    """Keep a confirmation for the next run, start the editors afresh, and rerun so every figure updates."""
    st.session_state["settings_message"] = v.tr(message_key)
    st.session_state["settings_editor_v"] = st.session_state.get("settings_editor_v", 0) + 1
    st.rerun()


def minutes_text(value: object) -> str:
    """Return a limit in minutes as people read it: 2 min, 1 h, 24 h, or – when not set."""
    if value is None:
        return "–"
    m = float(value)  # type: ignore[arg-type]
    if m >= 60 and m % 60 == 0:
        return v.tr("settings_hours", n=fmt_number(m / 60, v.lang))
    return v.tr("settings_minutes", n=fmt_number(m, v.lang, 0 if m == int(m) else 1))


def unit_text(unit: str) -> str:
    """Return a target's unit as shown: %, or min / h / points in the page's language."""
    return unit if unit == "%" else v.tr(f"settings_unit_{unit}")


def targets_section(ver: int) -> None:
    """Edit target value, direction, warning band and source per indicator."""
    st.subheader(v.tr("settings_targets"))
    st.caption(v.tr("settings_targets_help"))
    rows = configuration.target_rows(v.store, v.lang)
    for r in rows:
        r["name"] = indicator_name(str(r["indicator"]), v.lang)
        r["unit"] = unit_text(str(r["unit"]))
    # Tall enough for every indicator: a scrolled grid hides targets an analyst has to check.
    edited = st.data_editor(
        rows, key=f"settings_targets_{ver}", hide_index=True, width="stretch", disabled=not may_targets or
        ["name", "indicator", "unit"], column_order=["name", "unit", "direction", "target", "warning", "source"],
        height=ROW_PX * (len(rows) + 1) + 3, placeholder="–", alt=v.tr("settings_targets"),
        column_config={
            "name": st.column_config.TextColumn(v.tr("indicator"), width="medium"),
            "unit": st.column_config.TextColumn(v.tr("settings_unit"), width="small"),
            "direction": st.column_config.SelectboxColumn(
                v.tr("settings_direction"), options=["higher", "lower"], required=True,
                format_func=lambda d: v.tr(f"settings_dir_{d}")),
            "target": st.column_config.NumberColumn(v.tr("target"), help=v.tr("settings_target_help")),
            "warning": st.column_config.NumberColumn(v.tr("settings_warning"), min_value=0.0,
                                                     help=v.tr("settings_warning_help")),
            "source": st.column_config.TextColumn(v.tr("settings_source"), width="large",
                                                  help=v.tr("settings_source_help"))})
    c1, c2 = st.columns(2)
    if c1.button(v.tr("settings_save_targets"), key="settings_save_targets", type="primary", disabled=not may_targets,
                 icon=":material/save:"):
        with widgets.reported():
            with v.writing() as store:
                configuration.save_targets(store, edited, role=v.role, user=user, lang=v.lang)
            saved("settings_targets_saved")
    if c2.button(v.tr("settings_reset_targets"), key="settings_reset_targets", disabled=not may_targets,
                 icon=":material/restart_alt:"):
        with v.writing() as store:
            configuration.reset_targets(store, role=v.role, user=user)
        saved("settings_targets_reset")


def rules_section(ver: int) -> None:
    """Edit the SLA rule table, validate it, and preview how many tickets each rule matches."""
    st.subheader(v.tr("settings_sla"))
    st.caption(v.tr("settings_sla_help"))
    if not may_settings:
        st.info(v.tr("settings_admin_only"))
    clock = settings.clock_settings(v.store)
    edited = st.data_editor(
        configuration.rule_rows(v.store), key=f"settings_rules_{ver}", hide_index=True, width="stretch",
        num_rows="dynamic" if may_settings else "fixed", disabled=not may_settings, placeholder="–",
        alt=v.tr("settings_sla"),
        column_config={
            "channel": st.column_config.SelectboxColumn(v.tr("channel"), options=list(CHANNELS),
                                                        format_func=lambda x: value_label("channel", x, v.lang)),
            "type": st.column_config.SelectboxColumn(v.tr("type"), options=list(TYPES),
                                                     format_func=lambda x: value_label("type", x, v.lang)),
            "priority": st.column_config.SelectboxColumn(v.tr("priority"), options=list(PRIORITIES),
                                                         format_func=lambda x: value_label("priority", x, v.lang)),
            "first_response_min": st.column_config.NumberColumn(v.tr("settings_frt_limit"), min_value=0.0),
            "resolution_min": st.column_config.NumberColumn(v.tr("settings_res_limit"), min_value=0.0),
            "calendar": st.column_config.SelectboxColumn(v.tr("settings_calendar"), help=v.tr("settings_calendar_help"),
                                                         options=[ALWAYS, *clock.calendars], default=ALWAYS),
            "pause_first_response": st.column_config.CheckboxColumn(v.tr("settings_pause_frt"), default=False,
                                                                    help=v.tr("settings_pause_frt_help"))})
    with widgets.reported():
        rules = configuration.rules_from_rows(edited, clock.calendars)
        if rules != settings.sla_rules(v.store):
            st.warning(v.tr("settings_rules_unsaved"), icon=":material/edit_note:")
            change = calendar_edit.status_change(
                v.store, calendar_edit.proposed_setup(v.store, clock.calendars, clock.pause_statuses, rules))
            st.markdown(v.tr("settings_rules_change", n=fmt_number(change.changed, v.lang, 0),
                             f=fmt_number(change.by_limit("frt"), v.lang, 0),
                             r=fmt_number(change.by_limit("res"), v.lang, 0)))
        counts = configuration.rule_preview(v.store, rules)
        any_label = v.tr("settings_any")
        st.markdown(f"**{v.tr('settings_preview')}**")
        counted = {k: st.column_config.NumberColumn(v.tr(k), help=v.tr(f"{k}_help"), format="localized")
                   for k in ("settings_matches", "settings_sets_frt", "settings_sets_res")}
        widgets.table(st, [{"#": i + 1, v.tr("channel"): value_label("channel", r.channel, v.lang) if r.channel else any_label,
                       v.tr("type"): value_label("type", r.type, v.lang) if r.type else any_label,
                       v.tr("priority"): value_label("priority", r.priority, v.lang) if r.priority else any_label,
                       v.tr("settings_frt_limit_short"): minutes_text(r.first_response_min),
                       v.tr("settings_res_limit_short"): minutes_text(r.resolution_min),
                       "settings_matches": c["matches"], "settings_sets_frt": c["sets_first_response"],
                       "settings_sets_res": c["sets_resolution"]} for i, (r, c) in enumerate(zip(rules, counts))],
                     hide_index=True, width="stretch", key="settings_rule_preview", column_config=counted)
        if st.button(v.tr("settings_save_rules"), key="settings_save_rules", type="primary", disabled=not may_settings,
                     icon=":material/save:"):
            with widgets.reported():
                with v.writing() as store:
                    configuration.save_sla_rules(store, edited, role=v.role, user=user)
                saved("settings_rules_saved")


def moves_table(change: calendar_edit.StatusChange) -> None:
    """Show how many tickets move from one SLA state to another, per limit."""
    rows = [{v.tr("settings_clock_moves"): f"{v.tr(f'settings_limit_{lim}')}: {v.tr(f'sla_state_{a}')} → "
                                           f"{v.tr(f'sla_state_{b}')}", "n": n}
            for (lim, a, b), n in sorted(change.moves.items(), key=lambda kv: -kv[1])]
    widgets.table(st, rows, hide_index=True, width="stretch", key="settings_clock_moves")


def calendars_section(ver: int) -> None:
    """Edit one business calendar (hours, holidays, own days) and the pause statuses, with a preview."""
    st.subheader(v.tr("settings_calendars"))
    st.caption(v.tr("settings_calendars_help"))
    clock = settings.clock_settings(v.store)
    names = [*clock.calendars, "__new__"]
    pick = st.selectbox(v.tr("settings_cal_pick"), names, key=f"settings_cal_pick_{ver}",
                        format_func=lambda n: v.tr("settings_cal_new") if n == "__new__" else n)
    base = clock.calendars.get(pick) or WORKDAYS_9_18
    name = st.text_input(v.tr("settings_cal_name"), key=f"settings_cal_name_{ver}",
                         disabled=not may_settings) if pick == "__new__" else pick
    rows = st.data_editor(
        calendar_edit.calendar_rows(base), key=f"settings_cal_hours_{ver}_{pick}", hide_index=True, width="stretch",
        disabled=["weekday"] if may_settings else True, alt=v.tr("settings_cal_hours"),
        column_config={"weekday": st.column_config.SelectboxColumn(
                           v.tr("settings_cal_weekday"), options=list(WEEKDAYS), width="small",
                           format_func=lambda d: v.tr(f"settings_wd_{d}")),
                       "hours": st.column_config.TextColumn(v.tr("settings_cal_hours"),
                                                            help=v.tr("settings_cal_hours_help"))})
    first, last = holiday_years()
    holidays = st.checkbox(v.tr("settings_cal_holidays"), value=base.holidays == "cn", disabled=not may_settings,
                           key=f"settings_cal_cn_{ver}_{pick}", help=v.tr("settings_cal_years", a=first, b=last))
    c1, c2 = st.columns(2)
    closed = c1.text_area(v.tr("settings_cal_closed"), calendar_edit.dates_text(base.closed), disabled=not may_settings,
                          key=f"settings_cal_closed_{ver}_{pick}")
    working = c2.text_area(v.tr("settings_cal_working"), calendar_edit.dates_text(base.working),
                           disabled=not may_settings, key=f"settings_cal_working_{ver}_{pick}")
    makeup = st.selectbox(v.tr("settings_cal_makeup"), list(WEEKDAYS), index=WEEKDAYS.index(base.makeup_day),
                          format_func=lambda d: v.tr(f"settings_wd_{d}"), disabled=not may_settings,
                          key=f"settings_cal_makeup_{ver}_{pick}")
    pauses = st.multiselect(v.tr("settings_pause"), ["new", "open", "pending", "on_hold"],
                            default=list(clock.pause_statuses), help=v.tr("settings_pause_help"),
                            format_func=lambda x: value_label("event_status", x, v.lang), disabled=not may_settings,
                            key=f"settings_pause_{ver}")
    edited: dict[str, Calendar] | None = None
    with widgets.reported():
        proposal = dict(clock.calendars)
        if name:
            proposal[name] = calendar_edit.calendar_from_form(name, rows, holidays, closed, working, makeup)
        edited = proposal
        if edited != dict(clock.calendars) or tuple(pauses) != clock.pause_statuses:
            st.warning(v.tr("settings_calendars_unsaved"), icon=":material/edit_note:")
            change = calendar_edit.status_change(v.store, calendar_edit.proposed_setup(v.store, edited, pauses))
            if change.changed:
                st.markdown(v.tr("settings_clock_preview", n=fmt_number(change.changed, v.lang, 0),
                                 t=fmt_number(change.tickets, v.lang, 0), f=fmt_number(change.by_limit("frt"), v.lang, 0),
                                 r=fmt_number(change.by_limit("res"), v.lang, 0)))
                moves_table(change)
            else:
                st.caption(v.tr("settings_clock_unchanged"))
    c1, c2 = st.columns(2)
    # An edit the checks refused keeps its error above and cannot be saved.
    if c1.button(v.tr("settings_save_calendars"), key="settings_save_calendars", type="primary",
                 disabled=not may_settings or edited is None, icon=":material/save:") and edited is not None:
        with widgets.reported():
            with v.writing() as store:
                calendar_edit.save_clock(store, edited, pauses, role=v.role, user=user)
            saved("settings_calendars_saved")
    if pick in clock.calendars and c2.button(v.tr("settings_delete_calendar"), key="settings_delete_calendar",
                                             disabled=not may_settings, icon=":material/delete:"):
        with widgets.reported():
            with v.writing() as store:
                calendar_edit.save_clock(store, {n: c for n, c in clock.calendars.items() if n != pick},
                                         list(clock.pause_statuses), role=v.role, user=user)
            saved("settings_calendar_deleted")


def scoring_section(ver: int) -> None:
    """Edit the scorecard component weights and grade bands."""
    st.subheader(v.tr("settings_scoring"))
    st.caption(v.tr("settings_scoring_help"))
    w = scorecard.weights(v.store)
    bands = scorecard.grade_bands(v.store)
    cols = st.columns(3)
    new_w = {k: cols[i % 3].number_input(scorecard.component_name(k, v.lang), min_value=0.0, value=float(w[k]),
                                         step=5.0, key=f"settings_w_{k}_{ver}", disabled=not may_settings)
             for i, k in enumerate(scorecard.COMPONENTS)}
    cols = st.columns(3)
    new_b = {k: cols[i].number_input(v.tr(f"settings_band_{k}"), min_value=0.0, max_value=100.0, value=float(bands[k]),
                                     step=5.0, key=f"settings_b_{k}_{ver}", disabled=not may_settings)
             for i, k in enumerate(scorecard.DEFAULT_BANDS)}
    if st.button(v.tr("settings_save_scoring"), key="settings_save_scoring", type="primary", disabled=not may_settings,
                 icon=":material/save:"):
        with widgets.reported():
            with v.writing() as store:
                configuration.save_scoring(store, new_w, new_b, role=v.role, user=user)
            saved("settings_scoring_saved")


def numbers_section(ver: int) -> None:
    """Edit the telephony thresholds and the callback and QA-sample numbers; saved together, checked whole."""
    st.subheader(v.tr("settings_numbers"))
    st.caption(v.tr("settings_numbers_help"))
    current = numbers.number_settings(v.store)
    edited: dict[str, object] = {}
    for group in numbers.GROUPS:
        st.markdown(f"**{v.tr(f'settings_num_{group}')}**")
        shown = [n for n in current if n.group == group]
        cols = st.columns(3)  # one row per group, so on a phone the inputs stack in their group's order
        for i, n in enumerate(shown):
            # Whole numbers are edited as ints, so a count is never stored as 5.0; seconds may take a decimal.
            kind = (int, 1, None) if n.whole else (float, 1.0, "%g")  # "%g": 20 s reads 20, not 20.00
            edited[n.key] = cols[i % len(cols)].number_input(
                v.tr(f"settings_num_{n.key}"), min_value=kind[0](n.low), max_value=kind[0](n.high),
                value=kind[0](n.value), step=kind[1], format=kind[2], help=v.tr(f"settings_num_{n.key}_help"),
                key=f"settings_num_{n.key}_{ver}", disabled=not may_settings)
    changed = bool(numbers.changed_numbers(v.store, edited))
    if st.button(v.tr("settings_save_numbers"), key="settings_save_numbers", type="primary",
                 disabled=not (may_settings and changed), icon=":material/save:"):
        with widgets.reported():
            with v.writing() as store:
                numbers.save_numbers(store, edited, role=v.role, user=user)
            saved("settings_numbers_saved")


def timezone_section(ver: int) -> None:
    """Choose the center's timezone (offset timestamps in imports are converted to it)."""
    st.subheader(v.tr("settings_timezone"))
    st.caption(v.tr("settings_timezone_help"))
    zones = configuration.timezones()
    now = str(settings.get_setting(v.store, "timezone"))
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    tz = c1.selectbox(v.tr("settings_timezone"), zones, index=zones.index(now) if now in zones else None,
                      key=f"settings_tz_{ver}", disabled=not may_settings, label_visibility="collapsed")
    if c2.button(v.tr("settings_save_timezone"), key="settings_save_tz", disabled=not may_settings or tz == now,
                 width="stretch"):
        with widgets.reported():
            with v.writing() as store:
                configuration.save_timezone(store, str(tz), role=v.role, user=user)
            saved("settings_timezone_saved")


def reset_section() -> None:
    """Restore every SPEC §4 default after a confirmation."""
    st.subheader(v.tr("settings_reset"))
    st.caption(v.tr("settings_reset_help"))
    sure = st.checkbox(v.tr("settings_reset_confirm"), key="settings_reset_confirm", disabled=not may_settings)
    if st.button(v.tr("settings_reset_all"), key="settings_reset_all", disabled=not (may_settings and sure),
                 icon=":material/restart_alt:"):
        with v.writing() as store:
            configuration.reset_all(store, role=v.role, user=user)
        st.session_state.pop("settings_reset_confirm", None)
        saved("settings_reset_done")


st.title(v.tr("settings"))
st.caption(v.tr("settings_intro"))
if not may_settings:
    st.info(v.tr("settings_manager_note"))
message = st.session_state.pop("settings_message", None)
if message:
    st.success(message)
version = int(st.session_state.get("settings_editor_v", 0))
targets_section(version)
st.divider()
rules_section(version)
st.divider()
calendars_section(version)
st.divider()
scoring_section(version)
st.divider()
numbers_section(version)
st.divider()
timezone_section(version)
st.divider()
reset_section()
