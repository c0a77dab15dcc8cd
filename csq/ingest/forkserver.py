"""The reading processes: one per file, forked from a warm fork server, each under its own limits.

A reading process starts as `python -m csq.ingest.reader`, which costs Python's start-up and pyarrow's
import (about 0.3 s) per file. So a process that reads files starts one fork server, a child that imports
once, never touches a file, stays single-threaded, and forks a fresh reading process per request: the
caller passes it the new process's stdin, stdout and stderr (SCM_RIGHTS) and a socket on which the server
reports the pid and, later, the exit status. Where fork is unavailable, or the server is not working, a
plain child is started instead: the same process, just slower to begin.
"""
from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding the csq package
_READY_SECONDS = 20  # for the server to import what a read needs
CAN_FORK = hasattr(os, "fork") and hasattr(socket, "send_fds") and sys.platform.startswith("linux")
_INT = struct.Struct("!i")

Answer = Callable[[BinaryIO], None]
Handler = Callable[[dict[str, object], bytes], tuple[dict[str, object], Answer | None]]


def child_env() -> dict[str, str]:
    """Return the environment of a reading process: csq importable, Rust quiet, and no helper threads.

    One thread only, so the fork server may fork: no jemalloc background thread, no BLAS pool.
    """
    path = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, "RUST_BACKTRACE": "0",
            "JE_ARROW_MALLOC_CONF": "background_thread:false", "OPENBLAS_NUM_THREADS": "1"}


def start_child(module: str) -> subprocess.Popen[bytes]:
    """Return a new plain reading process running `python -m module`, waiting for its request on stdin."""
    return subprocess.Popen([sys.executable, "-m", module], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=child_env(), cwd=ROOT, close_fds=True)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    """Return n bytes from the socket, or fewer when it closes first."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


class Forked:
    """A reading process forked by the fork server, used like a Popen: stdin, stdout, stderr, kill, wait."""

    def __init__(self, pid: int, ctl: socket.socket, stdin: int, stdout: int, stderr: int) -> None:
        self.pid, self._ctl, self.returncode = pid, ctl, None
        self.stdin, self.stdout, self.stderr = (os.fdopen(stdin, "wb"), os.fdopen(stdout, "rb"),
                                                os.fdopen(stderr, "rb"))

    def kill(self) -> None:
        """Ask the fork server to kill the process (it alone may, as its parent); return nothing."""
        with contextlib.suppress(OSError):
            self._ctl.sendall(b"K")

    def wait(self, timeout: float | None = None) -> int:
        """Return the exit status as Popen gives it (a negative signal number when killed)."""
        if self.returncode is None:
            self._ctl.settimeout(timeout)
            data = _recv_exact(self._ctl, _INT.size)
            self.returncode = _INT.unpack(data)[0] if len(data) == _INT.size else -signal.SIGKILL
            for f in (self._ctl, self.stdin, self.stdout, self.stderr):
                with contextlib.suppress(OSError):
                    f.close()
        return self.returncode


class ForkServer:
    """The caller's side of a fork server: starts it, and forks reading processes from it."""

    def __init__(self, module: str) -> None:
        mine, theirs = socket.socketpair()
        self.proc = subprocess.Popen([sys.executable, "-m", module, "--fork-server", str(theirs.fileno())],
                                     pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env=child_env(), cwd=ROOT)
        theirs.close()
        self.sock, self.ready, self.owner = mine, False, os.getpid()
        self.lock = threading.Lock()

    def fork(self) -> Forked | None:
        """Return a new reading process, or None when the server does not work (the caller starts one itself)."""
        pipes = [os.pipe() for _ in range(3)]
        ctl, theirs = socket.socketpair()
        try:
            with self.lock:
                if not self.ready:
                    self.sock.settimeout(_READY_SECONDS)
                    self.ready = _recv_exact(self.sock, 1) == b"R"
                    self.sock.settimeout(None)
                if not self.ready:
                    raise OSError("the fork server did not start")
                socket.send_fds(self.sock, [b"F"], [theirs.fileno(), pipes[0][0], pipes[1][1], pipes[2][1]])
            ctl.settimeout(_READY_SECONDS)
            pid = _INT.unpack(_recv_exact(ctl, _INT.size))[0]
            ctl.settimeout(None)
        except (OSError, struct.error):
            for fd in (pipes[0][1], pipes[1][0], pipes[2][0]):
                os.close(fd)
            ctl.close()
            return None
        finally:
            theirs.close()
            for fd in (pipes[0][0], pipes[1][1], pipes[2][1]):
                os.close(fd)
        return Forked(pid, ctl, pipes[0][1], pipes[1][0], pipes[2][0])

    def stop(self) -> None:
        """Stop the server (its reading processes end with their pipes); return nothing."""
        with contextlib.suppress(OSError):
            self.sock.close()
        self.proc.kill()
        self.proc.wait()


def lower_limits(request: dict[str, object]) -> None:
    """Lower this process's address space and CPU time to the request's limits; return nothing."""
    try:
        import resource
    except ImportError:  # not a POSIX system: the wall-time limit still holds
        return
    memory = int(request["memory_bytes"])  # type: ignore[call-overload]
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(used.ru_utime + used.ru_stime) + int(request["limits"]["cpu_seconds"])  # type: ignore[index]
    for which, value in ((resource.RLIMIT_AS, (memory, memory)), (resource.RLIMIT_CPU, (cpu, cpu + 5))):
        try:
            resource.setrlimit(which, value)
        except (ValueError, OSError):  # a system that does not enforce this limit: the others still hold
            pass
    with contextlib.suppress(OSError):
        Path("/proc/self/oom_score_adj").write_text("1000")  # if memory runs short, the OOM killer takes this


def serve(handle: Handler) -> int:
    """Run one request in this process: read it from stdin, lower the limits, answer on stdout; return the exit code.

    `handle` returns the JSON reply and a function writing the bytes that follow it (or None).
    """
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray output goes to stderr, never into the answer
    head = sys.stdin.buffer.readline()
    if not head:
        return 0  # the caller went away before asking anything
    request = json.loads(head)
    lower_limits(request)
    reply, write = handle(request, sys.stdin.buffer.read())
    out.write(json.dumps(reply).encode() + b"\n")
    if write is not None:
        write(out)
    out.flush()
    return 0


def _run_forked(fds: list[int], handle: Handler) -> None:
    """Become the reading process of one request (in the forked child); never return."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for target, fd in zip((0, 1, 2), fds[1:]):
            os.dup2(fd, target)
        for fd in fds:  # the server's end of the caller's socket, and the originals of the three just placed
            if fd > 2:
                os.close(fd)
        code = serve(handle)
    except BaseException:  # noqa: BLE001 - the caller reads the traceback from stderr
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os._exit(code)


def _reap(children: dict[int, socket.socket], sel: selectors.BaseSelector) -> None:
    """Report the exit status of every finished reading process to its caller; return nothing."""
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        sock = children.pop(pid, None)
        if sock is not None:
            with contextlib.suppress(KeyError, ValueError):
                sel.unregister(sock)
            with contextlib.suppress(OSError):
                sock.sendall(_INT.pack(os.waitstatus_to_exitcode(status)))
            sock.close()


def _fork_one(ctl: socket.socket, children: dict[int, socket.socket], sel: selectors.BaseSelector,
              handle: Handler) -> bool:
    """Fork the reading process a caller asks for; return False when the caller has gone."""
    msg, fds, _flags, _addr = socket.recv_fds(ctl, 16, 4)
    if not msg:
        return False
    if len(fds) != 4:
        for fd in fds:
            os.close(fd)
        return True
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        ctl.close()
        for other in children.values():
            other.close()
        sel.close()
        _run_forked(fds, handle)
    for fd in fds[1:]:
        os.close(fd)
    sock = socket.socket(fileno=fds[0])
    sock.sendall(_INT.pack(pid))
    children[pid] = sock
    sel.register(sock, selectors.EVENT_READ, pid)
    return True


def serve_forks(fd: int, handle: Handler) -> int:
    """Run the fork server on the socket fd until its caller goes away; return the exit code."""
    ctl = socket.socket(fileno=fd)
    if threading.active_count() > 1 or len(os.listdir("/proc/self/task")) > 1:
        ctl.sendall(b"N")  # a thread would make fork unsafe: the caller starts plain processes instead
        return 1
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    sel = selectors.DefaultSelector()
    sel.register(ctl, selectors.EVENT_READ, "ctl")
    sel.register(wake_r, selectors.EVENT_READ, "wake")
    children: dict[int, socket.socket] = {}
    ctl.sendall(b"R")
    while True:
        for key, _ in sel.select():
            if key.data == "ctl":
                if not _fork_one(ctl, children, sel, handle):
                    return 0
            elif key.data == "wake":
                os.read(wake_r, 4096)
            else:
                _on_caller(key, sel)
        _reap(children, sel)


def _on_caller(key: selectors.SelectorKey, sel: selectors.BaseSelector) -> None:
    """Kill a reading process its caller gave up on ("K", or the caller closed its socket); return nothing."""
    try:
        data = key.fileobj.recv(1)  # type: ignore[union-attr]
    except OSError:
        data = b""
    if data in (b"K", b""):
        with contextlib.suppress(OSError):
            os.kill(key.data, signal.SIGKILL)
    if not data:
        sel.unregister(key.fileobj)  # nothing more will come; the exit status is still reaped
