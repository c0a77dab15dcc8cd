"""The quarterly report (SPEC §6 `report`, issue 18): one quarter of the whole center as a self-contained HTML page
that prints on A4, or as an .xlsx workbook with one sheet per table.

It holds the headline indicators against target and the previous quarter, their monthly trends as charts, every
indicator of each record kind with data in the quarter (telephony with its thresholds), SLA compliance by type
and priority, the SERVQUAL gaps, the Pareto of problems, the actions with their verdicts, the team scorecard, and
findings written from the data. A quarter with months missing or still in progress says so.

Every figure comes from the function its page calls (csq.overview.report_figures), so they agree figure for
figure. The report holds aggregates, never a customer's name, phone or id, so every role may have it.

Public: build, html_bytes, xlsx_bytes (for a download or a mail), to_html, to_xlsx, write, check_output, quarters.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from csq.core.exports import SafeWorkbook
from csq.core.months import Month, Period
from csq.errors import InputRefused
from csq.improvement.actions import list_actions
from csq.improvement.effect import check_all
from csq.metrics.asof import as_of
from csq.metrics.choices import catalog
from csq.metrics.display import indicator_name
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.metrics.indicators import INDICATORS, formula
from csq.overview import findings as fd
from csq.overview import report_figures as rf
from csq.overview.report_html import page
from csq.overview.report_model import Report, Table
from csq.store import Store
from csq.store.settings import targets as load_targets


def quarters(months: tuple[str, ...] | list[str]) -> list[str]:
    """Return the quarters ('2025Q1') that the given months touch, oldest first."""
    return list(dict.fromkeys(Month.parse(m).quarter for m in sorted(months)))


def build(store: Store, quarter: str, lang: str = "zh") -> Report:
    """Return the report of one quarter (e.g. '2025Q1') for the whole center, in `lang` ('zh' or 'en')."""
    period = Period.quarter(quarter)
    quarter = quarter.strip().upper()
    months = [str(m) for m in period]
    f = Filter(months[0], months[-1])
    cat = catalog(store)
    # The pages' own previous period: none when the data starts after it would (a part-covered comparison misleads).
    before = f.previous(cat.months[0]) if cat.months else None
    earlier = [str(m) for m in period.previous()]
    moment = as_of(store)
    current = compute(store, f)[0]
    previous = compute(store, before)[0] if before else None
    monthly = rf.by_month(compute(store, Filter(earlier[0], months[-1]), by=["month"]))
    targets = load_targets(store)
    running = cat.running
    cov = rf.coverage(monthly, months, running)
    rep = Report(quarter, lang, (months[0], months[-1]), (earlier[0], earlier[-1]) if before else None, moment,
                 datetime.now().replace(microsecond=0), cov,
                 rf.headline_table(current, previous, targets, lang, cov.partial))
    rep.coverage_table = rf.coverage_table(cov, lang)
    items = _quarter_actions(store, period.start.date(), _last_day(period))
    rep.findings = fd.findings(current, previous, monthly, cov, targets, items, lang)
    rep.findings_table = fd.findings_table(rep.findings, lang)
    rep.without_data = fd.without_data(current, targets, lang)
    rep.charts = rf.trend_series(monthly, [*earlier, *months], months, targets, cov.running, lang)
    rep.trend = rf.trend_table(rep.charts, lang)
    rep.kinds = rf.kind_parts(store, current, previous, monthly, targets, months, cov.running, lang)
    rep.sla = rf.sla_tables(store, f, lang)
    rep.servqual, rep.servqual_text, rep.servqual_gaps = rf.servqual_part(store, f, lang)
    rep.pareto = rf.pareto_tables(store, f, lang)
    rep.actions = rf.actions_tables(items, lang)
    rep.scorecard = rf.scorecard_table(store, f, before, lang)
    shown = list(dict.fromkeys([*(s.key for s in rep.charts), *(k for p in rep.kinds
                                                                 for k, i in INDICATORS.items() if i.kind == p.kind)]))
    rep.formulas = [(indicator_name(k, lang), formula(k, lang)) for k in shown]
    rep.method_table = rf.method_table(rep.formulas, lang)
    return rep


def _last_day(period: Period) -> date:
    """Return the last day of a period (its end is the midnight after it)."""
    return (period.end - timedelta(days=1)).date()


def _quarter_actions(store: Store, start: date, end: date) -> list[fd.ActionItem]:
    """Return the actions in play during the quarter, each with its effect check (the Improvement page's)."""
    checks = {c.action_id: c for c in check_all(store)}
    return [(a, checks.get(str(a["action_id"]))) for a in list_actions(store) if rf.in_quarter(a, start, end)]


def to_html(rep: Report) -> str:
    """Return the report as one self-contained HTML page (every value escaped)."""
    return page(rep)


def html_bytes(store: Store, quarter: str, lang: str) -> bytes:
    """Return the report of `quarter` as UTF-8 HTML bytes (the Overview's download, a mail's attachment)."""
    return to_html(build(store, quarter, lang)).encode("utf-8")


def _sheet_name(title: str, used: set[str]) -> str:
    """Return a sheet name Excel accepts (≤ 31 characters, none of []:*?/\\), unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\']", " ", title).strip()[:31] or "Sheet"
    name, i = base, 2
    while name.lower() in used:
        suffix = f" ({i})"
        name, i = base[:31 - len(suffix)] + suffix, i + 1
    used.add(name.lower())
    return name


def to_xlsx(rep: Report) -> bytes:
    """Return the report as an Excel workbook: one sheet per table, every text a string cell (SPEC §10).

    A table's note goes in the row under it. Text stays text: a title reading "=HYPERLINK(…)" from an imported
    field is written with Excel's quote prefix, never as a formula.
    """
    book = SafeWorkbook()
    used: set[str] = set()
    for tab in rep.tables():
        sheet = book.book.add_worksheet(_sheet_name(tab.title, used))
        _write_table(book, sheet, tab)
    return book.close()


def _write_table(book: SafeWorkbook, sheet: Any, tab: Table) -> None:
    """Return nothing; write one table's header, rows and note onto its sheet."""
    for j, c in enumerate(tab.columns):
        book.cell(sheet, 0, j, c, header=True)
        width = max([len(str(c)), *(len(str(r[j] or "")) for r in tab.rows)]) + 2
        sheet.set_column(j, j, min(max(width, 8), 60))
    for i, r in enumerate(tab.rows, start=1):
        for j, v in enumerate(r):
            book.cell(sheet, i, j, v)
    if tab.note:
        book.cell(sheet, len(tab.rows) + 2, 0, tab.note)
    if tab.columns:
        sheet.freeze_panes(1, 0)


def xlsx_bytes(store: Store, quarter: str, lang: str) -> bytes:
    """Return the report of `quarter` as .xlsx bytes (a mail's attachment)."""
    return to_xlsx(build(store, quarter, lang))


def check_output(out: Path) -> None:
    """Raise InputRefused unless `out` names an .html or .xlsx file."""
    if out.suffix.lower() not in (".html", ".htm", ".xlsx"):
        raise InputRefused(f"Cannot write a report as {out.name}.", "Name the output FILE.html or FILE.xlsx.")


def write(rep: Report, out: Path) -> Path:
    """Write the report to `out` (.html or .xlsx) and return the path."""
    check_output(out)
    data = to_xlsx(rep) if out.suffix.lower() == ".xlsx" else to_html(rep).encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out
