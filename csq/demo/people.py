"""Demo records about people and perceived quality: the roster, QA evaluations, training, SERVQUAL."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from csq.core.kinds import SERVQUAL_DIMENSIONS
from csq.demo.actions import completed_day
from csq.demo.base import DAY, HOUR, STILL_EMPLOYED, TEAMS, Calendar, Roster, dates, labels, numbered, timestamps
from csq.demo.tickets import Tickets

# The center's QA form (质检评分表): criterion, max score, critical (致命项).
QA_FORM = (("开场白规范", 10, False), ("准确识别需求", 20, False), ("解决方案正确", 30, True),
           ("服务态度", 20, False), ("信息安全核实", 10, True), ("结束语与记录", 10, False))
EVALUATORS = ("质检-钱", "质检-赵", "质检-孙", "质检-李")
HARSH_EVALUATOR = EVALUATORS.index("质检-赵")
COURSES = ("投诉处理技巧", "产品知识", "信息安全与隐私保护")
_COURSE_OFFSET = np.array([-5.0, 0.0, 2.0])   # the complaint-handling exam is the hard one
_COURSE_DAY = (25, 8, 16)                      # exam day within the quarter's last month
PASS_MARK = 80.0


def agents_table(roster: Roster) -> pa.Table:
    """Return the roster: agent, team, hired_at and whether still active."""
    return pa.table({
        "agent": list(roster.names),
        "team": labels(TEAMS, roster.team),
        "hired_at": dates([int(d) for d in roster.hired]),
        "active": pa.array(roster.left == STILL_EMPLOYED),
    })


def _pick_per_group(rng: np.random.Generator, group: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Return row indices: a random sample of `wanted[g]` rows from each group g (fewer if it is small)."""
    order = np.lexsort((rng.random(len(group)), group))
    g = group[order]
    first = np.searchsorted(g, g, side="left")
    rank = np.arange(len(g)) - first
    return np.sort(order[rank < wanted[g]])


def qa_table(rng: np.random.Generator, cal: Calendar, roster: Roster, t: Tickets) -> pa.Table:
    """Return ~6 evaluations per agent and month, 6 criteria each; ~5 % of tickets scored twice."""
    candidates = np.flatnonzero(t.is_resolved)
    n_groups = len(roster.names) * len(cal.months)
    group = t.agent[candidates] * len(cal.months) + t.month[candidates]
    picked = candidates[_pick_per_group(rng, group, rng.integers(5, 8, n_groups))]
    evaluated = ((t.resolved[picked] // DAY + rng.integers(1, 7, len(picked))) * DAY + 9 * HOUR
                 + rng.integers(0, 8 * HOUR, len(picked)))
    keep = evaluated <= cal.end_ts
    picked, evaluated = picked[keep], evaluated[keep]
    n = len(picked)

    maxes = np.array([m for _, m, _ in QA_FORM], dtype=np.float64)
    critical = np.array([c for _, _, c in QA_FORM])
    risk = roster.qa_risk[t.agent[picked]][:, None]
    # The agent's true performance on the call, which every evaluator sees alike ...
    slip = rng.random((n, 6)) < np.clip(0.3 * risk, 0, 0.9)
    size = np.maximum(1, np.round(maxes * rng.beta(1.5, 8, (n, 6))))
    deduct = np.where(slip & ~critical, size, 0.0)
    fatal = (rng.random((n, 6)) < 0.012 * risk) & critical
    deduct = np.where(fatal, np.where(maxes >= 30, rng.choice([15.0, 30.0], (n, 6)), maxes), deduct)

    first = rng.integers(0, len(EVALUATORS), n)
    twice = np.flatnonzero(rng.random(n) < 0.05)
    second = (first[twice] + rng.integers(1, len(EVALUATORS), len(twice))) % len(EVALUATORS)
    second_at = evaluated[twice] + rng.integers(0, 3, len(twice)) * DAY
    ok = second_at <= cal.end_ts
    twice, second, second_at = twice[ok], second[ok], second_at[ok]
    rows = np.concatenate([np.arange(n), twice])
    evaluator = np.concatenate([first, second])
    when = np.concatenate([evaluated, second_at])
    m = len(rows)
    # ... plus each evaluator's own reading: a point either way now and then, and 质检-赵 is strict.
    noise = np.where(rng.random((m, 6)) < 0.12, rng.choice([-1.0, 1.0], (m, 6)), 0.0)
    harsh = np.where(evaluator == HARSH_EVALUATOR, 1.0, 0.0)[:, None] * rng.binomial(2, 0.4, (m, 6))
    extra = np.where(critical, 0.0, noise + harsh)
    score = np.clip(maxes - deduct[rows] - extra, 0, maxes)

    order = np.lexsort((rows, when))
    eval_ids = numbered("QA", np.arange(1, m + 1), 7)
    return pa.table({
        "evaluation_id": eval_ids.take(pa.array(np.repeat(np.arange(m), 6))),
        "ticket_id": t.ids.take(pa.array(np.repeat(picked[rows][order], 6))),
        "agent": labels(roster.names, np.repeat(t.agent[picked[rows]][order], 6)),
        "evaluator": labels(EVALUATORS, np.repeat(evaluator[order], 6)),
        "evaluated_at": timestamps(np.repeat(when[order], 6)),
        "criterion": labels([c for c, _, _ in QA_FORM], np.tile(np.arange(6), m)),
        "score": pa.array(score[order].ravel()),
        "max_score": pa.array(np.tile(maxes, m)),
        "critical": pa.array(np.tile(critical, m)),
    })


def _quarter_ends(cal: Calendar) -> list[int]:
    """Return the indices of the period's months that end a quarter."""
    return [i for i, (_, mo) in enumerate(cal.months) if mo % 3 == 0]


def training_table(rng: np.random.Generator, cal: Calendar, roster: Roster) -> pa.Table:
    """Return quarterly assessments per agent for three courses, pass mark 80, with retakes."""
    improved = completed_day(cal.end, "IMP-008")
    agent_l: list[np.ndarray] = []
    course_l: list[np.ndarray] = []
    when_l: list[np.ndarray] = []
    score_l: list[np.ndarray] = []
    for mi in _quarter_ends(cal):
        for c, dom in enumerate(_COURSE_DAY):
            day = int(cal.month_first[mi]) + dom - 1
            at = day * DAY + 14 * HOUR
            if at > cal.end_ts:
                continue
            who = roster.employed_on(day)
            # IMP-008 (case drills in the complaint course) really lifts that course's scores.
            lift = 10.0 if c == 0 and day >= improved else 0.0
            score = np.clip(np.round(rng.normal(roster.ability[who] + _COURSE_OFFSET[c] + lift, 7.0)), 0, 100)
            agent_l.append(who)
            course_l.append(np.full(len(who), c))
            when_l.append(np.full(len(who), at))
            score_l.append(score)
            retake_at = at + 14 * DAY  # 补考 two weeks later for those who failed
            failed = who[score < PASS_MARK]
            if len(failed) and retake_at <= cal.end_ts:
                agent_l.append(failed)
                course_l.append(np.full(len(failed), c))
                when_l.append(np.full(len(failed), retake_at))
                score_l.append(np.clip(np.round(rng.normal(roster.ability[failed] + 2.0, 6.0)), 0, 100))
    if not agent_l:
        return pa.table({"agent": pa.array([], pa.string()), "course": pa.array([], pa.string()),
                         "assessed_at": timestamps(np.array([], np.int64))})
    agent, course = np.concatenate(agent_l), np.concatenate(course_l)
    when, score = np.concatenate(when_l), np.concatenate(score_l)
    o = np.lexsort((course, agent, when))
    return pa.table({
        "agent": labels(roster.names, agent[o]),
        "course": labels(COURSES, course[o]),
        "assessed_at": timestamps(when[o]),
        "score": pa.array(score[o]),
        "pass_mark": pa.array(np.full(len(o), PASS_MARK)),
        "passed": pa.array(score[o] >= PASS_MARK),
        "team": labels(TEAMS, roster.team[agent[o]]),
    })


# Expectation offsets and perception means per dimension; responsiveness has the widest gap.
_E_OFFSET = {"tangibles": -0.4, "reliability": 0.2, "responsiveness": 0.1, "assurance": 0.0, "empathy": -0.1}
_P_MEAN = {"tangibles": 5.5, "reliability": 5.3, "responsiveness": 4.6, "assurance": 5.6, "empathy": 5.3}
_W_ALPHA = np.array([10.0, 30.0, 25.0, 18.0, 17.0]) * 0.5


def servqual_table(rng: np.random.Generator, cal: Calendar, scale: float) -> pa.Table:
    """Return quarterly SERVQUAL waves (~150 respondents each), E and P items and 100-point weights."""
    parts: list[pa.Table] = []
    # Items of one dimension share a respondent's view of that dimension, so they agree (Cronbach's α ≈ 0.8),
    # as on a sound questionnaire. Drawn from a spawned stream, so the other columns stay as they were.
    (shared,) = rng.spawn(1)
    for wave, mi in enumerate(_quarter_ends(cal)):
        y, mo = cal.months[mi]
        first, after = int(cal.month_first[mi]), int(cal.month_first[mi + 1])
        last = min(after - 1, cal.end_ts // DAY)
        n = int(round(max(30.0, 150.0 * scale) * (last - first + 1) / (after - first)))
        if n == 0:
            continue
        day = rng.integers(first, last + 1, n)
        at = day * DAY + 8 * HOUR + rng.integers(0, 14 * HOUR, n)
        at = np.where(at > cal.end_ts, day * DAY + 8 * HOUR + rng.integers(0, 10 * HOUR, n), at)
        e_level = rng.normal(6.1, 0.35, n)
        p_level = rng.normal(0.0, 0.5, n)
        cols: dict[str, pa.Array] = {
            "respondent_id": numbered(f"SQ{y}Q{mo // 3}-", np.arange(1, n + 1), 4),
            "responded_at": timestamps(at),
        }
        for side in ("e", "p"):
            for dim, items in SERVQUAL_DIMENSIONS.items():
                # Responsiveness perceptions improve a little each wave as the actions land.
                p_mean = _P_MEAN[dim] + (0.06 * wave if dim == "responsiveness" else 0.0)
                view = shared.normal(0, 0.45 if side == "e" else 0.8, n)
                for item in items:
                    raw = (e_level + _E_OFFSET[dim] + view + rng.normal(0, 0.6, n) if side == "e"
                           else p_level + p_mean + view + rng.normal(0, 0.8, n))
                    cols[f"{side}_{item}"] = pa.array(np.clip(np.round(raw), 1, 7).astype(np.int16))
        points = np.round(rng.dirichlet(_W_ALPHA, n) * 100)
        points[np.arange(n), points.argmax(axis=1)] += 100 - points.sum(axis=1)
        # A few respondents miscount their 100 points; about one in ten skips the question.
        off = rng.random(n) < 0.02
        points[off, rng.integers(0, 5, int(off.sum()))] += rng.choice([-5.0, 5.0], int(off.sum()))
        points = np.maximum(points, 0)
        skipped = rng.random(n) < 0.1
        for j, dim in enumerate(SERVQUAL_DIMENSIONS):
            cols[f"w_{dim}"] = pa.array(points[:, j], mask=skipped)
        parts.append(pa.table(cols))
    if not parts:
        return pa.table({"respondent_id": pa.array([], pa.string()),
                         "responded_at": timestamps(np.array([], np.int64))})
    return pa.concat_tables(parts)
