"""The improvement-action register (改进措施): list, create, edit, move through PDCA, cancel; overdue and workload.

Every write is a new version of the action committed as a one-row batch (csq.batches.commit_records, source
"app:<verb> <action_id>"), the same way an import writes it: one transaction with the batch's audit entry and a
data-version bump, and the batch can be rolled back like any import, restoring the previous version.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime

import pyarrow as pa

from csq.core.kinds import ACTIONS, CAUSES, PDCA, STATUSES
from csq.core.months import add_months
from csq.core.privacy import check_filter_fields
from csq.core.roles import require
from csq.errors import InputRefused, NotFound
from csq.metrics.asof import as_of
from csq.metrics.filters import parse_scope
from csq.metrics.indicators import INDICATORS
from csq.store import Store
from csq.store.batches import commit_records, stored_columns
from csq.store.settings import setting_int

EDITABLE: tuple[str, ...] = ("title", "cause_category", "measure", "indicator", "scope", "owner", "start_date",
                             "due_date", "completed_at", "pdca_stage", "status", "baseline", "target",
                             "verification", "notes", "before_months", "after_months")
CLOSED = frozenset({"done", "verified", "cancelled"})
# Moving to a stage moves the status with it, unless the action is already further along.
_STAGE_STATUS = {"plan": "planned", "do": "in_progress", "check": "done", "act": "verified"}
_ID = re.compile(r"^(.*?)(\d+)$")
_PA_TYPES = {"date": pa.date32(), "float": pa.float64(), "int": pa.int32()}

Action = dict[str, object]


def _require(role: str) -> None:
    """Return nothing; raise NotAllowed when the role may not change actions (SPEC §8)."""
    require(role, "action")


def _check_scope(role: str, scope: object) -> None:
    """Return nothing; raise NotAllowed when a scope filters by a personal field the role sees masked (SPEC §10)."""
    check_filter_fields(role, parse_scope(str(scope)) if scope else ())


def today(store: Store) -> date:
    """Return the data's "as of" day (SPEC §3), or the calendar day when the store holds no tickets."""
    moment = as_of(store)
    return moment.date() if isinstance(moment, datetime) else date.today()


def deadline(action: Mapping[str, object], close_months: int) -> date | None:
    """Return the day an open action must be closed by: its due date, else start + the close period (§4)."""
    due, start = action.get("due_date"), action.get("start_date")
    if isinstance(due, date):
        return due
    return add_months(start, close_months) if isinstance(start, date) else None


def is_overdue(action: Mapping[str, object], on: date, close_months: int = 2) -> bool:
    """Return True when an open action's deadline has passed on day `on`."""
    if action.get("status") in CLOSED or action.get("completed_at") is not None:
        return False
    limit = deadline(action, close_months)
    return limit is not None and limit < on


def list_actions(store: Store) -> list[Action]:
    """Return every current action (sorted by id) with its `overdue` flag and `deadline` as of the data."""
    table = store.arrow("SELECT * EXCLUDE (_batch_id) FROM actions_current ORDER BY action_id")
    on = today(store)
    months = setting_int(store, "problem_close_months", 2) or 2
    out = []
    for row in table.to_pylist():
        row["deadline"] = deadline(row, months)
        row["overdue"] = is_overdue(row, on, months)
        out.append(row)
    return out


def get_action(store: Store, action_id: str) -> Action:
    """Return one current action, or raise NotFound."""
    for a in list_actions(store):
        if a["action_id"] == action_id:
            return a
    raise NotFound(f"There is no action {action_id}.", "Pick an action from the register.")


def next_id(store: Store, prefix: str = "IMP-") -> str:
    """Return the next free id like IMP-021, one above the highest number already used with that prefix."""
    ids = [str(r[0]) for r in store.rows("SELECT DISTINCT action_id FROM actions")]
    width, top = 3, 0
    for i in ids:
        m = _ID.match(i)
        if m and m.group(1) == prefix:
            top, width = max(top, int(m.group(2))), max(width, len(m.group(2)))
    return f"{prefix}{top + 1:0{width}d}"


def _clean(values: Mapping[str, object]) -> Action:
    """Return the editable fields normalised (blank text → None), or raise InputRefused for a bad value."""
    out: Action = {}
    for k, v in values.items():
        if k not in EDITABLE:
            raise InputRefused(f"Actions have no field {k!r}.", f"Use any of: {', '.join(EDITABLE)}.")
        out[k] = (v.strip() or None) if isinstance(v, str) else v
    for fld, allowed in (("cause_category", CAUSES), ("pdca_stage", PDCA), ("status", STATUSES)):
        if out.get(fld) is not None and out[fld] not in allowed:
            raise InputRefused(f"{fld} {out[fld]!r} is not allowed.", f"Use one of: {', '.join(allowed)}.")
    if out.get("indicator") is not None and out["indicator"] not in INDICATORS:
        raise InputRefused(f"Unknown indicator {out['indicator']!r}.", f"Use one of: {', '.join(INDICATORS)}.")
    if out.get("scope") is not None:
        parse_scope(str(out["scope"]))  # raises InputRefused naming the bad condition
    for k in ("start_date", "due_date", "completed_at"):
        if isinstance(out.get(k), datetime):
            out[k] = out[k].date()  # type: ignore[union-attr]
        elif isinstance(out.get(k), str):
            try:
                out[k] = date.fromisoformat(str(out[k]))
            except ValueError:
                raise InputRefused(f"{k} {out[k]!r} is not a date.", "Write it as YYYY-MM-DD.") from None
    for k in ("before_months", "after_months"):
        if out.get(k) is not None and not 1 <= int(out[k]) <= 24:  # type: ignore[call-overload]
            raise InputRefused(f"{k} must be 1 to 24 months.", "Pick a window of 1 to 24 months.")
    return out


def _check_row(row: Action) -> None:
    """Return nothing; raise InputRefused when the whole action is inconsistent."""
    if not row.get("title"):
        raise InputRefused("An action needs a title (the problem).", "Describe the problem in the title.")
    start, due, done = row.get("start_date"), row.get("due_date"), row.get("completed_at")
    if isinstance(start, date) and isinstance(due, date) and due < start:
        raise InputRefused("The due date is before the start date.", "Pick a due date on or after the start.")
    if isinstance(start, date) and isinstance(done, date) and done < start:
        raise InputRefused("The completion date is before the start date.", "Fix either date.")


def _jsonable(value: object) -> object:
    """Return a value with dates as ISO text, so the change record can be stored as JSON."""
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


def _write(store: Store, row: Action, verb: str, changes: Mapping[str, object], user: str | None) -> Action:
    """Commit one action version as a one-row batch; return the action as now stored."""
    cols = stored_columns(ACTIONS)
    arrays = {}
    for c in cols:
        ftype = ACTIONS.field(c).type if not c.endswith("_raw") else "text"
        arrays[c] = pa.array([row.get(c)], _PA_TYPES.get(ftype, pa.string()))
    commit_records(store, "actions", pa.table(arrays), source=f"app:{verb} {row['action_id']}", user=user,
                   mapping={"action": verb, "action_id": row["action_id"], "changes": _jsonable(changes)})
    return get_action(store, str(row["action_id"]))


def create(store: Store, values: Mapping[str, object], role: str, user: str | None = None) -> Action:
    """Create a new action (stage plan, status planned unless given); return it as stored."""
    _require(role)
    row: Action = {"pdca_stage": "plan", "status": "planned", **_clean(values)}
    _check_scope(role, row.get("scope"))
    start = row.get("start_date")
    if row.get("due_date") is None and isinstance(start, date):
        months = setting_int(store, "problem_close_months", 2) or 2
        row["due_date"] = add_months(start, months)  # SPEC §4: an open problem is closed within 2 months
    row["action_id"] = next_id(store)
    _check_row(row)
    return _write(store, row, "create", {k: v for k, v in row.items() if v is not None}, user)


def update(store: Store, action_id: str, values: Mapping[str, object], role: str, user: str | None = None,
           verb: str = "edit") -> Action:
    """Write a new version of an action with the given fields changed; return it (unchanged: nothing written)."""
    _require(role)
    current = get_action(store, action_id)
    new = _clean(values)
    changes = {k: [current.get(k), v] for k, v in new.items() if current.get(k) != v}
    if not changes:
        return current
    row = {**current, **new}
    if "scope" in changes:
        _check_scope(role, row.get("scope"))
    for k in ("cause_category", "pdca_stage", "status"):
        if k in changes:
            row[f"{k}_raw"] = None  # the imported label no longer describes the new value
    _check_row(row)
    return _write(store, row, verb, changes, user)


def move(store: Store, action_id: str, stage: str, role: str, user: str | None = None,
         completed_at: date | None = None, note: str | None = None) -> Action:
    """Move an action to a PDCA stage (status follows); Check records completion (default: the as-of day)."""
    if stage not in PDCA:
        raise InputRefused(f"Unknown PDCA stage {stage!r}.", f"Use one of: {', '.join(PDCA)}.")
    current = get_action(store, action_id)
    if current.get("status") == "cancelled":
        raise InputRefused(f"Action {action_id} is cancelled.", "Create a new action instead.")
    values: Action = {"pdca_stage": stage, "status": _STAGE_STATUS[stage]}
    if stage == "check" and current.get("completed_at") is None:
        values["completed_at"] = completed_at or today(store)
    elif completed_at is not None:
        values["completed_at"] = completed_at
    if stage in ("plan", "do") and current.get("pdca_stage") in ("check", "act"):
        # A new PDCA round (e.g. after a not-effective verdict): the old completion no longer holds.
        values["completed_at"] = None
    if stage == "do" and current.get("start_date") is None:
        values["start_date"] = today(store)
    if note:
        old = str(current.get("notes") or "")
        values["notes"] = f"{old}\n{note}".strip()
    return update(store, action_id, values, role, user, verb=f"move:{stage}")


def next_stage(action: Mapping[str, object]) -> str | None:
    """Return the PDCA stage after the action's (Plan → Do → Check → Act); None after Act (done) or when cancelled."""
    if action.get("status") == "cancelled":
        return None
    i = PDCA.index(str(action.get("pdca_stage") or "plan"))
    return PDCA[i + 1] if i + 1 < len(PDCA) else None


def stage_choices(action: Mapping[str, object], back: bool = False) -> list[str]:
    """Return the stages an action may move to, the next one first: later stages, and earlier ones only when `back`.

    An action at Act (its round complete) offers nothing unless `back`; a cancelled one never moves.
    """
    if action.get("status") == "cancelled":
        return []
    i = PDCA.index(str(action.get("pdca_stage") or "plan"))
    return list(PDCA[i + 1:]) + (list(PDCA[:i]) if back else [])


def cancel(store: Store, action_id: str, role: str, user: str | None = None, reason: str | None = None) -> Action:
    """Cancel an action (kept in the register and history, left out of the on-time rate); return it."""
    current = get_action(store, action_id)
    values: Action = {"status": "cancelled"}
    if reason:
        values["notes"] = f"{current.get('notes') or ''}\n{reason}".strip()
    return update(store, action_id, values, role, user, verb="cancel")


def workload(actions: list[Action]) -> list[dict[str, object]]:
    """Return per owner: open actions, overdue ones and all non-cancelled ones, most open first."""
    counts: dict[str, dict[str, int]] = {}
    for a in actions:
        if a.get("status") == "cancelled":
            continue
        entry = counts.setdefault(str(a.get("owner") or "—"), {"open": 0, "overdue": 0, "total": 0})
        entry["total"] += 1
        entry["open"] += a.get("status") not in CLOSED and a.get("completed_at") is None
        entry["overdue"] += bool(a.get("overdue"))
    rows = sorted(counts.items(), key=lambda kv: (-kv[1]["open"], -kv[1]["overdue"], kv[0]))
    return [{"owner": owner, **c} for owner, c in rows]


def by_cause(actions: list[Action]) -> dict[str, list[Action]]:
    """Return the non-cancelled actions grouped by cause category (all six, in SPEC order; '' = not given)."""
    out: dict[str, list[Action]] = {c: [] for c in CAUSES}
    for a in actions:
        if a.get("status") == "cancelled":
            continue
        out.setdefault(str(a.get("cause_category") or ""), []).append(a)
    return out
