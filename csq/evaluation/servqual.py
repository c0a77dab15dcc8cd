"""SERVQUAL analysis: per-dimension E, P and gap with confidence intervals, items, waves, alpha, diagnosis.

The figures agree with the `servqual_gap` indicator (csq/sql/servqual.sql) and `servqual_summary`:

- An item's E and P are means over the respondents who answered that item on both sides; a dimension's
  E, P and gap are the means of its items' E, P and P − E. n counts respondents with at least one pair.
- A respondent's dimension gap is the mean P − E of the items they answered in it. Their weighted gap
  is Σ points × dimension gap ÷ Σ points (over the dimensions they answered) when all five points
  are given and add up to 100 (± 0.5), else the plain mean of their dimension gaps. The weighted gap
  of a group is the mean of its respondents' weighted gaps; the unweighted gap the mean of the five
  dimension gaps.
- Confidence intervals are Student-t intervals of the mean over respondents (scipy.stats.t).
- Cronbach's alpha per dimension uses the respondents who answered every item of that dimension;
  below 0.7 the items do not measure one thing well enough to trust the dimension score.
- A survey wave is a calendar quarter of responded_at. A wave with fewer respondents than the setting
  `servqual_min_wave_n` (default 30, where the t interval of a gap narrows to about ± 0.4 points on the 1–7
  scale for a typical spread of 1) is marked low_n: shown, but not to be compared with the others.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from csq.core.kinds import SERVQUAL_DIMENSIONS, SERVQUAL_ITEMS
from csq.metrics.engine import compute, servqual_summary
from csq.metrics.filters import Filter, build_where
from csq.store import Store
from csq.store.queries import SqlFiles, arrow
from csq.store.settings import setting_int

SQL = SqlFiles(__package__)

DIMENSIONS: tuple[str, ...] = tuple(SERVQUAL_DIMENSIONS)
CONFIDENCE = 0.95
ALPHA_OK = 0.7
MIN_WAVE_N, MIN_WAVE_N_KEY = 30, "servqual_min_wave_n"
_POINTS_TOLERANCE = 0.5

# The operational indicators that drive each dimension (the five-gap diagnosis).
DRIVERS: dict[str, tuple[str, ...]] = {
    "tangibles": (),
    "reliability": ("fcr_rate", "reopen_rate", "resolution_rate"),
    "responsiveness": ("frt_sla_rate", "frt_median_min"),
    "assurance": ("qa_score", "complaint_rate"),
    "empathy": ("qa_score", "complaint_rate"),
}
# QA criteria are free text: a criterion belongs to a dimension when its name holds one of these words.
CRITERION_WORDS: dict[str, tuple[str, ...]] = {
    "assurance": ("解决方案", "识别需求", "信息安全", "专业", "准确", "核实", "solution", "accura", "knowledge",
                  "security", "verif", "correct"),
    "empathy": ("态度", "开场", "结束", "礼貌", "同理", "倾听", "耐心", "attitude", "courtesy", "empathy",
                "greeting", "closing", "polite"),
}


@dataclass(frozen=True)
class Responses:
    """The responses inside a filter as arrays: E and P (respondents × 22 items, NaN = missing), points."""

    ids: list[str]
    quarters: list[str]
    e: np.ndarray
    p: np.ndarray
    points: np.ndarray

    @property
    def n(self) -> int:
        """Return the number of responses."""
        return len(self.ids)


def responses(store: Store, f: Filter) -> Responses:
    """Return the filter's SERVQUAL responses as arrays (field filters other than the period match none)."""
    where = build_where(f, {}, "s.responded_at")
    cols = [f"s.{side}_{i}" for side in ("e", "p") for i in SERVQUAL_ITEMS] + [f"s.w_{d}" for d in DIMENSIONS]
    sql, p = SQL.render("servqual_respondents", columns=", ".join(cols), where=where.part)
    t = arrow(store, sql, p)

    def block(names: list[str]) -> np.ndarray:
        if not names or t.num_rows == 0:
            return np.empty((t.num_rows, len(names)))
        return np.column_stack([t.column(c).to_numpy(zero_copy_only=False).astype(float) for c in names])

    quarters = [f"{ts.year}Q{(ts.month - 1) // 3 + 1}" for ts in t.column("responded_at").to_pylist()]
    return Responses(t.column("respondent_id").to_pylist(), quarters,
                     block([f"e_{i}" for i in SERVQUAL_ITEMS]), block([f"p_{i}" for i in SERVQUAL_ITEMS]),
                     block([f"w_{d}" for d in DIMENSIONS]))


def _columns(dim: str) -> list[int]:
    """Return the item column indices of one dimension."""
    return [SERVQUAL_ITEMS.index(i) for i in SERVQUAL_DIMENSIONS[dim]]


def _mean(x: np.ndarray) -> float | None:
    """Return the mean of the finite values, or None when there are none."""
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else None


def mean_ci(x: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float | None, float | None]:
    """Return the Student-t confidence interval of the mean of the finite values ((None, None) below n = 2)."""
    x = x[np.isfinite(x)]
    if x.size < 2:
        return None, None
    sem = stats.sem(x)
    if sem == 0:
        return float(x.mean()), float(x.mean())
    low, high = stats.t.interval(confidence, x.size - 1, loc=x.mean(), scale=sem)
    return float(low), float(high)


def cronbach_alpha(items: np.ndarray) -> tuple[float | None, int]:
    """Return (Cronbach's alpha, n) over the respondents who answered every item; alpha None when undefined."""
    complete = items[np.all(np.isfinite(items), axis=1)] if items.size else items
    n, k = complete.shape
    if n < 2 or k < 2:
        return None, n
    total_var = complete.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return None, n
    return float(k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum() / total_var)), n


def respondent_gaps(r: Responses) -> np.ndarray:
    """Return each respondent's gap per dimension (respondents × 5; NaN where no item was answered on both sides)."""
    diff = r.p - r.e
    out = np.full((r.n, len(DIMENSIONS)), np.nan)
    for j, d in enumerate(DIMENSIONS):
        block = diff[:, _columns(d)]
        answered = np.isfinite(block).any(axis=1)
        out[answered, j] = np.nanmean(block[answered], axis=1)
    return out


def valid_points(r: Responses) -> np.ndarray:
    """Return True per respondent whose five points are all given and add up to 100 (± 0.5)."""
    if r.n == 0:
        return np.zeros(0, dtype=bool)
    return np.all(np.isfinite(r.points), axis=1) & (np.abs(np.nansum(r.points, axis=1) - 100) <= _POINTS_TOLERANCE)


def weighted_totals(r: Responses) -> np.ndarray:
    """Return each respondent's weighted gap with their own points (plain mean of dimension gaps without valid points)."""
    gaps = respondent_gaps(r)
    out = np.full(r.n, np.nan)
    valid = valid_points(r)
    for k in range(r.n):
        answered = np.isfinite(gaps[k])
        if not answered.any():
            continue
        w = r.points[k, answered]
        if valid[k] and w.sum() > 0:
            out[k] = float((w * gaps[k, answered]).sum() / w.sum())
        else:
            out[k] = float(gaps[k, answered].mean())
    return out


def _item_means(r: Responses) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return per item (E mean, P mean, n) over the respondents who answered it on both sides."""
    pair = np.isfinite(r.e) & np.isfinite(r.p)
    n = pair.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        e = np.where(n > 0, np.where(pair, r.e, 0).sum(axis=0) / np.maximum(n, 1), np.nan)
        p = np.where(n > 0, np.where(pair, r.p, 0).sum(axis=0) / np.maximum(n, 1), np.nan)
    return e, p, n


def items(r: Responses) -> list[dict[str, object]]:
    """Return one row per item: item, dimension, expectation, perception, gap and n (None where unanswered)."""
    e, p, n = _item_means(r)
    out = []
    for d in DIMENSIONS:
        for c in _columns(d):
            has = bool(n[c])
            out.append({"item": SERVQUAL_ITEMS[c].upper(), "dimension": d,
                        "expectation": float(e[c]) if has else None, "perception": float(p[c]) if has else None,
                        "gap": float(p[c] - e[c]) if has else None, "n": int(n[c])})
    return out


def dimensions(r: Responses, confidence: float = CONFIDENCE) -> list[dict[str, object]]:
    """Return per dimension: E, P, gap and n (as servqual_summary), the gap's CI, mean points, and alpha of E and P."""
    e, p, _ = _item_means(r)
    gaps = respondent_gaps(r)
    valid = valid_points(r)
    out = []
    for j, d in enumerate(DIMENSIONS):
        cols = [c for c in _columns(d) if np.isfinite(e[c])]
        low, high = mean_ci(gaps[:, j], confidence)
        alpha_p, n_alpha_p = cronbach_alpha(r.p[:, _columns(d)])
        alpha_e, n_alpha_e = cronbach_alpha(r.e[:, _columns(d)])
        out.append({
            "dimension": d,
            "expectation": float(np.mean(e[cols])) if cols else None,
            "perception": float(np.mean(p[cols])) if cols else None,
            "gap": float(np.mean(p[cols] - e[cols])) if cols else None,
            "n": int(np.isfinite(gaps[:, j]).sum()),
            "ci_low": low, "ci_high": high,
            "points": _mean(r.points[valid, j]) if valid.any() else None,
            "alpha_p": alpha_p, "n_alpha_p": n_alpha_p, "alpha_e": alpha_e, "n_alpha_e": n_alpha_e,
        })
    return out


def overview(store: Store, f: Filter, confidence: float = CONFIDENCE) -> dict[str, object]:
    """Return the page's SERVQUAL figures: SPEC §6 summary keys plus CIs, items, waves and points coverage."""
    r = responses(store, f)
    least = min_wave_n(store)
    dims = dimensions(r, confidence)
    totals = weighted_totals(r)
    gaps = [d["gap"] for d in dims if d["gap"] is not None]
    low, high = mean_ci(totals, confidence)
    return {
        "dimensions": dims,
        "unweighted_gap": sum(gaps) / len(gaps) if gaps else None,  # type: ignore[arg-type]
        "weighted_gap": _mean(totals), "weighted_ci_low": low, "weighted_ci_high": high,
        "respondents": int(np.isfinite(totals).sum()),
        "with_points": int(valid_points(r).sum()),
        "items": items(r),
        "waves": waves(r, least),
        "min_wave_n": least,
        "confidence": confidence,
    }


def min_wave_n(store: Store) -> int:
    """Return the fewest respondents a survey wave needs not to be marked low_n (setting, default 30)."""
    return setting_int(store, MIN_WAVE_N_KEY, MIN_WAVE_N)


def waves(r: Responses, least: int = MIN_WAVE_N) -> list[dict[str, object]]:
    """Return one row per survey wave (quarter): each dimension's gap, weighted and unweighted gap, n, low_n (n < least)."""
    out = []
    quarters = np.array(r.quarters)
    for q in sorted(set(r.quarters)):
        pick = quarters == q
        sub = Responses([i for i, k in zip(r.ids, pick) if k], [q] * int(pick.sum()), r.e[pick], r.p[pick],
                        r.points[pick])
        row: dict[str, object] = {"wave": q}
        gaps = []
        for d in dimensions(sub):
            row[d["dimension"]] = d["gap"]  # type: ignore[index]
            if d["gap"] is not None:
                gaps.append(d["gap"])
        totals = weighted_totals(sub)
        row.update(weighted_gap=_mean(totals), unweighted_gap=sum(gaps) / len(gaps) if gaps else None,  # type: ignore[arg-type]
                   n=int(np.isfinite(totals).sum()))
        row["low_n"] = int(row["n"]) < least  # type: ignore[call-overload]
        out.append(row)
    return out


def summary(store: Store, f: Filter) -> dict[str, object]:
    """Return the SPEC §6 `servqual --json` object (the indicator engine's figures)."""
    return servqual_summary(store, f)


def criterion_dimension(criterion: str) -> str | None:
    """Return the SERVQUAL dimension a QA criterion speaks to (assurance or empathy), or None."""
    name = str(criterion).lower()
    for dim, words in CRITERION_WORDS.items():
        if any(w in name for w in words):
            return dim
    return None


def diagnosis(store: Store, f: Filter, dims: list[dict[str, object]],
              criteria: list[dict[str, object]]) -> list[dict[str, object]]:
    """Return the dimensions from the widest gap down, each with its driving indicators and QA criteria."""
    keys = sorted({k for v in DRIVERS.values() for k in v})
    current = compute(store, f, (), keys)[0]
    out = []
    ranked = sorted((d for d in dims if d["gap"] is not None), key=lambda d: d["gap"])  # type: ignore[arg-type,return-value]
    ranked += [d for d in dims if d["gap"] is None]
    for d in ranked:
        name = str(d["dimension"])
        out.append({
            "dimension": name, "gap": d["gap"], "n": d["n"],
            "indicators": [{"key": k, "value": current.value(k), "n": current.n(k)} for k in DRIVERS[name]],
            "criteria": [c for c in criteria if criterion_dimension(str(c["criterion"])) == name],
        })
    return out


def biggest_gap(dims: list[dict[str, object]]) -> dict[str, object] | None:
    """Return the dimension whose perception falls furthest below expectation (None without data)."""
    known = [d for d in dims if d["gap"] is not None and not math.isnan(float(d["gap"]))]  # type: ignore[arg-type]
    return min(known, key=lambda d: d["gap"]) if known else None  # type: ignore[arg-type,return-value]

