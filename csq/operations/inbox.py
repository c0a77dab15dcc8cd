"""The watched folder: which files are ready to import, and where a handled file and its report go.

A file is ready when its name does not look temporary and it has settled: its size, modification time and
inode are the same at two looks `settle` seconds apart. Copies, downloads and Excel saves either write under
a temporary name and rename at the end (skipped until then) or grow the file in place (seen changing). A
writer that pauses longer than the settle interval mid-file is not detectable this way; give such a
producer a temporary name (.part, .tmp) and rename when it is done.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from csq.errors import StoreBusy

DONE, REFUSED = "done", "refused"
REPORT_SUFFIX = ".report.json"
LOCK_NAME = ".csq-watch.lock"
DEFAULT_INTERVAL_S = 30.0   # seconds between rounds of `watch`
DEFAULT_SETTLE_S = 5.0      # seconds a file must hold still before it is taken
# Partial downloads and copies (browsers, rsync, curl -o x.part), editor back-ups and office lock files.
_TEMP_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".swp", "~", REPORT_SUFFIX)


def is_temporary(name: str) -> bool:
    """Return whether a file name looks like a file still being written or not meant for import.

    Dotfiles (rsync's .name.XXXXXX, the watcher's own lock), `~$name.xlsx` (Excel's owner file while the
    workbook is open) and names ending .part, .partial, .tmp, .temp, .crdownload, .download, .swp or ~.
    """
    lowered = name.lower()
    return name.startswith((".", "~$")) or lowered.endswith(_TEMP_SUFFIXES)


def _open_in_excel(path: Path) -> bool:
    """Return whether Excel's owner file of this workbook sits beside it (the workbook is open, maybe saving).

    Excel names it `~$` + the name, with the first two characters dropped when the name is long; both count.
    """
    name = path.name
    return any((path.parent / f"~${x}").exists() for x in {name, name[2:]} if x)


@dataclass(frozen=True)
class Look:
    """What one look at a file saw: enough to tell whether it changed since."""

    size: int
    mtime_ns: int
    inode: int


def candidates(folder: Path, skip: frozenset[Path] = frozenset()) -> dict[Path, Look]:
    """Return every regular file at the top of folder that may be imported, with what a look at it saw.

    Subfolders (done/, refused/, a folder of mappings), temporary names, workbooks open in Excel and the
    paths in `skip` (the rules file) are left out. A file that vanishes between listing and look is left out.
    """
    found: dict[Path, Look] = {}
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        path = Path(entry.path)
        if is_temporary(entry.name) or path.resolve() in skip:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue
        if not _open_in_excel(path):
            found[path] = Look(st.st_size, st.st_mtime_ns, st.st_ino)
    return found


def settled(first: dict[Path, Look], second: dict[Path, Look]) -> list[Path]:
    """Return the files seen unchanged at both looks, in name order (a file that changed waits for a later round)."""
    return [p for p, look in second.items() if first.get(p) == look]


def _free_name(folder: Path, name: str) -> Path:
    """Return folder/name, or folder/stem.N.suffix (N = 2, 3, …) for the first such name not taken yet."""
    target = folder / name
    stem, dot, suffix = name.partition(".") if not name.startswith(".") else (name, "", "")
    n = 2
    while target.exists() or (folder / (target.name + REPORT_SUFFIX)).exists():
        target = folder / f"{stem}.{n}{dot}{suffix}" if dot else folder / f"{stem}.{n}"
        n += 1
    return target


def move_into(path: Path, sub: str) -> Path:
    """Return where the file now is: moved into path's folder/sub, under a new name when its own is taken there.

    A hard link, then removing the old name: the link fails rather than overwrite a file another process put
    there at the same moment. Folders without hard links fall back to a rename.
    """
    folder = path.parent / sub
    folder.mkdir(exist_ok=True)
    while True:
        target = _free_name(folder, path.name)
        try:
            os.link(path, target)
        except FileExistsError:
            continue   # taken since we looked: try the next number
        except OSError:
            os.rename(path, target)
            return target
        os.unlink(path)
        return target


def write_report(moved: Path, report: dict[str, object]) -> Path:
    """Write the report beside the moved file as NAME.report.json (written whole, then renamed) and return it."""
    out = moved.with_name(moved.name + REPORT_SUFFIX)
    part = out.with_name("." + out.name + ".part")
    part.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(part, out)
    return out


@contextlib.contextmanager
def watching(folder: Path) -> Iterator[None]:
    """Hold the folder's watch lock while the block runs; raise StoreBusy when another watch holds it.

    Two watchers on one folder would import the same file twice (the second would find it a duplicate) and
    race to move it, so one folder has one watcher. The lock is the kernel's: it goes when the process does.
    """
    with open(folder / LOCK_NAME, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            who = fh.read().strip()
            raise StoreBusy(f"Another `watch` already watches {folder}" + (f" (process {who})." if who else "."),
                            "Run one watcher per folder: stop the other one, or watch another folder.") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
