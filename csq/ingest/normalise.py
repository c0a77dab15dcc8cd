"""Turning a string table into canonical typed rows and row errors, inside an in-memory DuckDB."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from csq.core.kinds import Field, Kind
from csq.core.sqlident import ident
from csq.core.values import bool_value, canonical_value
from csq.ingest import calls
from csq.ingest.mapping import Mapping
from csq.metrics.indicators import INDICATORS
from csq.store import Store
from csq.store.batches import StagedRows

_YMD = ["%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y.%m.%d",
        "%Y/%m/%d %p %I:%M:%S", "%Y/%m/%d %p %I:%M", "%Y-%m-%d %p %I:%M:%S",
        "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H:%M:%S", "%Y年%m月%d日%H:%M", "%Y年%m月%d日",
        "%Y年%m月%d日 %H时%M分%S秒", "%Y年%m月%d日 %H时%M分", "%Y%m%d %H:%M:%S", "%Y%m%d%H%M%S", "%Y%m%d",
        "%Y-%m-%d %H.%M.%S", "%d-%b-%Y %H:%M:%S", "%d-%b-%Y", "%d %b %Y %H:%M", "%d %b %Y", "%b %d, %Y %H:%M",
        "%b %d, %Y", "%b %d %Y"]
_AB_TIMES = ["%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p"]
_TZ = ["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S.%f%z",
       "%Y-%m-%dT%H:%M%z", "%Y-%m-%d %H:%M%z"]
_OFFSET = r"([+-]\d{2}:?\d{2}|Z)$"
_MAX_ERRORS = 1000
# Formats a column is tried with first (_fast_format): ISO layouts TRY_CAST reads too, then the list's.
_ISO = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]
_FAST_SAMPLE = 2000
_FAST_PROBE = 20
# What SQL's trim() removes: the Unicode space separators (Zs), among them the ideographic space U+3000 of
# Chinese exports and the no-break space of Excel; tabs and line breaks stay (they are refused as cells).
_SPACES = "".join(chr(c) for c in (0x20, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000))


def date_formats(dayfirst: bool, explicit: str | None) -> list[str]:
    """Return the strptime formats tried in order, with d/m/Y or m/d/Y depending on dayfirst."""
    first, second = ("%d", "%m") if dayfirst else ("%m", "%d")
    ab = [f"{first}{sep}{second}{sep}%Y{t}" for sep in ("/", ".", "-") for t in [""] + [" " + x for x in _AB_TIMES]]
    return ([explicit] if explicit else []) + _YMD + ab


def _lookup_table(values: list[str], f: Field, overrides: dict[str, str] | None) -> pa.Table:
    canon: list[object] = []
    for v in values:
        if f.type == "bool":
            canon.append(bool_value(v, overrides))
        elif f.type == "enum":
            canon.append(canonical_value(f, v, overrides))
        else:
            canon.append(overrides.get(v, v) if overrides else v)
    ctype = pa.bool_() if f.type == "bool" else pa.string()
    return pa.table({"raw": pa.array(values, pa.string()), "canon": pa.array(canon, ctype)})


def _cleaned(column: pa.ChunkedArray, nulls: list[str]) -> pa.ChunkedArray:
    """Return the cells with spaces trimmed on both sides and null markers ('', 'NULL', '—' …) made null.

    Arrow's kernels do this once per column in C++; in SQL the trim ran twice per field and cell.
    """
    trimmed = pc.utf8_trim(column, characters=_SPACES)
    return pc.if_else(pc.is_in(trimmed, value_set=pa.array(nulls, pa.string())), pa.scalar(None, pa.string()), trimmed)


@dataclass
class Normalised:
    """The outcome of normalising one file: rows to load (still in DuckDB), rejected source rows, errors and counts."""

    staged: StagedRows
    rejected: pa.Table
    errors: list[tuple[int | None, str | None, str]]
    error_count: int
    rows_collapsed: int
    unknown_values: dict[str, dict[str, int]] = field(default_factory=dict)
    dayfirst: bool = False


class Normaliser:
    """Builds and runs the SQL that types, maps, collapses and validates one file's rows."""

    def __init__(self, k: Kind, src: pa.Table, rows: pa.Array, columns: dict[str, str], m: Mapping,
                 center_tz: str, excel: bool = False, extra_errors: list[tuple[int, str]] | None = None,
                 store: Store | None = None) -> None:
        self.k, self.m, self.columns, self.center_tz, self.excel = k, m, columns, center_tz, excel
        self.headers = list(src.column_names)
        self.extra_errors = extra_errors or []
        # In the store's DuckDB (temporary tables of a cursor of its own, never in the store file) the rows are
        # later written by one INSERT … SELECT; without a store, in a DuckDB of their own.
        self.store = store
        self.con = store.cursor() if store is not None else duckdb.connect()
        if store is None:
            self.con.execute("SET preserve_insertion_order = true")
        # c<i> is the cell as read (the rejected rows show it), k<i> the cleaned cell the fields are typed from.
        used = sorted({self.headers.index(h) for h in columns.values() if h in self.headers})
        nulls = m.nulls()
        cleaned = [_cleaned(src.column(i), nulls) for i in used]
        renamed = pa.table(list(src.columns) + cleaned + [rows],
                           names=[f"c{i}" for i in range(src.num_columns)] + [f"k{i}" for i in used] + ["_row"])
        self.con.register("src", renamed)
        self.params: dict[str, object] = {"tz": center_tz, "now_limit":
                                          datetime.now() + timedelta(days=1)}

    def _col(self, f: str) -> str | None:
        header = self.columns.get(f)
        return f"c{self.headers.index(header)}" if header is not None else None

    def _label(self, f: str) -> str:
        return self.columns.get(f, f)

    def _clean_expr(self, f: Field) -> str:
        if f.name in self.m.constants:
            self.params[f"const_{f.name}"] = str(self.m.constants[f.name])
            return f"CAST($const_{f.name} AS VARCHAR)"
        col = self._col(f.name)
        if col is None:
            return "CAST(NULL AS VARCHAR)"
        expr = "k" + col[1:]   # trimmed, and null where it is a null marker, before it reached SQL (_cleaned)
        if self.excel and f.type in ("text", "enum"):
            # Excel stores numeric ids as floats; "12345.0" is the id 12345.
            expr = f"regexp_replace({expr}, '^(\\d+)\\.0$', '\\1')"
        return expr

    def detect_dayfirst(self) -> bool:
        """Return the mapping's dayfirst, else True when some a/b/yyyy date has a > 12 and none has b > 12."""
        if self.m.dayfirst is not None:
            return self.m.dayfirst
        cols = [self._col(f.name) for f in self.k.fields if f.type in ("timestamp", "date") and self._col(f.name)]
        if not cols:
            return False
        # Day-first dates show themselves in the first rows; a sample keeps big files fast.
        parts = " UNION ALL ".join(f"(SELECT {c} AS v FROM src LIMIT 20000)" for c in cols)
        a_gt, b_gt = self.con.execute(
            f"WITH d AS (SELECT regexp_extract(v, '^\\s*(\\d{{1,2}})[/.-](\\d{{1,2}})[/.-]\\d{{4}}', ['a', 'b']) AS p "
            f"FROM ({parts})) SELECT count(*) FILTER (WHERE TRY_CAST(p.a AS INT) > 12), "
            "count(*) FILTER (WHERE TRY_CAST(p.b AS INT) > 12) FROM d").fetchall()[0]
        return bool(a_gt) and not b_gt

    def _fast_format(self, f: Field, dayfirst: bool) -> str | None:
        """Return the one format every sampled cell of the field reads with, None when there is none.

        Most exports write one format per column, so that format is tried first and the many-format path
        (offsets, 上午/下午, Excel serials, dozens of layouts) runs only for the cells it does not read. The
        formats of the list never read the same text two ways, so the first cell-level match is the column's.
        """
        col = self._clean_expr(f)
        if not col.startswith("k"):
            return None
        formats = list(dict.fromkeys(_ISO + date_formats(dayfirst, self.m.datetime_format)))
        sample = f"SELECT {col} AS v FROM src WHERE {col} IS NOT NULL LIMIT"
        # Every format is tried on the first cells, and only the formats reading all of them on the whole
        # sample (those first cells begin it): the answer is the same, for a fraction of the tries.
        tried = ", ".join(f"count_if(try_strptime(v, ${'f%d' % i}) IS NULL)" for i in range(len(formats)))
        seen, *misses = self.con.execute(
            f"WITH s AS ({sample} {_FAST_PROBE}) SELECT count(*), {tried} FROM s",
            {f"f{i}": x for i, x in enumerate(formats)}).fetchall()[0]
        for x in (x for x, miss in zip(formats, misses) if seen and miss == 0):
            left = self.con.execute(f"WITH s AS ({sample} {_FAST_SAMPLE}) "
                                    "SELECT count_if(try_strptime(v, $f) IS NULL) FROM s", {"f": x}).fetchall()[0][0]
            if left == 0:
                return x
        return None

    def _ts_expr(self, v: str, dayfirst: bool, fast: str | None = None) -> str:
        self.params["fmts"] = date_formats(dayfirst, self.m.datetime_format)
        self.params["tzfmts"] = _TZ
        v_ampm = f"replace(replace({v}, '上午', 'AM'), '下午', 'PM')"
        name = v.removeprefix("v_")
        naive = (f"COALESCE(TRY_CAST({v} AS TIMESTAMP), try_strptime({v_ampm}, $fmts), "
                 f"CASE WHEN regexp_full_match({v}, '\\d{{5}}(\\.\\d+)?') "
                 f"AND TRY_CAST({v} AS DOUBLE) BETWEEN 20000 AND 80000 THEN TIMESTAMP '1899-12-30' + "
                 f"to_microseconds(CAST(round(TRY_CAST({v} AS DOUBLE) * 86400000000) AS BIGINT)) END)")
        if self.m.timezone and self.m.timezone != self.center_tz:
            self.params["srctz"] = self.m.timezone
            naive = f"timezone($tz, timezone($srctz, {naive}))"
        with_tz = (f"timezone($tz, try_strptime(regexp_replace({v}, 'Z$', '+00:00'), $tzfmts))")
        slow = f"CASE WHEN regexp_matches({v}, '{_OFFSET}') THEN {with_tz} ELSE {naive} END"
        if fast is None:
            return f"CASE WHEN {v} IS NULL THEN NULL ELSE {slow} END"
        self.params[f"fast_{name}"] = fast
        quick = f"try_strptime({v}, $fast_{name})"
        if self.m.timezone and self.m.timezone != self.center_tz:
            quick = f"timezone($tz, timezone($srctz, {quick}))"
        return f"CASE WHEN {v} IS NULL THEN NULL ELSE COALESCE({quick}, {slow}) END"

    def _typed_expr(self, f: Field, dayfirst: bool) -> str:
        v = f"v_{f.name}"
        if f.type in ("enum", "bool") or (f.type == "text" and f.name in self.m.values):
            return f"lk_{f.name}.canon"
        if f.type == "timestamp":
            return self._ts_expr(v, dayfirst, self._fast_format(f, dayfirst))
        if f.type == "date":
            return f"CAST({self._ts_expr(v, dayfirst, self._fast_format(f, dayfirst))} AS DATE)"
        if f.type == "duration":
            return calls.seconds_sql(v)
        if f.type in ("int", "float"):
            num = f"TRY_CAST(replace({v}, ',', '') AS DOUBLE)"
            return f"CAST({num} AS BIGINT)" if f.type == "int" else num
        return v

    def run(self) -> Normalised:
        """Return the normalised result: typed canonical rows and everything that was wrong."""
        con = self.con
        dayfirst = self.detect_dayfirst()
        clean = ", ".join(f"{self._clean_expr(f)} AS v_{f.name}" for f in self.k.fields)
        joins, unknown = self._lookups()
        sel = ", ".join(self._typed_columns(dayfirst))
        checks = self._checks()
        any_bad = " OR ".join(f"coalesce(({c.cond}), false)" for c in checks) or "false"
        # One pass types and validates: `typed` keeps the row, its key and a bad-row flag, not the typed
        # columns (storing them costs more than typing them again as they are written, see _stage); only
        # flagged rows are typed again with their text, to say what is wrong.
        kept_text = ["v_updated_at"] if "updated_at" in self.k.names else []   # _collapse orders by it
        body = f"SELECT clean.*, {sel} FROM clean {' '.join(joins)}"
        if self.k.name == "calls":
            body = calls.clock_sql(body)   # times of day dated, calls over midnight rolled (csq.ingest.calls)
        out = ", ".join(["_row", *self.k.key, *kept_text])
        con.execute(f"CREATE TEMP TABLE typed AS WITH clean AS (SELECT _row, {clean} FROM src), "
                    f"t AS ({body}) SELECT {out}, ({any_bad}) AS _bad FROM t",
                    self._params_used(clean + sel + any_bad))
        collapsed = self._collapse()
        error_count, errors = self._find_errors(checks, clean, body)
        staged = self._stage(clean, body, collapsed, error_count)
        src_cols = ", ".join(f"c{i} AS {ident(h)}" for i, h in enumerate(self.headers))
        rejected = con.sql(
            f"SELECT src._row AS row, {src_cols}, e.reasons AS reason FROM src JOIN "
            "(SELECT row, string_agg(coalesce(col || ': ', '') || msg, '; ' ORDER BY col) AS reasons FROM errs "
            "GROUP BY row) e ON e.row = src._row ORDER BY src._row").to_arrow_table()
        con.execute("DROP TABLE bad")
        return Normalised(staged, rejected, errors, int(error_count), collapsed, unknown, dayfirst)

    def _stage(self, clean: str, body: str, collapsed: int, error_count: int) -> StagedRows:
        """Return the rows to load as queries on this DuckDB: the kept rows without errors, typed from `src`."""
        out_cols = [c for f in self.k.fields for c in ((f.name, f"{f.name}_raw") if f.keep_raw else (f.name,))]
        keep = (["_row NOT IN (SELECT row FROM errs WHERE row IS NOT NULL)"] if error_count else []) + (
            ["_row IN (SELECT _row FROM kept)"] if collapsed else [])
        where = f" WHERE {' AND '.join(keep)}" if keep else ""
        rows_sql = (f"WITH clean AS (SELECT _row, {clean} FROM src{where}), t AS ({body}) "
                    f"SELECT {', '.join(out_cols)}, _row FROM t" + (" ORDER BY _row" if keep else ""))
        n = int(self.con.execute(f"SELECT count(*) FROM kept{where}").fetchall()[0][0])
        return StagedRows(self.con, rows_sql, f"SELECT {', '.join(self.k.key)} FROM kept{where}", out_cols, n,
                          self._params_used(rows_sql), self.store)

    def _lookups(self) -> tuple[list[str], dict[str, dict[str, int]]]:
        """Return the joins to each mapped field's raw → canonical lookup table, and the unknown enum values."""
        joins, unknown = [], {}
        for f in self.k.fields:
            if f.type in ("enum", "bool") or (f.type == "text" and f.name in self.m.values):
                one = self._clean_expr(f)
                counts = self.con.execute(f"SELECT v, count(*) FROM (SELECT {one} AS v FROM src) "
                                          "WHERE v IS NOT NULL GROUP BY 1", self._params_used(one)).fetchall()
                lk = _lookup_table([r[0] for r in counts], f, self.m.values.get(f.name))
                self.con.register(f"lk_{f.name}", lk)
                joins.append(f"LEFT JOIN lk_{f.name} ON lk_{f.name}.raw = clean.v_{f.name}")
                if f.type == "enum":
                    miss = {r[0]: r[1] for r, c in zip(counts, lk.column("canon").to_pylist()) if c is None}
                    if miss:
                        unknown[f.name] = miss
        return joins, unknown

    def _typed_columns(self, dayfirst: bool) -> list[str]:
        """Return the SELECT list typing every field (defaults and 'other' filled in) and keeping raw labels."""
        typed = []
        for f in self.k.fields:
            expr = self._typed_expr(f, dayfirst)
            if f.type == "enum":
                # Missing means the default (None for a survey's channel, taken from its ticket later);
                # a label we do not know means 'other' where the field has it (SPEC §2).
                unknown_to = "other" if "other" in f.choices else f.default
                expr = (f"CASE WHEN v_{f.name} IS NULL THEN CAST($def_{f.name} AS VARCHAR) "
                        f"ELSE COALESCE({expr}, CAST($unk_{f.name} AS VARCHAR)) END")
                self.params[f"def_{f.name}"] = f.default
                self.params[f"unk_{f.name}"] = unknown_to
            elif f.default is not None:
                sql_type = {"int": "BIGINT", "bool": "BOOLEAN", "float": "DOUBLE"}.get(f.type, "VARCHAR")
                expr = f"COALESCE({expr}, CAST($def_{f.name} AS {sql_type}))"
                self.params[f"def_{f.name}"] = f.default
            typed.append(f"{expr} AS {f.name}")
            if f.keep_raw:
                typed.append(f"v_{f.name} AS {f.name}_raw")
        return typed

    def _find_errors(self, checks: list[Check], clean: str, body: str) -> tuple[int, list[tuple]]:
        """Fill the temp table `errs` with every row problem; return (how many, the first _MAX_ERRORS).

        `clean` and `body` are the typing statement's parts, run again for the rows flagged bad.
        """
        con = self.con
        # The kept rows flagged bad are typed again, text included: a clean file types nothing twice.
        con.execute(f"CREATE TEMP TABLE bad AS WITH clean AS (SELECT _row, {clean} FROM src WHERE _row IN "
                    f"(SELECT _row FROM kept WHERE _bad)) {body}", self._params_used(clean + body))
        # Only rows failing some check are examined check by check.
        for i, c in enumerate(checks):
            self.params[f"col_{i}_"] = c.col
        union = " UNION ALL ".join(f"SELECT _row AS row, CAST($col_{i}_ AS VARCHAR) AS col, {c.msg} AS msg FROM bad "
                                   f"WHERE {c.cond}" for i, c in enumerate(checks))
        con.execute(f"CREATE TEMP TABLE errs AS {union}", self._params_used(union))
        for row, message in self.extra_errors:
            con.execute("INSERT INTO errs VALUES (?, NULL, ?)", [row, message])
        error_count = con.execute("SELECT count(*) FROM errs").fetchall()[0][0]
        errors = con.execute(f"SELECT row, col, msg FROM errs ORDER BY row NULLS FIRST, col LIMIT {_MAX_ERRORS}"
                             ).fetchall()
        return int(error_count), errors

    def _params_used(self, sql: str) -> dict[str, object]:
        return {k: v for k, v in self.params.items() if f"${k}" in sql}

    def _collapse(self) -> int:
        """Keep the last row per key (by updated_at, then file order); return how many rows collapsed."""
        key = ", ".join(self.k.key)
        key_ok = " AND ".join(f"{c} IS NOT NULL" for c in self.k.key)
        keyed, distinct = self.con.execute(
            f"SELECT count(*), count(DISTINCT ({key})) FROM typed WHERE {key_ok}").fetchall()[0]
        if keyed == distinct:
            self.con.execute("CREATE TEMP VIEW kept AS SELECT * FROM typed")
            return 0
        order = ("COALESCE(TRY_CAST(v_updated_at AS DOUBLE), epoch(TRY_CAST(v_updated_at AS TIMESTAMP))) "
                 "DESC NULLS LAST, " if "updated_at" in self.k.names else "")
        self.con.execute(
            f"CREATE TEMP TABLE kept AS SELECT * FROM typed WHERE NOT ({key_ok}) UNION ALL "
            f"SELECT * FROM typed WHERE {key_ok} QUALIFY row_number() OVER "
            f"(PARTITION BY {key} ORDER BY {order}_row DESC) = 1")
        return int(keyed - distinct)

    def _checks(self) -> list[Check]:
        """Return every row check of this kind: condition, column label, message SQL and bound values."""
        out: list[Check] = []

        def add(cond: str, col: str | None, msg: str, *p: object) -> None:
            # Values become named parameters, so a check joins the typing statement's named ones.
            for value in p:
                name = f"chk_{len(self.params)}_"   # the trailing _ keeps $chk_1_ from matching inside $chk_12_
                self.params[name] = value
                cond = cond.replace("?", f"${name}", 1)
            out.append(Check(cond, col, msg))

        for f in self.k.fields:
            v, label = f"v_{f.name}", self._label(f.name)
            if f.required:
                add(f"{v} IS NULL", label, "'required value is missing'")
            if f.type in ("timestamp", "date"):
                add(f"{v} IS NOT NULL AND {f.name} IS NULL", label,
                    f"format('cannot read ''{{}}'' as a date{'' if f.type == 'date' else '/time'}', {v})")
                add(f"{f.name} > ?", label, f"format('date {{}} is in the future', {f.name})",
                    self.params["now_limit"])
                add(f"{f.name} < TIMESTAMP '1970-01-01'", label, f"format('date {{}} is before 1970', {f.name})")
            elif f.type in ("int", "float"):
                num = f"TRY_CAST(replace({v}, ',', '') AS DOUBLE)"
                add(f"{v} IS NOT NULL AND {num} IS NULL", label, f"format('''{{}}'' is not a number', {v})")
                if f.type == "int":
                    add(f"{num} <> round({num})", label, f"format('''{{}}'' is not a whole number', {v})")
                if f.low is not None and f.high is not None:
                    add(f"{num} NOT BETWEEN ? AND ?", label,
                        f"format('{{}} is outside the range {_num(f.low)}–{_num(f.high)}', {v})", f.low, f.high)
            elif f.type == "bool":
                add(f"{v} IS NOT NULL AND {f.name} IS NULL", label, f"format('''{{}}'' is not yes/no', {v})")
            elif f.type == "duration":
                for cond, msg in calls.duration_checks(v, f.name):
                    add(cond, label, msg)
        for later, earlier, what in _ORDER_RULES.get(self.k.name, ()):
            add(f"{later} < {earlier}", self._label(later),
                f"format('{what} ({{}} is before {{}})', {later}, {earlier})")
        if self.k.name == "calls":
            for cond, fld, msg in calls.row_checks():
                add(cond, self._label(fld), msg)
        if self.k.name == "qa":
            add("score > max_score", self._label("score"), "format('score {} is above the maximum {}', score, max_score)")
        if self.k.name == "actions":
            add("indicator IS NOT NULL AND NOT list_contains(?, indicator)", self._label("indicator"),
                "format('unknown indicator ''{}''', indicator)", list(INDICATORS))
        return out


@dataclass(frozen=True)
class Check:
    """One row check: the SQL condition flagging a bad row (values as named parameters), its column label, message SQL."""

    cond: str
    col: str | None
    msg: str


_ORDER_RULES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "tickets": (("resolved_at", "created_at", "resolved before created"),
                ("first_response_at", "created_at", "first response before created"),
                ("closed_at", "created_at", "closed before created")),
    "surveys": (("responded_at", "sent_at", "answered before the invitation was sent"),),
    "calls": (("ended_at", "answered_at", "ended before it was answered"),),
    "actions": (("due_date", "start_date", "due before it starts"),
                ("completed_at", "start_date", "completed before it starts")),
}


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
