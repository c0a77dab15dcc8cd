"""The callback indicators of SPEC §3 (回访完成率, 回访满意率, 二次回访及时率) and the flags they and the due list read."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from csq.metrics.asof import as_of
from csq.metrics.filters import Filter, build_where
from csq.metrics.grouping import grouping
from csq.store import Store
from csq.store.queries import Part, Runner, SqlFiles, arrow
from csq.store.settings import setting_int

SQL = SqlFiles(__package__)
CALLBACK_KEYS = ("callback_completion_rate", "callback_satisfaction_rate", "callback_followup_on_time_rate")
# The moment that puts a callback in its quarter, month, week or day (SPEC §3: quarter of planned_for).
CALLBACK_MOMENT = "c.moment"
# A callback's own agent, and its own team else the roster's (SPEC §6: --by agent/team groups by the record's).
CALLBACK_DIMS = {"agent": "c.agent", "team": "coalesce(c.team, a.team)"}
FOLLOWUP_DAYS = 3   # SPEC §3 default; the callback_followup_days setting
# What a caller writes in the open-issue answer when there is none (否, 无 …): not an issue still open.
NO_OPEN_ISSUE: tuple[str, ...] = ("否", "无", "没有", "没", "暂无", "无遗留", "无遗留问题", "没有遗留问题", "无问题",
                                  "没有问题", "已解决", "都解决了", "/", "-", "—", "no", "none", "n/a", "na", "nil",
                                  "nothing", "no issue", "no issues", "resolved")


def followup_days(store: Store) -> int:
    """Return the follow-up limit in days (setting callback_followup_days, default 3)."""
    return setting_int(store, "callback_followup_days", FOLLOWUP_DAYS)


def callback_flags(store: Store, moment: datetime | None = None, days: int | None = None) -> Part:
    """Return the SQL (and params) of every callback in force with its flags (callback_flags.sql), as of `moment`.

    `moment` None is the data's "as of" (SPEC §3: the latest ticket timestamp); `days` None the setting.
    """
    return SQL.render("callback_flags", as_of=("?", [moment if moment is not None else as_of(store)]),
                      days=("?", [followup_days(store) if days is None else days]),
                      no_issue=("?", [list(NO_OPEN_ISSUE)]))


def run_callbacks(store: Store, f: Filter, by: Sequence[str], run: Runner = arrow) -> list[dict[str, object]]:
    """Return the callbacks query's rows: one per group, each callback indicator and its n, run by `run`."""
    groups = grouping(by, CALLBACK_DIMS, CALLBACK_MOMENT)
    if groups is None:
        return []
    where = build_where(f, CALLBACK_DIMS, CALLBACK_MOMENT)
    flags = callback_flags(store)
    sql, params = SQL.render("callbacks", flags=flags, groups=groups[0], group_names=groups[1], where=where.part)
    return run(store, sql, params, None).to_pylist()
