"""Callback results (SPEC §2, §4d): a caller's answers entered in the app, second callbacks due, and the answers read
back with the suggestions and open issues searchable, personal data masked to the role (SPEC §8, §10).

Every entry is a new version of the callback written as a one-row batch (source "app:result <callback_id>"), as an
action edit is: audited, and undone by rolling its batch back.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import pyarrow as pa

from csq.callbacks import records
from csq.core.kinds import CALLBACK_RESULTS
from csq.core.privacy import mask_id, mask_name, mask_phone, mask_table, mask_text
from csq.core.roles import require
from csq.errors import InputRefused, NotFound
from csq.metrics.asof import as_of
from csq.metrics.callbacks import CALLBACK_DIMS, CALLBACK_MOMENT, callback_flags
from csq.metrics.filters import Filter, build_where
from csq.store import Store
from csq.store.queries import SqlFiles

SQL = SqlFiles(__package__)
ANSWER_FIELDS = ("called_at", "result", "satisfied", "suggestion", "attitude_ok", "open_issue")
# Why a callback needs a second one (SPEC §3 callback_followup_on_time_rate), in the order they are named.
REASONS = ("not_reached", "refused", "not_satisfied", "attitude", "open_issue")


@dataclass(frozen=True)
class Due:
    """A callback that needs a second callback and has none made: why, and by when (overdue after that)."""

    callback_id: str
    agent: str | None
    team: str | None
    customer_id: str
    customer_name: str | None
    customer_phone: str | None
    called_at: datetime
    result: str | None
    open_issue: str | None
    reasons: tuple[str, ...]
    due_by: datetime
    overdue: bool

    def masked(self) -> Due:
        """Return the callback with the customer's id, name and phone masked (and them in the open issue)."""
        return Due(self.callback_id, self.agent, self.team, mask_id(self.customer_id) or "",
                   mask_name(self.customer_name), mask_phone(self.customer_phone), self.called_at, self.result,
                   mask_text(self.open_issue, [self.customer_name]), self.reasons, self.due_by, self.overdue)

    def as_json(self) -> dict[str, object]:
        """Return the `callbacks due --json` object."""
        return {"callback_id": self.callback_id, "agent": self.agent, "customer_id": self.customer_id,
                "called_at": self.called_at.isoformat(sep=" "), "result": self.result,
                "reasons": list(self.reasons), "due_by": self.due_by.isoformat(sep=" "),
                "status": "overdue" if self.overdue else "due"}


def _reasons(r: Mapping[str, object]) -> tuple[str, ...]:
    """Return why a callback needs a second one."""
    found = {"not_reached": r["result"] == "not_reached", "refused": r["result"] == "refused",
             "not_satisfied": r["satisfied"] is False, "attitude": r["attitude_ok"] is False,
             "open_issue": bool(r["issue_open"])}
    return tuple(k for k in REASONS if found[k])


def due(store: Store, unmask: bool = False, moment: datetime | None = None) -> list[Due]:
    """Return the callbacks needing a second callback that lack one, soonest due first, masked unless `unmask`."""
    moment = moment if moment is not None else as_of(store)
    sql, params = SQL.render("due", flags=callback_flags(store, moment), as_of=("?", [moment]))
    out = [Due(str(r["callback_id"]), r["agent"], r["team"], str(r["customer_id"]), r["customer_name"],
               r["customer_phone"], r["called_at"], r["result"], r["open_issue"], _reasons(r), r["second_due"],
               bool(r["overdue"])) for r in store.arrow(sql, params).to_pylist()]
    return out if unmask else [d.masked() for d in out]


def answers(store: Store, f: Filter, search: str | None = None, unmask: bool = False) -> pa.Table:
    """Return the callbacks made in the filter's period with their answers, newest first, masked unless `unmask`.

    `search` matches the suggestion, open issue, engineer or callback id (any case) as the role sees them: for a
    masked role it runs on the masked text, so the hidden digits of a phone number never match.
    """
    where = build_where(f, CALLBACK_DIMS, CALLBACK_MOMENT)
    sql, params = SQL.render("answers", flags=callback_flags(store), where=where.part)
    found = store.arrow(sql, params)
    if not unmask:
        names = found.column("customer_name").to_pylist()
        for col in ("suggestion", "open_issue"):
            texts = [mask_text(x, [n]) for x, n in zip(found.column(col).to_pylist(), names)]
            found = found.set_column(found.column_names.index(col), col, pa.array(texts, pa.string()))
        found = mask_table(found)
    needle = (search or "").strip().lower()
    if not needle:
        return found
    hay = zip(*(found.column(c).to_pylist() for c in ("suggestion", "open_issue", "agent", "callback_id")))
    keep = [any(needle in str(x).lower() for x in row if x is not None) for row in hay]
    return found.filter(pa.array(keep, pa.bool_()))


def _clean(values: Mapping[str, object]) -> dict[str, object]:
    """Return a caller's entry normalised (blank text → None), or raise InputRefused for a bad or missing value."""
    unknown = [k for k in values if k not in ANSWER_FIELDS]
    if unknown:
        raise InputRefused(f"A callback result has no field {', '.join(unknown)}.",
                           f"Use any of: {', '.join(ANSWER_FIELDS)}.")
    out = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in values.items()}
    called = out.get("called_at")
    if isinstance(called, date) and not isinstance(called, datetime):
        out["called_at"] = called = datetime.combine(called, datetime.min.time())
    if not isinstance(called, datetime):
        raise InputRefused("A callback result needs the time of the call.", "Give the day and time it was made.")
    if out.get("result") not in CALLBACK_RESULTS:
        raise InputRefused(f"The result {out.get('result')!r} is not one of {', '.join(CALLBACK_RESULTS)}.",
                           "Choose reached, not_reached or refused.")
    for k in ("satisfied", "attitude_ok"):
        if out.get(k) is not None and not isinstance(out[k], bool):
            raise InputRefused(f"{k} must be yes, no or not answered.", "Choose 是 / 否 or leave it empty.")
    answered = [k for k in ("satisfied", "suggestion", "attitude_ok", "open_issue") if out.get(k) is not None]
    if out["result"] != "reached" and answered:
        raise InputRefused(f"A callback that was {out['result']} has no answers ({', '.join(answered)} given).",
                           "Choose the result reached, or leave the four answers empty.")
    return out


def _callback(store: Store, callback_id: str) -> dict[str, object]:
    """Return the callback in force with this id, or raise NotFound."""
    found = records.in_force(store, [callback_id])
    if callback_id not in found or found[callback_id].get("withdrawn"):
        raise NotFound(f"There is no callback {callback_id!r} in force.", "Pick a callback from the quarter's plan.")
    return found[callback_id]


def record_result(store: Store, callback_id: str, values: Mapping[str, object], role: str,
                  user: str | None = None) -> dict[str, object]:
    """Write a caller's result for a planned callback as a new version of it; return the callback as stored."""
    require(role, "import")
    row = {**_callback(store, callback_id), **_clean(values)}
    row["result_raw"] = None   # an imported label no longer describes the entered result
    records.commit(store, [row], f"app:result {callback_id}", {"callback": callback_id, "entry": "result",
                                                                  "result": row["result"]}, user)
    return _callback(store, callback_id)


def record_second(store: Store, first_id: str, values: Mapping[str, object], role: str,
                  user: str | None = None) -> dict[str, object]:
    """Write the second callback of `first_id` (same customer and engineer, follow_up_of set); return it as stored."""
    require(role, "import")
    first = _callback(store, first_id)
    if first.get("follow_up_of"):
        raise InputRefused(f"{first_id} is itself a second callback.", f"Record it against {first['follow_up_of']}.")
    new_id = records.next_numbers(store, f"{first_id}-", 1)[0]
    row = {k: first.get(k) for k in ("customer_id", "customer_name", "customer_phone", "agent", "team")}
    row.update(_clean(values), callback_id=new_id, follow_up_of=first_id)
    records.commit(store, [row], f"app:second {first_id}", {"callback": new_id, "entry": "second",
                                                           "follow_up_of": first_id, "result": row["result"]}, user)
    return _callback(store, new_id)
