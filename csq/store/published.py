"""The published snapshot: a read-only copy of the store that readers open, so that no reader holds its lock.

SPEC §9. DuckDB lets one process write a file, and while it does no other process may even read it; a reader
that holds it shuts every writer out. So the dashboard never opens the store itself. Every writer, before it
lets the lock go, checkpoints the store and copies it into `<store>.published/`, under a name that says which
data version it holds and which state of the store file it was copied from. A reader opens the newest copy
read-only. A new copy appears whole (written under a temporary name, then renamed), so a reader sees the data
before an import or after it, never a mix, and each rerun of a page reads one copy from start to end.

The copy is the price: its size in disk and a file copy per write (a kernel copy, which is a reflink and takes
no time on filesystems that share blocks, such as XFS and Btrfs).
"""
from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from csq.store.connection import Store, connect
from csq.store.files import FOLDER_MODE, fsync_folder, owner_only, tighten_file

SUFFIX = ".published"
KEEP = 3  # copies kept: a reader that listed the folder a moment ago may still be opening the one before
_NAME = re.compile(r"^v(\d{12})-(\d+)-(\d+)-(-?\d+)\.duckdb$")

# (mtime in ns, size) of the store file and the size of its .wal (-1 when there is none): what a copy came from.
Stamp = tuple[int, int, int]


@dataclass(frozen=True)
class Snapshot:
    """One published copy: its file, the data version it holds, and the state of the store it was copied from."""

    path: Path
    version: int
    source: Stamp


def folder(db: Path) -> Path:
    """Return the folder of the store's published copies."""
    return db.with_name(db.name + SUFFIX)


def active(db: Path) -> bool:
    """Return True when a reader has ever asked for a copy of this store (writers then publish every change)."""
    return folder(db).is_dir()


def stamp(db: Path) -> Stamp:
    """Return the state of the store file and its .wal; any write that was not published changes it."""
    st = os.stat(db)
    try:
        wal = os.stat(db.with_name(db.name + ".wal")).st_size
    except FileNotFoundError:
        wal = -1
    return st.st_mtime_ns, st.st_size, wal


def snapshots(db: Path) -> list[Snapshot]:
    """Return the published copies of the store, oldest first (by data version, then by when they were copied)."""
    try:
        names = os.listdir(folder(db))
    except FileNotFoundError:
        return []
    found = []
    for name in names:
        m = _NAME.match(name)
        if m:
            found.append(Snapshot(folder(db) / name, int(m.group(1)),
                                  (int(m.group(2)), int(m.group(3)), int(m.group(4)))))
    return sorted(found, key=lambda s: (s.version, s.source[0]))


def latest(db: Path) -> Snapshot | None:
    """Return the newest published copy, or None when there is none."""
    found = snapshots(db)
    return found[-1] if found else None


def current(db: Path) -> Snapshot | None:
    """Return the newest copy when it is a copy of the store as it is now; None when the store moved on since."""
    snap = latest(db)
    try:
        return snap if snap is not None and snap.source == stamp(db) else None
    except FileNotFoundError:
        return None


def publish(store: Store) -> Snapshot:
    """Return a new published copy of `store`, which the caller holds open for writing (so nothing moves meanwhile)."""
    db = store.path
    cur = store.cursor()
    try:
        cur.execute("CHECKPOINT")  # every committed change into the file itself, so the file alone is the store
    finally:
        cur.close()
    source, version = stamp(db), store.data_version()
    target = folder(db)
    with owner_only():
        target.mkdir(mode=FOLDER_MODE, exist_ok=True)
        final = target / f"v{version:012d}-{source[0]}-{source[1]}-{source[2]}.duckdb"
        partial = target / (final.name + ".partial")
        _copy(db, partial)
    tighten_file(partial)
    os.replace(partial, final)
    fsync_folder(target)
    _prune(db)
    return Snapshot(final, version, source)


def open_snapshot(snap: Snapshot, origin: Path) -> Store:
    """Return a read-only Store on a published copy; `origin` names the store it is a copy of."""
    return Store(snap.path, connect(snap.path, read_only=True), read_only=True, origin=origin)


def _copy(src: Path, dst: Path) -> None:
    """Copy a file in the kernel (copy_file_range shares blocks where the filesystem can); return nothing."""
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        size = os.fstat(fin.fileno()).st_size
        try:
            done = 0
            while done < size:
                n = os.copy_file_range(fin.fileno(), fout.fileno(), size - done)
                if n == 0:
                    break
                done += n
        except OSError:  # not offered between these filesystems: copy the plain way
            fin.seek(0)
            fout.seek(0)
            fout.truncate()
            shutil.copyfileobj(fin, fout, 1 << 20)
        fout.flush()
        os.fsync(fout.fileno())


def _prune(db: Path) -> None:
    """Remove all but the newest KEEP copies and any copy left half-written; return nothing.

    A reader that has an older copy open keeps reading it: on POSIX a removed file lives on while it is open.
    """
    for snap in snapshots(db)[:-KEEP]:
        snap.path.unlink(missing_ok=True)
    for partial in folder(db).glob("*.partial"):
        try:
            if not _NAME.match(partial.name.removesuffix(".partial")):
                continue
            partial.unlink(missing_ok=True)
        except OSError:
            pass
