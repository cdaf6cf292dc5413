"""How a render worker stops: signals, a dead parent, and a report that is being written.

A worker never outlives the batch that started it:

* **SIGTERM/SIGHUP** (the parent stopping the pool, or a hung-up terminal) raise
  :class:`WorkerStop` in the worker: the report in progress is abandoned, the warm kernel is
  shut down (its connection file removed) and the process exits with ``128 + signal``.
  SIGINT is left to the parent, which stops the workers itself (a terminal's Ctrl-C reaches
  the whole process group). If the clean-up hangs, the worker exits hard after
  :data:`STOP_GRACE` seconds.
* **A dead parent** (``kill -9``, a crash): :func:`watch_parent` asks Linux to send SIGTERM
  when the parent dies (``PR_SET_PDEATHSIG``) and, portably, polls the parent pid; an idle
  worker also sees its job pipe close. Kernels exit with their worker in the same way
  (ipykernel's own parent poller, plus ``PR_SET_PDEATHSIG`` set in the warm-up).

Light (standard library only): a worker installs these before its heavy imports.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

#: seconds a stopping worker may take to shut its kernel down before it exits hard
STOP_GRACE = 10.0
#: seconds between two looks at the parent pid (the portable parent-death watch)
PARENT_POLL = 0.5
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class WorkerStop(BaseException):
    """Raised in a render worker by SIGTERM/SIGHUP: stop now, clean up, exit."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = int(signum)

    @property
    def exit_code(self) -> int:
        """``128 + signal``, as a shell reports a process ended by that signal."""
        return 128 + self.signum


def set_parent_death_signal(signum: int = signal.SIGTERM) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent dies; ``False`` elsewhere.

    The signal follows the parent *thread* that started this process, so start workers from
    the thread that lives as long as the pool (the main thread).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def parent_gone(parent_pid: int) -> bool:
    return os.getppid() != parent_pid


def watch_parent(parent_pid: int, *, interval: float = PARENT_POLL) -> threading.Thread:
    """Stop this process (SIGTERM to itself) as soon as ``parent_pid`` is no longer its parent.

    Uses ``PR_SET_PDEATHSIG`` where available and a daemon thread polling the parent pid
    everywhere (an orphan is re-parented, so its parent pid changes). Returns the thread.
    """
    set_parent_death_signal(signal.SIGTERM)

    def poll() -> None:
        while not parent_gone(parent_pid):
            time.sleep(interval)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(STOP_GRACE + 5)  # the handler's own deadline should have ended us
        os._exit(128 + signal.SIGTERM)

    thread = threading.Thread(target=poll, name="analys-parent-watch", daemon=True)
    thread.start()
    if parent_gone(parent_pid):  # it died before the watch was set up
        os.kill(os.getpid(), signal.SIGTERM)
    return thread


class _StopState:
    """What the stop handler of this process knows (one per process)."""

    installed = False
    stopping: int | None = None  # the signal being handled
    held = False  # a finished report is being written and sent: finish that first
    pending: int | None = None  # a stop that arrived while held


_STOP = _StopState()


def install_stop_handlers(grace: float = STOP_GRACE) -> None:
    """SIGTERM and SIGHUP raise :class:`WorkerStop` once (later ones are ignored); SIGINT is
    ignored (the parent decides). A timer ends the process hard if clean-up overruns.

    A report that has finished executing is still written and sent to the pool before the
    stop takes effect (:func:`hold_stop`, :func:`stop_guard`): what finished is indexed.
    """

    def stop(signum: int, frame: Any) -> None:
        if _STOP.stopping is not None:
            return
        _STOP.stopping = signum
        timer = threading.Timer(grace, os._exit, args=(128 + signum,))
        timer.daemon = True
        timer.start()
        if _STOP.held:
            _STOP.pending = signum
            return
        raise WorkerStop(signum)

    def ignore(signum: int, frame: Any) -> None:
        # a Python handler rather than SIG_IGN: it is not inherited by the kernels we start
        return None

    signal.signal(signal.SIGTERM, stop)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, stop)
    signal.signal(signal.SIGINT, ignore)
    _STOP.installed = True


def keep_signal_handlers() -> None:
    """Keep this process's stop handlers: event loops here may not install their own.

    nbclient adds SIGINT/SIGTERM handlers to its event loop for every notebook and, when
    removing them afterwards, resets SIGTERM to the default action – a worker would then die
    on SIGTERM without shutting its kernel down or sending the report it just finished.
    Event loops created after this call refuse signal handlers (nbclient expects and skips
    that, as on Windows).
    """
    import asyncio

    if sys.platform == "win32":  # no loop signal handlers there anyway
        return

    class Loop(asyncio.SelectorEventLoop):
        def add_signal_handler(self, sig: int, callback: Any, *args: Any) -> None:
            raise RuntimeError("signal handlers belong to the render worker")

        def remove_signal_handler(self, sig: int) -> bool:
            return False

    class Policy(asyncio.DefaultEventLoopPolicy):
        _loop_factory = Loop

    asyncio.set_event_loop_policy(Policy())


def hold_stop() -> None:
    """From now until the enclosing :func:`stop_guard` ends, a stop signal waits.

    Called when a report has finished executing and its files are about to be written.
    Does nothing in a process without the stop handlers.
    """
    if _STOP.installed:
        _STOP.held = True


@contextlib.contextmanager
def stop_guard() -> Iterator[None]:
    """One job of a worker: a stop that arrived after :func:`hold_stop` is raised at the end."""
    try:
        yield
    finally:
        _STOP.held = False
        if _STOP.pending is not None:
            signum, _STOP.pending = _STOP.pending, None
            raise WorkerStop(signum)


def skip_slow_optional_imports() -> None:
    """Make an optional, slow import fail fast in this process.

    ``rfc3987_syntax`` compiles a Lark grammar when imported, which is slow. jsonschema imports
    it only to offer the optional ``iri`` format check, which nbformat's schemas never use;
    a ``None`` entry in ``sys.modules`` makes that import fail as if the package were absent.
    """
    sys.modules.setdefault("rfc3987_syntax", None)
