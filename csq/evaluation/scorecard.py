"""Agent and team scorecards: a composite 0–100 score from weighted components, grade bands and ranks.

How the score is computed (shown on the Evaluation page too):

- Components (COMPONENT_LIST; adding one is one line there) and their normalisation to 0–100: qa_score as it
  is (already 0–100); csat_rate, frt_sla_rate, resolution_rate, training_pass_rate, qa_coverage_rate,
  callback_satisfaction_rate and callback_followup_on_time_rate as 100 × rate; complaint_rate inverted as
  100 × (1 − rate), so fewer complaints score higher; aht_s (lower is better) as 100 × min(1, target ÷ AHT),
  the target being the aht_s target of Settings (default 300 s; without one, the median AHT of the period's
  rows), so an AHT at or under the target scores 100 and twice the target 50; calls_answered (the answered
  inbound calls of the agent or team, the n of aht_s) as 100 × min(1, calls ÷ the median of the period's rows
  that answered calls), so answering at least as many as the middle agent (or team) scores 100.
- Composite = Σ weight × component ÷ Σ weight, over the components that have data for the agent or
  team; a component without data (n = 0: no answered call, no callback, no sampled ticket …) is left out and
  the remaining weights renormalised, never counted as 0. Without any component the composite is "no data".
- Weights live in the setting `scorecard_weights` ({component key: weight ≥ 0}; only ratios matter).
  Defaults on a new store: qa_score 25, csat_rate 25, frt_sla_rate 15, resolution_rate 15, complaint_rate 10,
  training_pass_rate 10, aht_s 10, calls_answered 5, callback_satisfaction_rate 10,
  callback_followup_on_time_rate 5, qa_coverage_rate 0 (coverage is the QA team's work, not the agent's: a
  center that wants it weighs it in Settings). A new component must not regrade a store silently, so:
  weights saved before a component existed give it 0 (they are read as saved, a missing component weighs 0),
  and a store that already held calls or callbacks when it was upgraded (migration 0008) keeps the six
  original defaults saved, the new components at 0. A store without such data changes no grade by them.
- Grades are relative: percentile bands of the period's composite scores. A composite of six rates that
  mostly sit near their 85–95 % targets clusters in a few points (the demo center's middle half of agents
  lies between about 91 and 94), so fixed cut-offs such as 90 / 80 / 60 graded nearly everyone 优秀; a
  percentile band always separates, and keeps its meaning when the weights change. The setting
  `grade_percentiles` holds the lower percentile of each grade ({"excellent", "good", "pass"}, default
  80 / 50 / 20: top 20 % 优秀, next 30 % 良好, next 30 % 合格, bottom 20 % 待改进). A score's percentile is
  its mid-rank among the ranked rows' scores, 100 × (scores below + ½ × scores equal) ÷ their number (all
  scored rows when none is ranked); a grade's cut-off is the lowest of those scores that reaches its
  percentile, and every row, ranked or not, gets the grade of the cut-offs its score reaches. The older
  setting `grade_bands` (fixed points) is no longer read.
- n is the number of tickets the agent or team handled in the period (the base of three components).
  Below the setting `scorecard_min_n` (default 30) the row is shown with its score and grade but not
  ranked. Rank 1 is the highest composite; equal composites share a rank.
"""
from __future__ import annotations

import math
import statistics
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from csq.core.i18n import t
from csq.errors import InputRefused
from csq.metrics.display import indicator_name
from csq.metrics.engine import compute
from csq.metrics.filters import Filter
from csq.metrics.results import Result
from csq.store import Store
from csq.store.queries import SqlFiles
from csq.store.settings import get_setting, set_setting, setting_int, targets

METRICS_SQL = SqlFiles("csq.metrics")


@dataclass(frozen=True)
class Component:
    """One scorecard component: its key, default weight, how it becomes 0–100 points, and the indicator read.

    scale: "score" (0–100 as it is), "rate" (100 × rate), "inverted" (100 × (1 − rate)), "under_target"
    (100 × min(1, reference ÷ value), lower is better) or "volume" (100 × min(1, value ÷ reference)); `source`
    is the indicator whose value (or, for a volume, whose n) the component is.
    """

    key: str
    weight: float
    scale: str = "rate"
    source: str = ""

    @property
    def indicator(self) -> str:
        """Return the indicator key the component reads."""
        return self.source or self.key


COMPONENT_LIST: tuple[Component, ...] = (
    Component("qa_score", 25.0, "score"),
    Component("csat_rate", 25.0),
    Component("frt_sla_rate", 15.0),
    Component("resolution_rate", 15.0),
    Component("complaint_rate", 10.0, "inverted"),
    Component("training_pass_rate", 10.0),
    Component("aht_s", 10.0, "under_target"),                       # issue 20
    Component("calls_answered", 5.0, "volume", source="aht_s"),    # issue 20: answered calls, the n of aht_s
    Component("qa_coverage_rate", 0.0),                             # issue 19: the QA team's work, off by default
    Component("callback_satisfaction_rate", 10.0),                  # issue 19
    Component("callback_followup_on_time_rate", 5.0),               # issue 19
)
COMPONENTS: tuple[str, ...] = tuple(c.key for c in COMPONENT_LIST)
_BY_KEY: dict[str, Component] = {c.key: c for c in COMPONENT_LIST}
DEFAULT_WEIGHTS: dict[str, float] = {c.key: c.weight for c in COMPONENT_LIST}
SOURCES: tuple[str, ...] = tuple(dict.fromkeys(c.indicator for c in COMPONENT_LIST))
GRADES: tuple[str, ...] = ("excellent", "good", "pass", "improve")
DEFAULT_BANDS: dict[str, float] = {"excellent": 80.0, "good": 50.0, "pass": 20.0}  # lower percentiles
DEFAULT_MIN_N = 30
WEIGHTS_KEY, BANDS_KEY, MIN_N_KEY = "scorecard_weights", "grade_percentiles", "scorecard_min_n"
GROUPS = ("agent", "team")


def weights(store: Store) -> dict[str, float]:
    """Return the component weights: the saved ones (a component they lack weighs 0), else the defaults."""
    stored = get_setting(store, WEIGHTS_KEY)
    if not isinstance(stored, dict):
        return dict(DEFAULT_WEIGHTS)
    # Weights saved before a component existed were chosen without it: giving it a weight would regrade everyone.
    return {k: float(stored.get(k, 0.0)) for k in COMPONENTS}


def component_name(key: str, lang: str) -> str:
    """Return a component's name in the language: its indicator's, or its own for calls_answered."""
    label = t(f"ev_component_{key}", lang)
    return label if label != f"ev_component_{key}" else indicator_name(key, lang)


def validate_weights(new: Mapping[str, float]) -> dict[str, float]:
    """Return the weights as floats for every component (missing = 0), or raise InputRefused."""
    unknown = [k for k in new if k not in COMPONENTS]
    if unknown:
        raise InputRefused(f"Unknown scorecard component(s): {', '.join(unknown)}.",
                           f"Use any of: {', '.join(COMPONENTS)}.")
    out = {}
    for k in COMPONENTS:
        try:
            value = float(new.get(k, 0.0))
        except (TypeError, ValueError):
            raise InputRefused(f"The weight of {k} is not a number: {new.get(k)!r}.", "Enter a number ≥ 0.") from None
        if not math.isfinite(value) or value < 0:
            raise InputRefused(f"The weight of {k} is {value}; weights must be 0 or more.", "Enter a number ≥ 0.")
        out[k] = value
    if sum(out.values()) <= 0:
        raise InputRefused("All scorecard weights are 0.", "Give at least one component a weight above 0.")
    return out


def set_weights(store: Store, new: Mapping[str, float], user: str | None = None, *, role: str | None = None) -> None:
    """Store the component weights after validation (role 'settings'; audited; bumps the data version)."""
    set_setting(store, WEIGHTS_KEY, validate_weights(new), user, role=role)


def grade_bands(store: Store) -> dict[str, float]:
    """Return the grades' lower percentiles {"excellent", "good", "pass"} from Settings (defaults where unset)."""
    stored = get_setting(store, BANDS_KEY)
    out = dict(DEFAULT_BANDS)
    if isinstance(stored, dict):
        out.update({k: float(v) for k, v in stored.items() if k in DEFAULT_BANDS})
    return out


def set_grade_bands(store: Store, bands: Mapping[str, float], user: str | None = None, *,
                    role: str | None = None) -> None:
    """Store the grades' lower percentiles after checking 100 ≥ excellent > good > pass ≥ 0 (audited)."""
    try:
        b = {k: float(bands[k]) for k in DEFAULT_BANDS}
    except (KeyError, TypeError, ValueError):
        raise InputRefused("Grade bands need percentiles for excellent, good and pass.",
                           "Give all three lower percentiles, e.g. 80, 50, 20.") from None
    if not 100 >= b["excellent"] > b["good"] > b["pass"] >= 0:
        raise InputRefused(f"Grade bands {b} are not in order.", "Use percentiles 100 ≥ 优秀 > 良好 > 合格 ≥ 0.")
    set_setting(store, BANDS_KEY, b, user, role=role)


def min_n(store: Store) -> int:
    """Return the minimum number of tickets below which an agent or team is not ranked."""
    return setting_int(store, MIN_N_KEY, DEFAULT_MIN_N)


def set_min_n(store: Store, value: int, user: str | None = None, *, role: str | None = None) -> None:
    """Store the minimum n for ranking (an integer ≥ 0; audited)."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise InputRefused(f"The minimum n {value!r} is not a whole number.", "Enter e.g. 30.") from None
    if n < 0:
        raise InputRefused(f"The minimum n is {n}.", "Enter 0 or more.")
    set_setting(store, MIN_N_KEY, n, user, role=role)


@dataclass(frozen=True)
class Reference:
    """What the relative components are scaled against: the AHT to reach and the median answered calls."""

    aht_s: float | None = None
    calls_answered: float | None = None


def normalise(key: str, value: float | None, ref: Reference = Reference()) -> float | None:
    """Return a component on the 0–100 scale by its Component.scale (None without data or reference)."""
    if value is None:
        return None
    scale, v = _BY_KEY[key].scale if key in _BY_KEY else "rate", float(value)
    if scale == "score":
        return max(0.0, min(100.0, v))
    if scale == "inverted":
        return 100.0 * (1.0 - v)
    if scale in ("under_target", "volume"):
        r = getattr(ref, key, None)
        if r is None or r <= 0:
            return None
        if scale == "volume":
            return 100.0 * min(1.0, v / r)
        return 100.0 if v <= r else 100.0 * r / v
    return 100.0 * v


def component_values(row: Result) -> dict[str, float | None]:
    """Return each component's value in a result row: its indicator's value, or the n of a volume (None at 0).

    Components whose indicator the row lacks are left out (a row of only the relative components' indicator).
    """
    out: dict[str, float | None] = {}
    for c in COMPONENT_LIST:
        if c.indicator not in row.figures:
            continue
        if c.scale == "volume":
            n = row.n(c.indicator)
            out[c.key] = float(n) if n else None
        else:
            out[c.key] = row.value(c.indicator)
    return out


def component_n(row: Result) -> dict[str, int]:
    """Return the n behind each component in a result row (its indicator's n)."""
    return {c.key: row.n(c.indicator) for c in COMPONENT_LIST}


def reference(store: Store, values: Sequence[Mapping[str, float | None]]) -> Reference:
    """Return the reference of the relative components: the aht_s target (else the rows' median), the rows'
    median answered calls; None where no row has data."""
    target = targets(store).get("aht_s")
    aht = [float(v["aht_s"]) for v in values if v.get("aht_s") is not None]
    calls = [float(v["calls_answered"]) for v in values if v.get("calls_answered") is not None]
    aht_ref = target.target if target is not None and target.direction == "lower" and target.target > 0 else \
        (statistics.median(aht) if aht else None)
    return Reference(aht_ref, statistics.median(calls) if calls else None)


def composite(points: Mapping[str, float | None], w: Mapping[str, float]) -> float | None:
    """Return Σ weight × points ÷ Σ weight over the components with data (None when none has data)."""
    used = [(w.get(k, 0.0), v) for k, v in points.items() if v is not None and w.get(k, 0.0) > 0]
    total = sum(x for x, _ in used)
    return sum(x * v for x, v in used) / total if total > 0 else None


def grade(score: float | None, cut: Mapping[str, float]) -> str | None:
    """Return excellent, good, pass or improve for a composite score against the grades' cut-off scores."""
    if score is None:
        return None
    for g in GRADES[:-1]:
        if score >= cut[g]:
            return g
    return "improve"


def percentile(score: float, scores: Sequence[float]) -> float:
    """Return the mid-rank percentile of `score` among `scores`: 100 × (below + ½ × equal) ÷ their number."""
    ordered = sorted(scores)
    below, upto = bisect_left(ordered, score), bisect_right(ordered, score)
    return 100.0 * (below + 0.5 * (upto - below)) / len(ordered) if ordered else math.nan


def cutoffs(scores: Sequence[float], bands: Mapping[str, float]) -> dict[str, float]:
    """Return each grade's cut-off score: the lowest of `scores` whose percentile reaches the band (inf if none)."""
    out = {}
    for g in GRADES[:-1]:
        reach = [s for s in scores if percentile(s, scores) >= bands[g]]
        out[g] = min(reach) if reach else math.inf
    return out


def reference_scores(rows: Sequence[Mapping[str, object]]) -> list[float]:
    """Return the scores the grades are cut from: the ranked rows', or every scored row's when none is ranked."""
    scored = [r for r in rows if r["score"] is not None]
    ranked = [float(r["score"]) for r in scored if r["ranked"]]  # type: ignore[arg-type]
    return ranked or [float(r["score"]) for r in scored]  # type: ignore[arg-type]


def grade_counts(rows: Sequence[Mapping[str, object]]) -> dict[str, int]:
    """Return how many rows have each grade, in GRADES order (rows without a score left out)."""
    return {g: sum(r["grade"] == g for r in rows) for g in GRADES}


def _rank(rows: list[dict[str, object]]) -> None:
    """Set "rank" on the ranked rows (competition ranking by composite, highest first); others get None."""
    scores = sorted((float(r["score"]) for r in rows if r["ranked"]), reverse=True)  # type: ignore[arg-type]
    for r in rows:
        r["rank"] = 1 + sum(s > float(r["score"]) for s in scores) if r["ranked"] else None  # type: ignore[arg-type]


def _rows(store: Store, f: Filter, by: str, w: Mapping[str, float], bands: Mapping[str, float],
          least: int) -> list[dict[str, object]]:
    """Return the scorecard rows of one period, ranked, without the previous-period columns."""
    results = [r for r in compute(store, f, (by,), (*SOURCES, "tickets")) if r.group(by) is not None]
    values = [component_values(r) for r in results]
    ref = reference(store, values)
    out = []
    for row, vals in zip(results, values):
        points = {k: normalise(k, vals[k], ref) for k in COMPONENTS}
        score = composite(points, w)
        n = row.n("tickets")
        entry: dict[str, object] = {by: row.group(by)}
        entry.update(vals)
        entry.update({f"points_{k}": points[k] for k in COMPONENTS})
        entry.update({f"n_{k}": v for k, v in component_n(row).items()})
        entry.update(n=n, score=score, ranked=score is not None and n >= least)
        out.append(entry)
    _rank(out)
    cut = cutoffs(reference_scores(out), bands)
    for entry in out:
        entry["grade"] = grade(entry["score"], cut)  # type: ignore[arg-type]
    return out


def scorecard(store: Store, f: Filter, by: str = "agent", previous: Filter | None = None) -> list[dict[str, object]]:
    """Return one row per agent or team: components, their 0–100 points, n, score, grade, rank and change."""
    if by not in GROUPS:
        raise InputRefused(f"A scorecard is by agent or team, not {by!r}.", "Use --by agent or --by team.")
    w, bands, least = weights(store), grade_bands(store), min_n(store)
    rows = _rows(store, f, by, w, bands, least)
    before = {r[by]: r for r in _rows(store, previous, by, w, bands, least)} if previous else {}
    teams = agent_teams(store) if by == "agent" else {}
    for r in rows:
        p = before.get(r[by])
        r["previous_score"] = p["score"] if p else None
        r["previous_rank"] = p["rank"] if p else None
        r["change"] = (float(r["score"]) - float(p["score"])  # type: ignore[arg-type]
                       if p and p["score"] is not None and r["score"] is not None else None)
        if by == "agent":
            r["team"] = teams.get(str(r["agent"]))
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0,
                                       -(r["score"] if r["score"] is not None else -1.0), str(r[by])))  # type: ignore[operator]


def agent_teams(store: Store) -> dict[str, str]:
    """Return each agent's team: the roster's, else the team they most often have on tickets."""
    rows = store.rows(f"WITH usual AS ({METRICS_SQL.load('agent_team')}) SELECT coalesce(a.agent, u.agent), "
                      "coalesce(a.team, u.team) FROM agents_current a FULL JOIN usual u ON u.agent = a.agent")
    return {str(a): str(t) for a, t in rows if a is not None and t is not None}


def trend(store: Store, f: Filter, field: str, value: str) -> list[dict[str, object]]:
    """Return one agent's or team's components, composite and n by month over the filter's period."""
    if field not in GROUPS:
        raise InputRefused(f"A scorecard trend is for an agent or team, not {field!r}.", "Use agent or team.")
    w = weights(store)
    # Each month's relative components are scaled against that month's rows, as the scorecard of that month is.
    peers: dict[object, list[dict[str, float | None]]] = {}
    for r in compute(store, f, ("month", field), ("aht_s",)):
        if r.group(field) is not None:
            peers.setdefault(r.group("month"), []).append(component_values(r))
    out = []
    for row in compute(store, f.only(field, value), ("month",), (*SOURCES, "tickets")):
        vals = component_values(row)
        ref = reference(store, peers.get(row.group("month"), []))
        points = {k: normalise(k, vals[k], ref) for k in COMPONENTS}
        out.append({"month": row.group("month"), **vals, "n": row.n("tickets"), "score": composite(points, w)})
    return out
