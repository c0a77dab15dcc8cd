"""Inline SVG line charts for the quarterly report: no script, no font or file fetched, crisp on paper.

One small chart per indicator: its monthly values (previous quarter and this one, the report's months shaded),
each point labelled, the target as a dashed line, and the month still in progress as an open point.
"""
from __future__ import annotations

from html import escape

from csq.core.i18n import fmt_month_short, t
from csq.metrics.display import format_value, plotted
from csq.overview.report_model import Series

W, H = 320, 170                 # the viewBox; the chart scales to its box
LEFT, RIGHT, TOP, BOTTOM = 12, 12, 38, 30
LINE, TARGET, SHADE, GRID = "#1f6feb", "#cf222e", "#eef4ff", "#d0d7de"


def _bounds(values: list[float]) -> tuple[float, float]:
    """Return the y range with some air around the values (a flat series gets a band around itself)."""
    lo, hi = min(values), max(values)
    if hi - lo < 1e-9:
        pad = abs(hi) * 0.1 or 1.0
        return lo - pad, hi + pad
    pad = (hi - lo) * 0.18
    return lo - pad, hi + pad


def line_chart(s: Series, lang: str) -> str:
    """Return one indicator's monthly line chart as an <svg> element (every text escaped)."""
    ys = [plotted(s.key, v) for v in s.values]
    target = plotted(s.key, s.target.target) if s.target else None
    known = [y for y in ys if y is not None]
    parts = [f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" xmlns="http://www.w3.org/2000/svg" '
             f'aria-label="{escape(s.title)}">',
             f'<text x="{LEFT}" y="15" class="ct">{escape(s.title)}</text>']
    n = len(s.months)
    step = (W - LEFT - RIGHT) / max(n, 1)

    def x(i: int) -> float:
        """Return the x of month i (the middle of its slot)."""
        return LEFT + step * (i + 0.5)

    quarter = [i for i, m in enumerate(s.months) if m in s.quarter]
    if quarter:
        parts.append(f'<rect x="{LEFT + step * quarter[0]:.1f}" y="{TOP - 4}" width="{step * len(quarter):.1f}" '
                     f'height="{H - TOP - BOTTOM + 8}" fill="{SHADE}"/>')
    for i, m in enumerate(s.months):
        parts.append(f'<text x="{x(i):.1f}" y="{H - 12}" class="cx" text-anchor="middle">'
                     f'{escape(fmt_month_short(m, lang))}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{H - BOTTOM + 4}" x2="{W - RIGHT}" y2="{H - BOTTOM + 4}" stroke="{GRID}"/>')
    if not known:
        parts.append(f'<text x="{W / 2}" y="{(TOP + H - BOTTOM) / 2}" class="cx" text-anchor="middle">'
                     f'{escape(t("no_data", lang))}</text></svg>')
        return "".join(parts)
    lo, hi = _bounds(known + ([target] if target is not None else []))

    def y(v: float) -> float:
        """Return the y of a plotted value."""
        return TOP + (hi - v) / (hi - lo) * (H - TOP - BOTTOM)

    if target is not None:
        label = f"{t('target', lang)} {format_value(s.key, s.target.target if s.target else None, lang)}"
        parts.append(f'<line x1="{LEFT}" y1="{y(target):.1f}" x2="{W - RIGHT}" y2="{y(target):.1f}" stroke="{TARGET}" '
                     f'stroke-width="1.2" stroke-dasharray="5 3"/>'
                     f'<text x="{LEFT}" y="28" class="cx" fill="{TARGET}">- - {escape(label)}</text>')
    run: list[str] = []
    for i, v in enumerate(ys):  # a month without data breaks the line
        if v is None:
            if len(run) > 1:
                parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{LINE}" stroke-width="1.8"/>')
            run = []
            continue
        run.append(f"{x(i):.1f},{y(v):.1f}")
    if len(run) > 1:
        parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{LINE}" stroke-width="1.8"/>')
    for i, (m, v) in enumerate(zip(s.months, s.values)):
        yv = ys[i]
        if yv is None:
            continue
        fill = "#ffffff" if m == s.running else LINE
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(yv):.1f}" r="3" fill="{fill}" stroke="{LINE}" stroke-width="1.5"/>'
                     f'<text x="{x(i):.1f}" y="{y(yv) - 6:.1f}" class="cv" text-anchor="middle">'
                     f'{escape(format_value(s.key, v, lang))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def gap_bars(gaps: list[tuple[str, float | None]], title: str, lang: str) -> str:
    """Return SERVQUAL's dimension gaps (P − E) as horizontal bars about zero, each labelled, as an <svg>."""
    known = [abs(g) for _, g in gaps if g is not None]
    scale = max(known) if known else 1.0
    row, label_w, width = 22, 110, 520
    zero, half = label_w + (width - label_w) / 2, (width - label_w) / 2 - 40
    height = TOP + row * len(gaps) + 8
    parts = [f'<svg class="bars" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg" '
             f'aria-label="{escape(title)}"><text x="0" y="15" class="ct">{escape(title)}</text>',
             f'<line x1="{zero}" y1="{TOP - 6}" x2="{zero}" y2="{height - 4}" stroke="{GRID}"/>']
    for i, (name, gap) in enumerate(gaps):
        y = TOP + i * row
        parts.append(f'<text x="0" y="{y + 12}" class="cx">{escape(name)}</text>')
        if gap is None:
            parts.append(f'<text x="{zero + 4}" y="{y + 12}" class="cx">{escape(t("no_data", lang))}</text>')
            continue
        w = abs(gap) / scale * half
        x = zero - w if gap < 0 else zero
        colour = TARGET if gap < 0 else "#1a7f37"
        parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row - 8}" fill="{colour}"/>')
        tx, anchor = (x - 4, "end") if gap < 0 else (x + w + 4, "start")
        parts.append(f'<text x="{tx:.1f}" y="{y + 12}" class="cv" text-anchor="{anchor}">{gap:+.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)
