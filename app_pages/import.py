"""Import (/import): upload, check the mapping and the report, commit or cancel; batch history; presets."""
from dataclasses import replace

import pyarrow as pa
import streamlit as st

from csq.core import roles
from csq.core.i18n import fmt_datetime, fmt_number, t
from csq.core.kinds import KINDS
from csq.dashboard import state, widgets
from csq.ingest import history
from csq.ingest import inspection as preview
from csq.ingest.mapping import Mapping

v = state.view("import")
unmask = roles.may(v.role, "unmask")  # an analyst sees customers' data masked, even in their own file
CACHE = "import_cache"
FINISHED = "import_finished"
STAGES = {"staged": 0.4, "inserted": 0.8, "before_commit": 0.95}


def kind_label(kind: str) -> str:
    """Return a record kind's name in the page's language."""
    return v.tr(f"import_kind_{kind}")


def preset_option(name: str, m: Mapping) -> str:
    """Return a preset as a choice: a built-in one's title with the name --preset takes, a saved one's name."""
    title = preview.preset_title(name, m, v.lang)
    return name if title == name else v.tr("import_preset_option", title=title, name=name)


def field_label(name: str) -> str:
    """Return a canonical field's label, with its key when translated."""
    label = t(f"import_f_{name}", v.lang)
    return name if label == f"import_f_{name}" else f"{label} ({name})"


def inspected(name: str, data: bytes, fid: str, kind: str, m: Mapping) -> preview.Inspection:
    """Return the file checked against the mapping, cached per file, mapping and store version."""
    key = (fid, kind, preview.mapping_json(m), v.store.data_version())
    cache = st.session_state.setdefault(CACHE, {})
    if key not in cache:
        with st.status(v.tr("import_checking", name=name), expanded=False) as status:
            bar = st.progress(0.0)

            def step(fraction: float, label: str) -> None:
                bar.progress(fraction, text=v.tr(label))

            cache[key] = preview.inspect(v.store, data, name, kind, m, on_step=step)
            status.update(label=v.tr("import_checked", name=name), state="complete")
        for old in [k for k in cache if k[0] == fid and k != key][:-3]:
            cache.pop(old)  # keep a few recent mappings per file, not every edit
    return cache[key]


def finish(fid: str, message: tuple[str, str]) -> None:
    """Mark a file as done (committed or cancelled), keep the message for the next run, and rerun."""
    st.session_state.setdefault(FINISHED, set()).add(fid)
    st.session_state.setdefault("import_messages", []).append(message)
    st.session_state[CACHE] = {k: i for k, i in st.session_state.get(CACHE, {}).items() if k[0] != fid}
    state.data_changed()
    st.rerun()


def show_refusal(insp: preview.Inspection) -> None:
    """Say why the file was refused as a whole and that nothing was written."""
    exc = insp.refusal
    if exc is not None:
        widgets.show_error(exc)
    st.caption(v.tr("import_nothing_written"))


CONST = "\x00const"


def mapping_editor(insp: preview.Inspection, key: str) -> list[dict[str, object]]:
    """Render one source-column picker per canonical field (or a constant); return the chosen rows."""
    headers = list(insp.source.headers) if insp.source is not None else []
    options = ["", *headers, CONST]
    labels = {"": v.tr("import_not_mapped"), CONST: v.tr("import_use_constant")}
    out = []
    for i, r in enumerate(preview.field_rows(insp, unmask)):
        fname = str(r["field"])
        default = CONST if r.get("constant") else (r.get("column") or "")
        if i % 2 == 0:
            grid = st.columns(2)  # a row per pair: on a phone the columns stack and keep the field order
        with grid[i % 2]:
            label = field_label(fname) + (" *" if r["required"] else "")
            picked = st.selectbox(label, options, index=options.index(default) if default in options else 0,
                                  key=f"{key}_{fname}", format_func=lambda h: labels.get(h, h),
                                  help=v.tr("import_sample", value=r["sample"]) if r["sample"] else None)
            const = None
            if picked == CONST:
                const = st.text_input(v.tr("import_constant_for", field=fname), value=str(r.get("constant") or ""),
                                      key=f"{key}_{fname}_const")
        out.append({"field": fname, "required": r["required"], "column": None if picked in ("", CONST) else picked,
                    "constant": const})
    return out


def value_editors(insp: preview.Inspection, fields: list[dict[str, object]], key: str) -> list[dict[str, object]]:
    """Render one source value → canonical value table per enum field; return all edited rows."""
    columns = {str(r["field"]): str(r["column"]) for r in fields if r.get("column")}
    constants = {str(r["field"]): str(r["constant"]) for r in fields if r.get("constant")}
    rows = preview.value_rows(insp, columns, constants)
    out: list[dict[str, object]] = []
    names = list(dict.fromkeys(str(r["field"]) for r in rows))
    if not names:
        return out
    with st.expander(v.tr("import_values"), expanded=False):
        st.caption(v.tr("import_values_help"))
        for fname in names:
            part = [r for r in rows if r["field"] == fname]
            opts = preview.choices(insp.kind, fname)
            table = pa.Table.from_pylist(part, schema=pa.schema([
                ("field", pa.string()), ("value", pa.string()), ("rows", pa.int64()), ("canonical", pa.string())]))
            st.markdown(f"**{field_label(fname)}** ← {columns[fname]}")
            edited = st.data_editor(
                table, key=f"{key}_{fname}_{columns[fname]}", hide_index=True, width="stretch", placeholder="",
                disabled=["field", "value", "rows"], column_order=["value", "rows", "canonical"],
                column_config={
                    "value": st.column_config.TextColumn(v.tr("import_col_value")),
                    "rows": st.column_config.NumberColumn(v.tr("import_col_rows")),
                    "canonical": st.column_config.SelectboxColumn(
                        v.tr("import_col_canonical"), options=opts,
                        format_func=lambda x, f=fname: ui_value(insp.kind, f, x))})
            out.extend(edited.to_pylist())
    return out


def ui_value(kind: str, fname: str, value: object) -> str:
    """Return a canonical value with its label (phone · 电话), labelled by the field's vocabulary."""
    from csq.core.i18n import value_label

    label = value_label(KINDS[kind].field(fname).values_key, value, v.lang)
    return str(value) if label == str(value) else f"{value} · {label}"


def report_section(insp: preview.Inspection) -> None:
    """Render the validation report: counts, unknown values, rejected rows with a CSV download."""
    r = preview.report(insp)
    st.markdown(f"**{v.tr('import_report')}**")
    keys = ("rows_read", "rows_to_load", "rows_new", "rows_to_replace", "rows_collapsed", "rows_rejected")
    cols = st.columns(len(keys))
    for col, key in zip(cols, keys):
        col.metric(v.tr(f"import_{key}"), fmt_number(r[key], v.lang))
    unknown = preview.unknown_rows(insp)
    if unknown:
        st.warning(v.tr("import_unknown", n=fmt_number(sum(int(u["rows"]) for u in unknown), v.lang)))
        widgets.table(st, [{v.tr("import_col_field"): field_label(str(u["field"])),
                            v.tr("import_col_value"): u["value"], v.tr("import_col_rows"): u["rows"],
                            v.tr("import_col_becomes"): u["becomes"]} for u in unknown],
                      key=f"unknown_{insp.file_hash[:12]}")
    if r["rows_rejected"]:
        st.error(v.tr("import_rejected_summary", rows=fmt_number(r["rows_rejected"], v.lang),
                      problems=fmt_number(r["problems"], v.lang)))
        problems = [{v.tr("import_col_row"): e["row"], v.tr("import_col_column"): e["column"],
                     v.tr("import_col_reason"): e["message"]} for e in preview.error_rows(insp)]
        widgets.table(st, problems, height=min(240, 35 * (len(problems) + 1) + 3), key=f"errors_{insp.file_hash[:12]}")
        shown, raw = preview.rejected_downloads(insp, v.lang, unmask)
        d1, d2 = st.columns(2)
        d1.download_button(v.tr("import_download_rejected"), shown.data, file_name=shown.file_name, mime=shown.mime,
                           key=f"import_rejected_{insp.file_hash[:12]}", icon=":material/download:")
        d2.download_button(v.tr("import_download_rejected_raw"), raw.data, file_name=raw.file_name, mime=raw.mime,
                           key=f"import_rejected_raw_{insp.file_hash[:12]}", icon=":material/data_object:",
                           help=v.tr("export_csv_raw_help"))
    elif insp.prepared is not None:
        st.success(v.tr("import_all_good"))


def do_commit(insp: preview.Inspection, data: bytes, fid: str, skip: bool) -> None:
    """Commit the file with a progress bar; report the outcome."""
    bar = st.progress(0.0, text=v.tr("import_stage_start"))
    with widgets.reported():
        with v.writing() as store:
            res = preview.commit(store, insp, data, role=v.role, skip_bad_rows=skip, user=v.user or None,
                                 on_stage=lambda s: bar.progress(STAGES.get(s, 0.5), text=v.tr(f"import_stage_{s}")))
        if res.status == "committed":
            finish(fid, ("success", v.tr("import_committed", file=res.file, n=fmt_number(res.rows_loaded, v.lang),
                                         batch=res.batch_id, replaced=fmt_number(res.rows_replaced, v.lang))))
        elif res.status == "duplicate":
            st.warning(v.tr("import_duplicate", file=res.file, batch=res.batch_id))
        else:
            st.error(f"{res.message}\n\n{res.fix}")


def actions_section(insp: preview.Inspection, data: bytes, fid: str) -> None:
    """Render commit, commit-skipping-bad-rows and cancel."""
    r = preview.report(insp)
    may = roles.may(v.role, "import")
    c1, c2, c3 = st.columns(3)
    bad = bool(r.get("rows_rejected"))
    if c1.button(v.tr("import_commit"), key=f"import_commit_{fid}", type="primary", disabled=bad or not may,
                 icon=":material/check:", width="stretch"):
        do_commit(insp, data, fid, skip=False)
    if bad and c2.button(v.tr("import_commit_skip", n=fmt_number(r["rows_to_load"], v.lang)),
                         key=f"import_commit_skip_{fid}", disabled=not may or not r["rows_to_load"],
                         icon=":material/playlist_remove:", width="stretch"):
        do_commit(insp, data, fid, skip=True)
    if c3.button(v.tr("import_cancel"), key=f"import_cancel_{fid}", icon=":material/close:", width="stretch"):
        finish(fid, ("info", v.tr("import_cancelled", file=insp.name)))


def preset_section(m: Mapping, fid: str) -> None:
    """Show the mapping as JSON, let it be downloaded, and saved as a named preset."""
    with st.expander(v.tr("import_mapping_json"), expanded=False):
        st.code(preview.mapping_json(m), language="json")
        st.download_button(v.tr("import_download_mapping"), preview.mapping_json(m).encode("utf-8"),
                           file_name="mapping.json", mime="application/json", key=f"import_map_dl_{fid}")
    if not roles.may(v.role, "preset"):
        return
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    name = c1.text_input(v.tr("import_preset_name"), key=f"import_preset_name_{fid}",
                         placeholder=v.tr("import_preset_placeholder"))
    if c2.button(v.tr("import_save_preset"), key=f"import_save_preset_{fid}", width="stretch",
                 icon=":material/bookmark_add:"):
        with widgets.reported():
            with v.writing() as store:
                preview.save_preset(store, name, m, role=v.role, user=v.user or None)
            st.success(v.tr("import_preset_saved", name=name.strip()))


def file_section(name: str, data: bytes) -> None:
    """Render one uploaded file: kind, preset, mapping next to a preview, the report and the actions."""
    fid = preview.file_hash(data)[:12]
    st.subheader(name)
    size = f"{len(data) / 1e6:,.1f} MB" if len(data) >= 100_000 else f"{max(len(data) / 1e3, 0.1):,.1f} KB"
    st.caption(v.tr("import_size", size=size))
    detected = st.session_state.setdefault(f"import_detected_{fid}", preview.detect_kind(data, name))
    kinds = list(KINDS)
    c1, c2 = st.columns(2)
    kind = c1.selectbox(v.tr("import_kind"), kinds, index=kinds.index(detected), key=f"import_kind_{fid}",
                        format_func=kind_label, help=v.tr("import_kind_help", kind=kind_label(detected)))
    presets = preview.presets_for(v.store, kind)
    preset = c2.selectbox(v.tr("import_preset"), [""] + sorted(presets), key=f"import_preset_{fid}_{kind}",
                          format_func=lambda n: preset_option(n, presets[n]) if n else v.tr("import_no_preset"))
    opts = f"{fid}_{kind}_{preset}"
    base = replace(presets[preset] if preset else Mapping(), kind=kind)
    sheet = st.session_state.get(f"import_sheet_{opts}")
    header_row = st.session_state.get(f"import_header_{opts}") or None
    base = replace(base, sheet=sheet or base.sheet, header_row=int(header_row) if header_row else base.header_row)
    base_insp = inspected(name, data, fid, kind, base)
    if base_insp.duplicate_of is not None:
        st.warning(v.tr("import_duplicate", file=name, batch=base_insp.duplicate_of))
        if st.button(v.tr("import_dismiss"), key=f"import_dismiss_{fid}"):
            finish(fid, ("info", v.tr("import_cancelled", file=name)))
        return
    if base_insp.source is None:
        show_refusal(base_insp)
        return
    src = base_insp.source
    with st.expander(v.tr("import_reading"), expanded=False):
        st.caption(v.tr("import_read_as", fmt=src.file_format, enc=src.encoding or "–", header=src.header_row,
                        totals=src.skipped_totals))
        r1, r2, r3, r4 = st.columns(4)
        if src.sheets:
            r1.selectbox(v.tr("import_sheet"), src.sheets, index=src.sheets.index(src.sheet) if src.sheet in src.sheets
                         else 0, key=f"import_sheet_{opts}")
        r2.number_input(v.tr("import_header_row"), min_value=0, max_value=30, value=0, step=1,
                        key=f"import_header_{opts}", help=v.tr("import_header_row_help"))
        dayfirst = r3.selectbox(v.tr("import_dayfirst"), ["auto", "yes", "no"], key=f"import_dayfirst_{opts}",
                                index=["auto", "yes", "no"].index({None: "auto", True: "yes", False: "no"}[base.dayfirst]),
                                format_func=lambda x: v.tr(f"import_dayfirst_{x}"))
        dt_format = r4.text_input(v.tr("import_datetime_format"), value=base.datetime_format or "",
                                  key=f"import_dtfmt_{opts}", placeholder="%m/%d/%Y %H:%M")
    editor_key = f"import_cols_{opts}_{src.sheet}_{src.header_row}"
    left, right = st.columns([3, 2])
    with left:
        st.markdown(f"**{v.tr('import_mapping')}**")
        st.caption(v.tr("import_mapping_help"))
        fields = mapping_editor(base_insp, editor_key)
    with right:
        st.markdown(f"**{v.tr('import_preview', n=min(50, src.num_rows))}**")
        # As tall as the rows need, up to 13 rows: a short file gets no block of empty grid.
        widgets.table(st, preview.preview_rows(src, 50, preview.personal_columns(base_insp), unmask),
                      height=min(460, 35 * (min(50, src.num_rows) + 1) + 3), key=f"import_preview_{fid}")
    values = value_editors(base_insp, fields, f"import_vals_{opts}")
    options = {"dayfirst": {"auto": None, "yes": True, "no": False}[dayfirst], "datetime_format": dt_format.strip()}
    with widgets.reported():
        m = preview.build_mapping(base, kind, fields, values, **options)
        untouched = preview.build_mapping(base, kind, preview.field_rows(base_insp),
                                          preview.value_rows(base_insp, base_insp.columns, base.constants),
                                          dayfirst=base.dayfirst, datetime_format=base.datetime_format)
        insp = base_insp if m.to_dict() == untouched.to_dict() else inspected(name, data, fid, kind, m)
        preset_section(m, fid)
        if insp.prepared is None:
            show_refusal(insp)
            if st.button(v.tr("import_cancel"), key=f"import_cancel_refused_{fid}"):
                finish(fid, ("info", v.tr("import_cancelled", file=name)))
            return
        report_section(insp)
        actions_section(insp, data, fid)


def upload_tab() -> None:
    """Render the uploader and one section per file not yet committed or cancelled."""
    nonce = st.session_state.setdefault("import_nonce", 0)
    files = st.file_uploader(v.tr("import_upload"), type=["csv", "txt", "tsv", "xlsx", "xls"],
                             accept_multiple_files=True, key=f"import_files_{nonce}", help=v.tr("import_upload_help"))
    finished: set[str] = st.session_state.setdefault(FINISHED, set())
    pending = []
    for up in files or []:
        data = up.getvalue()
        if preview.file_hash(data)[:12] not in finished:
            pending.append((up.name, data))
    if files and not pending:
        st.session_state["import_nonce"] = nonce + 1  # every file is done: empty the uploader
        st.session_state[FINISHED] = set()
        st.rerun()
    for name, data in pending:
        with st.container(border=True):
            file_section(name, data)


def history_tab() -> None:
    """Render every batch and the rollback with its confirmation and what it restores."""
    rows = history.history_rows(v.store)
    if not rows:
        st.info(v.tr("import_no_batches"))
        return
    shown = [{v.tr("import_h_batch"): r["batch_id"], v.tr("import_h_time"): fmt_datetime(r["created_at"], v.lang),
              v.tr("import_h_user"): r["user"], v.tr("import_h_file"): r["file"],
              v.tr("import_h_kind"): kind_label(str(r["kind"])),
              v.tr("import_h_status"): v.tr(f"import_status_{r['status']}"),
              v.tr("import_rows_read"): r["rows_read"], v.tr("import_h_loaded"): r["rows_loaded"],
              v.tr("import_h_replaced"): r["rows_replaced"], v.tr("import_rows_collapsed"): r["rows_collapsed"],
              v.tr("import_rows_rejected"): r["rows_rejected"]} for r in rows]
    widgets.table(st, shown, key="import_history")  # whole numbers as 1,234 (widgets.table)
    if not roles.may(v.role, "rollback"):
        return
    committed = [r for r in rows if r["status"] == "committed"]
    if not committed:
        return
    st.markdown(f"**{v.tr('import_rollback')}**")
    by_id = {int(r["batch_id"]): r for r in committed}
    pick = st.selectbox(v.tr("import_rollback_pick"), list(by_id), index=None, key="import_rb_pick",
                        placeholder=v.tr("import_rollback_placeholder"),
                        format_func=lambda b: f"#{b} · {kind_label(str(by_id[b]['kind']))} · {by_id[b]['file']}")
    if pick is None:
        return
    plan = history.rollback_plan(v.store, pick)
    if plan.blocked_by:
        st.warning(v.tr("import_rollback_blocked", batch=pick, later=", ".join(f"#{b}" for b in plan.blocked_by)))
        return
    sources = ("、" if v.lang == "zh" else ", ").join(
        v.tr("import_rollback_source", batch=b, n=fmt_number(n, v.lang)) for b, n in plan.restored_from.items())
    removed = fmt_number(plan.rows_removed, v.lang)
    if plan.rows_restored and sources:
        st.info(v.tr("import_rollback_plan", batch=pick, file=plan.source, removed=removed,
                     restored=fmt_number(plan.rows_restored, v.lang), sources=sources))
    else:  # it replaced nothing: no "(from batch –)"
        st.info(v.tr("import_rollback_plan_plain", batch=pick, file=plan.source, removed=removed))
    sure = st.checkbox(v.tr("import_rollback_confirm", batch=pick), key=f"import_rb_confirm_{pick}")
    if st.button(v.tr("import_rollback_go", batch=pick), key="import_rb_go", type="primary", icon=":material/undo:"):
        if not sure:
            st.warning(v.tr("import_rollback_confirm_first"))
            return
        with widgets.reported():
            with v.writing() as store:
                done = history.rollback(store, pick, role=v.role, user=v.user or None)
            st.session_state.setdefault("import_messages", []).append(("success", v.tr(
                "import_rolled_back", batch=pick, removed=fmt_number(done["rows_removed"], v.lang),
                restored=fmt_number(done["rows_restored"], v.lang))))
            st.session_state.pop("import_rb_pick", None)
            state.data_changed()
            st.rerun()


def presets_tab() -> None:
    """Render the saved and built-in presets with their JSON."""
    presets = preview.presets_for(v.store)
    if not presets:
        st.info(v.tr("import_no_presets"))
        return
    widgets.table(st, [{v.tr("import_p_name"): preview.preset_title(n, m, v.lang), v.tr("import_p_key"): n,
                        v.tr("import_h_kind"): kind_label(str(m.kind)) if m.kind else "–",
                        v.tr("import_p_description"): preview.preset_description(m, v.lang)}
                       for n, m in sorted(presets.items())], key="import_presets_table")
    pick = st.selectbox(v.tr("import_p_show"), sorted(presets), index=None, key="import_p_pick",
                        placeholder=v.tr("import_p_placeholder"),
                        format_func=lambda n: preset_option(n, presets[n]))
    if pick:
        st.code(preview.mapping_json(presets[pick]), language="json")


st.title(v.tr("import"))
st.caption(v.tr("import_intro"))
for level, text in st.session_state.get("import_messages", []):
    getattr(st, level)(text)
tab_upload, tab_history, tab_presets = st.tabs([v.tr("import_tab_upload"), v.tr("import_tab_history"),
                                                v.tr("import_tab_presets")],
                                               key="import_tabs", on_change="rerun")
with tab_upload:
    upload_tab()
with tab_history:
    history_tab()
with tab_presets:
    presets_tab()
st.session_state.pop("import_messages", None)  # shown once; a rerun above keeps them for the next run
