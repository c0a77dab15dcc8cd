"""The demo service center: `python -m csq demo` fills an empty store with realistic, seeded data.

What it contains (SPEC §2), for `months` calendar months ending with the end date's month:

- agents: six teams (一组, 二组, 三组, 售后组, 技术支持组, 投诉处理组), 60 active agents named like
  "一组-张伟" (each person's name unique in the center); in each team one agent left during the
  period (active false) and a replacement was hired a month before.
- tickets: about 10,000 × scale a month (the center grows ~6 % a year), weekdays busier than
  weekends, busy 9–21 h, a peak around 双11 (Nov 8–20), a smaller one at 618, dips at 春节 and 国庆.
  Every channel, type and priority with Chinese raw labels, categories, regions, products and
  customer personal data. Service times are lognormal per channel, type and priority and grow
  with the day's load, so SLA compliance falls in peak weeks. Nothing is later than the end date
  at 18:00, so the last days hold open tickets; ~1 % are never resolved, ~0.4 % never answered.
- surveys: invitations for ~35 % of resolved tickets, ~80 % answered; csat (~85 % 4–5) falls with
  complaints, slow or late resolution, reopening, repeat contacts and some agents. It follows the
  ticket's own service, not the day's load nor the actions, so chat csat is stationary (IMP-002).
  nps for ~90 % of answers, ces (1–7, 7 = very easy) for ~40 %, comments for some.
- servqual: a wave in the last month of each quarter, ~150 × scale respondents (at least 30);
  responsiveness has the widest P − E gap; ~10 % skip the 100 points, ~2 % miscount them.
- qa: 5–7 evaluations per agent and month on the 6-criterion form; ~5 % of evaluated tickets are
  scored again by a second evaluator, and 质检-赵 deducts ~3 points more than the others.
- training: quarterly exams in 3 courses, pass mark 80, ~85 % pass, retakes two weeks later.
- calls: every phone ticket began as an answered call, and 1.5 times as many calls more came without a ticket,
  some abandoned; waits grow with the day's load (csq.demo.calls).
- callbacks: the last four quarters' callback plans drawn by csq.callbacks (5 customers per engineer), the
  callers' results up to the end date and second callbacks, mostly within three days (csq.demo.callbacks).
- qa sample: the last eight whole weeks drawn by csq.evaluation.sampling (5 tickets per agent, risky first), ~85 %
  of the sampled tickets evaluated within five days of their week (csq.demo.qa_sample).
- actions: IMP-001 … IMP-020, dated relative to the end date (csq.demo_actions): every status,
  every cause category, some overdue, some completed late, two planned to start after the end.

Actions whose effect is (or is not) built into the data, for `actions --verify` (needs months ≥ 12):

- IMP-001 (art_median_h, team=售后组) EFFECTIVE: started 8 months before the end, completed 6 months
  before it. Tickets of 售后组 created on or after the completion day resolve 40 % faster
  (resolution duration × 0.6; median ~30 h -> ~19 h); before that nothing changes.
- IMP-002 (csat_rate, channel=chat) NOT EFFECTIVE: completed 6 months (less 3 days) before the end;
  the generator changes nothing for chat, and chat csat does not follow load, so it stays ~84 %.
- IMP-003 (frt_median_min, channel=phone) PENDING: completed 21 days before the end, so its
  3-month after window has not passed; no change is built in.
- IMP-004 (complaint_resolution_rate_72h, type=complaint) EFFECTIVE: completed ~12 months before the
  end; complaints created from then on resolve 28 % faster (72 h rate ~86 % -> ~92 %).
- IMP-008 (training_pass_rate, no scope) EFFECTIVE but on small samples: exams of 投诉处理技巧 after
  its completion (~9 months before the end) score 10 points more (that course ~70 % -> ~97 % pass,
  all courses ~84 % -> ~89 %), with one exam round per quarter behind each window.
Every other action has no built-in effect.
"""
from __future__ import annotations

from datetime import date, datetime

import numpy as np

from csq.core.kinds import KINDS
from csq.core.roles import require
from csq.demo.actions import actions_table
from csq.demo.base import make_calendar, make_roster
from csq.demo.callbacks import add_callbacks
from csq.demo.calls import calls_table
from csq.demo.people import agents_table, qa_table, servqual_table, training_table
from csq.demo.qa_sample import add_qa_sample
from csq.demo.tickets import make_surveys, make_tickets
from csq.errors import InputRefused
from csq.store import Store, audit
from csq.store.batches import commit_records, record_counts
from csq.store.connection import bump_data_version


def store_has_records(store: Store) -> bool:
    """Return True when any record table holds a current row."""
    return any(store.scalar(f"SELECT count(*) > 0 FROM {k.current}") for k in KINDS.values())


def reset_records(store: Store, user: str | None = None, *, role: str | None = None) -> None:
    """Delete every record row (all versions) and every batch in one audited transaction; keep settings.

    Removing every batch is a rollback of all of them, so `role` (None = the process role) needs 'rollback'.
    """
    require(role, "rollback")
    with store.transaction() as cur:
        removed = {name: int(cur.execute(f"DELETE FROM {k.table}").fetchall()[0][0]) for name, k in KINDS.items()}
        removed["batches"] = int(cur.execute("DELETE FROM batches").fetchall()[0][0])
        audit.write(cur, "demo.reset", None, {"rows_removed": removed}, user)
        bump_data_version(cur)


def generate(store: Store, months: int = 24, seed: int = 7, scale: float = 1.0, end: date | None = None,
             user: str | None = None, *, role: str | None = None) -> dict[str, int]:
    """Write the demo center into an empty store, one batch per kind; return the current row counts per kind.

    `role` (None = the process role) must be allowed to import; NotAllowed otherwise, before anything is written.
    """
    require(role, "import")
    if months < 1 or scale <= 0:
        raise InputRefused(f"Cannot build a demo of {months} months at scale {scale}.",
                           "Use --months 1 or more and a --scale above 0.")
    if store_has_records(store):
        raise InputRefused("The store already holds records; the demo only fills an empty store.",
                           "Run `python -m csq demo --force` to delete all records first.")
    end = end or date.today()
    if isinstance(end, datetime):
        end = end.date()
    # Independent streams per kind: changing how one kind is drawn leaves the others as they were.
    r_roster, r_tickets, r_surveys, r_qa, r_training, r_servqual = np.random.default_rng(seed).spawn(6)
    cal = make_calendar(end, months)
    roster = make_roster(r_roster, cal)
    tickets = make_tickets(r_tickets, cal, roster, scale)
    source = f"demo (seed {seed})"
    tables = [
        ("agents", agents_table(roster)),
        ("tickets", tickets.table),
        ("surveys", make_surveys(r_surveys, cal, roster, tickets)),
        ("servqual", servqual_table(r_servqual, cal, scale)),
        ("qa", qa_table(r_qa, cal, roster, tickets)),
        ("training", training_table(r_training, cal, roster)),
    ]
    # The calls' stream is its own child of the seed, so the other kinds are drawn as before the calls existed.
    tables.append(("calls", calls_table(np.random.default_rng([seed, 20]), cal, tickets.table)))
    for kind, table in tables:
        commit_records(store, kind, table, source=source, user=user)
    # Action baselines are measured on the tickets and surveys just written.
    commit_records(store, "actions", actions_table(store, end), source=source, user=user)
    # The callback plans are drawn from the tickets just written; their results have a stream of their own.
    add_callbacks(store, np.random.default_rng([seed, 19]), end, seed, source, user, role)
    # The last weeks' QA samples are drawn from the tickets and evaluations just written, then mostly evaluated.
    add_qa_sample(store, np.random.default_rng([seed, 21]), end, seed, source, user, role)
    return record_counts(store)
