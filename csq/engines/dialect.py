"""DuckDB SQL to ClickHouse SQL through sqlglot: the indicator queries as csq writes them, run on ClickHouse.

sqlglot transpiles the dialect (read="duckdb", write="clickhouse"). Where a DuckDB construct csq uses has no
faithful ClickHouse spelling, one small transform below rewrites the parsed tree before it is written:

- `quantile_cont(x, [p, q])` (linear interpolation) → `[quantileExactInclusiveOrNull(p)(x), …]`, the same
  interpolation (type 7), NULL over no values where ClickHouse's plain quantile gives nan;
- `epoch_us(ts)` → `toUnixTimestamp64Micro(ts)`;
- `bool_or(b)` → `max(b)` (both skip NULLs);
- `to_days(n)` (an interval) → `toIntervalDay(n)`: sqlglot writes TO_DAYS, a day count since year zero;
- `list_avg([…])` / `list_sum([…])` of a list written out → the sum of the non-NULL items (over their count),
  NULL when every item is NULL, as DuckDB's list aggregates skip NULLs;
- `TIMESTAMP` casts → `Nullable(DateTime64(6))`: sqlglot writes `DateTime`, which would drop the microseconds
  (Nullable, as sqlglot writes casts, so that a NULL as-of on an empty store casts too).

Values stay bound: each `?` becomes a ClickHouse query parameter `{pN:Type}` with its value passed apart from
the text (None, which has no parameter type, is written as the NULL literal node). Tables are named by the
caller's mapping (the Parquet snapshot), never by text pasted into the query.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType

from csq.errors import InputRefused

# The ClickHouse type of each bound Python value (a datetime before a date: datetime is a date).
_PARAM_TYPES: tuple[tuple[type, str], ...] = ((bool, "Bool"), (int, "Int64"), (float, "Float64"),
                                              (str, "String"), (datetime, "DateTime64(6)"), (date, "Date"))


# ClickHouse's escaped text format: the backslash first, so the escapes added after it stay single.
_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"), ("\0", "\\0"), ("\b", "\\b"),
            ("\f", "\\f"))
# DuckDB's TIMESTAMP (sqlglot reads it as TIMESTAMPNTZ): naive, to the microsecond.
_TIMESTAMPS = (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPNTZ, exp.DataType.Type.DATETIME)


@dataclass(frozen=True)
class Translated:
    """One statement in ClickHouse SQL and its named parameters ({pN:Type} in the text), values as ClickHouse reads them."""

    sql: str
    params: dict[str, object]


def _numbered(sql: str) -> str:
    """Return the DuckDB SQL with its `?` marks numbered `$1`, `$2`… in the order they appear in the text.

    The tokenizer finds the marks (never one inside a string or a comment); numbering them keeps each value
    with its mark whatever order the tree is walked in.
    """
    marks = [t for t in sqlglot.Dialect.get_or_raise("duckdb").tokenize(sql) if t.token_type == TokenType.PLACEHOLDER]
    for i, token in reversed(list(enumerate(marks, 1))):
        sql = f"{sql[:token.start]}${i}{sql[token.end + 1:]}"
    return sql


def _escaped(text: str) -> str:
    """Return text in ClickHouse's escaped text format, the form a String query parameter's value is read in."""
    for raw, code in _ESCAPES:
        text = text.replace(raw, code)
    return text


def _quoted(text: str) -> str:
    """Return text as a quoted string of ClickHouse's text format (an item of an Array(String) parameter)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _param_value(value: object) -> tuple[str, object]:
    """Return (ClickHouse type, value as passed) of one bound value; raise InputRefused for a type csq never binds.

    chDB hands a parameter's value to ClickHouse as text in the type's text format, so a string is escaped
    (a backslash or tab would otherwise be read as an escape) and a list of strings written as an array of
    quoted strings; the SQL text only ever holds the {pN:Type} mark.
    """
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return "Array(String)", "[" + ",".join(_quoted(v) for v in value) + "]"
    for kind, name in _PARAM_TYPES:
        if isinstance(value, kind):
            if isinstance(value, str):
                return name, _escaped(value)
            if isinstance(value, datetime):
                return name, value.strftime("%Y-%m-%d %H:%M:%S.%f")
            return name, value.isoformat() if isinstance(value, date) else value
    raise InputRefused(f"A value of type {type(value).__name__} cannot be bound on ClickHouse.",
                       "Run the command without --engine chdb.")


def _bind(tree: exp.Expression, params: list[object]) -> dict[str, object]:
    """Return the named parameters of the tree's numbered marks, each mark made a typed {pN:Type} (or NULL)."""
    named: dict[str, object] = {}
    for node in list(tree.find_all(exp.Placeholder)):
        index = int(str(node.this)) - 1
        value = params[index]
        if value is None:
            node.replace(exp.null())
            continue
        kind, passed = _param_value(value)
        node.set("this", f"p{index}")
        node.set("kind", exp.DataType.build(kind, dialect="clickhouse"))
        named[f"p{index}"] = passed
    return named


def _plus(terms: list[exp.Expression]) -> exp.Expression:
    """Return the terms added left to right, as DuckDB adds a list's items."""
    total = terms[0]
    for term in terms[1:]:
        total = exp.func("plus", total, term)
    return total


def _count_known(items: list[exp.Expression]) -> exp.Expression:
    """Return how many of the items are not NULL, as one integer expression."""
    return _plus([exp.func("toInt64", exp.Not(this=exp.Is(this=i.copy(), expression=exp.null()))) for i in items])


def _non_null_sum(items: list[exp.Expression]) -> exp.Expression:
    """Return the sum of the items that are not NULL, NULL when all are (DuckDB's list_sum)."""
    total = _plus([exp.func("coalesce", i.copy(), exp.Literal.number(0)) for i in items])
    return exp.If(this=exp.func("greater", _count_known(items), exp.Literal.number(0)), true=total,
                  false=exp.null())


def _list_aggregate(node: exp.Expression) -> exp.Expression:
    """Return list_avg / list_sum of a written-out list as its ClickHouse form; anything else unchanged."""
    name = node.name.lower() if isinstance(node, exp.Anonymous) else ""
    items = node.expressions[0].expressions if name in ("list_avg", "list_sum") and node.expressions \
        and isinstance(node.expressions[0], exp.Array) else None
    if not items:
        return node
    if name == "list_sum":
        return _non_null_sum(items)
    return exp.func("divide", _non_null_sum(items), exp.func("nullIf", _count_known(items), exp.Literal.number(0)))


def _quantiles(node: exp.Expression) -> exp.Expression:
    """Return quantile_cont(x, [p, …]) as a list of ClickHouse's exact interpolated quantiles; else unchanged."""
    if not isinstance(node, exp.PercentileCont) or not isinstance(node.expression, exp.Array):
        return node
    out = []
    for p in node.expression.expressions:
        # The level and the value are put in as nodes of the tree, never as text.
        agg = sqlglot.parse_one("quantileExactInclusiveOrNull(0.5)(x)", read="clickhouse")
        agg.find(exp.Literal).replace(p.copy())
        agg.find(exp.Column).replace(node.this.copy())
        out.append(agg)
    return exp.Array(expressions=out)


def _functions(node: exp.Expression) -> exp.Expression:
    """Return epoch_us, to_days, bool_or and TIMESTAMP casts in their ClickHouse form; anything else unchanged."""
    if isinstance(node, exp.Anonymous) and node.name.lower() == "epoch_us":
        return exp.func("toUnixTimestamp64Micro", *node.expressions)
    if isinstance(node, exp.ToDays):
        return exp.func("toIntervalDay", node.this)
    if isinstance(node, exp.LogicalOr):
        return exp.func("max", node.this)
    if isinstance(node, exp.DataType) and node.this in _TIMESTAMPS:
        return exp.DataType.build("Nullable(DateTime64(6))", dialect="clickhouse")
    return node


TRANSFORMS: tuple[Callable[[exp.Expression], exp.Expression], ...] = (_quantiles, _list_aggregate, _functions)


def _tables(tree: exp.Expression, tables: Mapping[str, str]) -> None:
    """Return nothing; point every table the query reads (not its CTEs) at the Parquet file `tables` names."""
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    for table in list(tree.find_all(exp.Table)):
        name = table.name
        if not name or name in ctes or not isinstance(table.this, exp.Identifier):
            continue
        if name not in tables:
            raise InputRefused(f"The query reads {name!r}, which the ClickHouse snapshot does not hold.",
                               "Run the command without --engine chdb.")
        alias = table.alias or name
        source = exp.Anonymous(this="file", expressions=[exp.Literal.string(tables[name]),
                                                         exp.Literal.string("Parquet")])
        table.replace(exp.Table(this=source, alias=exp.TableAlias(this=exp.to_identifier(alias))))


def read_tables(sql: str) -> set[str]:
    """Return the names of the tables and views a DuckDB statement reads (its CTEs left out)."""
    tree = sqlglot.parse_one(_numbered(sql), read="duckdb")
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    return {t.name for t in tree.find_all(exp.Table)
            if t.name and t.name not in ctes and isinstance(t.this, exp.Identifier)}


def translate(sql: str, params: list[object], tables: Mapping[str, str]) -> Translated:
    """Return one DuckDB statement with its `?` values as ClickHouse SQL reading `tables` (name → Parquet path)."""
    tree = sqlglot.parse_one(_numbered(sql), read="duckdb")
    named = _bind(tree, params)
    _tables(tree, tables)
    for node in reversed(list(tree.walk(bfs=False))):
        # Innermost first: a rewritten node copies children that are already in their ClickHouse form.
        new = node
        for transform in TRANSFORMS:
            new = transform(new)
        if new is not node:
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return Translated(tree.sql(dialect="clickhouse"), named)
