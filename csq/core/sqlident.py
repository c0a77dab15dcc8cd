"""The one escaper for SQL identifiers: every table, column or alias name csq interpolates goes through ident()."""
from __future__ import annotations


def ident(name: str) -> str:
    """Return `name` as a double-quoted SQL identifier, inner quotes doubled ('a"b' -> '"a""b"').

    Names from csq's own allow-lists (kinds, canonical fields) are plain words; a source header can be anything,
    and quoting is what keeps it a name rather than SQL.
    """
    text = str(name)
    if "\x00" in text:
        raise ValueError("an SQL identifier cannot hold a NUL character")
    return '"' + text.replace('"', '""') + '"'

