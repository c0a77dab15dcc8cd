"""Control charts in words (SPEC §4b): each month's reading, each broken rule with its months, the chart's why.

The CLI prints these, the pages list them and put them in the chart's hover text, so the words are one set.
"""
from __future__ import annotations

from csq.core.i18n import fmt_fixed, fmt_month, t
from csq.metrics.display import format_value
from csq.metrics.spc import ControlChart, MonthSignal, SpcPoint

_WORDS = {
    "en": {
        "above": "{v} is above the upper control limit {x}",
        "below": "{v} is below the lower control limit {x}",
        "run_above": "{v} is part of a run of 8 or more months above the centre line {x}",
        "run_below": "{v} is part of a run of 8 or more months below the centre line {x}",
        "trend_up": "{v} is part of 6 or more months of steady rise",
        "trend_down": "{v} is part of 6 or more months of steady fall",
        "two_up": "{v} is one of 2 of 3 months above the two-sigma line",
        "two_down": "{v} is one of 2 of 3 months below the two-sigma line",
        "within": "{v} is within the control limits",
        "nodata": "no data",
        "partial": "{v} so far: the month is in progress, so it is not judged against the limits",
        "line": "{m}: {text} (n={n})", "sep": "; ",
    },
    "zh": {
        "above": "{v} 高于控制上限 {x}",
        "below": "{v} 低于控制下限 {x}",
        "run_above": "{v}，连续 8 个月及以上高于中心线 {x}",
        "run_below": "{v}，连续 8 个月及以上低于中心线 {x}",
        "trend_up": "{v}，连续 6 个月及以上持续上升",
        "trend_down": "{v}，连续 6 个月及以上持续下降",
        "two_up": "{v}，3 个月中有 2 个高于 2σ 线",
        "two_down": "{v}，3 个月中有 2 个低于 2σ 线",
        "within": "{v} 在控制限之内",
        "nodata": "无数据",
        "partial": "目前为 {v}：本月尚未结束，不与控制限比较",
        "line": "{m}：{text}（n={n}）", "sep": "；",
    },
}


def explain(point: SpcPoint, lang: str = "en") -> str:
    """Return a plain-words sentence for one month, naming each rule it broke (or that it is within limits)."""
    w = _WORDS.get(lang, _WORDS["en"])
    if point.value is None:
        return f"{point.month}{'：' if lang == 'zh' else ': '}{w['nodata']}"

    def fmt(x: float | None) -> str:
        return format_value(point.key, x, lang)

    v = fmt(point.value)
    if point.partial:
        return w["line"].format(m=point.month, text=w["partial"].format(v=v), n=f"{point.n:,}")
    above = point.center is not None and point.value > point.center
    parts: list[str] = []
    if "beyond_limits" in point.signals:
        high = point.ucl is not None and point.value > point.ucl
        parts.append(w["above" if high else "below"].format(v=v, x=fmt(point.ucl if high else point.lcl)))
    if "run_of_8" in point.signals and point.center is not None:
        parts.append(w["run_above" if above else "run_below"].format(v=v, x=fmt(point.center)))
    if "trend_of_6" in point.signals:
        parts.append(w[f"trend_{point.trend or 'up'}"].format(v=v))
    if "two_of_three" in point.signals:
        parts.append(w["two_up" if above else "two_down"].format(v=v))
    if not parts:
        parts.append(w["within"].format(v=v) if point.lcl is not None or point.ucl is not None else v)
    # The value is named once; later clauses drop their leading value to avoid repeating it.
    text = parts[0] + "".join(w["sep"] + p.removeprefix(v).lstrip(" ，") for p in parts[1:])
    return w["line"].format(m=point.month, text=text, n=f"{point.n:,}")


def describe_signal(chart: ControlChart, s: MonthSignal, lang: str = "en") -> str:
    """Return one broken rule in words with its months, e.g. '2025-01 to 2025-08: 8 months in a row above …'."""
    points = {p.month: p for p in chart.points}
    first, last = s.months[0], s.months[-1]
    a, b = fmt_month(first, lang), fmt_month(last, lang)
    rule = t(f"spc_rule_{s.rule}", lang)
    if s.rule == "beyond_limits":
        p = points[first]
        x = p.ucl if s.direction == "up" else p.lcl
        text = t(f"spc_sig_beyond_{s.direction}", lang, m=a, v=format_value(chart.key, p.value, lang),
                 x=format_value(chart.key, x, lang))
    elif s.rule == "run_of_8":
        text = t(f"spc_sig_run_{s.direction}", lang, a=a, b=b, k=len(s.months),
                 x=format_value(chart.key, points[first].center, lang))
    elif s.rule == "trend_of_6":
        text = t(f"spc_sig_trend_{s.direction}", lang, a=a, b=b, k=len(s.months))
    else:
        months = "、".join(fmt_month(m, lang) for m in s.months) if lang == "zh" else \
            ", ".join(fmt_month(m, lang) for m in s.months)
        text = t(f"spc_sig_two_{s.direction}", lang, months=months)
    return f"{rule} · {text}"


def chart_reason(chart: ControlChart, lang: str = "en") -> str:
    """Return which chart this is and why, and where its limits come from, in a sentence or three."""
    z = None if chart.sigma_z is None else fmt_fixed(chart.sigma_z, 1 if chart.sigma_z >= 1 else 2)
    if chart.chart == "p_prime":
        why = t("spc_why_p_prime_over" if (chart.sigma_z or 0) > 1 else "spc_why_p_prime_under", lang, z=z or "—")
    elif chart.chart == "p":
        why = t("spc_why_p", lang)
    else:
        why = t("spc_why_xmr", lang)
    b = chart.baseline
    if chart.reason == "baseline_short" and b.chosen:
        return f"{why} {t('spc_base_short', lang, a=fmt_month(str(b.start), lang), b=fmt_month(str(b.end), lang))}"
    if chart.used is None:
        return why
    a, e = (fmt_month(m, lang) for m in chart.used)
    return f"{why} {t('spc_base_frozen' if b.chosen else 'spc_base_all', lang, a=a, b=e)}"


def spc_json(chart: ControlChart) -> list[dict[str, object]]:
    """Return SPEC §6 `spc --json`: one object per month with value, n, center, lcl, ucl, signals, chart, σz, baseline.

    `baseline` is the range the limits come from ({"from", "to"}, the same on every month), `in_baseline` whether
    this month's value is one of them.
    """
    base = {"from": chart.used[0], "to": chart.used[1]} if chart.used else None
    return [{"month": p.month, "value": p.value, "n": p.n, "center": p.center, "lcl": p.lcl, "ucl": p.ucl,
             "signals": list(p.signals), "in_progress": p.partial, "chart": chart.chart,
             "sigma_z": chart.sigma_z, "baseline": base,
             "in_baseline": p.in_baseline} for p in chart.points]


def signal_lines(chart: ControlChart, lang: str = "en") -> list[str]:
    """Return each broken rule of the chart in words, oldest first."""
    return [describe_signal(chart, s, lang) for s in chart.signals]
