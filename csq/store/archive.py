"""The raw archive (SPEC §5, §10): every import's original file, kept owner-only under raw/ beside the store.

The protocol keeps a committed batch and its file together:

1. Inside the import's transaction the bytes go to `NAME.csq-TAG.partial` (0600; TAG names the store, so
   stores sharing a folder never touch each other's), which is fsynced.
2. The file is hard-linked into place as NAME and the folder fsynced. All of this happens before the commit.
   The `.partial` stays as the marker of an uncommitted archive.
3. The batch row names NAME in the same transaction. After the commit the marker is removed. If the
   transaction fails, both names are removed.

A process killed before the commit leaves a marker. `tidy`, run on every read-write open, removes the
marker and, unless a batch of this store names the file, the file too. It also recovers a file that csq
before issue 14 left as `NAME.partial` behind a committed batch (its hash must match). A batch whose file is
still missing is repaired: its raw_path is cleared and the audit log records the path it named.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import duckdb

from csq.errors import CsqError, InputRefused, StoreBusy
from csq.store import audit
from csq.store.connection import Store
from csq.store.files import FILE_MODE, FOLDER_MODE, fsync_folder, owner_only, tighten_file

_PARTIAL = ".partial"
_TAGGED = re.compile(r"\.csq-[0-9a-f]{8}\.partial$")

_lock = threading.Lock()
_in_flight: set[str] = set()  # markers of archives whose transaction is still open, in this process


def raw_dir(store: Store) -> Path:
    """Return the folder where original files are archived (data/raw beside the store)."""
    return store.path.parent / "raw"


def safe_name(name: str) -> str:
    """Return a file name safe to archive: the base name with odd characters replaced, at most 120 characters."""
    return re.sub(r"[^\w.\-]+", "_", Path(name).name)[:120] or "file"


def marker_suffix(store: Store) -> str:
    """Return the suffix of this store's uncommitted archives: .csq-TAG.partial, TAG from the store's path."""
    tag = hashlib.sha256(os.path.realpath(store.path).encode("utf-8")).hexdigest()[:8]
    return f".csq-{tag}{_PARTIAL}"


@dataclass
class Pending:
    """One archive of a batch that is not committed yet: its file in place and its .partial marker."""

    store: Store
    final: Path | None = None
    marker: Path | None = None

    def place(self, batch_id: int, source: str, data: bytes) -> Path:
        """Return the archived file's path after writing, fsyncing and linking it into place (before the commit)."""
        return self._place(batch_id, source, lambda fh: fh.write(data))

    def place_file(self, batch_id: int, source: str, path: str, size: int, mtime_ns: int) -> Path:
        """Return the archived copy of the file at `path`, placed as `place` does, copied without reading it into memory.

        The file must still have the size and modification time it had when it was hashed and read; a file
        changed since is refused (InputRefused), so the archive never holds other content than the batch.
        """
        def copy(fh: BinaryIO) -> None:
            """Copy the file into fh, in the kernel where it can (copy_file_range), else in 1 MB pieces."""
            with open(path, "rb") as src:
                st = os.fstat(src.fileno())
                if (st.st_size, st.st_mtime_ns) != (size, mtime_ns):
                    raise InputRefused(f"{Path(path).name}: changed while it was being imported; nothing was "
                                       "written.", "Import it again.", file=Path(path).name)
                try:
                    while os.copy_file_range(src.fileno(), fh.fileno(), max(size, 1 << 20)):
                        pass
                except (AttributeError, OSError):  # no copy_file_range here, or across these file systems
                    src.seek(0)
                    fh.seek(0)
                    fh.truncate()
                    shutil.copyfileobj(src, fh, 1 << 20)

        return self._place(batch_id, source, copy)

    def _place(self, batch_id: int, source: str, write: Callable[[BinaryIO], object]) -> Path:
        """Return the archived file's path after `write` fills it, fsyncing and linking it into place."""
        folder = raw_dir(self.store)
        with owner_only():
            folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        tighten_file(folder, FOLDER_MODE)  # customers' personal data: only the server's user may list or read it
        final = _free_name(Path(os.path.abspath(folder)), f"{batch_id:06d}_{safe_name(source)}")
        self.marker = final.with_name(final.name + marker_suffix(self.store))
        with _lock:
            _in_flight.add(str(self.marker))
        # Created 0600 from the start, so the file is never readable by others, not even briefly.
        fd = os.open(self.marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        _link_into_place(self.marker, final)
        self.final = final  # only now ours to remove if the transaction fails
        fsync_folder(folder)
        return self.final

    def committed(self) -> None:
        """Drop the marker once the batch naming the file is committed; return nothing."""
        if self.marker is not None:
            self.marker.unlink(missing_ok=True)

    def discard(self) -> None:
        """Remove the file and its marker after a failed transaction; return nothing."""
        for path in (self.final, self.marker):
            if path is not None:
                path.unlink(missing_ok=True)

    def release(self) -> None:
        """Let tidy() see this archive's marker again; return nothing."""
        if self.marker is not None:
            with _lock:
                _in_flight.discard(str(self.marker))


def _free_name(folder: Path, name: str) -> Path:
    """Return folder/NAME, or NAME numbered (000007_2_x.csv) when a file of that name exists already.

    An existing file is never replaced: it may be another store's, in a folder they share.
    """
    for n in range(1, 1000):
        final = folder / (name if n == 1 else f"{name[:7]}{n}_{name[7:]}")
        if not final.exists():
            return final
    raise CsqError(f"{folder} already holds 999 archived files named like {name}.",
                    "Keep one store per folder, or clear out the raw folder's leftovers, and import again.")


def _link_into_place(marker: Path, final: Path) -> None:
    """Put the marker's file at `final` too: a hard link, else (no hard links here) a rename and an empty marker."""
    try:
        os.link(marker, final)
        return
    except FileExistsError:
        raise StoreBusy(f"Another process archived a file as {final} at the same moment; nothing was written.",
                        "Import the file again.") from None
    except OSError:
        pass
    if final.exists():
        raise StoreBusy(f"Another process archived a file as {final} at the same moment; nothing was written.",
                        "Import the file again.")
    os.replace(marker, final)
    os.close(os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))


@contextmanager
def pending(store: Store) -> Iterator[Pending]:
    """Yield a Pending archive for one transaction: kept when the block succeeds, removed when it fails."""
    archive = Pending(store)
    try:
        yield archive
    except BaseException:
        archive.discard()
        raise
    else:
        archive.committed()
    finally:
        archive.release()


@dataclass
class ArchiveReport:
    """What tidy() did: files removed, files recovered, and batches whose missing file it cleared."""

    removed: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    repaired: list[int] = field(default_factory=list)


def _batch_files(store: Store) -> dict[str, tuple[int, str, str | None]]:
    """Return every batch's archived file by base name: (batch_id, raw_path as stored, file hash)."""
    rows = store.rows("SELECT batch_id, raw_path, file_hash FROM batches WHERE raw_path IS NOT NULL")
    return {Path(str(r[1])).name: (int(r[0]), str(r[1]), r[2]) for r in rows}


def raw_file(store: Store, raw_path: str) -> Path | None:
    """Return where a batch's archived file is (as stored, else by name in raw_dir), or None when it is missing."""
    for path in (Path(raw_path), raw_dir(store) / Path(raw_path).name):
        if path.is_file():
            return path
    return None


def missing(store: Store) -> list[tuple[int, str]]:
    """Return (batch_id, raw_path) of every batch whose archived file does not exist."""
    return sorted((bid, raw) for bid, raw, _ in _batch_files(store).values() if raw_file(store, raw) is None)


def _sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tidy_marker(store: Store, entry: Path, refs: dict[str, tuple[int, str, str | None]],
                 report: ArchiveReport) -> None:
    """Settle one stale .partial: drop an uncommitted archive, recover a pre-issue-14 one behind a committed batch."""
    suffix = marker_suffix(store)
    if entry.name.endswith(suffix):
        final = entry.with_name(entry.name[:-len(suffix)])
        if final.name not in refs and final.exists():
            final.unlink(missing_ok=True)  # its batch was never committed
            report.removed.append(str(final))
    elif _TAGGED.search(entry.name):
        return  # another store's archive in a shared folder: that store settles it
    else:
        final = entry.with_name(entry.name[:-len(_PARTIAL)])
        ref = refs.get(final.name)
        if ref is not None and raw_file(store, ref[1]) is None and ref[2] == _sha256(entry):
            os.replace(entry, final)
            report.recovered.append(str(final))
            return
    entry.unlink(missing_ok=True)
    report.removed.append(str(entry))


def tidy(store: Store) -> ArchiveReport:
    """Return what was settled: stale .partial files, their uncommitted files, and batches pointing at nothing.

    Run on a read-write open. Archives of transactions still open in this process are left alone.
    """
    report = ArchiveReport()
    folder = raw_dir(store)
    entries = sorted(folder.iterdir()) if folder.is_dir() else []
    if folder.is_dir():
        tighten_file(folder, FOLDER_MODE)
    with _lock:
        busy = set(_in_flight)
    refs = _batch_files(store)  # read after listing: a file listed but not in flight is committed or stale
    for entry in entries:
        if entry.name.endswith(_PARTIAL) and str(Path(os.path.abspath(entry))) not in busy:
            _tidy_marker(store, entry, refs, report)
        elif entry.is_file():
            tighten_file(entry)
    report.repaired = _repair_missing(store)
    return report


def _repair_missing(store: Store) -> list[int]:
    """Clear raw_path of batches whose file is gone, with an audit entry naming it; return their ids.

    Only when the archive folder exists: without it the store is most likely a copy, or its folder is not
    mounted, and `missing` reports the batches without changing them.
    """
    gone = missing(store) if raw_dir(store).is_dir() else []
    if not gone:
        return []
    try:
        with store.transaction() as cur:
            for batch_id, raw in gone:
                cur.execute("UPDATE batches SET raw_path = NULL WHERE batch_id = ? AND raw_path = ?", [batch_id, raw])
                audit.write(cur, "raw_file_missing", f"batch {batch_id}", {"path": raw})
    except duckdb.TransactionException:
        return []  # another writer changed these batches meanwhile (a purge): the next open checks again
    return [batch_id for batch_id, _ in gone]
