"""Importing export files: read, map, validate, collapse and commit one file as one batch."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from csq.core.kinds import KINDS, Kind
from csq.core.roles import require
from csq.errors import InputRefused, RowError
from csq.ingest.mapping import Mapping, resolve_columns
from csq.ingest.normalise import Normaliser
from csq.ingest.reader import HeaderScore, OnDisk, SourceTable, read_source
from csq.store import Store
from csq.store.batches import StagedRows, StageHook, commit_records, count_replacements, find_duplicate
from csq.store.settings import get_setting


@dataclass
class Prepared:
    """A file read, mapped and validated but not yet written: what the preview and report show."""

    file: str
    kind: str
    mapping: Mapping
    source: SourceTable
    columns: dict[str, str]
    stage: StagedRows
    rejected: pa.Table
    errors: list[RowError]
    error_count: int
    rows_collapsed: int
    unknown_values: dict[str, dict[str, int]]
    file_hash: str
    dayfirst: bool
    rows_replaced: int = 0
    duplicate_of: int | None = None

    @property
    def staged(self) -> pa.Table:
        """Return the rows to load as an Arrow table (built on first use: an import writes them from DuckDB)."""
        return self.stage.arrow()

    @property
    def rows_to_load(self) -> int:
        """Return how many rows the batch would load."""
        return self.stage.num_rows

    @property
    def rows_read(self) -> int:
        """Return the number of data rows in the file (totals and blank rows excluded)."""
        return self.source.num_rows

    @property
    def rows_rejected(self) -> int:
        """Return how many source rows have at least one error."""
        return self.rejected.num_rows


@dataclass
class ImportResult:
    """The outcome of importing one file, in the JSON shape of SPEC §6 plus report details."""

    file: str
    kind: str
    status: str
    batch_id: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_collapsed: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows_replaced: int = 0
    error_count: int = 0
    unknown_values: dict[str, dict[str, int]] = field(default_factory=dict)
    message: str = ""
    fix: str = ""
    details: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """Return the result as the import --json object (SPEC §6) with extra report keys after it."""
        return {"file": self.file, "kind": self.kind, "status": self.status, "batch_id": self.batch_id,
                "rows_read": self.rows_read, "rows_loaded": self.rows_loaded, "rows_rejected": self.rows_rejected,
                "rows_collapsed": self.rows_collapsed, "errors": [e.as_dict() for e in self.errors],
                "rows_replaced": self.rows_replaced, "error_count": self.error_count,
                "unknown_values": self.unknown_values, "message": self.message, "fix": self.fix,
                **self.details}


def header_scorer(k: Kind) -> HeaderScore:
    """Return the scorer counting how many cells of a row name a field of kind k (header detection)."""
    return HeaderScore((k.name,))


def prepare(data: bytes | OnDisk, name: str, kind: str, mapping: Mapping | None = None,
            center_tz: str = "Asia/Shanghai", digest: str | None = None, store: Store | None = None) -> Prepared:
    """Return the file read, mapped, validated and collapsed, or raise InputRefused for a whole-file problem.

    With `store`, the rows are staged in the store's DuckDB, from where committing writes them in one
    statement (a commit to another store, or without one, reads them out as Arrow). An OnDisk file needs
    its `digest`.
    """
    if kind not in KINDS:
        raise InputRefused(f"Unknown kind {kind!r}.", f"Use --kind with one of: {', '.join(KINDS)}.")
    k = KINDS[kind]
    m = mapping or Mapping(kind=kind)
    src = read_source(data, name, header_scorer(k), encoding=m.encoding, sheet=m.sheet, header_row=m.header_row,
                      mapped=set(m.columns.values()), digest=digest)
    columns = resolve_columns(k, src.headers, m)
    missing = [f.name for f in k.fields if f.required and f.name not in columns and f.name not in m.constants]
    if missing:
        hints = "; ".join(f"{f} (e.g. {', '.join(k.field(f).aliases[1:4])})" for f in missing)
        raise InputRefused(
            f"{name}: required column(s) missing for {kind}: {hints}. Columns found (header row "
            f"{src.header_row}): {', '.join(src.headers)}.",
            'Rename the column in the file, or map it: {"columns": {"' + missing[0] + '": "<your header>"}} '
            "in a mapping file (--mapping) or on the Import page.", file=name)
    norm = Normaliser(k, src.table, src.rows, columns, m, center_tz, excel=src.file_format == "excel",
                      extra_errors=src.bad_shape_rows, store=store).run()
    errors = [RowError(r, c, msg) for r, c, msg in norm.errors]
    return Prepared(name, kind, m, src, columns, norm.staged, norm.rejected, errors, norm.error_count,
                    norm.rows_collapsed, norm.unknown_values,
                    digest or hashlib.sha256(data).hexdigest(),  # type: ignore[arg-type]
                    norm.dayfirst)


def _result(p: Prepared, status: str, **kw: object) -> ImportResult:
    res = ImportResult(p.file, p.kind, status, rows_read=p.rows_read, rows_rejected=p.rows_rejected,
                       rows_collapsed=p.rows_collapsed, errors=p.errors, rows_replaced=p.rows_replaced,
                       error_count=p.error_count, unknown_values=p.unknown_values,
                       details={"encoding": p.source.encoding, "sheet": p.source.sheet,
                                "header_row": p.source.header_row, "skipped_totals": p.source.skipped_totals,
                                "columns": p.columns, "dayfirst": p.dayfirst})
    for key, value in kw.items():
        setattr(res, key, value)
    return res


def import_permission(kind: str) -> str:
    """Return the permission an import of `kind` needs: 'action' for the action register, else 'import'.

    An action file only changes improvement actions, which managers may change too (SPEC §8).
    """
    return "action" if kind == "actions" else "import"


def check_against_store(store: Store, p: Prepared) -> Prepared:
    """Fill in what the store decides: a duplicate of an earlier batch, and how many rows would be replaced."""
    p.duplicate_of = find_duplicate(store, p.kind, p.file_hash)
    p.rows_replaced = count_replacements(store, KINDS[p.kind], p.stage)
    return p


def commit_prepared(store: Store, p: Prepared, data: bytes | OnDisk, *, skip_bad_rows: bool = False,
                    user: str | None = None, on_stage: StageHook | None = None,
                    role: str | None = None) -> ImportResult:
    """Write a prepared file as one batch; refuse it whole when it has bad rows and skipping was not asked.

    `role` (None = the process role) must be allowed to import this kind; NotAllowed otherwise. `data` is
    archived as it is, or an OnDisk file is copied (refused if it changed since it was hashed).
    """
    require(role, import_permission(p.kind))
    if p.duplicate_of is not None:
        return _result(p, "duplicate", batch_id=p.duplicate_of, rows_rejected=0, rows_replaced=0, errors=[],
                       error_count=0, message=_duplicate_message(p.file, p.duplicate_of, p.rows_read),
                       fix=_DUPLICATE_FIX)
    if p.error_count and not skip_bad_rows:
        return _result(p, "refused",
                       message=f"{p.file}: {p.rows_rejected} row(s) have errors ({p.error_count} problem(s)); "
                               "nothing was written.",
                       fix="Correct the rows listed, or import with --skip-bad-rows to load the good rows.")
    if p.rows_to_load == 0:
        return _result(p, "refused", message=f"{p.file}: no row is left to load; nothing was written.",
                       fix="Correct the rows listed and import again.")
    batch_id, replaced = commit_records(
        store, p.kind, p.stage, source=p.file, file_hash=p.file_hash,
        raw_bytes=data if isinstance(data, bytes) else None,
        raw_file=(data.path, data.size, data.mtime_ns) if isinstance(data, OnDisk) else None,
        mapping=p.mapping.to_dict(), rows_read=p.rows_read, rows_rejected=p.rows_rejected,
        rows_collapsed=p.rows_collapsed, user=user, on_stage=on_stage)
    return _result(p, "committed", batch_id=batch_id, rows_loaded=p.rows_to_load, rows_replaced=replaced,
                   message=f"{p.file}: {p.rows_to_load} {p.kind} rows committed as batch {batch_id}.")


def _refused(name: str, kind: str, exc: InputRefused) -> ImportResult:
    return ImportResult(name, kind, "refused", message=exc.message, fix=exc.fix,
                        errors=exc.errors or [RowError(None, None, exc.message)], error_count=max(1, len(exc.errors)))


def _hashed(path: Path) -> tuple[OnDisk, str]:
    """Return the file as OnDisk and its SHA-256, read once in pieces (the reading process reads it itself)."""
    try:
        with path.open("rb") as fh:
            st = os.fstat(fh.fileno())
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        return OnDisk(os.path.abspath(path), st.st_size, st.st_mtime_ns), digest
    except OSError as exc:
        raise InputRefused(f"{path}: cannot be read ({exc.strerror}).", "Check the path and its permissions.",
                           file=str(path)) from None


def import_files(store: Store, paths: list[Path], kind: str, mapping: Mapping | None = None, *,
                 dry_run: bool = False, skip_bad_rows: bool = False, user: str | None = None,
                 on_stage: StageHook | None = None, role: str | None = None) -> list[ImportResult]:
    """Import several files all or nothing: when any is refused, none is written; return one result each.

    `role` (None = the process role) must be allowed to import `kind`, even for a dry run; NotAllowed otherwise.
    """
    role = require(role, import_permission(kind))
    tz = str(get_setting(store, "timezone"))
    prepared: list[tuple[Prepared, OnDisk] | ImportResult] = []
    for path in paths:
        try:
            data, digest = _hashed(path)   # once: the duplicate check, the reader and the batch
            earlier = find_duplicate(store, kind, digest)
            if earlier is not None:
                # Known content: report it without parsing the file again.
                prepared.append(_duplicate(store, path.name, kind, earlier))
                continue
            ready = prepare(data, path.name, kind, mapping, center_tz=tz, digest=digest, store=store)
            prepared.append((check_against_store(store, ready), data))
        except InputRefused as exc:
            prepared.append(_refused(path.name, kind, exc))
    refused = [x for x in prepared
               if (x.status == "refused" if isinstance(x, ImportResult)
                   else bool(x[0].error_count) and not skip_bad_rows and x[0].duplicate_of is None)]
    results = []
    for item in prepared:
        if isinstance(item, ImportResult):
            results.append(item)
            continue
        p, data = item
        if p.duplicate_of is not None or item in refused:
            # commit_prepared writes nothing for a duplicate or a file with bad rows; it reports them.
            results.append(commit_prepared(store, p, data, skip_bad_rows=skip_bad_rows, user=user, role=role))
        elif refused:
            results.append(_result(p, "refused", message=f"{p.file}: not written, because another file in this "
                                                         "run was refused.",
                                   fix="Fix the refused file, or import this file on its own."))
        elif dry_run:
            results.append(_dry_run(p))
        else:
            results.append(commit_prepared(store, p, data, skip_bad_rows=skip_bad_rows, user=user,
                                           on_stage=on_stage, role=role))
    for item in prepared:
        if not isinstance(item, ImportResult):
            item[0].stage.close()  # the staged rows are written or dropped: DuckDB frees them now
    return results


_DUPLICATE_FIX = "Roll back that batch first if you want to import the file again."


def _duplicate_message(name: str, batch_id: int, rows_read: int) -> str:
    """Return the report line of a duplicate: the rows read, the batch it repeats, and that nothing was loaded."""
    return (f"{name}: {rows_read} rows read; the same content was already imported as batch {batch_id}, "
            "so this is a duplicate and nothing was loaded.")


def _duplicate(store: Store, name: str, kind: str, batch_id: int) -> ImportResult:
    """Return the result of a file whose content batch_id already holds, without parsing the file again.

    The bytes are the same as that batch's file, so its recorded rows_read is the number of rows this file holds.
    """
    rows_read = int(store.scalar("SELECT rows_read FROM batches WHERE batch_id = ?", [batch_id]) or 0)
    return ImportResult(name, kind, "duplicate", batch_id=batch_id, rows_read=rows_read,
                        message=_duplicate_message(name, batch_id, rows_read), fix=_DUPLICATE_FIX)


def _dry_run(p: Prepared) -> ImportResult:
    return _result(p, "dry_run", message=f"{p.file}: dry run, nothing was written ({p.rows_to_load} rows "
                                         f"would load, {p.rows_replaced} would replace current rows).")


def import_bytes(store: Store, data: bytes, name: str, kind: str, mapping: Mapping | None = None, *,
                 dry_run: bool = False, skip_bad_rows: bool = False, user: str | None = None,
                 on_stage: StageHook | None = None, role: str | None = None) -> ImportResult:
    """Import one file's bytes; return its result (committed, refused, duplicate or dry_run).

    `role` (None = the process role) must be allowed to import `kind`, even for a dry run; NotAllowed otherwise.
    """
    role = require(role, import_permission(kind))
    digest = hashlib.sha256(data).hexdigest()
    earlier = find_duplicate(store, kind, digest)
    if earlier is not None:
        return _duplicate(store, name, kind, earlier)
    try:
        p = prepare(data, name, kind, mapping, center_tz=str(get_setting(store, "timezone")), digest=digest,
                    store=store)
    except InputRefused as exc:
        return _refused(name, kind, exc)
    check_against_store(store, p)
    try:
        if dry_run and p.duplicate_of is None and not (p.error_count and not skip_bad_rows):
            return _dry_run(p)
        return commit_prepared(store, p, data, skip_bad_rows=skip_bad_rows, user=user, on_stage=on_stage,
                               role=role)
    finally:
        p.stage.close()  # the staged rows are written or dropped: DuckDB frees them now


def import_file(store: Store, path: Path | str, kind: str, mapping: Mapping | None = None, **kw: object
                ) -> ImportResult:
    """Import one file from disk; return its result."""
    return import_files(store, [Path(path)], kind, mapping, **kw)[0]  # type: ignore[arg-type]
