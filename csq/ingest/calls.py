"""Telephony detail (the `calls` kind, SPEC §2): durations as seconds or hh:mm:ss, the call's clock, its checks.

The Normaliser types every kind alike; a call file needs three things more, written here as SQL the
Normaliser splices into its own statements:

- talk, hold and after-call work come as durations (`180`, `03:00`, `00:03:00`, `3分0秒`), not timestamps;
- CTI exports often write times of day only, or the date of the call's start on every column, so a call
  that crosses midnight seems to end before it starts. A time of day takes the call's date (a `call_date`
  column, else the date of its first full timestamp), and a later moment that falls more than 5 s before
  the one it follows (12 to 24 hours before it) is moved to the next day, leaving a gap under 12 hours;
- the cross-field rules: answered more than 5 s before queued (two systems' clocks; within 5 s the wait
  is 0, SPEC §3), ended before queued or answered, answered and marked abandoned at once.
"""
from __future__ import annotations

# The order a call's moments follow: entered the voice menu, queued for an agent, answered, ended.
CLOCK_CHAIN = ("entered_at", "queued_at", "answered_at", "ended_at")
# An answer this much before the queue time is clock skew between systems (SPEC §3); more is a row error.
SKEW_SECONDS = 5
_TIME_FORMATS = "['%H:%M:%S', '%H:%M', '%H:%M:%S.%f']"
_HMS = r"'^-?(\d+):([0-5]?\d):([0-5]?\d(?:\.\d+)?)$'"
_MS = r"'^-?(\d+):([0-5]?\d(?:\.\d+)?)$'"
_CN = r"'^(?:(\d+)(?:小时|时))?(?:(\d+)分钟?)?(?:(\d+(?:\.\d+)?)秒)?$'"


def seconds_sql(v: str) -> str:
    """Return the SQL reading the duration text `v` as seconds: a number, h:mm:ss, m:ss or 1小时2分3秒; else NULL."""
    number = f"TRY_CAST(replace({v}, ',', '') AS DOUBLE)"
    sign = f"(CASE WHEN starts_with({v}, '-') THEN -1 ELSE 1 END)"

    def part(pattern: str, group: int) -> str:
        return f"coalesce(TRY_CAST(regexp_extract({v}, {pattern}, {group}) AS DOUBLE), 0)"

    return (f"CASE WHEN {v} IS NULL THEN NULL WHEN {number} IS NOT NULL THEN {number} "
            f"WHEN regexp_matches({v}, {_HMS}) THEN {sign} * ({part(_HMS, 1)} * 3600 + {part(_HMS, 2)} * 60 "
            f"+ {part(_HMS, 3)}) "
            f"WHEN regexp_matches({v}, {_MS}) THEN {sign} * ({part(_MS, 1)} * 60 + {part(_MS, 2)}) "
            f"WHEN regexp_matches({v}, {_CN}) AND regexp_matches({v}, '\\d') THEN {part(_CN, 1)} * 3600 "
            f"+ {part(_CN, 2)} * 60 + {part(_CN, 3)} END")


def duration_checks(v: str, name: str) -> list[tuple[str, str]]:
    """Return (condition, message SQL) pairs of one duration field: unreadable, negative, longer than a day."""
    return [(f"{v} IS NOT NULL AND {name} IS NULL",
             f"format('''{{}}'' is not a duration (seconds, or hh:mm:ss)', {v})"),
            (f"{name} < 0", f"format('negative duration {{}}', {v})"),
            (f"{name} > 86400", f"format('duration {{}} is longer than a day', {v})")]


def _time_of_day(name: str) -> str:
    """Return the SQL of a time-only cell of field `name` as a time since midnight (an interval), else NULL."""
    return f"(try_strptime(v_{name}, {_TIME_FORMATS}) - TIMESTAMP '1900-01-01')"


def _roll(later: str, earlier: str) -> str:
    """Return the SQL moving `later` to the next day when it is a moment after midnight written on the day before."""
    # No same-date test: the moment it follows may itself have been rolled to the next day already.
    return (f"CASE WHEN {later} < {earlier} - INTERVAL {SKEW_SECONDS} SECOND "
            f"AND {later} + INTERVAL 1 DAY - {earlier} < INTERVAL 12 HOUR "
            f"THEN {later} + INTERVAL 1 DAY ELSE {later} END")


def clock_sql(body: str) -> str:
    """Return the typing statement `body` wrapped so that each call's moments are dated and in order.

    Times of day take the call's date; then queued follows entered, answered follows queued, and ended
    follows answered (or queued when it was not answered), each rolled past midnight where it must be.
    """
    day = ("coalesce(call_date, " + ", ".join(f"CAST({c} AS DATE)" for c in CLOCK_CHAIN) + ")")
    dated = ", ".join(f"coalesce({c}, {day} + {_time_of_day(c)}) AS {c}" for c in CLOCK_CHAIN)
    sql = f"SELECT * REPLACE ({dated}) FROM ({body}) AS _dated"
    for later, earlier in (("queued_at", "entered_at"), ("answered_at", "queued_at"),
                           ("ended_at", "coalesce(answered_at, queued_at)")):
        sql = f"SELECT * REPLACE ({_roll(later, earlier)} AS {later}) FROM ({sql}) AS _{later}"
    return sql


def row_checks() -> list[tuple[str, str, str]]:
    """Return the calls' cross-field checks as (condition, field whose column is named, message SQL)."""
    checks = [
        (f"answered_at < queued_at - INTERVAL {SKEW_SECONDS} SECOND", "answered_at",
         f"format('answered more than {SKEW_SECONDS} s before it was queued ({{}} is before {{}})', "
         "answered_at, queued_at)"),
        ("answered_at IS NULL AND ended_at < queued_at", "ended_at",
         "format('ended before it was queued ({} is before {})', ended_at, queued_at)"),
        ("abandoned AND answered_at IS NOT NULL", "abandoned",
         "format('answered (at {}) and marked abandoned at once', answered_at)"),
    ]
    for c in CLOCK_CHAIN:
        checks.append((f"v_{c} IS NOT NULL AND {c} IS NULL AND try_strptime(v_{c}, {_TIME_FORMATS}) IS NOT NULL", c,
                       f"format('''{{}}'' is a time of day without a date: map a date column (日期, call_date)', v_{c})"))
    return checks
