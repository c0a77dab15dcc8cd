"""The demo center's QA spot checks (issue 19): the last eight whole weeks drawn, most of the sample evaluated.

Each of the eight weeks before the end date's week is drawn by the real weekly draw (csq.evaluation.sampling,
the demo's seed), so the sample obeys SPEC §4d. The evaluators then work through it: ~85 % of the sampled
tickets get one evaluation on the demo's six-criterion form within five days of the week's end (never after
the end date), a little harsher than the routine evaluations, since the sample leans to risky tickets.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from csq.demo.base import DAY, HOUR, labels, numbered, timestamps
from csq.demo.people import EVALUATORS, QA_FORM
from csq.errors import InputRefused
from csq.evaluation import sampling
from csq.store import Store
from csq.store.batches import commit_records

WEEKS = 8
EVALUATED = 0.85


def add_qa_sample(store: Store, rng: np.random.Generator, end: date, seed: int, source: str, user: str | None,
                  role: str | None) -> int:
    """Draw the last WEEKS whole weeks' samples and evaluate most of them; return the evaluations written."""
    last = sampling.Week.of(datetime.combine(end, datetime.min.time())).start - timedelta(days=7)
    for k in range(WEEKS, 0, -1):
        week = sampling.Week.of(last - timedelta(days=7 * (k - 1)))
        try:
            sampling.draw(store, week.label, seed=seed, user=user, role=role)
        except InputRefused:
            continue  # a week of the demo without tickets (a short --months)
    rows = store.arrow("SELECT ticket_id, agent, created_at FROM qa_samples_current ORDER BY ticket_id")
    if rows.num_rows == 0:
        return 0
    table = _evaluations(rng, rows, datetime.combine(end, datetime.min.time()) + timedelta(hours=18))
    if table.num_rows:
        commit_records(store, "qa", table, source=source, user=user)
    return table.num_rows // len(QA_FORM)


def _evaluations(rng: np.random.Generator, sampled: pa.Table, until: datetime) -> pa.Table:
    """Return one evaluation (six criterion rows) for ~EVALUATED of the sampled tickets, none after `until`."""
    # Seconds of the center's naive local time, as the demo's own timestamps() reads them back.
    created = pc.cast(sampled.column("created_at"), pa.timestamp("s")).cast(pa.int64()).to_numpy()
    week_end = (created // (7 * DAY) + 1) * 7 * DAY  # some day of the week after: when the sample is worked
    when = week_end + rng.integers(0, 5, len(created)) * DAY + 9 * HOUR + rng.integers(0, 8 * HOUR, len(created))
    limit = int((until - datetime(1970, 1, 1)).total_seconds())
    keep = np.flatnonzero((rng.random(len(created)) < EVALUATED) & (when <= limit))
    n = len(keep)
    maxes = np.array([m for _, m, _ in QA_FORM], dtype=np.float64)
    critical = np.array([c for _, _, c in QA_FORM])
    slip = rng.random((n, 6)) < 0.35
    deduct = np.where(slip & ~critical, np.maximum(1, np.round(maxes * rng.beta(1.5, 6, (n, 6)))), 0.0)
    fatal = (rng.random((n, 6)) < 0.03) & critical
    score = np.clip(maxes - np.where(fatal, maxes, deduct), 0, maxes)
    rows = pa.array(np.repeat(keep, 6))
    return pa.table({
        "evaluation_id": numbered("QS", np.repeat(np.arange(1, n + 1), 6), 6),
        "ticket_id": sampled.column("ticket_id").take(rows),
        "agent": sampled.column("agent").take(rows),
        "evaluator": labels(EVALUATORS, np.repeat(rng.integers(0, len(EVALUATORS), n), 6)),
        "evaluated_at": timestamps(np.repeat(when[keep], 6)),
        "criterion": labels([c for c, _, _ in QA_FORM], np.tile(np.arange(6), n)),
        "score": pa.array(score.ravel()),
        "max_score": pa.array(np.tile(maxes, n)),
        "critical": pa.array(np.tile(critical, n)),
    })
