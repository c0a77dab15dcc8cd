"""What the quarterly report holds, already computed and worded: one source for its HTML page and its workbook.

Every part is a typed value: tables of display rows (the pages' own rows), monthly series for the charts, findings.
The report holds aggregates only, never a customer's name, phone or id, so every role may have it.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from csq.store.settings import Target

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    """One table of the report: a stable key, its title, column headers, rows of cells, and a note under it.

    The workbook writes each table on a sheet of its own; the HTML page draws it where its section puts it.
    """

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""

    @classmethod
    def of(cls, key: str, title: str, rows: Sequence[Mapping[str, Cell]], note: str = "",
           columns: Sequence[str] | None = None) -> Table:
        """Return a Table from display rows (dicts, as the pages build them); columns from the first row."""
        cols = tuple(columns) if columns is not None else tuple(rows[0]) if rows else ()
        return cls(key, title, cols, tuple(tuple(r.get(c) for c in cols) for r in rows), note)

    def column(self, name: str) -> list[Cell]:
        """Return one column's cells, top to bottom."""
        i = self.columns.index(name)
        return [r[i] for r in self.rows]

    def as_dicts(self) -> list[dict[str, Cell]]:
        """Return the rows as dicts keyed by column header (for tests and for comparing with a page's rows)."""
        return [dict(zip(self.columns, r)) for r in self.rows]


@dataclass(frozen=True)
class Series:
    """One indicator's monthly values for a trend chart: months (YYYY-MM), values (None = no data), its target."""

    key: str
    title: str
    months: tuple[str, ...]
    values: tuple[float | None, ...]
    target: Target | None
    quarter: tuple[str, ...]       # the report's months, shaded on the chart
    running: str | None = None     # the month still filling, drawn as an open point


@dataclass(frozen=True)
class Coverage:
    """Which of the quarter's months hold data, per record kind, and which month is still filling."""

    months: tuple[str, ...]                      # the quarter's three months
    with_data: tuple[str, ...]                   # months holding a record of any kind
    by_kind: Mapping[str, tuple[str, ...]]       # kind -> months holding a record of that kind
    running: str | None                          # the quarter's month that is still in progress, if any

    @property
    def partial(self) -> bool:
        """Return True when a month of the quarter has no data or is still in progress."""
        return self.running is not None or len(self.with_data) < len(self.months)

    @property
    def complete_months(self) -> tuple[str, ...]:
        """Return the months with data that are whole (the running month left out)."""
        return tuple(m for m in self.with_data if m != self.running)


@dataclass(frozen=True)
class KindPart:
    """The indicators of one record kind that has data in the quarter: one table, and the kind's settings note."""

    kind: str
    title: str
    table: Table
    note: str = ""


@dataclass(frozen=True)
class ActionRef:
    """An improvement action as a finding names it: id, title, scope, status and effect-check verdict."""

    action_id: str
    title: str
    scope: str
    status: str
    verdict: str
    p_value: str


@dataclass(frozen=True)
class Finding:
    """One indicator off target in the quarter: its size, its trend and the actions addressing it, worded."""

    key: str
    name: str
    status: str          # red or amber
    status_text: str
    value: str
    target: str
    gap: str             # value − target with its unit ('-23.3 pp', '+53.5 s')
    trend: str           # the complete months' values and their direction, in words
    previous: str        # against the previous quarter, in words
    actions: tuple[ActionRef, ...]
    text: str            # the whole finding as one paragraph


@dataclass
class Report:
    """Everything the report shows, in its language."""

    quarter: str
    lang: str
    months: tuple[str, str]
    previous: tuple[str, str] | None     # None when the data starts after the previous quarter did
    as_of: datetime | None
    generated: datetime
    coverage: Coverage
    headline: Table
    coverage_table: Table | None = None
    findings: list[Finding] = field(default_factory=list)
    findings_table: Table | None = None
    without_data: list[str] = field(default_factory=list)    # names of indicators with a target but no data
    charts: list[Series] = field(default_factory=list)
    trend: Table | None = None
    kinds: list[KindPart] = field(default_factory=list)
    sla: list[Table] = field(default_factory=list)
    servqual: Table | None = None
    servqual_text: str = ""
    servqual_gaps: list[tuple[str, float | None]] = field(default_factory=list)   # (dimension name, P − E)
    pareto: list[Table] = field(default_factory=list)
    actions: list[Table] = field(default_factory=list)
    scorecard: Table | None = None
    formulas: list[tuple[str, str]] = field(default_factory=list)
    method_table: Table | None = None

    @property
    def off_target(self) -> list[str]:
        """Return one plain line per off-target indicator ('▲ Average handle time 353.5 s · Target ≤ 300.0 s')."""
        return [f"{'■' if f.status == 'red' else '▲'} {f.name} {f.value} · {f.target}" for f in self.findings]

    def tables(self) -> list[Table]:
        """Return every table in the order the report shows them: the workbook's sheets."""
        out: list[Table | None] = [self.coverage_table, self.headline, self.findings_table]
        out += [self.trend, *(k.table for k in self.kinds), *self.sla, self.servqual, *self.pareto, *self.actions,
                self.scorecard, self.method_table]
        return [x for x in out if x is not None]
