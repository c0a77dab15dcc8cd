"""The quarterly report as one self-contained HTML page that prints on A4: no script, no external font or file.

Every value is escaped here, once, as it is written into the page (html.escape). Print rules: A4 pages, each
section from a new page, table rows never split and table headers repeated, Chinese in a CJK font stack.
"""
from __future__ import annotations

from html import escape

from csq.core.i18n import fmt_datetime, fmt_fixed, fmt_month, t
from csq.overview.report_charts import gap_bars, line_chart
from csq.overview.report_model import Cell, Report, Table

FONTS = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
CSS = """
@page { size: A4; margin: 14mm 12mm 16mm 12mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; color: #57606a; } }
* { box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
html { font-family: FONTS; color: #1f2328; }
body { margin: 0 auto; max-width: 186mm; font-size: 9.5pt; line-height: 1.45; }
@media screen { body { padding: 1.5rem 1rem; } section { border-top: 1px dashed #d0d7de; margin-top: 2rem; } }
h1 { font-size: 18pt; margin: 0 0 .2rem; }
h2 { font-size: 13.5pt; margin: 0 0 .5rem; padding-bottom: .15rem; border-bottom: 2px solid #1f6feb;
  break-after: avoid; }
h3 { font-size: 11pt; margin: .8rem 0 .3rem; break-after: avoid; }
section { break-before: page; }
section.first { break-before: auto; margin-top: 1rem; }
header { margin-bottom: .5rem; }
p { margin: .3rem 0; }
.meta, .note { color: #57606a; font-size: 8.5pt; }
.warn { border-left: 4px solid #bf8700; background: #fff8c5; padding: .35rem .6rem; margin: .5rem 0; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; margin: .3rem 0 .2rem; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #d0d7de; padding: 2px 4px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num { text-align: right; white-space: nowrap; } td.nw { white-space: nowrap; }
.red { color: #cf222e; font-weight: 600; } .amber { color: #9a6700; font-weight: 600; } .green { color: #1a7f37; }
.block { break-inside: avoid; }
.findings { list-style: none; padding-left: 0; }
.findings li { margin: 0 0 .5rem; break-inside: avoid; }
.charts { display: grid; grid-template-columns: repeat(3, 1fr); gap: 6px; }
.chart-box { border: 1px solid #d0d7de; padding: 2px; break-inside: avoid; }
svg.chart { width: 100%; height: auto; display: block; }
svg.bars { width: 75%; height: auto; display: block; margin-top: .6rem; }
svg .ct { font-size: 11px; font-weight: 600; fill: #1f2328; } svg .cx { font-size: 9px; fill: #57606a; }
svg .cv { font-size: 8.5px; fill: #1f2328; }
dl dt { font-weight: 600; margin-top: .3rem; break-after: avoid; } dl dd { margin: 0 0 0 1rem; }
""".replace("FONTS", FONTS)
NOWRAP = 16  # a cell this narrow ('Target ≤ 5.0 min', 'IMP-003', '2026-11-04') is kept on one line
_STATUS_CLASS = {"■": "red", "▲": "amber", "●": "green"}


def _width(text: str) -> int:
    """Return the text's width in Latin letters: a Chinese character is as wide as two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _cell(value: Cell) -> str:
    """Return one table cell: numbers right-aligned with separators, status marks coloured, '—' for none."""
    if value is None:
        return "<td>—</td>"
    if isinstance(value, bool):
        return f"<td>{'✓' if value else ''}</td>"
    if isinstance(value, int):
        return f'<td class="num">{value:,}</td>'
    if isinstance(value, float):
        return f'<td class="num">{escape(fmt_fixed(value, 1))}</td>'
    text = str(value)
    css = [_STATUS_CLASS.get(text[:1], "")] + (["nw"] if _width(text) <= NOWRAP else [])
    shown = " ".join(c for c in css if c)
    return f'<td class="{shown}">{escape(text)}</td>' if shown else f"<td>{escape(text)}</td>"


def table(tab: Table, heading: bool = False) -> str:
    """Return a Table as HTML: an optional h3 with its title, the table (when it has rows) and its note."""
    out = [f"<h3>{escape(tab.title)}</h3>"] if heading else []
    if tab.rows:
        head = "".join(f"<th>{escape(c)}</th>" for c in tab.columns)
        body = "".join("<tr>" + "".join(_cell(v) for v in r) + "</tr>" for r in tab.rows)
        out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    if tab.note:
        out.append(f'<p class="note">{escape(tab.note)}</p>')
    return "".join(out)


def _section(key: str, title: str, body: str, first: bool = False) -> str:
    """Return one report section, from a new printed page unless it is the first."""
    css = ' class="first"' if first else ""
    return f'<section id="{key}"{css}><h2>{escape(title)}</h2>{body}</section>'


def _cover(rep: Report) -> str:
    """Return the title block: quarter, period, as-of, when generated, and whether the quarter is complete."""
    lang = rep.lang
    meta = [t("period", lang, a=fmt_month(rep.months[0], lang), b=fmt_month(rep.months[1], lang))]
    if rep.as_of:
        meta.append(t("as_of", lang, t=fmt_datetime(rep.as_of, lang)))
    meta.append(t("report_generated", lang, t=fmt_datetime(rep.generated, lang)))
    cov = rep.coverage_table
    note = cov.note if cov else ""
    box = f'<p class="warn">{escape(note)}</p>' if rep.coverage.partial else f"<p>{escape(note)}</p>"
    prev = "" if rep.previous else f'<p class="note">{escape(t("report_no_previous", lang))}</p>'
    rows = table(Table(cov.key, cov.title, cov.columns, cov.rows), heading=True) if cov and cov.rows else ""
    return (f"<h1>{escape(t('report_title', lang, q=rep.quarter))}</h1>"
            f'<p class="meta">{escape(" · ".join(meta))}</p>{box}{prev}{rows}')


def _findings(rep: Report) -> str:
    """Return the findings: one paragraph per off-target indicator, then what has a target but no data."""
    lang = rep.lang
    if rep.findings:
        items = "".join(f'<li><span class="{f.status}">{"■" if f.status == "red" else "▲"}</span> '
                        f"{escape(f.text)}</li>" for f in rep.findings)
        body = f'<p>{escape(t("report_findings_intro", lang, n=len(rep.findings)))}</p><ul class="findings">{items}</ul>'
    else:
        body = f"<p>{escape(t('all_on_target', lang))}</p>"
    if rep.without_data:
        sep = "、" if lang == "zh" else ", "
        body += f'<p class="note">{escape(t("report_without_data", lang, names=sep.join(rep.without_data)))}</p>'
    return body


def _charts(rep: Report) -> str:
    """Return the headline indicators' monthly charts in a grid, and the note on what they show."""
    boxes = "".join(f'<div class="chart-box">{line_chart(s, rep.lang)}</div>' for s in rep.charts)
    return f'<p class="note">{escape(t("report_trend_note", rep.lang))}</p><div class="charts">{boxes}</div>'


def page(rep: Report) -> str:
    """Return the whole report as one HTML document."""
    lang = rep.lang
    parts = [f"<header>{_cover(rep)}</header>",
             _section("headline", t("headline", lang), table(rep.headline), first=True),
             _section("findings", t("report_findings", lang), _findings(rep)),
             _section("trends", t("trend", lang), _charts(rep))]
    if rep.kinds:
        body = "".join(f'<div class="block"><h3>{escape(k.title)}</h3>'
                       + (f"<p><b>{escape(t('report_settings', lang))}</b> {escape(k.note)}</p>" if k.note else "")
                       + table(Table(k.table.key, k.title, k.table.columns, k.table.rows)) + "</div>"
                       for k in rep.kinds)
        parts.append(_section("kinds", t("report_by_kind", lang), body))
    parts.append(_section("sla", t("sla_compliance", lang), "".join(table(x, heading=True) for x in rep.sla)))
    sq = f"<p>{escape(rep.servqual_text)}</p>" + (table(rep.servqual) if rep.servqual else "")
    if rep.servqual_gaps:
        sq += f'<div class="block">{gap_bars(rep.servqual_gaps, t("report_servqual_bars", lang), lang)}</div>'
    parts.append(_section("servqual", t("report_servqual", lang), sq))
    parts.append(_section("pareto", t("report_pareto", lang),
                          "".join(f'<div class="block">{table(x, heading=True)}</div>' for x in rep.pareto)))
    parts.append(_section("actions", t("report_actions", lang), "".join(table(x, heading=i > 0)
                                                                        for i, x in enumerate(rep.actions))))
    if rep.scorecard is not None:
        parts.append(_section("scorecard", t("report_scorecard", lang), table(rep.scorecard)))
    formulas = "".join(f"<dt>{escape(name)}</dt><dd>{escape(text)}</dd>" for name, text in rep.formulas)
    parts.append(_section("method", t("report_method", lang), f"<dl>{formulas}</dl>"))
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (f'<!doctype html><html lang="{html_lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(t('report_title', lang, q=rep.quarter))}</title><style>{CSS}</style></head>"
            f"<body>{''.join(parts)}</body></html>")
