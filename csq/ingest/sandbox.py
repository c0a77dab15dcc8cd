"""Reading an untrusted file in a child process, so a crash or an allocation storm cannot take the caller down.

The reading process (`python -m csq.ingest.reader`, forked from a warm fork server where it can be: see
csq.ingest.forkserver) gets the file and what to do on stdin, lowers its own limits (address space, CPU
seconds; the OOM killer takes it first), and answers on stdout with one JSON line and Arrow IPC bytes.
The caller waits at most the wall-time limit; a process that dies, runs out of memory or time is a
refusal of the file, never a crash of the caller.
"""
from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import threading
import time

from csq.errors import InputRefused
from csq.ingest import forkserver
from csq.ingest.forkserver import Forked, ForkServer, start_child
from csq.ingest.limits import ReadLimits, refuse

_STDERR_TAIL = 2000
_FIX = ("The file may be damaged or crafted. Open it in Excel and save it again (as .xlsx or CSV UTF-8), "
        "or split it into smaller files, then import it.")

_lock = threading.Lock()
_servers: dict[str, ForkServer] = {}
_forking = {"on": forkserver.CAN_FORK}

Process = subprocess.Popen[bytes] | Forked


class ReadTimedOut(InputRefused):
    """A read that ran past the wall-time limit (which load on the machine may cause): worth trying again."""


def _take(module: str) -> Process:
    """Return a new reading process: forked by this process's fork server, else started plainly."""
    if _forking["on"]:
        with _lock:
            server = _servers.get(module)
            if server is None or server.owner != os.getpid():  # a forked copy of this process starts its own
                server = _servers[module] = ForkServer(module)
        proc = server.fork()
        if proc is not None:
            return proc
        with _lock:  # a server that does not work is not tried again by this process
            _forking["on"] = False
            _servers.pop(module, None)
        server.stop()
    return start_child(module)


@atexit.register
def _stop_servers() -> None:
    """Stop the fork servers when the process exits; return nothing."""
    with _lock:
        for server in _servers.values():
            if server.owner == os.getpid():
                server.stop()
        _servers.clear()


def _failure(name: str, code: int, err: bytes, limits: ReadLimits, size: int) -> InputRefused:
    """Return the refusal of a file whose reading process died or failed (exit status code), saying which limit."""
    tail = err[-_STDERR_TAIL:].decode("utf-8", errors="replace")
    if any(word in tail for word in ("memory allocation", "MemoryError", "bad_alloc", "Cannot allocate",
                                     "out of memory")):
        gb = limits.memory_for(size) / 2**30
        return refuse(name, f"was not read: reading it needed more than the memory limit ({gb:,.1f} GB); it "
                            "declares far more cells or data than it holds, or is too large.", _FIX)
    if code == -signal.SIGXCPU:
        return refuse(name, f"was not read: reading it used more than {limits.cpu_seconds} s of CPU.", _FIX)
    if code == -signal.SIGKILL:
        return refuse(name, "was not read: the file reader was stopped, having run out of memory or over its "
                            f"CPU limit ({limits.cpu_seconds} s).", _FIX)
    if code is not None and code < 0:
        try:
            what = signal.Signals(-code).name
        except ValueError:
            what = f"signal {-code}"
        return refuse(name, f"was not read: the file reader stopped ({what}).", _FIX)
    last = next((ln for ln in reversed(tail.strip().splitlines()) if ln.strip()), f"exit code {code}")
    return refuse(name, f"was not read: the file reader failed ({last.strip()[:300]}).", _FIX)


def _exchange(proc: Process, head: bytes, data: bytes, seconds: float
              ) -> tuple[bytes, bytes, bytes, int] | None:
    """Return (the reply line, the bytes after it, stderr, exit status) of the child given head + data.

    None when it did not finish within `seconds` (it is killed).

    Threads write and read whole buffers at once (Popen.communicate moves a large file 4 KB at a time).
    """
    got: dict[str, bytes] = {}

    def feed() -> None:
        """Write the request and the file to the child's stdin; return nothing."""
        try:
            proc.stdin.write(head)  # type: ignore[union-attr]
            proc.stdin.write(data)  # type: ignore[union-attr]
            proc.stdin.close()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError):
            pass  # the child died; its exit status says why

    def drain_out() -> None:
        """Read the reply line and the bytes after it; return nothing."""
        got["reply"] = proc.stdout.readline()  # type: ignore[union-attr]
        got["body"] = proc.stdout.read()  # type: ignore[union-attr]

    def drain_err() -> None:
        """Read what the child wrote to stderr; return nothing."""
        got["err"] = proc.stderr.read()  # type: ignore[union-attr]

    threads = [threading.Thread(target=f, daemon=True) for f in (feed, drain_out, drain_err)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + seconds
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    if any(t.is_alive() for t in threads):
        proc.kill()
        proc.wait()
        for t in threads:
            t.join(5)
        return None
    code = proc.wait()
    for f in (proc.stdin, proc.stdout, proc.stderr):
        f.close()  # type: ignore[union-attr]
    return got.get("reply", b""), got.get("body", b""), got.get("err", b""), code


def run_isolated(module: str, name: str, request: dict[str, object], data: bytes, limits: ReadLimits,
                 size: int | None = None) -> tuple[dict[str, object], bytes]:
    """Return (the JSON reply, the bytes after it) of `python -m module` reading `data` under the limits.

    `size`: the size of the file the request names for the child to open itself (then `data` is empty).
    Raises InputRefused when the child runs out of time, memory or CPU, dies, or answers nonsense.
    """
    size = len(data) if size is None else size
    request = {**request, "limits": limits.as_dict(), "memory_bytes": limits.memory_for(size)}
    done = _exchange(_take(module), json.dumps(request).encode() + b"\n", data, limits.seconds)
    if done is None:
        late = refuse(name, f"was not read: reading it took longer than {limits.seconds:g} s.", _FIX)
        raise ReadTimedOut(late.message, late.fix, file=name)
    head, body, err, code = done
    if code != 0:
        raise _failure(name, code, err, limits, size)
    try:
        reply = json.loads(head)
    except ValueError:
        reply = None
    if not isinstance(reply, dict):
        raise refuse(name, "was not read: the file reader gave no answer.", _FIX)
    return reply, body
