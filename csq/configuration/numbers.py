"""The Settings page's numbers: the telephony thresholds (SPEC §3) and the callback programme's and QA sample's
sizes (SPEC §4d), with the range each may take, saved like a settings file: checked whole, audited, one write."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from csq.core.roles import require
from csq.errors import InputRefused
from csq.store import Store
from csq.store.settings import ROUTINE_COUNTS, TELEPHONY_THRESHOLDS, get_setting
from csq.store.settings_file import apply_settings

# check_setting's range for a telephony threshold, in seconds.
THRESHOLD_RANGE = (0, 3600)
NUMBER_KEYS: tuple[str, ...] = (*TELEPHONY_THRESHOLDS, *ROUTINE_COUNTS)
GROUPS = ("telephony", "callbacks", "qa")


@dataclass(frozen=True)
class NumberSetting:
    """One numeric setting as the page edits it: its key, stored value, range, and whether it is a whole number."""

    key: str
    value: float
    low: float
    high: float
    whole: bool

    @property
    def group(self) -> str:
        """Return the page group it is edited in: 'telephony', 'callbacks' or 'qa' (the QA sample)."""
        if self.key in TELEPHONY_THRESHOLDS:
            return "telephony"
        return "callbacks" if self.key.startswith("callback") else "qa"


def number_settings(store: Store) -> list[NumberSetting]:
    """Return the telephony thresholds, then the callback and QA-sample numbers, with their stored values."""
    out = []
    for key in NUMBER_KEYS:
        low, high = ROUTINE_COUNTS.get(key, THRESHOLD_RANGE)
        value = get_setting(store, key)
        out.append(NumberSetting(key, float(value), low, high, key in ROUTINE_COUNTS))  # type: ignore[arg-type]
    return out


def _stored_form(key: str, value: object) -> object:
    """Return a value as stored: a whole number as an int (20, not 20.0), anything else as given, to be checked."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def changed_numbers(store: Store, values: Mapping[str, object]) -> dict[str, object]:
    """Return the values that differ from the stored ones, in stored form; raise InputRefused on an unknown key."""
    unknown = sorted(set(values) - set(NUMBER_KEYS))
    if unknown:
        raise InputRefused(f"Unknown setting(s) {', '.join(unknown)}.", f"Use any of: {', '.join(NUMBER_KEYS)}.")
    current = {s.key: s.value for s in number_settings(store)}
    return {k: _stored_form(k, v) for k, v in values.items() if v != current[k]}


def save_numbers(store: Store, values: Mapping[str, object], *, role: str, user: str | None = None) -> list[str]:
    """Store the changed thresholds and counts (role 'settings'; all checked before any is written, audited as
    one change); return the keys written, none when nothing changed."""
    require(role, "settings")  # before validating: a refused role learns nothing about its values
    doc = changed_numbers(store, values)
    if not doc:
        return []
    apply_settings(store, doc, "Settings page", user, role=role, action="settings.numbers")
    return list(doc)
