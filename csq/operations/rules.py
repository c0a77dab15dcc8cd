"""The rules file of `watch` (SPEC §9): which file-name pattern is imported as which kind, with which preset or mapping.

```json
{"rules": [{"pattern": "工单_*.xlsx", "kind": "tickets", "preset": "servicenow"},
           {"pattern": "*surveys*.csv", "kind": "surveys", "mapping": "maps/surveys.json"}]}
```

The first rule whose glob matches the file name wins. A mapping path is relative to the rules file. A rule may
leave out `kind` when its preset or mapping names one; a rule with neither detects the kind from the headers,
as the Import page does. The whole file is checked before anything is moved: a bad one is refused (exit 2).
"""
from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from pathlib import Path

from csq.core.kinds import KINDS
from csq.errors import InputRefused
from csq.ingest.mapping import Mapping, builtin_presets, load_mapping_file

RULES_NAME = "rules.json"   # the default rules file, inside the watched folder
_KEYS = {"pattern", "kind", "preset", "mapping"}


@dataclass(frozen=True)
class Rule:
    """One rule: a glob on the file name, the kind (None: from the preset, the mapping or the headers)."""

    pattern: str
    kind: str | None = None
    preset: str | None = None
    mapping: Mapping | None = None     # the mapping file, read and checked when the rules were loaded
    mapping_path: Path | None = None

    def matches(self, name: str) -> bool:
        """Return whether the file name matches the glob (case-sensitive, as file names on Linux are)."""
        return fnmatch.fnmatchcase(name, self.pattern)


@dataclass(frozen=True)
class Rules:
    """The rules in file order, and the file they came from (None: no rules file, every kind is detected)."""

    rules: tuple[Rule, ...]
    path: Path | None = None

    def rule_for(self, name: str) -> Rule | None:
        """Return the first rule matching the file name; without a rules file, the detecting rule; else None."""
        if self.path is None:
            return Rule("*")
        return next((r for r in self.rules if r.matches(name)), None)


def _refuse(path: Path, where: str, message: str, fix: str) -> InputRefused:
    """Return the refusal of a rules file, naming the file and the rule."""
    return InputRefused(f"The rules file {path}: {where}{message}", fix)


def _text(path: Path, where: str, raw: dict[str, object], key: str) -> str | None:
    """Return the rule's string value under key, None when absent; refuse anything but a non-empty string."""
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _refuse(path, where, f"'{key}' must be a non-empty string.", f'Write e.g. "{key}": "…".')
    return value.strip()


def _rule(path: Path, i: int, raw: object) -> Rule:
    """Return rule number i (1-based) of the file, or raise InputRefused saying what is wrong with it."""
    where = f"rule {i}: "
    if not isinstance(raw, dict):
        raise _refuse(path, where, "is not an object.", 'Write each rule as {"pattern": "…", "kind": "…"}.')
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise _refuse(path, where, f"unknown key(s) {', '.join(unknown)}.",
                      f"A rule may hold only: {', '.join(sorted(_KEYS))}.")
    pattern = _text(path, where, raw, "pattern")
    if pattern is None:
        raise _refuse(path, where, "has no 'pattern'.", 'Give the file-name glob, e.g. "pattern": "工单_*.xlsx".')
    kind, preset, mapping_name = (_text(path, where, raw, k) for k in ("kind", "preset", "mapping"))
    if kind is not None and kind not in KINDS:
        raise _refuse(path, where, f"unknown kind {kind!r}.", f"Use one of: {', '.join(KINDS)}.")
    if preset and mapping_name:
        raise _refuse(path, where, "names both a preset and a mapping.", "Keep one of them.")
    mapping, mapping_path = None, None
    if mapping_name:
        mapping_path = (path.parent / mapping_name).resolve()
        try:
            mapping = load_mapping_file(mapping_path, kind)
        except InputRefused as exc:
            raise _refuse(path, where, exc.message, exc.fix) from None
        kind = kind or mapping.kind
    if preset:
        builtin = builtin_presets().get(preset)
        if builtin is not None and kind and builtin.kind and builtin.kind != kind:
            raise _refuse(path, where, f"the preset {preset!r} is for {builtin.kind}, not {kind}.",
                          f'Write "kind": "{builtin.kind}" or name another preset.')
        kind = kind or (builtin.kind if builtin else None)
    return Rule(pattern, kind, preset, mapping, mapping_path)


def load_rules(path: Path) -> Rules:
    """Return the rules in the JSON file at path, or raise InputRefused (exit 2) saying what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputRefused(f"The rules file {path} does not exist.",
                           "Give the path of a rules JSON file with --rules, or leave it out to detect every "
                           "file's kind from its headers.") from None
    except json.JSONDecodeError as exc:
        raise InputRefused(f"The rules file {path} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                           f"{exc.msg}).", "Fix the JSON syntax.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputRefused(f"The rules file {path} cannot be read ({exc}).",
                           "Check the path, its permissions and that it is UTF-8 text.") from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list) or set(data) - {"rules"}:
        raise InputRefused(f"The rules file {path} must be an object holding only a \"rules\" list.",
                           'Write {"rules": [{"pattern": "工单_*.xlsx", "kind": "tickets"}]}.')
    if not data["rules"]:
        raise InputRefused(f"The rules file {path} holds no rule, so no file would ever be imported.",
                           'Add a rule such as {"pattern": "*.csv"} (kind from the headers), or remove the file.')
    return Rules(tuple(_rule(path, i, raw) for i, raw in enumerate(data["rules"], start=1)), path)


def rules_for(folder: Path, given: Path | None) -> Rules:
    """Return the rules of --rules, else of FOLDER/rules.json when it exists, else no rules (detect every kind)."""
    if given is not None:
        return load_rules(given)
    default = folder / RULES_NAME
    return load_rules(default) if default.exists() else Rules(())
