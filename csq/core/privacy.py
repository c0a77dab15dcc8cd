"""Personal data (SPEC §8): masking customers' phones, names and ids, in whole Arrow columns and in free text."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from csq.core.roles import ROLES, local_role, may
from csq.errors import NotAllowed

_DIGITS = re.compile(r"(?<![\d])\+?\d[\d\- ]{5,}\d(?![\d])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# ---- masking: (minimum length, characters kept at the start, characters kept at the end), longest first.
# A one-character value is fully starred: keeping it would show the whole value. Phone numbers shorter
# than a mobile number (landlines, extensions) keep less, so most of their digits stay hidden.
_PHONE_TIERS = ((11, 3, 4), (7, 2, 2), (3, 1, 1), (2, 1, 0), (0, 0, 0))
_NAME_TIERS = ((2, 1, 0), (0, 0, 0))
_ID_TIERS = ((5, 2, 2), (2, 1, 0), (0, 0, 0))
MASKED_COLUMNS: dict[str, tuple[tuple[int, int, int], ...]] = {
    "customer_phone": _PHONE_TIERS, "customer_name": _NAME_TIERS, "customer_id": _ID_TIERS}
# The personal fields of SPEC §10: shown masked to every role without "unmask", so never a filter or grouping for it.
PERSONAL_FIELDS: tuple[str, ...] = tuple(MASKED_COLUMNS)


def _mask(v: object, tiers: Sequence[tuple[int, int, int]]) -> str | None:
    """Return v with everything but the tier's head and tail characters replaced by '*'."""
    if v is None:
        return None
    s = str(v)
    for min_len, head, tail in tiers:
        if len(s) >= min_len:
            return s[:head] + "*" * (len(s) - head - tail) + (s[len(s) - tail:] if tail else "")
    return s  # unreachable: the last tier matches any length


def mask_phone(v: str | None) -> str | None:
    """Return a phone number with its middle starred ('13812345678' -> '138****5678', 'ab' -> 'a*')."""
    return _mask(v, _PHONE_TIERS)


def mask_name(v: object) -> str | None:
    """Return a name with all but its first character starred ('张三丰' -> '张**')."""
    return _mask(v, _NAME_TIERS)


def mask_id(v: object) -> str | None:
    """Return an id with its first 2 and last 2 characters kept ('C1234567' -> 'C1****67'); <= 4 chars keep 1."""
    return _mask(v, _ID_TIERS)


def _mask_array(col: pa.ChunkedArray | pa.Array, tiers: Sequence[tuple[int, int, int]]) -> pa.ChunkedArray:
    """Return the column masked like _mask, computed on whole arrays (nulls stay null)."""
    s = pc.cast(col, pa.string())
    length = pc.utf8_length(s)
    empty = pa.scalar("", pa.string())
    out = None
    for min_len, head, tail in reversed(tiers):  # shortest first, so each longer tier overrides it
        stars = pc.binary_repeat("*", pc.max_element_wise(pc.subtract(length, head + tail), 0))
        start = pc.utf8_slice_codeunits(s, 0, head) if head else pc.if_else(pc.is_null(s), s, empty)
        end = pc.utf8_slice_codeunits(s, -tail) if tail else pc.if_else(pc.is_null(s), s, empty)
        masked = pc.binary_join_element_wise(start, stars, end, "")
        out = masked if out is None else pc.if_else(pc.greater_equal(length, min_len), masked, out)
    return out if isinstance(out, pa.ChunkedArray) else pa.chunked_array([out], pa.string())


def mask_columns(t: pa.Table, names: dict[str, str], unmask: bool = False) -> pa.Table:
    """Return the table with the columns named for customer_phone/name/id in `names` masked like mask_table."""
    if unmask:
        return t
    for field, tiers in MASKED_COLUMNS.items():
        name = names.get(field)
        if name and name in t.column_names:
            i = t.column_names.index(name)
            t = t.set_column(i, pa.field(name, pa.string()), _mask_array(t.column(i), tiers))
    return t


def mask_table(t: pa.Table, unmask: bool = False) -> pa.Table:
    """Return the table with customer_phone, customer_name and customer_id masked (unchanged when unmask)."""
    if unmask:
        return t
    for name, tiers in MASKED_COLUMNS.items():
        if name in t.column_names:
            i = t.column_names.index(name)
            t = t.set_column(i, pa.field(name, pa.string()), _mask_array(t.column(i), tiers))
    return t


def mask_text(text: str | None, names: Sequence[str | None] = ()) -> str | None:
    """Return free text with phone-like digit runs, e-mail addresses and the given names masked."""
    if text is None:
        return None
    out = _DIGITS.sub(lambda m: mask_phone(re.sub(r"\D", "", m.group())) or "", text)
    out = _EMAIL.sub(lambda m: m.group()[0] + "***@" + m.group().split("@", 1)[1], out)
    for name in names:
        if name and len(name.strip()) >= 2:
            out = out.replace(name.strip(), mask_name(name.strip()) or "")
    return out


def sees_masked(role: str | None) -> bool:
    """Return True when `role` (None = the process role, $CSQ_ROLE) sees personal data masked (SPEC §8)."""
    return not may(local_role() if role is None else role, "unmask")


def check_filter_fields(role: str | None, fields: Iterable[str]) -> None:
    """Return nothing; raise NotAllowed when a role that sees personal data masked filters or groups by it.

    The one rule of SPEC §10 behind every filter and grouping (CLI --where/--by, the dashboard's URL and filters,
    action scopes): a figure narrowed to one customer's phone, name or id would say who served that customer and
    when, which the masking hides. `role` None is the process role ($CSQ_ROLE).
    """
    acting = local_role() if role is None else role
    if not sees_masked(acting):
        return
    used = [f for f in dict.fromkeys(str(x).strip().lower() for x in fields) if f in PERSONAL_FIELDS]
    if used:
        allowed = [r for r in ROLES if may(r, "unmask")]
        raise NotAllowed(
            f"The role «{acting}» cannot filter or group by {', '.join(used)}: it sees personal data masked, and "
            "figures narrowed to one customer would show who served them and when (SPEC §10).",
            "Filter by channel, type, team, category, priority or agent instead, or ask for the role "
            f"{', '.join(allowed)} (locally: set CSQ_ROLE).")
