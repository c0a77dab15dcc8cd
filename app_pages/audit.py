"""Audit log (/audit, admin): who did what and when, with filters and CSV export; retention purges."""
from datetime import date, datetime, timedelta

import streamlit as st

from csq.core import exports
from csq.dashboard import state, widgets
from csq.store import audit, retention
from csq.store.batches import list_batches
from csq.store.settings import get_setting

v = state.view("audit")
tz = str(get_setting(v.store, "timezone") or "Asia/Shanghai")
today = audit.to_center_time(datetime.now(), tz).date()
st.title(v.tr("audit"))
st.caption(v.tr("audit_intro"))

users, actions = audit.choices(v.store)
c1, c2, c3, c4 = st.columns(4)
since = c1.date_input(v.tr("audit_since"), value=today - timedelta(days=90), key="audit_since")
until = c2.date_input(v.tr("audit_until"), value=today, key="audit_until")
user = c3.selectbox(v.tr("audit_user"), [""] + users, key="audit_user", format_func=lambda u: u or v.tr("all"))
action = c4.selectbox(v.tr("audit_action"), [""] + actions, key="audit_action",
                      format_func=lambda a: audit.action_label(a, v.lang) if a else v.tr("all"))
log = audit.entries(v.store, since, until, user or None, action or None, tz=tz, sources=True)
if log.num_rows == 0:
    st.info(v.tr("audit_empty"))
else:
    st.caption(v.tr("audit_shown", n=f"{log.num_rows:,}") + " · " + v.tr("audit_tz_note", tz=tz))
    shown = audit.readable(log, v.lang, tz)  # names the identity provider did not verify are marked unverified
    if audit.any_unverified(log):
        st.caption(v.tr("audit_unverified_note"))
    widgets.table(st, shown, key="audit_table", column_config={
        audit.time_header(v.lang, tz): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")})
    d1, d2 = st.columns(2)
    d1.download_button(v.tr("audit_download"), exports.to_csv_bytes(shown), file_name="csq_audit_log.csv",
                       mime="text/csv", key="audit_csv", icon=":material/download:")
    d2.download_button(v.tr("audit_download_raw"), exports.to_csv_bytes(log), file_name="csq_audit_log_raw.csv",
                       mime="text/csv", key="audit_csv_raw", icon=":material/data_object:",
                       help=v.tr("export_csv_raw_help"))

st.subheader(v.tr("retention"))
st.warning(v.tr("retention_intro"))
cutoff = st.date_input(v.tr("purge_before"), value=date.today() - timedelta(days=3 * 365), key="purge_date")
counts = {k: n for k, n in retention.purge_preview(v.store, cutoff).items() if n}
if not counts:
    st.caption(v.tr("purge_nothing"))
else:
    what = ", ".join(f"{audit.key_label(k, v.lang)} {n:,}" for k, n in counts.items())
    st.markdown(v.tr("purge_preview", what=what))
    sure = st.checkbox(v.tr("purge_confirm"), key="purge_sure")
    if st.button(v.tr("purge_button"), key="purge_go", type="primary", disabled=not sure):
        with widgets.reported():
            with v.writing() as store:
                removed = retention.purge_before(store, cutoff, v.role, v.user)
            state.data_changed()
            st.success(v.tr("purge_done", what=", ".join(f"{audit.key_label(k, v.lang)} {n:,}"
                                                         for k, n in removed.items() if n)))

with_raw = [b for b in list_batches(v.store) if b.raw_path]
st.markdown(f"**{v.tr('purge_raw')}**")
if not with_raw:
    st.caption(v.tr("purge_raw_none"))
else:
    names = {b.batch_id: f"#{b.batch_id} · {audit.key_label(b.kind, v.lang)} · {b.source}" for b in with_raw}
    batch = st.selectbox(v.tr("purge_raw_batch"), list(names), key="purge_raw_batch", format_func=names.get)
    if st.button(v.tr("purge_raw_button"), key="purge_raw_go"):
        with widgets.reported():
            with v.writing() as store:
                done = retention.purge_raw_file(store, int(batch), v.role, v.user)
            st.success(v.tr("purge_raw_done", path=done["path"], bytes=f"{done['bytes']:,}"))
