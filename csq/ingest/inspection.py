"""The Import page's flow on the CLI's code path: detect the kind, map, report, then commit or cancel."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace

import pyarrow as pa
import pyarrow.compute as pc

from csq.core import exports
from csq.core.i18n import t
from csq.core.kinds import KINDS, match_header
from csq.core.privacy import MASKED_COLUMNS, mask_columns
from csq.core.roles import require
from csq.core.values import bool_value, canonical_value
from csq.errors import InputRefused
from csq.ingest import mapping as mapping_mod
from csq.ingest.importer import (
    ImportResult,
    Prepared,
    check_against_store,
    commit_prepared,
    header_scorer,
    import_permission,
    prepare,
)
from csq.ingest.mapping import Mapping, resolve_columns
from csq.ingest.reader import HeaderScore, SourceTable, is_excel, read_source
from csq.ingest.sandbox import ReadTimedOut
from csq.store import Store
from csq.store.batches import StageHook, find_duplicate
from csq.store.settings import get_setting

StepHook = Callable[[float, str], None]
_DETECT_BYTES = 256 * 1024
_MAX_VALUES = 60  # a column with more distinct values than this is free text, not a value list
_ANY_KIND = HeaderScore(tuple(KINDS))
_DETECTED: dict[tuple[str, str], str] = {}  # (file hash, name) → kind: reading a file costs a child process
_DETECTED_KEEP = 64


def file_hash(data: bytes) -> str:
    """Return the SHA-256 of a file's bytes (the duplicate check's key)."""
    return hashlib.sha256(data).hexdigest()


def detect_kind(data: bytes, name: str) -> str:
    """Return the record kind whose fields the file's headers name best (the file name breaks ties)."""
    key = (file_hash(data), name)
    if key not in _DETECTED:
        if len(_DETECTED) >= _DETECTED_KEEP:
            _DETECTED.pop(next(iter(_DETECTED)))
        _DETECTED[key] = _detect_kind(data, name)
    return _DETECTED[key]


def _detect_kind(data: bytes, name: str) -> str:
    """Return the kind detect_kind returns, reading the file's first rows."""
    sample = data
    if not is_excel(data, name) and len(data) > _DETECT_BYTES:
        cut = data.rfind(b"\n", 0, _DETECT_BYTES)
        sample = data[:cut] if cut > 0 else data[:_DETECT_BYTES]
    try:
        headers = read_source(sample, name, _ANY_KIND, mapped=None).headers
    except InputRefused:
        headers = []
    lowered = name.lower()
    best, best_score = "tickets", -1
    for kname, k in KINDS.items():
        matched = {match_header(k, h) for h in headers} - {None}
        required = [f.name for f in k.fields if f.required]
        # Every matched field counts, required ones twice; a kind named in the file name counts as two more.
        score = len(matched) + sum(f in matched for f in required) + 2 * (kname in lowered)
        if score > best_score:
            best, best_score = kname, score
    return best


@dataclass
class Inspection:
    """One file checked against one mapping: its source table, the prepared rows, or why it was refused."""

    name: str
    kind: str
    mapping: Mapping
    file_hash: str
    source: SourceTable | None = None
    prepared: Prepared | None = None
    refusal: InputRefused | None = None
    duplicate_of: int | None = None

    @property
    def columns(self) -> dict[str, str]:
        """Return field → source header as the importer resolves them (mapping first, then header names)."""
        if self.prepared is not None:
            return dict(self.prepared.columns)
        if self.source is None:
            return {}
        try:
            return resolve_columns(KINDS[self.kind], self.source.headers, self.mapping)
        except InputRefused:
            m = replace(self.mapping, columns={f: h for f, h in self.mapping.columns.items()
                                               if h in self.source.headers})
            return resolve_columns(KINDS[self.kind], self.source.headers, m)


def inspect(store: Store, data: bytes, name: str, kind: str, m: Mapping | None = None,
            on_step: StepHook | None = None) -> Inspection:
    """Return the file read, mapped and validated against the store, exactly as `csq import` would see it."""
    step = on_step or (lambda _f, _label: None)
    m = replace(m or Mapping(), kind=kind)
    digest = file_hash(data)
    insp = Inspection(name, kind, m, digest)
    step(0.1, "import_step_duplicate")
    insp.duplicate_of = find_duplicate(store, kind, digest)
    if insp.duplicate_of is not None:
        return insp  # known content: the CLI reports it without parsing it again
    step(0.3, "import_step_read")
    try:
        p = prepare(data, name, kind, m, center_tz=str(get_setting(store, "timezone")), digest=digest, store=store)
    except InputRefused as exc:
        insp.refusal = exc
        if isinstance(exc, ReadTimedOut):  # reading it again, to show it, would take as long once more
            step(1.0, "import_step_done")
            return insp
        try:
            insp.source = read_source(data, name, header_scorer(KINDS[kind]), encoding=m.encoding, sheet=m.sheet,
                                      header_row=m.header_row, mapped=None)
        except InputRefused:
            insp.source = None  # not a table at all: nothing to map
        step(1.0, "import_step_done")
        return insp
    step(0.8, "import_step_store")
    insp.prepared = check_against_store(store, p)
    insp.source = p.source
    step(1.0, "import_step_done")
    return insp


def report(insp: Inspection) -> dict[str, int]:
    """Return the counts shown before anything is written: read, to load (new + replacing), collapsed, rejected."""
    p = insp.prepared
    if p is None:
        return {}
    return {"rows_read": p.rows_read, "rows_to_load": p.rows_to_load,
            "rows_new": p.rows_to_load - p.rows_replaced, "rows_to_replace": p.rows_replaced,
            "rows_collapsed": p.rows_collapsed, "rows_rejected": p.rows_rejected, "problems": p.error_count}


def unknown_rows(insp: Inspection) -> list[dict[str, object]]:
    """Return each unknown value that becomes the field's default ('other'): field, value, rows."""
    p = insp.prepared
    if p is None:
        return []
    out = []
    for fname, values in p.unknown_values.items():
        f = KINDS[p.kind].field(fname)
        to = "other" if "other" in f.choices else f.default
        out.extend({"field": fname, "value": v, "rows": n, "becomes": to} for v, n in values.items())
    return sorted(out, key=lambda r: (r["field"], -int(r["rows"])))  # type: ignore[arg-type]


def error_rows(insp: Inspection) -> list[dict[str, object]]:
    """Return the validation problems (first 1000): source row, column and reason."""
    p = insp.prepared
    if p is not None:
        return [e.as_dict() for e in p.errors]
    if insp.refusal is not None:
        return [e.as_dict() for e in insp.refusal.errors]
    return []


def personal_columns(insp: Inspection) -> dict[str, str]:
    """Return the source header of each personal field (customer phone, name, id) the mapping reads."""
    return {f: h for f, h in insp.columns.items() if f in MASKED_COLUMNS}


def rejected_table(insp: Inspection, unmask: bool = False) -> pa.Table:
    """Return the rejected source rows (row, the file's columns, reason); personal data masked unless unmask."""
    p = insp.prepared
    table = p.rejected if p is not None else pa.table({"row": pa.array([], pa.int64())})
    return mask_columns(mask_columns(table, personal_columns(insp), unmask), {f: f for f in MASKED_COLUMNS}, unmask)


def rejected_csv(insp: Inspection, unmask: bool = False) -> bytes:
    """Return the rejected rows as the raw CSV export (BOM, formulas defused); personal data masked unless unmask."""
    return exports.to_csv_bytes(rejected_table(insp, unmask))


def rejected_downloads(insp: Inspection, lang: str, unmask: bool = False) -> tuple[exports.Download, exports.Download]:
    """Return the (localised, raw) CSVs of the rejected rows: the file's own columns kept, row and reason named."""
    headers = {"row": t("import_col_row", lang), "reason": t("import_col_reason", lang)}
    stem = f"rejected_{insp.name.rsplit('.', 1)[0]}"
    return exports.csv_downloads(rejected_table(insp, unmask), lang, stem, headers, translate=False)


def preview_rows(source: SourceTable, n: int = 50, personal: dict[str, str] | None = None,
                 unmask: bool = False) -> pa.Table:
    """Return the first n source rows with their row number as in the file; `personal` columns masked unless unmask."""
    head = mask_columns(source.table.slice(0, n), personal or {}, unmask)
    return head.add_column(0, "#", source.rows.slice(0, n))


def field_rows(insp: Inspection, unmask: bool = False) -> list[dict[str, object]]:
    """Return one row per canonical field: required, the source column, the constant, a sample value (masked)."""
    k = KINDS[insp.kind]
    cols = insp.columns
    first = (mask_columns(insp.source.table.slice(0, 1), personal_columns(insp), unmask).to_pylist()
             if insp.source is not None else [])
    out = []
    for f in k.fields:
        header = cols.get(f.name)
        sample = str(first[0].get(header, "")) if first and header else ""
        out.append({"field": f.name, "required": f.required, "column": header,
                    "constant": insp.mapping.constants.get(f.name), "sample": sample})
    return out


def value_fields(kind: str) -> list[str]:
    """Return the fields whose values map to canonical ones (channel, type, priority, …)."""
    return [f.name for f in KINDS[kind].fields if f.type in ("enum", "bool")]


def auto_value(kind: str, fname: str, raw: str) -> str | None:
    """Return the canonical value a raw label maps to without any override (None when unknown)."""
    f = KINDS[kind].field(fname)
    if f.type == "bool":
        b = bool_value(raw)
        return None if b is None else ("true" if b else "false")
    return canonical_value(f, raw)


def value_rows(insp: Inspection, columns: dict[str, str], constants: dict[str, str]) -> list[dict[str, object]]:
    """Return each distinct source value of the mapped enum fields with its rows and canonical value."""
    if insp.source is None:
        return []
    out: list[dict[str, object]] = []
    nulls = set(insp.mapping.nulls())
    for fname in value_fields(insp.kind):
        header = columns.get(fname)
        if header is None or fname in constants or header not in insp.source.headers:
            continue
        counts = pc.value_counts(pc.utf8_trim_whitespace(insp.source.table.column(header))).to_pylist()
        counts = [c for c in counts if c["values"] not in nulls]
        if len(counts) > _MAX_VALUES:
            continue
        overrides = insp.mapping.values.get(fname, {})
        for c in sorted(counts, key=lambda c: -c["counts"]):
            raw = str(c["values"])
            out.append({"field": fname, "value": raw, "rows": int(c["counts"]),
                        "canonical": overrides.get(raw) or auto_value(insp.kind, fname, raw)})
    return out


def choices(kind: str, fname: str) -> list[str]:
    """Return the canonical values a field may take (true/false for a yes/no field)."""
    f = KINDS[kind].field(fname)
    return ["true", "false"] if f.type == "bool" else list(f.choices)


def build_mapping(base: Mapping, kind: str, fields: list[dict[str, object]],
                  values: list[dict[str, object]], **options: object) -> Mapping:
    """Return the mapping the page's choices describe: columns, constants, value overrides and options."""
    columns: dict[str, str] = {}
    constants: dict[str, str] = {}
    for r in fields:
        const = str(r.get("constant") or "").strip()
        if const:
            constants[str(r["field"])] = const
        elif r.get("column"):
            columns[str(r["field"])] = str(r["column"])
    vals: dict[str, dict[str, str]] = {f: dict(t) for f, t in base.values.items() if f not in value_fields(kind)}
    for r in values:
        fname, raw, chosen = str(r["field"]), str(r["value"]), r.get("canonical")
        if chosen and chosen != auto_value(kind, fname, raw):
            vals.setdefault(fname, {})[raw] = str(chosen)
    m = replace(base, kind=kind, columns=columns, constants=constants, values=vals)
    for key, value in options.items():
        setattr(m, key, value if value not in ("", None) else None)
    return mapping_mod.parse_mapping(m.to_dict(), "mapping", kind)


def mapping_json(m: Mapping) -> str:
    """Return a mapping as the JSON file of SPEC §5 (to download or compare)."""
    return json.dumps(m.to_dict(), ensure_ascii=False, indent=2, sort_keys=True)


def commit(store: Store, insp: Inspection, data: bytes, *, role: str, skip_bad_rows: bool = False,
           user: str | None = None, on_stage: StageHook | None = None) -> ImportResult:
    """Write an inspected file as one batch on the CLI's path (duplicates and bad rows are refused there)."""
    require(role, import_permission(insp.kind))  # before saying anything about the file
    if insp.prepared is None:
        raise insp.refusal or InputRefused(f"{insp.name} was not checked.", "Upload it again.")
    p = check_against_store(store, insp.prepared)  # the store may have changed since the report
    return commit_prepared(store, p, data, skip_bad_rows=skip_bad_rows, user=user, on_stage=on_stage, role=role)


def presets_for(store: Store, kind: str | None = None) -> dict[str, Mapping]:
    """Return the saved and built-in presets (of one kind when given), by name."""
    return {n: m for n, m in mapping_mod.list_presets(store).items() if kind is None or m.kind in (None, kind)}


def save_preset(store: Store, name: str, m: Mapping, *, role: str, user: str | None = None) -> None:
    """Save the page's mapping as a named preset (role checked in csq.mapping, audited); it goes by its own name."""
    mapping_mod.save_preset(store, name, replace(m, title=None), user, role=role)


def _in_lang(text: str | dict[str, str] | None, lang: str) -> str:
    """Return a preset text in the language: a {"zh", "en"} object's entry (the other one when missing), or the text."""
    if isinstance(text, dict):
        return text.get(lang) or text.get("en") or text.get("zh") or ""
    return text or ""


def preset_title(name: str, m: Mapping, lang: str) -> str:
    """Return a preset's display name: a built-in preset's title in the language, else the name it was saved under."""
    return _in_lang(m.title, lang) or name


def preset_description(m: Mapping, lang: str) -> str:
    """Return a preset's description in the language ('' when it has none)."""
    return _in_lang(m.description, lang)
