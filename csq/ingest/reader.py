"""Reading export files into an Arrow table of strings (SPEC §5, §10): CSV or Excel, read in a child process.

`read_source` is the one way the CLI import and the Import page read a file. It runs `parse_source` in a
child process under memory, CPU and time limits (csq.ingest.sandbox); a file that breaks a limit, or that
crashes the reader, is refused with the reason and what to do. The rules themselves live beside it:
encodings in `text`, delimited text in `delimited`, workbooks in `workbook`, table rules in `source`.
"""
from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Collection
from dataclasses import dataclass

from csq.errors import InputRefused, RowError
from csq.ingest import forkserver, sandbox
from csq.ingest.delimited import read_delimited, sniff_delimiter
from csq.ingest.limits import DEFAULT_LIMITS, ReadLimits, refuse
from csq.ingest.source import HeaderScore, SourceTable, detect_header, from_ipc, unique_headers, write_ipc
from csq.ingest.text import decode
from csq.ingest.workbook import read_workbook

__all__ = ["HeaderScore", "OnDisk", "SourceTable", "decode", "detect_header", "is_excel", "parse_source",
           "read_source", "sniff_delimiter", "unique_headers"]

_BINARY_MAGIC = {b"%PDF": "a PDF document", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
                 b"GIF8": "a GIF image", b"Rar!": "a RAR archive", b"\x1f\x8b": "a gzip archive",
                 b"7z\xbc\xaf": "a 7-Zip archive", b"\x7fELF": "a program"}
# Files the reading process could not read (out of memory or CPU, crashed), by content and options: asked
# again, as the Import page does to show a refused file, or as a user re-uploading a bomb would, they are
# refused at once instead of costing another child its full time.
_UNREADABLE: dict[tuple[object, ...], InputRefused] = {}
_UNREADABLE_KEEP = 32


_HEAD_BYTES = 1 << 16


@dataclass(frozen=True)
class OnDisk:
    """A file the reading process opens itself, so the caller never holds it: its path, and its size and
    modification time when it was hashed (a file changed since is refused, not read as other content)."""

    path: str
    size: int
    mtime_ns: int

    def stamp(self) -> list[int]:
        """Return [size, mtime_ns]: what the file must still show when it is read and archived."""
        return [self.size, self.mtime_ns]


def _head(file: OnDisk) -> bytes:
    """Return the file's first bytes, or all of them when they are white space only (to tell an empty file)."""
    with open(file.path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
        while head.isspace() and len(head) < file.size:
            more = fh.read(_HEAD_BYTES)
            if not more:
                break
            head = more if more.isspace() else head + more
    return head


def read_file(file: OnDisk, name: str) -> bytes:
    """Return the bytes of a file on disk (in the reading process); refuse it when it changed since it was hashed."""
    with open(file.path, "rb") as fh:
        st = os.fstat(fh.fileno())
        if [st.st_size, st.st_mtime_ns] != file.stamp():
            raise refuse(name, "changed while it was being imported; nothing was written.", "Import it again.")
        return fh.read()


def is_excel(data: bytes, name: str) -> bool:
    """Return True when the bytes are a workbook: a zip (.xlsx, .xlsb, .ods) or OLE (.xls) file.

    The name does not decide: many systems save tab-separated text as .xls, which is read as text.
    """
    return data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0"))


def _check_file(data: bytes, name: str, limits: ReadLimits, size: int | None = None) -> None:
    """Refuse an empty file, one over the size limit, or a known binary format that is not a table.

    `size`: the whole file's size when `data` is only its start (which is then all of it if it is blank).
    """
    size = len(data) if size is None else size
    if not data or data.isspace():   # isspace() stops at the first other byte; strip() would copy the file
        raise refuse(name, "is empty.", "Export the file again with its data rows.")
    if size > limits.max_file_bytes:
        raise refuse(name, f"is {size / 2**20:,.0f} MB; the limit is {limits.max_file_bytes / 2**20:,.0f} MB.",
                     "Split the export into smaller files (by month, say) and import each.")
    if is_excel(data, name):
        return
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise refuse(name, f"is not a table: it looks like {what}.",
                         "Export the data as CSV or Excel (.xlsx) and import that file.")


def parse_source(data: bytes, name: str, score: HeaderScore, *, encoding: str | None = None,
                 sheet: str | int | None = None, header_row: int | None = None,
                 mapped: Collection[str] | None = (), limits: ReadLimits = DEFAULT_LIMITS) -> SourceTable:
    """Return the file's data as strings, read in this process; raise InputRefused saying why it is not a table.

    Only the reading process calls this; everything else calls read_source.
    """
    _check_file(data, name, limits)
    if is_excel(data, name):
        return read_workbook(data, name, score, limits, sheet=sheet, header_row=header_row, mapped=mapped)
    return read_delimited(data, name, score, limits, encoding=encoding, header_row=header_row, mapped=mapped)


def read_source(data: bytes | OnDisk, name: str, score: HeaderScore, *, encoding: str | None = None,
                sheet: str | int | None = None, header_row: int | None = None,
                mapped: Collection[str] | None = (), limits: ReadLimits = DEFAULT_LIMITS,
                digest: str | None = None) -> SourceTable:
    """Return the file's data as strings, read in a child process under the limits; raise InputRefused if not.

    `mapped` are the source headers a mapping names: two columns of one header name are refused unless it
    picks one of them (None: not checked, to show such a file on the Import page). `digest` is the data's
    SHA-256 when the caller has it already (a big file is hashed once per import); an OnDisk file needs it.
    """
    if not isinstance(score, HeaderScore):
        raise TypeError("read_source needs a HeaderScore (the reading process is told which kinds to score)")
    request = {"name": name, "kinds": list(score.kinds), "encoding": encoding, "sheet": sheet,
               "header_row": header_row, "mapped": None if mapped is None else sorted(mapped)}
    if isinstance(data, OnDisk):
        _check_file(_head(data), name, limits, data.size)
        request["file"] = {"path": data.path, "stamp": data.stamp()}
        payload, size = b"", data.size
    else:
        _check_file(data, name, limits)
        payload, size = data, len(data)
    key = (digest or hashlib.sha256(payload).hexdigest(), name, encoding, sheet, header_row, limits)
    if key in _UNREADABLE:
        raise _UNREADABLE[key]
    try:
        reply, body = sandbox.run_isolated("csq.ingest.reader", name, request, payload, limits, size)
    except sandbox.ReadTimedOut:
        raise
    except InputRefused as exc:
        if len(_UNREADABLE) >= _UNREADABLE_KEEP:
            _UNREADABLE.pop(next(iter(_UNREADABLE)))
        _UNREADABLE[key] = exc
        raise
    if "refused" in reply:
        r = reply["refused"]
        raise InputRefused(str(r["message"]), str(r["fix"]), file=r.get("file"),  # type: ignore[union-attr]
                           errors=[RowError(row, col, str(msg)) for row, col, msg in r["errors"]])  # type: ignore
    try:
        return from_ipc(body)
    except Exception:  # noqa: BLE001 - anything the child wrote that is not the table it promised
        raise refuse(name, "was not read: the file reader answered with a damaged table.",
                     "Import the file again; if this repeats, save it again as CSV UTF-8.") from None


def _handle(request: dict[str, object], data: bytes) -> tuple[dict[str, object], forkserver.Answer | None]:
    """Return the reading process's answer: the table (written as IPC bytes after the reply), or the refusal."""
    mapped = request["mapped"]
    try:
        file = request.get("file")
        if isinstance(file, dict):  # read here, under this process's limits, not by the caller
            data = read_file(OnDisk(str(file["path"]), *file["stamp"]), str(request["name"]))
        src = parse_source(data, str(request["name"]), HeaderScore(tuple(request["kinds"])),  # type: ignore[arg-type]
                           encoding=request["encoding"], sheet=request["sheet"],  # type: ignore[arg-type]
                           header_row=request["header_row"], mapped=mapped,  # type: ignore[arg-type]
                           limits=ReadLimits.from_dict(request["limits"]))  # type: ignore[arg-type]
    except InputRefused as exc:
        return {"refused": {"message": exc.message, "fix": exc.fix, "file": exc.file,
                            "errors": [[e.row, e.column, e.message] for e in exc.errors]}}, None
    return {"ok": True}, lambda out: write_ipc(src, out)


def main(argv: list[str]) -> int:
    """Serve one read as the reading process, or forks of it as the fork server (`--fork-server FD`).

    Returns the exit code.
    """
    sys.meta_path.insert(0, _NoPandas())
    if argv[:1] == ["--fork-server"]:
        import fastexcel  # noqa: F401 - imported once here, so a forked read of a workbook starts warm

        return forkserver.serve_forks(int(argv[1]), _handle)
    return forkserver.serve(_handle)


class _NoPandas:
    """Tells the reading process pandas is not installed: pyarrow imports it, when it is, the first time it
    builds an array (0.3 s, longer than reading a month's export), and reading never needs it."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        """Refuse to import pandas; return None (no opinion) for every other module."""
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError("the reading process does not use pandas", name=name)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
