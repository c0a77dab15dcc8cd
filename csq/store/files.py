"""Owner-only files (SPEC §10): the store, its .wal, its folder and the raw archive are readable by csq's user only.

The rule for the store's folder: csq makes it 0700 when csq created it, when it is the default `data/` folder,
or when it holds nothing but csq's own files (DuckDB files, their .wal/.tmp, the `raw/` archive). Any other
folder is left as it is, because it may be shared (`/tmp`, a home directory, a team folder): there only the
store's own files are tightened. A folder that another user owns, that has the sticky bit (like `/tmp`), that
is the user's home or a filesystem root is never changed.

DuckDB deletes its .wal at every checkpoint and writes a new one at the next commit, with the process umask.
So every step that may create a file (opening, each transaction, migrations) runs under `owner_only()`,
which holds the umask at 077 for its duration.
"""
from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700
DEFAULT_FOLDER = Path("data")
# Names csq itself puts beside a store: DuckDB files and their companions, and the raw archive.
_OWN_SUFFIXES = (".duckdb", ".duckdb.wal", ".duckdb.tmp", ".duckdb.published", ".duckdb.writer", ".db", ".db.wal",
                 ".db.published", ".db.writer")
_OWN_NAMES = {"raw"}

_lock = threading.Lock()
_depth = 0
_saved_umask = 0


@contextmanager
def owner_only() -> Iterator[None]:
    """Yield with the process umask at 077, so files and folders created meanwhile are owner-only.

    The umask is process-wide: nested and concurrent holders share one setting, restored when the last one leaves.
    """
    global _depth, _saved_umask
    with _lock:
        if _depth == 0:
            _saved_umask = os.umask(0o077)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                os.umask(_saved_umask)


def _owned(st: os.stat_result) -> bool:
    """Return True when this process's user owns the file (always True where there are no uids)."""
    return not hasattr(os, "getuid") or st.st_uid == os.getuid()


def tighten_file(path: Path, mode: int = FILE_MODE) -> bool:
    """Return True when `path` exists, is ours, and now has `mode` (chmod only when its bits differ)."""
    try:
        st = path.stat()
    except OSError:
        return False
    if not _owned(st):
        return False
    if stat.S_IMODE(st.st_mode) != mode:
        try:
            os.chmod(path, mode)
        except OSError:
            return False
    return True


def store_files(db: Path) -> list[Path]:
    """Return the store file and the companions DuckDB writes beside it (.wal), whether or not they exist."""
    return [db, db.with_name(db.name + ".wal")]


def tighten_store_files(db: Path) -> None:
    """Make the store file and its .wal owner-only (0600); files another user owns are left alone."""
    for path in store_files(db):
        tighten_file(path)


def _never_touch(folder: Path, st: os.stat_result) -> bool:
    """Return True for a folder csq must not chmod: not ours, sticky (/tmp), the home folder or a root."""
    if not _owned(st) or st.st_mode & stat.S_ISVTX:
        return True
    resolved = folder.resolve()
    return resolved == resolved.parent or resolved == Path.home().resolve()


def holds_only_csq_files(folder: Path) -> bool:
    """Return True when every entry of `folder` is a DuckDB file, its .wal/.tmp, or csq's raw archive."""
    try:
        names = [p.name for p in folder.iterdir()]
    except OSError:
        return False
    return all(n in _OWN_NAMES or n.endswith(_OWN_SUFFIXES) for n in names)


def is_own_folder(folder: Path, created: bool) -> bool:
    """Return True when `folder` is the store's own folder by the rule above (created, default, or csq files only)."""
    try:
        st = folder.stat()
    except OSError:
        return False
    if _never_touch(folder, st):
        return False
    if created:
        return True
    try:
        if folder.resolve() == DEFAULT_FOLDER.resolve():
            return True
    except OSError:
        return False
    return holds_only_csq_files(folder)


def make_store_folder(db: Path) -> bool:
    """Return True when csq had to create the store's folder (created 0700, missing parents included)."""
    folder = db.parent
    if folder.exists():
        return False
    with owner_only():
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    return True


def tighten_store(db: Path, created_folder: bool = False) -> None:
    """Make the store file and .wal 0600, and its folder 0700 when it is the store's own folder."""
    tighten_store_files(db)
    if is_own_folder(db.parent, created_folder):
        tighten_file(db.parent, FOLDER_MODE)


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename or link in it) to disk where the OS allows it; return nothing."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
