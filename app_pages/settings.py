"""Settings (/settings): targets, SLA rules with a match preview, scoring weights, timezone, reset to defaults."""
import streamlit as st

from csq.configuration import editing as configuration
from csq.core import roles
from csq.core.i18n import fmt_number, value_label
from csq.core.kinds import CHANNELS, PRIORITIES, TYPES
from csq.dashboard import state, widgets
from csq.evaluation import scorecard
from csq.metrics.display import indicator_name
from csq.store import settings

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
            configuration.save_targets(v.store, edited, role=v.role, user=user, lang=v.lang)
            saved("settings_targets_saved")
    if c2.button(v.tr("settings_reset_targets"), key="settings_reset_targets", disabled=not may_targets,
                 icon=":material/restart_alt:"):
        configuration.reset_targets(v.store, role=v.role, user=user)
        saved("settings_targets_reset")


def rules_section(ver: int) -> None:
    """Edit the SLA rule table, validate it, and preview how many tickets each rule matches."""
    st.subheader(v.tr("settings_sla"))
    st.caption(v.tr("settings_sla_help"))
    if not may_settings:
        st.info(v.tr("settings_admin_only"))
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
            "resolution_min": st.column_config.NumberColumn(v.tr("settings_res_limit"), min_value=0.0)})
    with widgets.reported():
        rules = configuration.rules_from_rows(edited)
        if rules != settings.sla_rules(v.store):
            st.warning(v.tr("settings_rules_unsaved"), icon=":material/edit_note:")
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
                configuration.save_sla_rules(v.store, edited, role=v.role, user=user)
                saved("settings_rules_saved")


def scoring_section(ver: int) -> None:
    """Edit the scorecard component weights and grade bands."""
    st.subheader(v.tr("settings_scoring"))
    st.caption(v.tr("settings_scoring_help"))
    w = scorecard.weights(v.store)
    bands = scorecard.grade_bands(v.store)
    cols = st.columns(3)
    new_w = {k: cols[i % 3].number_input(indicator_name(k, v.lang), min_value=0.0, value=float(w[k]), step=5.0,
                                         key=f"settings_w_{k}_{ver}", disabled=not may_settings)
             for i, k in enumerate(scorecard.COMPONENTS)}
    cols = st.columns(3)
    new_b = {k: cols[i].number_input(v.tr(f"settings_band_{k}"), min_value=0.0, max_value=100.0, value=float(bands[k]),
                                     step=5.0, key=f"settings_b_{k}_{ver}", disabled=not may_settings)
             for i, k in enumerate(scorecard.DEFAULT_BANDS)}
    if st.button(v.tr("settings_save_scoring"), key="settings_save_scoring", type="primary", disabled=not may_settings,
                 icon=":material/save:"):
        with widgets.reported():
            configuration.save_scoring(v.store, new_w, new_b, role=v.role, user=user)
            saved("settings_scoring_saved")


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
            configuration.save_timezone(v.store, str(tz), role=v.role, user=user)
            saved("settings_timezone_saved")


def reset_section() -> None:
    """Restore every SPEC §4 default after a confirmation."""
    st.subheader(v.tr("settings_reset"))
    st.caption(v.tr("settings_reset_help"))
    sure = st.checkbox(v.tr("settings_reset_confirm"), key="settings_reset_confirm", disabled=not may_settings)
    if st.button(v.tr("settings_reset_all"), key="settings_reset_all", disabled=not (may_settings and sure),
                 icon=":material/restart_alt:"):
        configuration.reset_all(v.store, role=v.role, user=user)
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
scoring_section(version)
st.divider()
timezone_section(version)
st.divider()
reset_section()
