"""The quarterly report's figures, each from the very function its page calls, so the two agree figure for figure.

Overview tiles (headline.tile), Monitoring's SLA compliance (monitoring.tickets.sla_rows), Evaluation's SERVQUAL
and scorecard tables (evaluation.servqual, evaluation.scorecard, evaluation.tables), Improvement's Pareto and
effect check (improvement.pareto, improvement.effect) and the indicator engine (metrics.engine.compute).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from csq.core.i18n import fmt_month, t
from csq.evaluation import scorecard, servqual
from csq.evaluation import tables as tb
from csq.improvement import charts as ic
from csq.improvement.actions import CLOSED
from csq.improvement.effect import EffectCheck
from csq.improvement.pareto import SOURCES, pareto_for
from csq.metrics.calls import thresholds
from csq.metrics.display import format_value, indicator_name
from csq.metrics.filters import Filter
from csq.metrics.indicators import INDICATORS
from csq.metrics.results import Result
from csq.monitoring.tickets import sla_rows
from csq.overview.headline import HEADLINE, format_target, tile, tile_notes
from csq.overview.report_model import Coverage, KindPart, Series, Table
from csq.store import Store
from csq.store.settings import Target

PARETO_ROWS = 10  # bars listed per Pareto source; the rest are counted in a note
# Settings that a kind's figures depend on, printed beside them (SPEC §3: the telephony thresholds).
KIND_NOTES: dict[str, Callable[[Store, str], str]] = {"calls": lambda store, lang: thresholds(store).describe(lang)}


def text_or(lang: str, *keys: str) -> str:
    """Return the first of the UI text keys that exists, else the last key as written (a kind's own name)."""
    for key in keys:
        found = t(key, lang)
        if found != key:
            return found
    return keys[-1]


def kind_title(kind: str, lang: str) -> str:
    """Return a record kind's name: the report's own, else the Import page's, else the kind itself."""
    return text_or(lang, f"report_kind_{kind}", f"import_kind_{kind}", kind)


def kinds() -> list[str]:
    """Return the record kinds of the indicator catalogue, in catalogue order (a kind registered later included)."""
    return list(dict.fromkeys(ind.kind for ind in INDICATORS.values()))


def by_month(rows: Sequence[Result]) -> dict[str, Result]:
    """Return monthly Results keyed by month."""
    return {str(r.group("month")): r for r in rows}


def has_data(result: Result | None, keys: Sequence[str]) -> bool:
    """Return True when any of the indicators counts a record (n > 0) in the result."""
    return result is not None and any(result.n(k) > 0 for k in keys if k in result.figures)


def coverage(monthly: Mapping[str, Result], months: Sequence[str], running: str | None) -> Coverage:
    """Return which of the quarter's months hold data, per kind, and which month is still in progress."""
    per_kind = {kind: tuple(m for m in months
                            if has_data(monthly.get(m), [k for k, i in INDICATORS.items() if i.kind == kind]))
                for kind in kinds()}
    with_data = tuple(m for m in months if any(m in v for v in per_kind.values()))
    return Coverage(tuple(months), with_data, {k: v for k, v in per_kind.items() if v},
                    running if running in months else None)


def coverage_table(cov: Coverage, lang: str) -> Table:
    """Return the coverage as a table: one row per kind with data, a ✓ under each month that holds its records."""
    def head(m: str) -> str:
        return fmt_month(m, lang) + (f" ({t('report_in_progress', lang)})" if m == cov.running else "")

    rows = [{t("report_kind", lang): kind_title(kind, lang),
             **{head(m): "✓" if m in got else "—" for m in cov.months}} for kind, got in cov.by_kind.items()]
    return Table.of("coverage", t("report_coverage", lang), rows, coverage_sentence(cov, lang),
                    columns=[t("report_kind", lang), *(head(m) for m in cov.months)])


def coverage_sentence(cov: Coverage, lang: str) -> str:
    """Return the sentence saying whether the quarter is complete, and if not which months it holds."""
    sep = "、" if lang == "zh" else ", "
    if not cov.with_data:
        return t("report_no_data", lang)
    if not cov.partial:
        return t("report_complete", lang)
    parts = [t("report_partial", lang)]
    missing = [m for m in cov.months if m not in cov.with_data]
    if missing:
        parts.append(t("report_missing", lang, with_=sep.join(fmt_month(m, lang) for m in cov.with_data),
                       months=sep.join(fmt_month(m, lang) for m in missing)))
    if cov.running:
        parts.append(t("report_running", lang, m=fmt_month(cov.running, lang)))
    return " ".join(parts)


def method_table(rep_formulas: Sequence[tuple[str, str]], lang: str) -> Table:
    """Return how each indicator shown is computed, with what its n counts: the report's last sheet."""
    return Table.of("method", t("report_method", lang), [{t("indicator", lang): name, t("formula", lang): text}
                                                         for name, text in rep_formulas])


def headline_table(current: Result, previous: Result | None, targets: Mapping[str, Target], lang: str,
                   partial: bool = False) -> Table:
    """Return the Overview's tiles as a table: value, n, target, status, previous quarter and change.

    For a partial quarter the note warns that its counts cover less time than the whole quarter before it.
    """
    note = t("report_partial_compare", lang) if partial and previous is not None else ""
    return Table.of("headline", t("headline", lang), [_indicator_row(k, current, previous, targets, lang)
                                                      for k in HEADLINE], note)


def _indicator_row(key: str, current: Result, previous: Result | None, targets: Mapping[str, Target],
                   lang: str) -> dict[str, object]:
    """Return one indicator's row: the Overview tile's value, status and change, with its n and target."""
    tl = tile(key, current, previous, targets.get(key), lang)
    return {t("indicator", lang): tl.label, t("value", lang): tl.value, "n": current.n(key),
            t("target", lang): format_target(key, targets.get(key), lang), t("report_status", lang): tl.status_text,
            t("report_previous", lang): format_value(key, previous.value(key), lang) if previous else "—",
            t("vs_prev", lang): tl.delta or "—"}


def kind_parts(store: Store, current: Result, previous: Result | None, monthly: Mapping[str, Result],
               targets: Mapping[str, Target], months: Sequence[str], running: str | None, lang: str) -> list[KindPart]:
    """Return one part per record kind with data in the quarter: every indicator of the kind, quarter and months."""
    out = []
    for kind in kinds():
        keys = [k for k, i in INDICATORS.items() if i.kind == kind]
        if not has_data(current, keys):
            continue
        heads = {m: fmt_month(m, lang) + (f" ({t('report_in_progress', lang)})" if m == running else "")
                 for m in months}
        notes = tile_notes(store, keys, lang)  # the Overview's own: a telephony figure's threshold
        rows = [{**_indicator_row(k, current, previous, targets, lang),
                 **({t("report_threshold", lang): notes.get(k, "—")} if notes else {}),
                 **{heads[m]: format_value(k, monthly[m].value(k) if m in monthly else None, lang) for m in months}}
                for k in keys]
        note = KIND_NOTES[kind](store, lang) if kind in KIND_NOTES else ""
        out.append(KindPart(kind, kind_title(kind, lang), Table.of(f"kind_{kind}", kind_title(kind, lang), rows, note),
                            note))
    return out


def trend_series(monthly: Mapping[str, Result], months: Sequence[str], quarter: Sequence[str],
                 targets: Mapping[str, Target], running: str | None, lang: str) -> list[Series]:
    """Return the headline indicators' monthly series over the previous quarter and this one, for the charts."""
    return [Series(k, indicator_name(k, lang), tuple(months),
                   tuple(monthly[m].value(k) if m in monthly else None for m in months), targets.get(k),
                   tuple(quarter), running) for k in HEADLINE]


def trend_table(series: Sequence[Series], lang: str) -> Table:
    """Return the charts' figures as a table: one row per month, one column per headline indicator."""
    if not series:
        return Table("trend", t("trend", lang), (), ())
    rows = [{t("month", lang): fmt_month(m, lang), **{s.title: format_value(s.key, s.values[i], lang) for s in series}}
            for i, m in enumerate(series[0].months)]
    return Table.of("trend", t("trend", lang), rows, t("report_trend_note", lang))


def sla_tables(store: Store, f: Filter, lang: str) -> list[Table]:
    """Return Monitoring's SLA compliance by priority and by type, the same rows the page shows."""
    return [Table.of(f"sla_{by}", f"{t('sla_compliance', lang)} · {t(by, lang)}", sla_rows(store, f, by, lang))
            for by in ("priority", "type")]


def servqual_part(store: Store, f: Filter, lang: str
                  ) -> tuple[Table | None, str, list[tuple[str, float | None]]]:
    """Return Evaluation's SERVQUAL dimension table, its headline sentence (gaps, CI, respondents) and the gaps."""
    o: dict[str, Any] = servqual.overview(store, f)
    if not o["respondents"]:
        return None, t("ev_sq_none", lang), []
    text = t("report_servqual_text", lang, w=tb.num(o["weighted_gap"], lang, sign=True),
             lo=tb.num(o["weighted_ci_low"], lang, sign=True), hi=tb.num(o["weighted_ci_high"], lang, sign=True),
             p=round(o["confidence"] * 100), u=tb.num(o["unweighted_gap"], lang, sign=True),
             n=f"{o['respondents']:,}")
    worst: dict[str, Any] | None = servqual.biggest_gap(o["dimensions"])
    if worst is not None:
        text += " " + t("report_servqual_worst", lang, d=tb.dim_name(str(worst["dimension"]), lang),
                        g=tb.num(worst["gap"], lang, sign=True))
    gaps = [(tb.dim_name(str(d["dimension"]), lang), d["gap"]) for d in o["dimensions"]]
    return Table.of("servqual", "SERVQUAL", tb.dimension_rows(o["dimensions"], lang, o["confidence"])), text, gaps


def pareto_tables(store: Store, f: Filter, lang: str) -> list[Table]:
    """Return Improvement's Pareto of each problem source: its first PARETO_ROWS bars, the rest counted."""
    out = []
    for src in SOURCES:
        bars = pareto_for(store, src, f)
        rows = [{t("category", lang): b.category or t("impr_uncategorised", lang), t("impr_count", lang): b.count,
                 t("impr_share", lang): f"{b.share * 100:.1f}%", t("impr_cumulative", lang): f"{b.cumulative * 100:.1f}%",
                 t("impr_vital", lang): "✓" if b.vital else ""} for b in bars[:PARETO_ROWS]]
        rest = bars[PARETO_ROWS:]
        note = t("report_pareto_rest", lang, k=len(rest), n=f"{sum(b.count for b in rest):,}") if rest else ""
        out.append(Table.of(f"pareto_{src}", t(f"impr_src_{src}", lang), rows, note if rows else t("no_match", lang),
                            columns=None if rows else [t("category", lang), t("impr_count", lang)]))
    return out


def _day(value: object) -> date | None:
    """Return a date or timestamp as a date (None stays None)."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def in_quarter(action: Mapping[str, object], start: date, end: date) -> bool:
    """Return True when an action was in play during [start, end]: begun by the end and not closed before the start.

    Cancelled actions are left out; an action without any date counts while it is open.
    """
    if action.get("status") == "cancelled":
        return False
    begun = _day(action.get("start_date")) or _day(action.get("due_date"))
    if begun is not None and begun > end:
        return False
    closed = _day(action.get("completed_at"))
    if closed is None and action.get("status") in CLOSED:
        closed = _day(action.get("due_date"))
    return closed is None or closed >= start


def actions_tables(items: Sequence[tuple[Mapping[str, object], EffectCheck | None]], lang: str) -> list[Table]:
    """Return the quarter's actions as the Improvement page shows them: the register, and each effect check."""
    register, checks = [], []
    for a, c in items:
        key = str(a.get("indicator") or "")
        shown = key in INDICATORS
        ident = {t("impr_col_id", lang): a["action_id"]}
        register.append({
            **ident, t("impr_f_title", lang): a.get("title"),
            t("impr_f_indicator", lang): indicator_name(key, lang) if key else "—",
            t("impr_f_scope", lang): ic.scope_text(a.get("scope"), lang),  # type: ignore[arg-type]
            t("impr_f_owner", lang): a.get("owner") or "—",
            t("impr_f_due", lang): str(a.get("due_date") or "—"),
            t("impr_f_completed", lang): str(_day(a.get("completed_at")) or "—"),
            t("impr_f_status", lang): text_or(lang, f"impr_status_{a.get('status')}", "—"),
            t("impr_overdue", lang): "⚠" if a.get("overdue") else ""})
        checks.append({
            **ident, t("impr_f_indicator", lang): indicator_name(key, lang) if key else "—",
            t("impr_before", lang): format_value(key, c.before.value, lang) if c and shown else "—",
            t("impr_after", lang): format_value(key, c.after.value, lang) if c and shown else "—",
            "n": f"{c.before.n:,} / {c.after.n:,}" if c else "—",
            t("impr_method_label", lang): t("impr_method_" + c.method, lang) if c else "—",
            t("impr_net_effect", lang): ic.net_text(c.net, lang) if c and c.net else "—",
            t("impr_p_value", lang): ic.p_text(c.p_value) if c else "—",
            t("impr_verdict", lang): t("verdict_" + c.verdict, lang) if c else "—"})
    empty = [t("impr_col_id", lang), t("impr_f_title", lang)]
    return [Table.of("actions", t("report_actions", lang), register, "" if register else t("impr_no_actions", lang),
                     columns=None if register else empty),
            Table.of("effect", t("report_effect", lang), checks, t("report_effect_note", lang) if checks else "",
                     columns=None if checks else empty[:1])]


def scorecard_table(store: Store, f: Filter, previous: Filter | None, lang: str) -> Table:
    """Return Evaluation's team scorecard (score, grade, rank, change, components) with its grade note."""
    rows = scorecard.scorecard(store, f, "team", previous)
    shown = tb.scorecard_rows(rows, "team", lang)
    if not shown:
        return Table("scorecard", t("report_scorecard", lang), (), (), t("ev_no_scorecard", lang))
    note = tb.grade_note(rows, scorecard.grade_bands(store), lang) + " " + \
        t("ev_min_n_note", lang, n=scorecard.min_n(store))
    return Table.of("scorecard", t("report_scorecard", lang), shown, note)
