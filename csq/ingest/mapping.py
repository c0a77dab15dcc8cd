"""Mapping files (SPEC §5) and saved presets: how an export's columns and values become canonical fields."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path

from csq.core.kinds import KINDS, Kind, match_header
from csq.core.roles import require
from csq.errors import InputRefused, NotFound
from csq.store import Store, audit
from csq.store.connection import current_user

_KEYS = {"kind", "columns", "constants", "values", "datetime_format", "dayfirst", "null_values", "sheet",
         "header_row", "encoding", "timezone", "description", "title"}
DEFAULT_NULLS = ("", "null", "NULL", "Null", "None", "none", "N/A", "n/a", "NA", "#N/A", "nan", "NaN", "-", "--",
                 "—", "无数据")


@dataclass
class Mapping:
    """A parsed mapping: columns, constants and value overrides per field, plus reading options."""

    kind: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    datetime_format: str | None = None
    dayfirst: bool | None = None
    null_values: list[str] | None = None
    sheet: str | int | None = None
    header_row: int | None = None
    encoding: str | None = None
    timezone: str | None = None
    description: str | dict[str, str] | None = None  # text, or {"zh": …, "en": …} as the built-in presets give
    title: str | dict[str, str] | None = None  # a built-in preset's display name, likewise

    def to_dict(self) -> dict[str, object]:
        """Return the mapping as its JSON form, without empty keys."""
        return {k: v for k, v in asdict(self).items() if v not in (None, {}, [])}

    def nulls(self) -> list[str]:
        """Return the values read as empty: the defaults plus the mapping's own."""
        return sorted(set(DEFAULT_NULLS) | set(self.null_values or ()))


def _refuse(where: str, message: str, fix: str) -> InputRefused:
    return InputRefused(f"{where}: {message}", fix)


def parse_mapping(data: dict[str, object], where: str = "mapping", kind: str | None = None) -> Mapping:
    """Return a validated Mapping from its JSON object; unknown keys or fields are refused."""
    if not isinstance(data, dict):
        raise _refuse(where, "is not a JSON object.", 'Write it as {"columns": {...}, ...} (see README).')
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise _refuse(where, f"has unknown key(s) {', '.join(unknown)}.", f"Use only: {', '.join(sorted(_KEYS))}.")
    m = Mapping(**{k: data[k] for k in data})  # type: ignore[arg-type]
    name = kind or m.kind
    if m.kind and kind and m.kind != kind:
        raise _refuse(where, f"is for kind {m.kind!r}, not {kind!r}.", "Use a mapping made for this kind of file.")
    if name is not None and name not in KINDS:
        raise _refuse(where, f"names unknown kind {name!r}.", f"Use one of {', '.join(KINDS)}.")
    for key in ("columns", "constants", "values"):
        if not isinstance(getattr(m, key), dict):
            raise _refuse(where, f"'{key}' must be an object.", f'Write "{key}": {{"field": ...}}.')
    if name is not None:
        k = KINDS[name]
        for key in ("columns", "constants", "values"):
            bad = [f for f in getattr(m, key) if f not in k.names]
            if bad:
                raise _refuse(where, f"'{key}' names unknown field(s) {', '.join(bad)} for {name}.",
                              f"Fields of {name}: {', '.join(k.names)}.")
    for f, table in m.values.items():
        if not isinstance(table, dict):
            raise _refuse(where, f"'values.{f}' must map source values to canonical values.",
                          f'Write "values": {{"{f}": {{"source": "canonical"}}}}.')
    if m.header_row is not None and (not isinstance(m.header_row, int) or m.header_row < 1):
        raise _refuse(where, "'header_row' must be a row number from 1.", "Count rows as a spreadsheet does.")
    for key in ("description", "title"):
        text = getattr(m, key)
        bilingual = isinstance(text, dict) and set(text) <= {"zh", "en"} and all(isinstance(x, str) for x in text.values())
        if text is not None and not isinstance(text, str) and not bilingual:
            raise _refuse(where, f"'{key}' must be text or {{\"zh\": …, \"en\": …}}.", f'Write "{key}": "…".')
    if m.dayfirst is not None and not isinstance(m.dayfirst, bool):
        raise _refuse(where, "'dayfirst' must be true or false.", 'Write "dayfirst": true.')
    return m


def load_mapping_file(path: Path | str, kind: str | None = None) -> Mapping:
    """Return the Mapping in a JSON file, or raise InputRefused saying what is wrong with it."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise _refuse(str(p), "does not exist.", "Give the path of a mapping JSON file.") from None
    except json.JSONDecodeError as exc:
        raise _refuse(str(p), f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).",
                      "Fix the JSON syntax.") from None
    return parse_mapping(data, str(p), kind)


def resolve_columns(k: Kind, headers: list[str], m: Mapping) -> dict[str, str]:
    """Return field -> source header: the mapping's columns first, then headers recognised by name."""
    chosen: dict[str, str] = {}
    for f, header in m.columns.items():
        if header not in headers:
            raise InputRefused(
                f"The mapping maps {f} to the column {header!r}, which the file does not have.",
                f"Columns in the file: {', '.join(headers)}. Correct the mapping.")
        chosen[f] = header
    taken = set(chosen.values())
    for h in headers:
        if h in taken:
            continue
        f = match_header(k, h)
        if f and f not in chosen and f not in m.constants:
            chosen[f] = h
            taken.add(h)
    return chosen


def builtin_presets() -> dict[str, Mapping]:
    """Return the presets shipped with csq (e.g. ServiceNow), keyed by name."""
    out = {}
    for entry in resources.files(__package__).joinpath("presets").iterdir():
        if entry.name.endswith(".json"):
            data = json.loads(entry.read_text(encoding="utf-8"))
            out[entry.name[:-5]] = parse_mapping(data, f"preset {entry.name[:-5]}")
    return out


def save_preset(store: Store, name: str, m: Mapping, user: str | None = None, *, role: str | None = None) -> None:
    """Save (or replace) a named preset in the store, audited; `role` (None = process role) must be allowed."""
    require(role, "preset")
    name = name.strip()
    if not name:
        raise InputRefused("A preset needs a name.", "Type a name such as 'ServiceNow monthly'.")
    if m.kind is None:
        raise InputRefused(f"Preset {name!r} has no kind.", "Set the record kind before saving.")
    with store.transaction() as cur:
        cur.execute("INSERT INTO presets VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                    "kind = excluded.kind, mapping_json = excluded.mapping_json, user_name = excluded.user_name, "
                    "updated_at = excluded.updated_at",
                    [name, m.kind, json.dumps(m.to_dict(), ensure_ascii=False), user or current_user(),
                     datetime.now().replace(microsecond=0)])
        audit.write(cur, "preset.save", name, m.to_dict(), user)


def delete_preset(store: Store, name: str, user: str | None = None, *, role: str | None = None) -> None:
    """Delete a saved preset, audited; raise NotFound when the store has none of that name (built-ins stay)."""
    require(role, "preset")
    with store.transaction() as cur:
        found = cur.execute("DELETE FROM presets WHERE name = ?", [name]).fetchall()[0][0]
        if not found:
            raise NotFound(f"There is no saved preset {name!r}.",
                           "Built-in presets cannot be deleted; saved ones are listed on the Import page.")
        audit.write(cur, "preset.delete", name, {}, user)


def list_presets(store: Store) -> dict[str, Mapping]:
    """Return every preset by name: the store's own, then the built-in ones it does not override."""
    out = builtin_presets()
    for name, text in store.rows("SELECT name, mapping_json FROM presets ORDER BY name"):
        out[name] = parse_mapping(json.loads(text), f"preset {name}")
    return out


def get_preset(store: Store, name: str) -> Mapping:
    """Return one preset, or raise NotFound listing the available names."""
    presets = list_presets(store)
    if name not in presets:
        raise NotFound(f"There is no preset {name!r}.", f"Available presets: {', '.join(sorted(presets)) or 'none'}.")
    return presets[name]
