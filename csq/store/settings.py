"""Settings stored in the database: SLA rules, targets and the timezone, with SPEC §4 defaults."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from csq.core.kinds import CHANNELS, PRIORITIES, TYPES
from csq.core.roles import require
from csq.errors import InputRefused
from csq.store import audit
from csq.store.connection import Store, bump_data_version


@dataclass(frozen=True)
class SlaRule:
    """One SLA rule: match on channel/type/priority (None = any); limits in minutes (None = not set)."""

    channel: str | None = None
    type: str | None = None
    priority: str | None = None
    first_response_min: float | None = None
    resolution_min: float | None = None

    @property
    def specificity(self) -> int:
        """Return how many fields the rule matches on."""
        return sum(v is not None for v in (self.channel, self.type, self.priority))


@dataclass(frozen=True)
class Target:
    """A target: direction ('higher' or 'lower'), the value to reach, and the amber band width."""

    indicator: str
    direction: str
    target: float
    warning: float


DEFAULT_SLA_RULES: tuple[SlaRule, ...] = (
    SlaRule(channel="phone", first_response_min=2),
    SlaRule(channel="chat", first_response_min=2),
    SlaRule(type="tech_support", first_response_min=60),
    SlaRule(type="after_sales", first_response_min=24 * 60),
    SlaRule(type="complaint", first_response_min=48 * 60, resolution_min=72 * 60),
    SlaRule(first_response_min=24 * 60, resolution_min=120 * 60),
)

# Rates are fractions (0.9 = 90 %). The amber band is our choice; SPEC §4 gives only the targets.
DEFAULT_TARGETS: tuple[Target, ...] = (
    Target("csat_rate", "higher", 0.90, 0.05),
    Target("frt_median_min", "lower", 5.0, 2.0),
    Target("survey_response_rate", "higher", 0.80, 0.05),
    Target("training_pass_rate", "higher", 0.85, 0.05),
)

DEFAULT_SETTINGS: dict[str, object] = {
    "timezone": "Asia/Shanghai",
    "problem_close_months": 2,
}


def seed_defaults(store: Store) -> None:
    """Write the SPEC §4 defaults into empty settings tables (a fresh or newly migrated store)."""
    with store.transaction() as cur:
        if cur.execute("SELECT count(*) FROM sla_rules").fetchall()[0][0] == 0:
            _write_rules(cur, DEFAULT_SLA_RULES)
        if cur.execute("SELECT count(*) FROM targets").fetchall()[0][0] == 0:
            _write_targets(cur, DEFAULT_TARGETS)
        for key, value in DEFAULT_SETTINGS.items():
            cur.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT DO NOTHING", [key, json.dumps(value)])


def _write_rules(cur, rules: tuple[SlaRule, ...] | list[SlaRule]) -> None:
    cur.execute("DELETE FROM sla_rules")
    cur.executemany("INSERT INTO sla_rules VALUES (?, ?, ?, ?, ?, ?)", [
        [i + 1, r.channel, r.type, r.priority, r.first_response_min, r.resolution_min]
        for i, r in enumerate(rules)])


def _write_targets(cur, targets: tuple[Target, ...] | list[Target]) -> None:
    cur.execute("DELETE FROM targets")
    cur.executemany("INSERT INTO targets VALUES (?, ?, ?, ?)",
                    [[t.indicator, t.direction, t.target, t.warning] for t in targets])


def sla_rules(store: Store) -> list[SlaRule]:
    """Return the SLA rules in their order of precedence for ties."""
    return [SlaRule(*r) for r in store.rows(
        "SELECT channel, type, priority, first_response_min, resolution_min FROM sla_rules ORDER BY position")]


def validate_rules(rules: list[SlaRule]) -> None:
    """Raise InputRefused when a rule has a negative limit, an unknown value, or repeats another's match."""
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
    validate_rules(rules)
    before = [asdict(r) for r in sla_rules(store)]
    with store.transaction() as cur:
        _write_rules(cur, rules)
        audit.write(cur, "settings.sla_rules", "sla_rules",
              {"before": before, "after": [asdict(r) for r in rules]}, user)
        bump_data_version(cur)


def targets(store: Store) -> dict[str, Target]:
    """Return the targets keyed by indicator."""
    return {r[0]: Target(*r) for r in store.rows(
        "SELECT indicator, direction, target, warning FROM targets ORDER BY indicator")}


def set_targets(store: Store, new: list[Target], user: str | None = None, *, role: str | None = None) -> None:
    """Replace the targets, audit the change, and bump the data version (role 'target')."""
    require(role, "target")
    for t in new:
        if t.direction not in ("higher", "lower") or t.warning < 0:
            raise InputRefused(f"Target for {t.indicator}: direction must be higher or lower and the "
                               "warning band 0 or more.", "Correct the target row.")
    before = [asdict(t) for t in targets(store).values()]
    with store.transaction() as cur:
        _write_targets(cur, new)
        audit.write(cur, "settings.targets", "targets", {"before": before, "after": [asdict(t) for t in new]}, user)
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


def set_setting(store: Store, key: str, value: object, user: str | None = None, *, role: str | None = None
                ) -> None:
    """Store one setting, audit it, and bump the data version (role 'settings')."""
    require(role, "settings")
    if key == "timezone":
        try:
            ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError):
            raise InputRefused(f"Unknown timezone {value!r}.", "Use an IANA name such as Asia/Shanghai.") from None
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
        _write_rules(cur, DEFAULT_SLA_RULES)
        _write_targets(cur, DEFAULT_TARGETS)
        for key, value in DEFAULT_SETTINGS.items():
            cur.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        [key, json.dumps(value)])
        audit.write(cur, "settings.reset", None, {}, user)
        bump_data_version(cur)
