"""Callback rows as the store keeps them: read the versions in force, write new ones as one batch (SPEC §5)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa

from csq.core.kinds import CALLBACKS
from csq.store import Store
from csq.store.batches import commit_records, stored_columns

Row = dict[str, object]
_PA_TYPES = {"date": pa.date32(), "timestamp": pa.timestamp("us"), "bool": pa.bool_()}
COLUMNS: tuple[str, ...] = tuple(stored_columns(CALLBACKS))


def _type(column: str) -> pa.DataType:
    """Return the Arrow type a stored callback column is written with."""
    return pa.string() if column.endswith("_raw") else _PA_TYPES.get(CALLBACKS.field(column).type, pa.string())


def table(rows: Sequence[Mapping[str, object]]) -> pa.Table:
    """Return callback rows as an Arrow table of every stored column (missing values NULL)."""
    return pa.table({c: pa.array([r.get(c) for r in rows], _type(c)) for c in COLUMNS})


def in_force(store: Store, ids: Sequence[str]) -> dict[str, Row]:
    """Return the callbacks in force with these ids, by id (an id without one is left out)."""
    if not ids:
        return {}
    cols = ", ".join(COLUMNS)
    found = store.arrow(f"SELECT {cols} FROM callbacks_current WHERE list_contains(?, callback_id)", [list(ids)])
    return {str(r["callback_id"]): r for r in found.to_pylist()}


def next_numbers(store: Store, prefix: str, count: int) -> list[str]:
    """Return `count` new ids `<prefix><nnnn>`, after the highest number any version of a callback has used."""
    used = [str(r[0])[len(prefix):] for r in
            store.rows("SELECT DISTINCT callback_id FROM callbacks WHERE starts_with(callback_id, ?)", [prefix])]
    top = max((int(s) for s in used if s.isdigit()), default=0)
    return [f"{prefix}{top + i:04d}" for i in range(1, count + 1)]


def commit(store: Store, rows: Sequence[Mapping[str, object]], source: str, mapping: Mapping[str, object],
           user: str | None) -> int:
    """Write the rows as one callbacks batch (audited, rollback restores what they replace); return its id."""
    batch_id, _replaced = commit_records(store, "callbacks", table(rows), source=source, mapping=dict(mapping),
                                         user=user)
    return batch_id
