"""The report's findings, written from the data: each indicator off target in the quarter, how far off, its trend
over the quarter's whole months and against the previous quarter, and the improvement actions aimed at it.

Which indicators are off target is the Overview's own rule (headline.off_target), over every indicator with a target.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from csq.core.i18n import fmt_month, t
from csq.improvement import charts as ic
from csq.improvement.effect import EffectCheck
from csq.metrics.display import format_value, indicator_name
from csq.metrics.indicators import INDICATORS
from csq.metrics.results import Result
from csq.overview.headline import format_delta, format_target, off_target
from csq.overview.report_model import ActionRef, Coverage, Finding, Table
from csq.store.settings import Target

ActionItem = tuple[Mapping[str, object], EffectCheck | None]


def _changed(key: str, now: float, before: float, lang: str) -> str | None:
    """Return the signed change with its unit, or None when it rounds to no change (format_delta's own rule)."""
    delta = format_delta(key, now, before, lang)
    return delta if delta and delta.startswith(("+", "-")) else None


def direction(key: str, now: float, before: float, lang: str, compare: bool = False) -> str:
    """Return the change's direction in words: improving/worsening by the indicator's better side, else rising/falling.

    `compare` words it as a comparison (better/worse than the previous quarter) instead of a trend.
    """
    if _changed(key, now, before, lang) is None:
        return t("report_dir_flat", lang)
    better = INDICATORS[key].better
    up = now > before
    if better is None:
        return t("report_dir_up" if up else "report_dir_down", lang)
    good = up == (better == "higher")
    return t(("report_cmp_" if compare else "report_dir_") + ("better" if good else "worse"), lang)


def trend_text(key: str, monthly: Mapping[str, Result], cov: Coverage, lang: str) -> str:
    """Return the indicator's values over the quarter's whole months with data and their direction, in words.

    The month still in progress is named apart: its value is the month so far, not a whole month's.
    """
    points: list[tuple[str, float]] = []
    for m in cov.complete_months:
        value = monthly[m].value(key) if m in monthly and monthly[m].n(key) > 0 else None
        if value is not None:
            points.append((m, value))
    shown = " → ".join(f"{fmt_month(m, lang)} {format_value(key, v, lang)}" for m, v in points)
    if len(points) >= 2:
        first, last = points[0][1], points[-1][1]
        text = t("report_f_trend", lang, points=shown, dir=direction(key, last, first, lang),
                 change=_changed(key, last, first, lang) or format_delta(key, last, first, lang))
    else:
        text = t("report_f_trend_few", lang, points=shown or t("no_data", lang))
    run = monthly.get(cov.running) if cov.running else None
    if cov.running and run is not None and run.n(key) > 0:
        text += " " + t("report_f_running", lang, m=fmt_month(cov.running, lang),
                        v=format_value(key, run.value(key), lang))
    return text


def previous_text(key: str, value: float, previous: Result | None, lang: str) -> str:
    """Return how the quarter compares with the previous one, in words."""
    before = previous.value(key) if previous is not None and key in previous.figures else None
    if before is None:
        return t("report_f_prev_none", lang)
    return t("report_f_prev", lang, v=format_value(key, before, lang),
             change=format_delta(key, value, before, lang) or "—", dir=direction(key, value, before, lang, True))


def action_refs(key: str, items: Sequence[ActionItem], lang: str) -> tuple[ActionRef, ...]:
    """Return the quarter's actions whose indicator is `key`, with their status and effect-check verdict."""
    return tuple(ActionRef(str(a["action_id"]), str(a.get("title") or ""), _scope(a.get("scope"), lang),
                           t(f"impr_status_{a.get('status')}", lang),
                           t("verdict_" + c.verdict, lang) if c else "—", ic.p_text(c.p_value) if c else "—")
                 for a, c in items if a.get("indicator") == key)


def _scope(scope: object, lang: str) -> str:
    """Return an action's scope in words, or 'whole center' when it has none."""
    text = ic.scope_text(scope if isinstance(scope, str) else None, lang)
    return t("report_scope_all", lang) if text == "—" else text


def actions_text(refs: Sequence[ActionRef], lang: str) -> str:
    """Return the actions aimed at an indicator in words, or the sentence that none is."""
    if not refs:
        return t("report_f_no_action", lang)
    sep = "；" if lang == "zh" else "; "
    return t("report_f_actions", lang, actions=sep.join(
        t("report_f_action", lang, id=r.action_id, title=r.title, scope=r.scope, status=r.status, verdict=r.verdict,
          p=r.p_value) for r in refs))


def gap_text(key: str, value: float, target: Target, lang: str) -> str:
    """Return how far the value misses its target in words: 'short by 23.3 pp' or '53.5 s over'."""
    size = (format_delta(key, abs(value - target.target), 0.0, lang) or "").lstrip("+")
    return t("report_f_short" if target.direction == "higher" else "report_f_over", lang, gap=size)


def findings(current: Result, previous: Result | None, monthly: Mapping[str, Result], cov: Coverage,
             targets: Mapping[str, Target], items: Sequence[ActionItem], lang: str) -> list[Finding]:
    """Return one Finding per indicator off target in the quarter, most severe first (the Overview's order)."""
    out = []
    for miss in off_target(current, targets):
        key, value = miss.key, miss.value
        name = indicator_name(key, lang)
        status = t(f"status_{miss.status}", lang)
        head = t("report_f_value", lang, name=name, value=format_value(key, value, lang),
                 target=format_target(key, miss.target, lang), status=status,
                 gap=gap_text(key, value, miss.target, lang), n=f"{current.n(key):,}")
        trend, before = trend_text(key, monthly, cov, lang), previous_text(key, value, previous, lang)
        refs = action_refs(key, items, lang)
        acts = actions_text(refs, lang)
        out.append(Finding(key, name, miss.status, status, format_value(key, value, lang),
                           format_target(key, miss.target, lang), format_delta(key, value, miss.target.target, lang)
                           or "—", trend, before, refs, " ".join((head, trend, before, acts))))
    return out


def without_data(current: Result, targets: Mapping[str, Target], lang: str) -> list[str]:
    """Return the names of indicators that have a target but no data in the quarter."""
    return [indicator_name(k, lang) for k in targets if k in current.figures and current.value(k) is None]


def findings_table(found: Sequence[Finding], lang: str) -> Table:
    """Return the findings as a table: indicator, status, value, target, gap, trend, previous quarter, actions."""
    rows = [{t("indicator", lang): f.name, t("report_status", lang): f.status_text, t("value", lang): f.value,
             t("target", lang): f.target, t("report_gap", lang): f.gap, t("trend", lang): f.trend,
             t("report_previous", lang): f.previous, t("report_actions", lang): actions_text(f.actions, lang)}
            for f in found]
    return Table.of("findings", t("report_findings", lang), rows, "" if rows else t("all_on_target", lang),
                    columns=None if rows else [t("indicator", lang)])
