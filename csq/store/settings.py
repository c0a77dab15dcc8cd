"""Settings stored in the database: SLA rules, targets with their sources, and the timezone, with defaults."""
from __future__ import annotations

import json
import math
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from csq.core.kinds import CHANNELS, PRIORITIES, TYPES
from csq.core.roles import require
from csq.errors import InputRefused
from csq.store import audit
from csq.store.calendars import (
    ALWAYS,
    DEFAULT_CALENDARS,
    DEFAULT_PAUSE_STATUSES,
    ClockSettings,
    check_rule_calendars,
    parse_calendars,
    parse_pause_statuses,
)
from csq.store.connection import Store, bump_data_version, current_user
from csq.store.target_defaults import DEFAULT_TARGETS, ClearedTarget, Target


@dataclass(frozen=True)
class SlaRule:
    """One SLA rule: match on channel/type/priority (None = any); limits in minutes (None = not set).

    `calendar` names the business calendar its limits are counted on (SPEC §4a); `pause_first_response`
    says whether pause statuses also stop its first-response clock (they always stop the resolution clock).
    """

    channel: str | None = None
    type: str | None = None
    priority: str | None = None
    first_response_min: float | None = None
    resolution_min: float | None = None
    calendar: str = ALWAYS
    pause_first_response: bool = False

    @property
    def specificity(self) -> int:
        """Return how many fields the rule matches on."""
        return sum(v is not None for v in (self.channel, self.type, self.priority))


DEFAULT_SLA_RULES: tuple[SlaRule, ...] = (
    SlaRule(channel="phone", first_response_min=2),
    SlaRule(channel="chat", first_response_min=2),
    SlaRule(type="tech_support", first_response_min=60),
    SlaRule(type="after_sales", first_response_min=24 * 60),
    SlaRule(type="complaint", first_response_min=48 * 60, resolution_min=72 * 60),
    SlaRule(first_response_min=24 * 60, resolution_min=120 * 60),
)

_DEFAULTS: dict[str, Target] = {t.indicator: t for t in DEFAULT_TARGETS}

# What a target's source becomes when a user changes or removes it in Settings, and on an upgraded store
# for a target that was edited before sources were recorded.
_SET_BY = ("set in Settings by {user} on {day}", "由 {user} 于 {day} 在设置页设定")
_REMOVED_BY = ("removed in Settings by {user} on {day}", "由 {user} 于 {day} 在设置页取消")
_LEGACY = ("edited before csq recorded sources (not the default)", "在 csq 记录来源之前已修改（非默认值）")

DEFAULT_SETTINGS: dict[str, object] = {
    "timezone": "Asia/Shanghai",
    "problem_close_months": 2,
    "calendars": {n: c.as_json() for n, c in DEFAULT_CALENDARS.items()},
    "pause_statuses": list(DEFAULT_PAUSE_STATUSES),
    # Telephony thresholds in seconds (SPEC §3), both inclusive: a short abandon is not a call offered.
    "short_abandon_s": 5,
    "service_level_s": 20,
    # The center's callback programme and QA spot checks (SPEC §4d).
    "callbacks_per_agent": 5,
    "callback_followup_days": 3,
    "qa_sample_per_agent": 5,
    "qa_new_agent_factor": 2,
    "qa_new_agent_days": 90,
}
TELEPHONY_THRESHOLDS = ("short_abandon_s", "service_level_s")
# Whole-number settings of SPEC §4d with the range each may take.
ROUTINE_COUNTS: dict[str, tuple[int, int]] = {
    "callbacks_per_agent": (1, 100), "callback_followup_days": (1, 60), "qa_sample_per_agent": (1, 200),
    "qa_new_agent_factor": (1, 10), "qa_new_agent_days": (0, 730)}


def seed_defaults(store: Store) -> None:
    """Write the SPEC §4 defaults a fresh or newly migrated store lacks (never over what a user set)."""
    with store.transaction() as cur:
        if cur.execute("SELECT count(*) FROM sla_rules").fetchall()[0][0] == 0:
            write_rules(cur, DEFAULT_SLA_RULES)
        _complete_targets(cur)
        for key, value in DEFAULT_SETTINGS.items():
            cur.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT DO NOTHING", [key, json.dumps(value)])


def _same(t: Target, direction: str, target: float, warning: float) -> bool:
    """Return True when direction, target and band equal the target's (floats compared to 1e-9)."""
    return (t.direction == direction and math.isclose(t.target, target, rel_tol=1e-9, abs_tol=1e-12)
            and math.isclose(t.warning, warning, rel_tol=1e-9, abs_tol=1e-12))


def _complete_targets(cur: duckdb.DuckDBPyConnection) -> list[str]:
    """Add the default targets the table lacks and a source to rows without one; return the keys added.

    A row the user edited keeps its value; a removed default (a row without a target value) stays removed.
    """
    rows = cur.execute("SELECT indicator, direction, target, warning, source FROM targets").fetchall()
    for indicator, direction, target, warning, source in rows:
        if target is None or source:
            continue
        d = _DEFAULTS.get(indicator)
        en, zh = (d.source, d.source_zh) if d is not None and _same(d, direction, target, warning) else _LEGACY
        cur.execute("UPDATE targets SET source = ?, source_zh = ? WHERE indicator = ?", [en, zh, indicator])
    had = {r[0] for r in rows}
    missing = [t for t in DEFAULT_TARGETS if t.indicator not in had]
    _insert_targets(cur, missing, [])
    if had and missing:  # an upgraded store: say what it gained
        audit.write(cur, "settings.targets_added", "targets", {"added": [t.indicator for t in missing]})
    return [t.indicator for t in missing]


def write_rules(cur: duckdb.DuckDBPyConnection, rules: Sequence[SlaRule]) -> None:
    """Replace every SLA rule row, in the transaction of `cur`."""
    cur.execute("DELETE FROM sla_rules")
    cur.executemany("INSERT INTO sla_rules (position, channel, type, priority, first_response_min, resolution_min, "
                    "calendar, pause_first_response) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
        [i + 1, r.channel, r.type, r.priority, r.first_response_min, r.resolution_min, r.calendar,
         r.pause_first_response] for i, r in enumerate(rules)])


def _insert_targets(cur: duckdb.DuckDBPyConnection, targets: Sequence[Target],
                    cleared: Sequence[ClearedTarget]) -> None:
    """Insert target rows, and rows without a target value for the removed defaults."""
    rows = [[t.indicator, t.direction, t.target, t.warning, t.source, t.source_zh] for t in targets]
    rows += [[c.indicator, c.direction, None, 0.0, c.source, c.source_zh] for c in cleared]
    if rows:
        cur.executemany("INSERT INTO targets (indicator, direction, target, warning, source, source_zh) "
                        "VALUES (?, ?, ?, ?, ?, ?)", rows)


def write_targets(cur: duckdb.DuckDBPyConnection, targets: Sequence[Target],
                   cleared: Sequence[ClearedTarget] = ()) -> None:
    """Replace every target row with these targets and removed defaults."""
    cur.execute("DELETE FROM targets")
    _insert_targets(cur, targets, cleared)


def sla_rules(store: Store) -> list[SlaRule]:
    """Return the SLA rules in their order of precedence for ties."""
    return [SlaRule(*r) for r in store.rows(
        "SELECT channel, type, priority, first_response_min, resolution_min, coalesce(calendar, '24x7'), "
        "coalesce(pause_first_response, FALSE) FROM sla_rules ORDER BY position")]


def validate_rules(rules: Sequence[SlaRule], calendars: Collection[str] = ()) -> None:
    """Raise InputRefused on a negative limit, an unknown value or calendar, or a repeat of another's match."""
    check_rule_calendars([r.calendar for r in rules], calendars)
    seen: dict[tuple, int] = {}
    for i, r in enumerate(rules, start=1):
        for name, value, allowed in (("channel", r.channel, CHANNELS), ("type", r.type, TYPES),
                                     ("priority", r.priority, PRIORITIES)):
            if value is not None and value not in allowed:
                raise InputRefused(f"SLA rule {i}: {name} {value!r} is not one of {', '.join(allowed)}.",
                                   "Pick a canonical value or leave it empty for 'any'.")
        for name, value in (("first response", r.first_response_min), ("resolution", r.resolution_min)):
            if value is not None and value < 0:
                raise InputRefused(f"SLA rule {i}: the {name} limit is negative ({value}).",
                                   "Use a limit of 0 minutes or more, or leave it empty.")
        match = (r.channel, r.type, r.priority)
        if match in seen:
            raise InputRefused(f"SLA rules {seen[match]} and {i} match the same tickets {match}.",
                               "Merge them into one rule.")
        seen[match] = i


def set_sla_rules(store: Store, rules: list[SlaRule], user: str | None = None, *, role: str | None = None) -> None:
    """Replace the SLA rules after validation, audit the change, and bump the data version (role 'settings')."""
    require(role, "settings")
    calendars = get_setting(store, "calendars")
    validate_rules(rules, calendars if isinstance(calendars, dict) else {})
    before = [asdict(r) for r in sla_rules(store)]
    with store.transaction() as cur:
        write_rules(cur, rules)
        audit.write(cur, "settings.sla_rules", "sla_rules",
              {"before": before, "after": [asdict(r) for r in rules]}, user)
        bump_data_version(cur)


def targets(store: Store) -> dict[str, Target]:
    """Return the targets keyed by indicator, each with its source."""
    return {r[0]: Target(*r) for r in store.rows(
        "SELECT indicator, direction, target, warning, coalesce(source, ''), coalesce(source_zh, '') "
        "FROM targets WHERE target IS NOT NULL ORDER BY indicator")}


def cleared_targets(store: Store) -> dict[str, ClearedTarget]:
    """Return the default targets a user removed, keyed by indicator, each saying who removed it and when."""
    return {r[0]: ClearedTarget(*r) for r in store.rows(
        "SELECT indicator, direction, coalesce(source, ''), coalesce(source_zh, '') "
        "FROM targets WHERE target IS NULL ORDER BY indicator")}


def validate_targets(new: Sequence[Target]) -> None:
    """Raise InputRefused on a bad direction, a negative band, a value that is not a number, or a repeat."""
    seen: set[str] = set()
    for t in new:
        if t.direction not in ("higher", "lower") or not t.warning >= 0:
            raise InputRefused(f"Target for {t.indicator}: direction must be higher or lower and the "
                               "warning band 0 or more.", "Correct the target row.")
        if not math.isfinite(t.target):
            raise InputRefused(f"Target for {t.indicator}: {t.target} is not a number.", "Enter a number.")
        if t.indicator in seen:
            raise InputRefused(f"Two targets for {t.indicator}.", "Keep one row per indicator.")
        seen.add(t.indicator)


def stamped(t: Target, before: Target | None, who: str, day: str) -> Target:
    """Return the target with its source: the one given, the default's, the stored one, or who set it when.

    A text given with the target wins. Otherwise a value equal to the default gets the default's source, an
    unchanged value keeps its stored source, and a changed value is "set in Settings by <who> on <day>".
    """
    if t.source or t.source_zh:
        return replace(t, source=t.source or t.source_zh, source_zh=t.source_zh or t.source)
    d = _DEFAULTS.get(t.indicator)
    if d is not None and _same(d, t.direction, t.target, t.warning):
        return replace(t, source=d.source, source_zh=d.source_zh)
    if before is not None and _same(before, t.direction, t.target, t.warning):
        return replace(t, source=before.source, source_zh=before.source_zh)
    en, zh = (text.format(user=who, day=day) for text in _SET_BY)
    return replace(t, source=en, source_zh=zh)


def planned_targets(store: Store, new: Sequence[Target], user: str | None = None, today: date | None = None
                    ) -> tuple[list[Target], list[ClearedTarget]]:
    """Return the validated targets as they would be stored (with sources) and the defaults they remove."""
    validate_targets(new)
    before, gone = targets(store), cleared_targets(store)
    who, day = user or current_user(), (today or date.today()).isoformat()
    kept = [stamped(t, before.get(t.indicator), who, day) for t in new]
    named = {t.indicator for t in new}
    note = [text.format(user=who, day=day) for text in _REMOVED_BY]
    removed = [gone.get(k) or ClearedTarget(k, d.direction, *note) for k, d in _DEFAULTS.items() if k not in named]
    return kept, removed


def set_targets(store: Store, new: Sequence[Target], user: str | None = None, *, role: str | None = None,
                today: date | None = None) -> None:
    """Replace the targets, audit the change, and bump the data version (role 'target').

    Each target gets its source (see stamped). A default target missing from `new` is remembered as removed
    ("removed in Settings by <user> on <day>"), so that no later upgrade of the store restores it.
    """
    require(role, "target")
    before = targets(store)
    kept, removed = planned_targets(store, new, user, today)
    with store.transaction() as cur:
        write_targets(cur, kept, removed)
        audit.write(cur, "settings.targets", "targets", {
            "before": [asdict(t) for t in before.values()], "after": [asdict(t) for t in kept],
            "removed": [c.indicator for c in removed]}, user)
        bump_data_version(cur)


def get_setting(store: Store, key: str) -> object:
    """Return one stored setting (JSON-decoded), or its default."""
    raw = store.scalar("SELECT value FROM settings WHERE key = ?", [key])
    return json.loads(str(raw)) if raw is not None else DEFAULT_SETTINGS.get(key)


def setting_int(store: Store, key: str, default: int) -> int:
    """Return a whole-number setting, or `default` when it is unset or not a number."""
    value = get_setting(store, key)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return default
    try:
        return int(value)
    except ValueError:
        return default


def check_setting(key: str, value: object, rule_calendars: Sequence[str]) -> None:
    """Raise InputRefused when a setting's value is invalid: a timezone, calendars still in use, pause statuses."""
    if key == "timezone":
        try:
            ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError):
            raise InputRefused(f"Unknown timezone {value!r}.", "Use an IANA name such as Asia/Shanghai.") from None
    elif key == "calendars":
        check_rule_calendars(rule_calendars, parse_calendars(value))
    elif key == "pause_statuses":
        parse_pause_statuses(value)
    elif key in TELEPHONY_THRESHOLDS and (isinstance(value, bool) or not isinstance(value, (int, float))
                                          or not 0 <= value <= 3600):
        raise InputRefused(f"{key}: {value!r} is not a number of seconds from 0 to 3600.",
                           "Write the threshold in seconds, e.g. 5 for short abandons and 20 for the service level.")
    elif key in ROUTINE_COUNTS:
        low, high = ROUTINE_COUNTS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InputRefused(f"{key}: {value!r} is not a whole number from {low} to {high}.",
                               f"Write a whole number from {low} to {high}.")


def clock_settings(store: Store) -> ClockSettings:
    """Return the stored business calendars and pause statuses (SPEC §4a)."""
    return ClockSettings(parse_calendars(get_setting(store, "calendars") or {}),
                         parse_pause_statuses(get_setting(store, "pause_statuses") or []))


def set_setting(store: Store, key: str, value: object, user: str | None = None, *, role: str | None = None
                ) -> None:
    """Store one setting, audit it, and bump the data version (role 'settings')."""
    require(role, "settings")
    check_setting(key, value, [r.calendar for r in sla_rules(store)])
    before = get_setting(store, key)
    with store.transaction() as cur:
        cur.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [key, json.dumps(value)])
        audit.write(cur, "settings.set", key, {"before": before, "after": value}, user)
        bump_data_version(cur)


def reset_defaults(store: Store, user: str | None = None, *, role: str | None = None) -> None:
    """Restore the SLA rules, targets and settings of SPEC §4, audited (role 'settings')."""
    require(role, "settings")
    with store.transaction() as cur:
        write_rules(cur, DEFAULT_SLA_RULES)
        write_targets(cur, DEFAULT_TARGETS)
        for key, value in DEFAULT_SETTINGS.items():
            cur.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        [key, json.dumps(value)])
        audit.write(cur, "settings.reset", None, {}, user)
        bump_data_version(cur)
