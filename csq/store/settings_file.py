"""Every setting as one JSON object (SPEC §6 `settings export` / `settings import`): read, validated whole, written.

An import replaces the sections the file holds and leaves the others as they are. It is checked whole
before anything is written and written in one transaction, so a bad file changes nothing.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from csq.core.roles import require
from csq.errors import InputRefused
from csq.store import audit
from csq.store.calendars import ALWAYS, parse_calendars, parse_pause_statuses
from csq.store.connection import Store, bump_data_version
from csq.store.target_defaults import DEFAULT_TARGETS
from csq.store.settings import (DEFAULT_SETTINGS, SlaRule, Target, check_setting, cleared_targets, get_setting,
                                planned_targets, sla_rules, targets, validate_rules, write_rules, write_targets)

_RULE_KEYS = ("channel", "type", "priority", "first_response_min", "resolution_h", "calendar", "pause_first_response")
_TARGET_KEYS = ("target", "direction", "warning", "source", "source_zh")
# Settings kept in the key/value table that the file carries, each under its own key.
PLAIN_KEYS = tuple(DEFAULT_SETTINGS)
SECTIONS = ("sla_rules", "targets", *PLAIN_KEYS)


def export_settings(store: Store) -> dict[str, object]:
    """Return every setting as the JSON object of SPEC §6 (resolution limits in hours, as the file has them)."""
    rules = [{"channel": r.channel, "type": r.type, "priority": r.priority,
              "first_response_min": r.first_response_min,
              "resolution_h": None if r.resolution_min is None else r.resolution_min / 60,
              "calendar": r.calendar, "pause_first_response": r.pause_first_response} for r in sla_rules(store)]
    out: dict[str, object] = {"sla_rules": rules}
    out["targets"] = {k: {"target": t.target, "direction": t.direction, "warning": t.warning, "source": t.source,
                          "source_zh": t.source_zh} for k, t in targets(store).items()}
    for key in PLAIN_KEYS:
        out[key] = get_setting(store, key)
    return out


def _number(value: object, where: str) -> float | None:
    """Return a JSON number (or null) as a float, or raise InputRefused."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputRefused(f"{where}: {value!r} is not a number.", "Write a number, or null for no limit.")
    return float(value)


def _text(value: object, where: str) -> str | None:
    """Return a JSON string (or null), or raise InputRefused."""
    if value is None or isinstance(value, str):
        return value or None
    raise InputRefused(f"{where}: {value!r} is not text.", "Write a string, or null for any.")


def _rules(value: object) -> list[SlaRule]:
    """Return the file's SLA rules (resolution in hours → minutes), or raise InputRefused naming the rule."""
    if not isinstance(value, list):
        raise InputRefused("sla_rules must be a list of rules.", "See SPEC §6.")
    out = []
    for i, item in enumerate(value, start=1):
        where = f"sla_rules[{i}]"
        if not isinstance(item, dict):
            raise InputRefused(f"{where} is not an object.", "Write each rule as {\"channel\": …, …}.")
        unknown = sorted(set(item) - set(_RULE_KEYS))
        if unknown:
            raise InputRefused(f"{where}: unknown field(s) {', '.join(unknown)}.", f"Use {', '.join(_RULE_KEYS)}.")
        pause = item.get("pause_first_response", False)
        if not isinstance(pause, bool):
            raise InputRefused(f"{where}: pause_first_response must be true or false.", "Write true or false.")
        calendar = item.get("calendar", ALWAYS)
        if not isinstance(calendar, str):
            raise InputRefused(f"{where}: calendar must be a name.", f'Write e.g. "{ALWAYS}".')
        res_h = _number(item.get("resolution_h"), f"{where}.resolution_h")
        out.append(SlaRule(_text(item.get("channel"), f"{where}.channel"), _text(item.get("type"), f"{where}.type"),
                           _text(item.get("priority"), f"{where}.priority"),
                           _number(item.get("first_response_min"), f"{where}.first_response_min"),
                           None if res_h is None else res_h * 60, calendar, pause))
    return out


def _targets(store: Store, value: object) -> list[Target]:
    """Return the file's targets, direction and band taken from the stored target or default when left out."""
    if not isinstance(value, dict):
        raise InputRefused("targets must be an object keyed by indicator.", 'Write e.g. {"csat_rate": {"target": 0.9}}.')
    known: dict[str, object] = {**cleared_targets(store), **targets(store)}
    defaults = {t.indicator: t for t in DEFAULT_TARGETS}
    out = []
    for key, body in value.items():
        where = f"targets.{key}"
        if not isinstance(body, dict) or set(body) - set(_TARGET_KEYS):
            raise InputRefused(f"{where} must be an object with {', '.join(_TARGET_KEYS)}.", 'Write {"target": 0.9}.')
        base = known.get(key) or defaults.get(key)
        target = _number(body.get("target"), f"{where}.target")
        if target is None:
            raise InputRefused(f"{where}: the target value is missing.", "Give a number, or leave the indicator out.")
        direction = body.get("direction", getattr(base, "direction", None))
        warning = _number(body.get("warning", getattr(base, "warning", 0.0)), f"{where}.warning")
        out.append(Target(str(key), str(direction), target, warning or 0.0, str(body.get("source") or ""),
                          str(body.get("source_zh") or "")))
    return out


@dataclass(frozen=True)
class SettingsImport:
    """What an import would write: the sections it replaces, validated, and the settings they leave alone."""

    rules: list[SlaRule] | None
    targets: list[Target] | None
    plain: dict[str, object]


def read_settings(store: Store, doc: object) -> SettingsImport:
    """Return the validated content of a settings file, or raise InputRefused on the first problem in it."""
    if not isinstance(doc, dict):
        raise InputRefused("A settings file is one JSON object.", "Export one with `python -m csq settings export`.")
    unknown = sorted(set(doc) - set(SECTIONS))
    if unknown:
        raise InputRefused(f"Unknown setting(s) {', '.join(unknown)}.", f"Use any of: {', '.join(SECTIONS)}.")
    rules = _rules(doc["sla_rules"]) if "sla_rules" in doc else None
    calendars = parse_calendars(doc["calendars"]) if "calendars" in doc else parse_calendars(
        get_setting(store, "calendars") or {})
    rule_list = rules if rules is not None else sla_rules(store)
    validate_rules(rule_list, calendars)
    if "pause_statuses" in doc:
        parse_pause_statuses(doc["pause_statuses"])
    plain = {k: doc[k] for k in PLAIN_KEYS if k in doc}
    for key, value in plain.items():
        check_setting(key, value, [r.calendar for r in rule_list])
    new_targets = _targets(store, doc["targets"]) if "targets" in doc else None
    return SettingsImport(rules, new_targets, plain)


def import_settings(store: Store, text: str, source: str, user: str | None = None, *, role: str | None = None,
                    today: date | None = None) -> list[str]:
    """Replace the sections a settings file holds, audited in one transaction; return the sections replaced.

    Role 'settings' is needed, and 'target' as well when the file holds targets. Nothing is written when any
    part of the file is invalid.
    """
    require(role, "settings")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputRefused(f"{source}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).",
                           "Fix the file or export a fresh one with `python -m csq settings export`.") from None
    return apply_settings(store, doc, source, user, role=role, today=today)


def apply_settings(store: Store, doc: object, source: str, user: str | None = None, *, role: str | None = None,
                   today: date | None = None, action: str = "settings.import") -> list[str]:
    """Replace the sections of a settings object after validating it whole; return the sections replaced.

    The Settings page writes its calendar and pause edits through here too, so they are checked exactly as a
    file is (action "settings.calendars" in the audit log).
    """
    require(role, "settings")
    plan = read_settings(store, doc)
    if plan.targets is not None:
        require(role, "target")
    before = export_settings(store)
    kept, removed = planned_targets(store, plan.targets, user, today) if plan.targets is not None else ([], [])
    sections = [k for k in SECTIONS if k in doc]  # type: ignore[operator]
    with store.transaction() as cur:
        if plan.rules is not None:
            write_rules(cur, plan.rules)
        if plan.targets is not None:
            write_targets(cur, kept, removed)
        for key, value in plan.plain.items():
            cur.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        [key, json.dumps(value, ensure_ascii=False)])
        audit.write(cur, action, source, {
            "sections": sections, "before": {k: before.get(k) for k in sections},
            "after": {k: doc[k] for k in sections}}, user)  # type: ignore[index]
        bump_data_version(cur)
    return sections


def dump(settings: Mapping[str, object]) -> str:
    """Return the settings as the indented UTF-8 JSON text of a settings file."""
    return json.dumps(settings, ensure_ascii=False, indent=2) + "\n"
