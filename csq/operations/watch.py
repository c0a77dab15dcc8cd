"""`watch DIR` (SPEC §9): import every file that settles in a folder, then move it to done/ or refused/ with its report.

Each file is one transaction through csq.metrics.writer.writing, the one write path: the store's write lock
is held for that file only, and the ticket facts are current when it is released, so an open dashboard
shows the file's data at its next rerun. What happens to a file:

- committed, or a duplicate of an earlier batch (same content hash: nothing loaded) → done/;
- refused (not a table, a required column missing, bad rows; the store is unchanged) → refused/;
- the store is busy (another writer holds it past its wait) → the file stays for the next round;
- the watcher is stopping (SIGTERM) and the import was refused → the file stays: stopping may have ended
  the reading process, so the refusal may not be the file's fault.

Beside a moved file sits NAME.report.json, the `import --json` object of SPEC §6 with where the file went.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from csq.errors import InputRefused, StoreBusy
from csq.ingest.importer import ImportResult, import_files
from csq.ingest.inspection import detect_kind
from csq.ingest.mapping import Mapping, get_preset
from csq.ingest.reader import is_excel
from csq.metrics import writer
from csq.operations import inbox
from csq.operations.rules import Rule, Rules
from csq.store import Store

_HEAD_BYTES = 256 * 1024  # what kind detection reads of a text file (a workbook is read whole)

Wait = Callable[[float], bool]   # waits up to the seconds given; returns True when the watcher should stop


@dataclass(frozen=True)
class Handled:
    """What became of one file: its status, where it went (None: it stayed in the folder) and its report."""

    name: str
    status: str                   # committed | duplicate | refused | busy | stopping | unmatched | vanished
    moved_to: Path | None = None
    report_path: Path | None = None
    report: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """Return the report with where the file went (the object `watch --json` prints)."""
        return {**(self.report or {"file": self.name, "status": self.status}), "watch_status": self.status,
                "moved_to": str(self.moved_to) if self.moved_to else None,
                "report_file": str(self.report_path) if self.report_path else None}


def _detected_kind(path: Path) -> str:
    """Return the kind the file's headers name best, as the Import page detects it (a text file's head only)."""
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES + 1)
        data = head + fh.read() if is_excel(head, path.name) else head
    return detect_kind(data, path.name)


def _kind_and_mapping(store: Store, rule: Rule, path: Path) -> tuple[str, Mapping | None]:
    """Return the kind and mapping a file is imported with under its rule; refuse a rule the store contradicts.

    The preset is looked up in the store at import time (saved presets live there); NotFound when it is gone.
    """
    mapping = rule.mapping
    if rule.preset:
        mapping = get_preset(store, rule.preset)
        if rule.kind and mapping.kind and mapping.kind != rule.kind:
            raise InputRefused(f"The rule {rule.pattern!r} names the preset {rule.preset!r}, which is for "
                               f"{mapping.kind}, not {rule.kind}.",
                               f'Write "kind": "{mapping.kind}" in the rule, or name another preset.')
    kind = rule.kind or (mapping.kind if mapping else None) or _detected_kind(path)
    return kind, mapping


class Watcher:
    """Watches one folder: each round looks twice, `settle` seconds apart, and imports the files that held still."""

    def __init__(self, folder: Path, db: Path, rules: Rules, settle_s: float = inbox.DEFAULT_SETTLE_S,
                 wait: Wait | None = None, stop: threading.Event | None = None) -> None:
        self.folder, self.db, self.rules, self.settle_s = folder, db, rules, settle_s
        self.stop = stop or threading.Event()
        self.wait: Wait = wait or self.stop.wait
        # The rules file and the mapping files it names may sit in the folder: they are not exports.
        self._skip = frozenset(p.resolve() for p in (rules.path, *(r.mapping_path for r in rules.rules))
                               if p is not None)
        self._unmatched: set[str] = set()

    def _look(self) -> dict[Path, inbox.Look]:
        """Return the folder's candidates, less the files already found to match no rule (the rules stay put)."""
        return {p: look for p, look in inbox.candidates(self.folder, self._skip).items()
                if p.name not in self._unmatched}

    def round(self) -> list[Handled]:
        """Return what became of each file that settled in this round (a file no rule matches is reported once)."""
        first = self._look()
        if not first:
            return []
        self.wait(self.settle_s)
        if self.stop.is_set():
            return []
        out = []
        for path in inbox.settled(first, self._look()):
            if self.stop.is_set():
                break
            handled = self.handle(path)
            if handled.status == "unmatched":
                self._unmatched.add(path.name)
            out.append(handled)
        return out

    def handle(self, path: Path) -> Handled:
        """Return what became of one settled file: imported in its own transaction, then moved with its report."""
        rule = self.rules.rule_for(path.name)
        if rule is None:
            return Handled(path.name, "unmatched")
        try:
            with writer.writing(self.db) as store:
                kind, mapping = _kind_and_mapping(store, rule, path)
                result = import_files(store, [path], kind, mapping)[0]
        except StoreBusy as exc:
            return Handled(path.name, "busy", report={"file": path.name, "status": "busy", "message": exc.message,
                                                      "fix": exc.fix})
        if result.status == "refused" and self.stop.is_set():
            return Handled(path.name, "stopping", report=result.as_dict())
        return self._file(path, result, rule)

    def _file(self, path: Path, result: ImportResult, rule: Rule) -> Handled:
        """Return the Handled of an imported file after moving it to done/ or refused/ and writing its report."""
        sub = inbox.REFUSED if result.status == "refused" else inbox.DONE
        report = {**result.as_dict(), "rule": None if self.rules.path is None else rule.pattern,
                  "handled_at": datetime.now().isoformat(timespec="seconds")}
        try:
            moved = inbox.move_into(path, sub)
        except FileNotFoundError:   # taken away by someone else while it was imported
            return Handled(path.name, "vanished", report=report)
        report["moved_to"] = str(moved)
        return Handled(path.name, result.status, moved, inbox.write_report(moved, report), report)


def watch(watcher: Watcher, once: bool, interval_s: float, on_handled: Callable[[Handled], None]) -> list[Handled]:
    """Return every file handled: one round with `once`, else rounds every interval until the watcher is stopped.

    The folder's watch lock is held throughout (one watcher per folder).
    """
    handled: list[Handled] = []
    with inbox.watching(watcher.folder):
        while not watcher.stop.is_set():
            for h in watcher.round():
                handled.append(h)
                on_handled(h)
            if once or watcher.stop.wait(interval_s):
                break
    return handled
