"""The quarterly report (SPEC §6 `report`): headline indicators against targets and the previous quarter,
monthly values, what is off target, SERVQUAL gaps and the verdict of each improvement action.

The report holds aggregates only, never a customer's name, phone or id, so every role may have it.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from csq.core.exports import SafeWorkbook
from csq.core.i18n import fmt_month, t
from csq.core.months import Month, Period
from csq.errors import InputRefused
from csq.improvement.actions import list_actions
from csq.improvement.effect import check_all
from csq.metrics.asof import as_of
from csq.metrics.display import format_value, indicator_name
from csq.metrics.engine import compute, servqual_summary
from csq.metrics.filters import Filter
from csq.metrics.indicators import formula, target_status
from csq.overview.headline import HEADLINE, format_delta, format_target, off_target
from csq.store import Store
from csq.store.settings import targets as load_targets


@dataclass
class Report:
    """Everything the report shows, already computed: one source for the HTML and the Excel file."""

    quarter: str
    months: tuple[str, str]
    previous: tuple[str, str]
    as_of: datetime | None
    lang: str
    indicators: list[dict[str, Any]] = field(default_factory=list)
    monthly: list[dict[str, Any]] = field(default_factory=list)
    off_target: list[str] = field(default_factory=list)
    servqual: dict[str, Any] = field(default_factory=dict)
    actions: list[dict[str, Any]] = field(default_factory=list)


def quarters(months: tuple[str, ...] | list[str]) -> list[str]:
    """Return the quarters ('2025Q1') that the given months touch, oldest first."""
    return list(dict.fromkeys(Month.parse(m).quarter for m in sorted(months)))


def html_bytes(store: Store, quarter: str, lang: str) -> bytes:
    """Return the report of `quarter` as UTF-8 HTML bytes (for a download button)."""
    return to_html(build(store, quarter, lang)).encode("utf-8")


def _plain(markdown: str) -> str:
    """Return Streamlit markdown (':red[■] **name**') as plain text ('■ name')."""
    return re.sub(r":\w+\[(.*?)\]", r"\1", markdown).replace("**", "")


def build(store: Store, quarter: str, lang: str = "zh") -> Report:
    """Return the report of one quarter for the whole center, in `lang`."""
    period = Period.quarter(quarter)
    quarter = quarter.strip().upper()
    first, last = str(period.first), str(period.last)
    prev = (str(period.previous().first), str(period.previous().last))
    now = compute(store, Filter(first, last))[0]
    before = compute(store, Filter(*prev))[0]
    targets = load_targets(store)
    rep = Report(quarter, (first, last), prev, as_of(store), lang)
    for key in HEADLINE:
        value, earlier = now.value(key), before.value(key)
        status = target_status(value, targets.get(key))
        rep.indicators.append({
            "key": key, "name": indicator_name(key, lang), "value": format_value(key, value, lang),
            "n": f"{now.n(key):,}", "target": format_target(key, targets.get(key), lang),
            "status": t(f"status_{status or 'none'}", lang),
            "previous": format_value(key, earlier, lang),
            "change": format_delta(key, value, earlier, lang) or "—",
            "formula": formula(key, lang)})
    for row in compute(store, Filter(first, last), by=["month"], indicators=HEADLINE):
        rep.monthly.append({"month": fmt_month(str(row.group("month")), lang),
                            **{indicator_name(k, lang): format_value(k, row.value(k), lang) for k in HEADLINE}})
    rep.off_target = [_plain(m.text(lang)) for m in off_target(now, targets)]
    rep.servqual = servqual_summary(store, Filter(first, last))
    rep.actions = _actions(store, first, last, lang)
    return rep


def _actions(store: Store, first: str, last: str, lang: str) -> list[dict[str, Any]]:
    """Return the actions due or completed in the quarter with their effect-check verdicts."""
    verdicts = {c.action_id: c for c in check_all(store)}
    out = []
    for a in list_actions(store):
        when = [str(d)[:7] for d in (a.get("due_date"), a.get("completed_at")) if d]
        if not any(first <= m <= last for m in when):
            continue
        c = verdicts.get(a["action_id"])
        out.append({t("impr_col_id", lang): a["action_id"], t("impr_f_title", lang): a["title"],
                    t("impr_f_owner", lang): a.get("owner") or "—",
                    t("impr_f_due", lang): str(a.get("due_date") or "—"),
                    t("impr_f_status", lang): t(f"impr_status_{a['status']}", lang),
                    t("impr_f_indicator", lang): indicator_name(a["indicator"], lang) if a.get("indicator") else "—",
                    t("impr_verdict", lang): t(f"verdict_{c.verdict}", lang) if c else "—",
                    t("impr_p_value", lang): "—" if c is None or c.p_value is None else f"{c.p_value:.3g}"})
    return out


def _table(rows: list[dict[str, Any]], headers: dict[str, str] | None = None) -> str:
    """Return rows as an HTML table (values escaped)."""
    if not rows:
        return "<p>—</p>"
    cols = list(headers or {c: c for c in rows[0]})
    names = headers or {c: c for c in cols}
    head = "".join(f"<th>{html.escape(str(names[c]))}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(r.get(c, '')))}</td>" for c in cols) + "</tr>"
                   for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(rep: Report) -> str:
    """Return the report as one self-contained HTML page."""
    tr = lambda key, **kw: html.escape(t(key, rep.lang, **kw))
    period = tr("period", a=fmt_month(rep.months[0], rep.lang), b=fmt_month(rep.months[1], rep.lang))
    ind_headers = {"name": t("indicator", rep.lang), "value": t("value", rep.lang), "n": "n",
                   "target": t("target", rep.lang), "status": t("report_status", rep.lang),
                   "previous": t("report_previous", rep.lang), "change": t("vs_prev", rep.lang)}
    dims = [{t("ev_dimension", rep.lang): t(f"ev_dim_{d['dimension']}", rep.lang),
             "E": "—" if d["expectation"] is None else f"{d['expectation']:.2f}",
             "P": "—" if d["perception"] is None else f"{d['perception']:.2f}",
             "P − E": "—" if d["gap"] is None else f"{d['gap']:+.2f}", "n": d["n"]}
            for d in rep.servqual.get("dimensions", [])]
    misses = "".join(f"<li>{html.escape(x)}</li>" for x in rep.off_target) or \
        f"<li>{tr('all_on_target')}</li>"
    formulas = "".join(f"<li><b>{html.escape(i['name'])}</b>: {html.escape(i['formula'])}</li>" for i in rep.indicators)
    return f"""<!doctype html><html lang="{'zh-CN' if rep.lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<title>{tr('report_title', q=rep.quarter)}</title><style>
body{{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2rem;color:#1f2328}}
table{{border-collapse:collapse;margin:.5rem 0 1.5rem}}th,td{{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left}}
th{{background:#f6f8fa}}small{{color:#57606a}}</style></head><body>
<h1>{tr('report_title', q=rep.quarter)}</h1>
<p><small>{period} · {tr('as_of', t=str(rep.as_of)[:16]) if rep.as_of else ''} ·
{tr('report_generated', t=datetime.now().strftime('%Y-%m-%d %H:%M'))}</small></p>
<h2>{tr('headline')}</h2>{_table(rep.indicators, ind_headers)}
<h2>{tr('off_target')}</h2><ul>{misses}</ul>
<h2>{tr('trend')}</h2>{_table(rep.monthly, {k: (t('month', rep.lang) if k == 'month' else k) for k in (rep.monthly[0] if rep.monthly else {})})}
<h2>SERVQUAL</h2>{_table(dims)}
<h2>{tr('report_actions')}</h2>{_table(rep.actions)}
<h2>{tr('formula')}</h2><ul>{formulas}</ul>
</body></html>"""


def to_xlsx(rep: Report) -> bytes:
    """Return the report as an Excel workbook: one sheet per section, every text a string cell (SPEC §10)."""
    # Text stays text: a cell reading "=HYPERLINK(…)" from an imported field must never become a formula.
    book = SafeWorkbook()
    sections = [(t("report_sheet_indicators", rep.lang), rep.indicators), (t("trend", rep.lang), rep.monthly),
                ("SERVQUAL", rep.servqual.get("dimensions", [])), (t("report_sheet_actions", rep.lang), rep.actions),
                (t("off_target", rep.lang), [{t("indicator", rep.lang): x} for x in rep.off_target])]
    for name, rows in sections:
        sheet = book.book.add_worksheet(name[:31])
        cols = list(rows[0]) if rows else []
        for j, c in enumerate(cols):
            book.cell(sheet, 0, j, c, header=True)
            sheet.set_column(j, j, 14 if c != "formula" else 60)
        for i, r in enumerate(rows, start=1):
            for j, c in enumerate(cols):
                book.cell(sheet, i, j, r.get(c))
    return book.close()


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
