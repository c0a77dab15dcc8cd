"""Display rows and sentences of the Evaluation page, already in the page's language (no streamlit here)."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from csq.core.i18n import fmt_fixed, t
from csq.evaluation.scorecard import COMPONENTS, GRADES, component_name, cutoffs, grade_counts, reference_scores
from csq.metrics.display import format_value, indicator_name
from csq.metrics.indicators import target_status
from csq.store.settings import Target

Row = dict[str, Any]


def num(x: float | None, lang: str, digits: int = 2, sign: bool = False) -> str:
    """Return a number with fixed decimals (signed when asked, never '-0.0'), or the no-data text."""
    if x is None:
        return t("no_data", lang)
    return fmt_fixed(x, digits, sign=sign)


def dim_name(d: str, lang: str) -> str:
    """Return a SERVQUAL dimension's name in the language."""
    return t(f"ev_dim_{d}", lang)


def dimension_rows(dims: Sequence[Row], lang: str, confidence: float) -> list[Row]:
    """Return the SERVQUAL dimension table: E, P, gap, CI, n, mean points and alpha."""
    ci = t("ev_ci", lang, p=round(confidence * 100))
    return [{t("ev_dimension", lang): dim_name(d["dimension"], lang),
             t("ev_expectation", lang): num(d["expectation"], lang), t("ev_perception", lang): num(d["perception"], lang),
             t("ev_gap", lang): num(d["gap"], lang, sign=True),
             ci: f"{num(d['ci_low'], lang, sign=True)} … {num(d['ci_high'], lang, sign=True)}"
             if d["ci_low"] is not None else t("no_data", lang),
             "n": d["n"], t("ev_points", lang): num(d["points"], lang, 1),
             t("ev_alpha_p", lang): num(d["alpha_p"], lang), t("ev_alpha_e", lang): num(d["alpha_e"], lang)}
            for d in dims]


def weak_alpha(dims: Sequence[Row], threshold: float) -> list[str]:
    """Return the dimensions whose perception alpha is known and below the threshold."""
    return [d["dimension"] for d in dims if d["alpha_p"] is not None and d["alpha_p"] < threshold]


def item_rows(items: Sequence[Row], lang: str) -> list[Row]:
    """Return the item table: item, dimension, E, P, gap and n."""
    return [{t("ev_item", lang): i["item"], t("ev_dimension", lang): dim_name(i["dimension"], lang),
             t("ev_expectation", lang): num(i["expectation"], lang), t("ev_perception", lang): num(i["perception"], lang),
             t("ev_gap", lang): num(i["gap"], lang, sign=True), "n": i["n"]} for i in items]


def wave_label(w: Row, lang: str) -> str:
    """Return a wave's name, marked '2025Q3 (n = 5, too few)' when it has fewer respondents than the minimum."""
    return t("ev_wave_low_n", lang, wave=w["wave"], n=f"{w['n']:,}") if w.get("low_n") else str(w["wave"])


def labelled_waves(waves: Sequence[Row], lang: str) -> list[Row]:
    """Return the waves with their names marked where n is below the minimum (what the waves chart plots)."""
    return [{**w, "wave": wave_label(w, lang)} for w in waves]


def low_n_waves(waves: Sequence[Row]) -> list[Row]:
    """Return the waves with fewer respondents than the minimum."""
    return [w for w in waves if w.get("low_n")]


def wave_rows(waves: Sequence[Row], dims: Sequence[str], lang: str) -> list[Row]:
    """Return the waves table: each dimension's gap, the weighted and unweighted gap, and n (low n marked)."""
    return [{t("ev_wave", lang): wave_label(w, lang), **{dim_name(d, lang): num(w[d], lang, sign=True) for d in dims},
             t("ev_weighted_gap", lang): num(w["weighted_gap"], lang, sign=True),
             t("ev_unweighted_gap", lang): num(w["unweighted_gap"], lang, sign=True), "n": w["n"]} for w in waves]


def _status_mark(key: str, value: float | None, targets: Mapping[str, Target], lang: str) -> str:
    """Return ' (on target)' and the like for an indicator with a target, else ''."""
    status = target_status(value, targets.get(key))
    if not status:
        return ""
    return f"（{t(f'status_{status}', lang)}）" if lang == "zh" else f" ({t(f'status_{status}', lang)})"


def indicator_text(ind: Row, lang: str, targets: Mapping[str, Target]) -> str:
    """Return 'name value (n = …)' for one driving indicator, with its target status mark."""
    return (f"{indicator_name(ind['key'], lang)} {format_value(ind['key'], ind['value'], lang)}"
            f"{_status_mark(ind['key'], ind['value'], targets, lang)} (n = {ind['n']:,})")


def biggest_text(overview: Mapping[str, Any], diagnosis: Sequence[Row], lang: str,
                 targets: Mapping[str, Target]) -> str:
    """Return the plain-words sentence about the widest gap and the indicators that drive it."""
    top = diagnosis[0] if diagnosis and diagnosis[0]["gap"] is not None else None
    if top is None or top["gap"] >= 0:
        return t("ev_no_gap", lang)
    d = next(x for x in overview["dimensions"] if x["dimension"] == top["dimension"])
    text = t("ev_biggest", lang, dim=dim_name(top["dimension"], lang), gap=f"{-top['gap']:.2f}",
             p=round(overview["confidence"] * 100), low=num(d["ci_low"], lang, sign=True),
             high=num(d["ci_high"], lang, sign=True), n=f"{top['n']:,}")
    if top["indicators"]:
        drivers = ("；" if lang == "zh" else "; ").join(indicator_text(i, lang, targets) for i in top["indicators"])
        return text + " " + t("ev_biggest_drivers", lang, drivers=drivers)
    return text + " " + t("ev_biggest_no_drivers", lang)


def diagnosis_rows(diagnosis: Sequence[Row], lang: str, targets: Mapping[str, Target]) -> list[Row]:
    """Return the five-gap diagnosis table: dimension, gap, n, driving indicators and QA criteria pass rates."""
    sep = "；" if lang == "zh" else "; "
    return [{t("ev_dimension", lang): dim_name(d["dimension"], lang), t("ev_gap", lang): num(d["gap"], lang, sign=True),
             "n": d["n"], t("indicator", lang): sep.join(indicator_text(i, lang, targets) for i in d["indicators"]) or "—",
             t("ev_criteria_for", lang): sep.join(
                 f"{c['criterion']} {format_value('qa_critical_fail_rate', c['pass_rate'], lang)}"
                 for c in d["criteria"]) or "—"} for d in diagnosis]


def criteria_rows(criteria: Sequence[Row], lang: str) -> list[Row]:
    """Return the QA criteria table: critical flag, max score, weight, mean score, share of max, pass rate, n."""
    return [{t("ev_criterion", lang): c["criterion"], t("ev_critical", lang): t("ev_yes" if c["critical"] else "ev_no", lang),
             t("ev_max_score", lang): num(c["max_score"], lang, 0), t("ev_weight", lang): num(c["weight"], lang, 1)
             if c["weight"] is not None else "1",
             t("ev_mean_score", lang): num(c["mean_score"], lang, 1), t("ev_mean_pct", lang): f"{c['mean_pct']:.1f}%",
             t("ev_pass_rate", lang): format_value("qa_critical_fail_rate", c["pass_rate"], lang), "n": c["n"]}
            for c in criteria]


def qa_group_rows(rows: Sequence[Row], field: str, lang: str) -> list[Row]:
    """Return qa_score, critical fail rate, score before the critical rule and n per agent or evaluator."""
    label = t("agent", lang) if field == "agent" else t("ev_evaluator", lang)
    return [{label: r[field] if r[field] is not None else "—",
             indicator_name("qa_score", lang): num(r["qa_score"], lang, 1),
             indicator_name("qa_critical_fail_rate", lang): format_value("qa_critical_fail_rate",
                                                                        r["qa_critical_fail_rate"], lang),
             t("ev_points_pct", lang): num(r["points_pct"], lang, 1), "n": r["n"]} for r in rows]


def icc_level(icc: float) -> str:
    """Return poor, moderate, good or excellent for an ICC (Koo & Li 2016 bands)."""
    return "excellent" if icc > 0.9 else "good" if icc >= 0.75 else "moderate" if icc >= 0.5 else "poor"


def agreement_texts(a: Mapping[str, Any], lang: str, confidence: float) -> list[str]:
    """Return sentences on evaluator agreement: the ICC and the evaluator furthest off, if any differs."""
    if not a["tickets"]:
        return [t("ev_no_double", lang)]
    p = round(confidence * 100)
    out = []
    if a["icc"] is not None:
        out.append(t("ev_icc_level", lang, level=t(f"ev_icc_{icc_level(a['icc'])}", lang), icc=f"{a['icc']:.2f}", p=p,
                     low=num(a["ci_low"], lang), high=num(a["ci_high"], lang), n=f"{a['n']:,}"))
    biased = [e for e in a["evaluators"] if e["biased"]]
    if biased:
        worst = max(biased, key=lambda e: abs(e["offset"]))
        out.append(t("ev_offset_note", lang, who=worst["evaluator"], x=f"{abs(worst['offset']):.1f}",
                     dir=t("ev_lower" if worst["offset"] < 0 else "ev_higher", lang), p=p,
                     low=num(worst["ci_low"], lang, 1, sign=True), high=num(worst["ci_high"], lang, 1, sign=True),
                     n=f"{worst['n']:,}"))
    return out


def offset_rows(a: Mapping[str, Any], lang: str, confidence: float) -> list[Row]:
    """Return each evaluator's average offset on double-scored tickets with its CI and n."""
    ci = t("ev_ci", lang, p=round(confidence * 100))
    return [{t("ev_evaluator", lang): e["evaluator"], t("ev_offset", lang): num(e["offset"], lang, 2, sign=True),
             ci: f"{num(e['ci_low'], lang, 2, sign=True)} … {num(e['ci_high'], lang, 2, sign=True)}", "n": e["n"]}
            for e in a["evaluators"]]


def scorecard_rows(rows: Sequence[Row], by: str, lang: str) -> list[Row]:
    """Return the scorecard table: rank, name, score, grade, change, n and every component's value."""
    out = []
    for r in rows:
        row: Row = {t("ev_rank", lang): str(r["rank"]) if r["rank"] is not None else t("ev_not_ranked", lang),
                    t(by, lang): r[by]}
        if by == "agent":
            row[t("team", lang)] = r.get("team") or "—"
        row[t("ev_score", lang)] = r["score"]
        row[t("ev_grade", lang)] = t(f"ev_grade_{r['grade']}", lang) if r["grade"] else t("no_data", lang)
        row[t("ev_change", lang)] = num(r["change"], lang, 1, sign=True) if r["change"] is not None else "—"
        row[t("ev_n_tickets", lang)] = r["n"]
        for k in COMPONENTS:
            value = r[k] if k != "qa_score" or r[k] is None else float(r[k])
            row[component_name(k, lang)] = (num(value, lang, 1) if k == "qa_score" else
                                            num(value, lang, 0) if k == "calls_answered" and value is not None else
                                            format_value(k, value, lang))
        out.append(row)
    return out


def _cutoff(x: float) -> str:
    """Return a cut-off score with one decimal, or '—' when no score reaches the grade."""
    return "—" if math.isinf(x) else f"{x:.1f}"


def how_score_md(weights: Mapping[str, float], bands: Mapping[str, float], min_n: int, lang: str) -> str:
    """Return the 'how the score is computed' text with the current weights, grade percentiles and minimum n."""
    total = sum(weights.values()) or 1.0
    sep = "、" if lang == "zh" else ", "
    shown = sep.join(f"{component_name(k, lang)} {weights[k] / total:.0%}" for k in COMPONENTS)
    return t("ev_how_score_body", lang, excellent=f"{bands['excellent']:g}", good=f"{bands['good']:g}",
             pass_=f"{bands['pass']:g}", min_n=min_n, weights=shown)


def grade_note(rows: Sequence[Row], bands: Mapping[str, float], lang: str) -> str:
    """Return the sentence on how the rows spread over the grades and the period's cut-off scores."""
    counts = grade_counts(rows)
    cut = cutoffs(reference_scores(rows), bands)
    sep = "，" if lang == "zh" else ", "
    spread = sep.join(f"{t(f'ev_grade_{g}', lang)} {counts[g]:,}" for g in GRADES)
    lines = sep.join(f"{t(f'ev_grade_{g}', lang)} ≥ {_cutoff(cut[g])}" for g in GRADES[:-1])
    return t("ev_grade_note", lang, spread=spread, n=f"{sum(counts.values()):,}", cutoffs=lines)


def trend_lines(rows: Sequence[Row], bands: Mapping[str, float]) -> dict[str, float]:
    """Return the grade cut-off scores, to one decimal, to draw on a score trend (a grade no score reaches: 100)."""
    return {g: round(min(c, 100.0), 1) for g, c in cutoffs(reference_scores(rows), bands).items()}


def pass_rate_rows(rows: Sequence[Row], field: str, lang: str) -> list[Row]:
    """Return pass rates per course or team: rate, passed, assessments and mean score."""
    label = t("ev_course", lang) if field == "course" else t(field, lang)
    return [{label: r[field] if r[field] is not None else "—",
             indicator_name("training_pass_rate", lang): format_value("training_pass_rate", r["training_pass_rate"], lang),
             t("ev_passed", lang): int(r["passed"]), t("ev_assessments", lang): r["n"],
             t("ev_mean_score", lang): num(r["mean_score"], lang, 1)} for r in rows]


def below_rows(rows: Sequence[Row], lang: str) -> list[Row]:
    """Return failed assessments with the agent's QA score before and after and whether a retake passed."""
    def qa(x: float | None, n: int) -> str:
        return f"{x:.1f} (n = {n})" if x is not None else t("no_data", lang)

    return [{t("agent", lang): r["agent"], t("team", lang): r["team"] or "—", t("ev_course", lang): r["course"],
             t("ev_assessed_at", lang): r["assessed_at"].strftime("%Y-%m-%d"),
             t("ev_exam_score", lang): num(r["score"], lang, 0), t("ev_pass_mark", lang): num(r["pass_mark"], lang, 0),
             t("ev_qa_before", lang): qa(r["qa_before"], r["n_before"]), t("ev_qa_after", lang): qa(r["qa_after"], r["n_after"]),
             t("ev_qa_change", lang): num(r["qa_change"], lang, 1, sign=True) if r["qa_change"] is not None else "—",
             t("ev_retake", lang): t("ev_yes" if r["passed_later"] else "ev_no", lang)} for r in rows]
