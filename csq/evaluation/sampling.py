"""The weekly QA sample of SPEC §4d (质检抽样): a seeded draw per agent, stored, audited, and read back.

How a week is drawn (qa_sample_draw.sql):

- The week is an ISO week (YYYY-Www, Monday 00:00 up to the next Monday). Every agent with tickets created in
  it gets a quota of N tickets (`--per-agent`, else the setting qa_sample_per_agent, 5), or N × the setting
  qa_new_agent_factor (2) when the roster's hired_at is less than qa_new_agent_days (90) before the week's
  Monday (an agent hired during the week is new too; an agent without a hired_at is not).
- Tickets with a QA evaluation (any evaluation naming the ticket) are left out; so are tickets without an agent.
- The risky tickets come first, in the order of SPEC §4d: complaints, then escalated tickets, then tickets with
  a linked survey answered with csat ≤ 2, then the rest. A ticket's reason is the first of these that applies
  (complaint, escalated, low_csat, random). Inside each tier the order is md5("seed:ticket_id"): it depends on
  the seed and the ticket alone, so the same seed draws the same tickets whatever order they were imported in.

How it is stored: one row per draw in qa_sample_draws (week, seed, the numbers used, who drew it and when) and
one row per drawn ticket in qa_samples (its agent, team and created_at at the draw, reason, quota and place).
A week has at most one draw in force. Drawing a week again is refused (exit 2, nothing written) unless
`replace` is asked: then the earlier draw is kept but marked replaced by the new one, so what evaluators
were once handed can still be read. Every draw is audited (qa_sample.draw) and bumps the data version.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyarrow as pa

from csq.core import exports
from csq.core.i18n import t
from csq.core.privacy import mask_table
from csq.core.roles import require
from csq.errors import InputRefused
from csq.evaluation.qa import evaluations_sql
from csq.metrics.filters import Filter
from csq.store import Store, audit
from csq.store.connection import bump_data_version, current_user
from csq.store.queries import SqlFiles, arrow
from csq.store.settings import ROUTINE_COUNTS, setting_int

SQL = SqlFiles(__package__)
REASONS: tuple[str, ...] = ("complaint", "escalated", "low_csat", "random")  # the §4d order, risk first
DEFAULT_SEED = 1
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True)
class Week:
    """An ISO week: its label YYYY-Www and its moments, from Monday 00:00 up to the next Monday (exclusive)."""

    label: str
    start: datetime
    end: datetime

    @classmethod
    def parse(cls, text: str) -> Week:
        """Return the week written YYYY-Www (2026-W05), or raise InputRefused."""
        m = _WEEK.match(str(text or "").strip())
        try:
            if m is None:
                raise ValueError(text)
            start = datetime.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            raise InputRefused(f"{text!r} is not an ISO week.", "Write the week as YYYY-Www, e.g. 2026-W05.") from None
        return cls(f"{start:%G-W%V}", start, start + timedelta(days=7))

    @classmethod
    def of(cls, moment: datetime) -> Week:
        """Return the ISO week a moment falls in."""
        return cls.parse(f"{moment:%G-W%V}")

    @classmethod
    def last_complete(cls, moment: datetime | None) -> Week | None:
        """Return the last whole week before the one `moment` (the data's "as of") falls in, or None without data."""
        return None if moment is None else cls.of(moment - timedelta(days=7))


@dataclass(frozen=True)
class Rules:
    """The numbers of one draw: N per agent, the new-agent factor and days, and the seed."""

    per_agent: int
    new_agent_factor: int
    new_agent_days: int
    seed: int = DEFAULT_SEED


@dataclass(frozen=True)
class Drawn:
    """One drawn ticket: its agent and team at the draw, reason, whether the agent was new, quota and place."""

    ticket_id: str
    agent: str
    team: str | None
    created_at: datetime
    reason: str
    new_agent: bool
    quota: int
    pick: int

    def as_json(self) -> dict[str, object]:
        """Return the SPEC §6 `qa-sample --json` object: ticket_id, agent and reason."""
        return {"ticket_id": self.ticket_id, "agent": self.agent, "reason": self.reason}


@dataclass(frozen=True)
class Draw:
    """A stored draw: its id, week, rules, who drew it and when, the draw it replaced, and the drawn tickets."""

    draw_id: int
    week: str
    rules: Rules
    drawn_at: datetime
    drawn_by: str
    replaced: int | None
    tickets: tuple[Drawn, ...]


def rules(store: Store, per_agent: int | None = None, seed: int = DEFAULT_SEED) -> Rules:
    """Return the draw's numbers: `per_agent` (else the setting) and the new-agent settings, range-checked."""
    n = setting_int(store, "qa_sample_per_agent", 5) if per_agent is None else per_agent
    low, high = ROUTINE_COUNTS["qa_sample_per_agent"]
    if isinstance(n, bool) or not isinstance(n, int) or not low <= n <= high:
        raise InputRefused(f"--per-agent {n!r} is not a whole number from {low} to {high}.",
                           f"Give a number of tickets per agent from {low} to {high}, e.g. 5.")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2 ** 63:
        raise InputRefused(f"The seed {seed!r} is not a whole number ≥ 0.", "Give a seed such as 1.")
    return Rules(n, setting_int(store, "qa_new_agent_factor", 2), setting_int(store, "qa_new_agent_days", 90), seed)


def _draw_sql(week: Week, r: Rules) -> tuple[str, list[object]]:
    """Return the bound SQL of a week's draw (qa_sample_draw.sql)."""
    return SQL.render("qa_sample_draw", week_start=("CAST(? AS TIMESTAMP)", [week.start]),
                      week_end=("CAST(? AS TIMESTAMP)", [week.end]), new_agent_days=("CAST(? AS INTEGER)",
                      [r.new_agent_days]), per_agent=("CAST(? AS INTEGER)", [r.per_agent]),
                      new_agent_factor=("CAST(? AS INTEGER)", [r.new_agent_factor]), seed=("?", [str(r.seed)]))


def in_force(store: Store, week: str) -> int | None:
    """Return the id of the week's draw in force, or None."""
    value = store.scalar("SELECT max(draw_id) FROM qa_sample_draws WHERE week = ? AND replaced_by IS NULL",
                         [Week.parse(week).label])
    return None if value is None else int(value)  # type: ignore[call-overload]


def draw(store: Store, week: str, per_agent: int | None = None, seed: int = DEFAULT_SEED, replace: bool = False,
         user: str | None = None, *, role: str | None = None) -> Draw:
    """Draw and store the week's QA sample (role 'qa_sample'; audited); return the stored draw.

    Refused (InputRefused, nothing written) when the week already has a draw in force and `replace` is not
    asked, and when the week has no ticket to draw.
    """
    require(role, "qa_sample")
    w, r = Week.parse(week), rules(store, per_agent, seed)
    who = user or current_user()
    sql, params = _draw_sql(w, r)
    with store.transaction() as cur:
        # Read inside the transaction, so two writers cannot both find the week free.
        old = cur.execute("SELECT draw_id, drawn_by, drawn_at, seed FROM qa_sample_draws WHERE week = ? "
                          "AND replaced_by IS NULL", [w.label]).fetchall()
        if old and not replace:
            d_id, by, at, s = old[0]
            raise InputRefused(f"Week {w.label} already has a QA sample (draw {d_id}, seed {s}, drawn by {by} on "
                               f"{at:%Y-%m-%d %H:%M}); nothing was changed.",
                               "Use --replace to draw it again (the earlier draw is kept, marked replaced), or "
                               "--stored to print or write the sample in force.")
        new_id = int(cur.execute("SELECT coalesce(max(draw_id), 0) + 1 FROM qa_sample_draws").fetchall()[0][0])
        cur.execute("INSERT INTO qa_samples SELECT CAST(? AS BIGINT), CAST(? AS VARCHAR), ticket_id, agent, team, "
                    f"created_at, reason, new_agent, quota, pick FROM ({sql})", [new_id, w.label, *params])
        drawn = int(cur.execute("SELECT count(*) FROM qa_samples WHERE draw_id = ?", [new_id]).fetchall()[0][0])
        if drawn == 0:
            raise InputRefused(f"Week {w.label} has no ticket to sample: none with an agent was created that week, "
                               "or every one has been evaluated already; nothing was changed.",
                               "Import the week's tickets first, or choose another week.")
        cur.execute("INSERT INTO qa_sample_draws VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                    [new_id, w.label, r.seed, r.per_agent, r.new_agent_factor, r.new_agent_days, drawn,
                     datetime.now().replace(microsecond=0), who])
        replaced = int(old[0][0]) if old else None
        if replaced is not None:
            cur.execute("UPDATE qa_sample_draws SET replaced_by = ? WHERE draw_id = ?", [new_id, replaced])
        audit.write(cur, "qa_sample.draw", w.label, {"draw_id": new_id, "seed": r.seed, "per_agent": r.per_agent,
                                                     "new_agent_factor": r.new_agent_factor,
                                                     "new_agent_days": r.new_agent_days, "tickets": drawn,
                                                     "replaced_draw": replaced}, who)
        bump_data_version(cur)
    found = stored(store, w.label)
    assert found is not None  # just committed
    return found


def stored(store: Store, week: str) -> Draw | None:
    """Return the week's draw in force with its tickets (by agent, then place), or None."""
    d_id = in_force(store, week)
    if d_id is None:
        return None
    head = store.rows("SELECT week, seed, per_agent, new_agent_factor, new_agent_days, drawn_at, drawn_by "
                      "FROM qa_sample_draws WHERE draw_id = ?", [d_id])[0]
    replaced = store.scalar("SELECT max(draw_id) FROM qa_sample_draws WHERE replaced_by = ?", [d_id])
    rows = store.arrow("SELECT ticket_id, agent, team, created_at, reason, new_agent, quota, pick FROM qa_samples "
                       "WHERE draw_id = ? ORDER BY agent, pick", [d_id]).to_pylist()
    return Draw(d_id, head[0], Rules(int(head[2]), int(head[3]), int(head[4]), int(head[1])), head[5], head[6],
                None if replaced is None else int(replaced), tuple(Drawn(**r) for r in rows))  # type: ignore[arg-type]


def weeks(store: Store) -> list[str]:
    """Return the weeks with a draw in force, newest first."""
    return [r[0] for r in store.rows("SELECT week FROM qa_sample_draws WHERE replaced_by IS NULL ORDER BY week DESC")]


def sample_rows(store: Store, week: str, unmask: bool = False) -> pa.Table:
    """Return the week's drawn tickets with their ticket fields and evaluated flag, customer fields masked unless
    `unmask` (SPEC §8: only a role that may unmask sees them)."""
    return mask_table(arrow(store, SQL.load("qa_sample_rows"), [Week.parse(week).label]), unmask)


def sample_export(store: Store, week: str, fmt: str, unmask: bool = False, lang: str | None = None) -> bytes:
    """Return the week's sample in force as CSV or .xlsx for evaluators (csq.core.exports; masked unless `unmask`).

    Without `lang` the columns and values are canonical (for scripts); with it, headers and values are localised.
    """
    w = Week.parse(week)
    if in_force(store, w.label) is None:
        raise InputRefused(f"Week {w.label} has no QA sample.", f"Draw it first: python -m csq qa-sample --week {w.label}.")
    tbl = sample_rows(store, w.label, unmask)
    if lang is not None:
        i = tbl.column_names.index("reason")
        labels = pa.array([t(f"qs_reason_{r}", lang) for r in tbl.column(i).to_pylist()], pa.string())
        tbl = tbl.set_column(i, "reason", labels)
        headers = {n: t(f"qs_col_{n}", lang) for n in tbl.column_names if t(f"qs_col_{n}", lang) != f"qs_col_{n}"}
        tbl = exports.localised_table(tbl, lang, headers)
    if fmt == "csv":
        return exports.to_csv_bytes(tbl)
    if fmt == "xlsx":
        return exports.xlsx_bytes(tbl, f"QA {w.label}")
    raise InputRefused(f"Cannot write a QA sample as {fmt!r}.", "Write it as .csv or .xlsx.")


@dataclass(frozen=True)
class Comparison:
    """QA results of one side: evaluations of sampled tickets, or of the others, with mean score and fail rate."""

    sampled: bool
    evaluations: int
    qa_score: float | None
    qa_critical_fail_rate: float | None


def sampled_vs_unsampled(store: Store, f: Filter) -> list[Comparison]:
    """Return the QA results of evaluations of sampled tickets and of the others in the filter (sampled first)."""
    sql, params = SQL.render("qa_sample_results", evaluations=evaluations_sql(store, f))
    found = {r["sampled"]: r for r in arrow(store, sql, params).to_pylist()}
    return [Comparison(side, int(found[side]["evaluations"]) if side in found else 0,
                       found.get(side, {}).get("qa_score"), found.get(side, {}).get("qa_critical_fail_rate"))
            for side in (True, False)]
