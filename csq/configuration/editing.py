"""The Settings page's editable tables: targets with sources and SLA rules in display units, previews, saves."""
from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from zoneinfo import available_timezones

from csq.core.roles import require
from csq.errors import InputRefused
from csq.evaluation import scorecard
from csq.metrics.indicators import INDICATORS
from csq.store import Store, settings
from csq.store.calendars import ALWAYS
from csq.store.settings import SlaRule, Target

_RULE_FIELDS = ("channel", "type", "priority")


def _blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _scale(key: str) -> float:
    """Return the factor from stored to shown values: rates are stored as fractions and shown in %."""
    return 100.0 if INDICATORS[key].unit == "rate" else 1.0


def target_rows(store: Store, lang: str = "en") -> list[dict[str, object]]:
    """Return one row per indicator with a better direction: target, direction, band as shown, and the source.

    An indicator whose default target a user removed has no target value; its source says who removed it.
    """
    current, cleared = settings.targets(store), settings.cleared_targets(store)
    out = []
    for key, ind in INDICATORS.items():
        if ind.better is None:
            continue
        t, gone = current.get(key), cleared.get(key)
        k = _scale(key)
        source = t.source_text(lang) if t else gone.source_text(lang) if gone else ""
        out.append({"indicator": key, "unit": "%" if k == 100 else ind.unit,
                    "direction": t.direction if t else ind.better,
                    "target": round(t.target * k, 6) if t else None,
                    "warning": round(t.warning * k, 6) if t else None, "source": source})
    return out


def _typed_source(row: Mapping[str, object], shown: Mapping[str, str]) -> str:
    """Return the source text a user typed in the row, or "" when the cell is blank or as it was shown."""
    cell = row.get("source")
    if _blank(cell) or str(cell).strip() == shown.get(str(row["indicator"]), "").strip():
        return ""
    return str(cell).strip()


def targets_from_rows(rows: Sequence[Mapping[str, object]], shown: Mapping[str, str] | None = None) -> list[Target]:
    """Return the targets the rows describe (a row without a target value has none), in stored units.

    `shown` maps an indicator to the source text its row was shown with: a source cell left as shown (or
    emptied) passes no source, so the store keeps or stamps it; a source typed in is passed on as given.
    """
    out = []
    for r in rows:
        key = str(r["indicator"])
        if key not in INDICATORS:
            raise InputRefused(f"Unknown indicator {key!r}.", "Use an indicator key from SPEC §3.")
        if _blank(r.get("target")):
            continue
        k = _scale(key)
        warning = 0.0 if _blank(r.get("warning")) else float(r["warning"])  # type: ignore[arg-type]
        direction = str(r.get("direction") or INDICATORS[key].better)
        if direction not in ("higher", "lower"):
            raise InputRefused(f"Target for {key}: direction {direction!r} is not higher or lower.",
                               "Pick higher or lower.")
        if warning < 0:
            raise InputRefused(f"Target for {key}: the warning band is negative ({warning}).",
                               "Use a band of 0 or more.")
        out.append(Target(key, direction, float(r["target"]) / k, warning / k,  # type: ignore[arg-type]
                          _typed_source(r, shown or {})))
    return out


def save_targets(store: Store, rows: Sequence[Mapping[str, object]], *, role: str, user: str | None = None,
                 lang: str = "en") -> None:
    """Replace the targets with the rows' (role 'target'; audited; takes effect at once).

    `lang` is the language the rows' sources were shown in. A changed value gets the source "set in Settings
    by <user> on <date>" unless a source is typed in; a row emptied of its target removes that target.
    """
    require(role, "target")  # before validating: a refused role learns nothing about its rows
    shown = {str(r["indicator"]): str(r["source"]) for r in target_rows(store, lang)}
    settings.set_targets(store, targets_from_rows(rows, shown), user, role=role)


def rule_rows(store: Store) -> list[dict[str, object]]:
    """Return the SLA rules in order, limits in minutes, empty match fields as None (any)."""
    return [{"channel": r.channel, "type": r.type, "priority": r.priority,
             "first_response_min": r.first_response_min, "resolution_min": r.resolution_min,
             "calendar": r.calendar, "pause_first_response": r.pause_first_response}
            for r in settings.sla_rules(store)]


def rules_from_rows(rows: Sequence[Mapping[str, object]], calendars: Collection[str] = ()) -> list[SlaRule]:
    """Return SLA rules from edited rows (blank = any / not set; blank calendar = 24x7), validated against
    the calendar names as the store requires."""
    rules = []
    for r in rows:
        if all(_blank(r.get(f)) for f in (*_RULE_FIELDS, "first_response_min", "resolution_min")):
            continue  # an empty row added by mistake
        match = {f: None if _blank(r.get(f)) else str(r[f]) for f in _RULE_FIELDS}
        limits = {f: None if _blank(r.get(f)) else float(r[f])  # type: ignore[arg-type]
                  for f in ("first_response_min", "resolution_min")}
        calendar = ALWAYS if _blank(r.get("calendar")) else str(r["calendar"])
        pause = bool(r.get("pause_first_response")) and not _blank(r.get("pause_first_response"))
        rules.append(SlaRule(**match, **limits, calendar=calendar, pause_first_response=pause))  # type: ignore[arg-type]
    settings.validate_rules(rules, calendars)
    return rules


def _matches(rule: SlaRule, combo: tuple[str, str, str]) -> bool:
    return all(want is None or want == have for want, have in zip((rule.channel, rule.type, rule.priority), combo))


def _deciding(rules: Sequence[SlaRule], combo: tuple[str, str, str], limit: str) -> int | None:
    """Return the index of the rule that sets `limit` for a ticket combination (most specific, then first)."""
    best: tuple[int, int] | None = None
    for pos, r in enumerate(rules):
        if getattr(r, limit) is not None and _matches(r, combo):
            rank = (-r.specificity, pos)
            if best is None or rank < best:
                best = rank
    return None if best is None else best[1]


def rule_preview(store: Store, rules: Sequence[SlaRule]) -> list[dict[str, int]]:
    """Return per rule: current tickets it matches, and those whose first-response / resolution limit it sets."""
    combos = store.rows("SELECT channel, type, priority, count(*) FROM tickets_current GROUP BY ALL")
    out = [{"matches": 0, "sets_first_response": 0, "sets_resolution": 0} for _ in rules]
    for channel, type_, priority, n in combos:
        combo = (channel, type_, priority)
        for i, r in enumerate(rules):
            if _matches(r, combo):
                out[i]["matches"] += int(n)
        for limit, key in (("first_response_min", "sets_first_response"), ("resolution_min", "sets_resolution")):
            i = _deciding(rules, combo, limit)
            if i is not None:
                out[i][key] += int(n)
    return out


def save_sla_rules(store: Store, rows: Sequence[Mapping[str, object]], *, role: str,
                   user: str | None = None) -> list[SlaRule]:
    """Replace the SLA rules with the rows' (role 'settings'; validated, audited, at once); return them."""
    require(role, "settings")  # before validating: a refused role learns nothing about its rows
    rules = rules_from_rows(rows, settings.clock_settings(store).calendars)
    settings.set_sla_rules(store, rules, user, role=role)
    return rules


def timezones() -> list[str]:
    """Return the IANA timezone names, sorted."""
    return sorted(available_timezones())


def save_timezone(store: Store, name: str, *, role: str, user: str | None = None) -> None:
    """Store the center's timezone (role 'settings'; audited)."""
    settings.set_setting(store, "timezone", name, user, role=role)


def save_scoring(store: Store, weights: Mapping[str, float], bands: Mapping[str, float], *, role: str,
                 user: str | None = None) -> None:
    """Store the scorecard weights and grade bands (role 'settings'; validated, audited)."""
    require(role, "settings")
    scorecard.validate_weights(weights)
    scorecard.set_weights(store, weights, user, role=role)
    scorecard.set_grade_bands(store, bands, user, role=role)


def reset_targets(store: Store, *, role: str, user: str | None = None) -> None:
    """Restore every default target with its source, removed ones too (role 'target'; audited)."""
    settings.set_targets(store, list(settings.DEFAULT_TARGETS), user, role=role)


def reset_all(store: Store, *, role: str, user: str | None = None) -> None:
    """Restore SPEC §4: SLA rules, targets, timezone, and the default scoring weights (role 'settings')."""
    require(role, "settings")  # before any of the writes below, so a refusal changes nothing
    settings.reset_defaults(store, user, role=role)
    scorecard.set_weights(store, scorecard.DEFAULT_WEIGHTS, user, role=role)
    scorecard.set_grade_bands(store, scorecard.DEFAULT_BANDS, user, role=role)
