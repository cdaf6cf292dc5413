"""What a render pool passes around, and the entry point of a pool process.

Light on purpose: the parent process of ``analys render`` imports this module, not
:mod:`analys.render.engine` (papermill, nbconvert), and each spawned worker starts its warm kernel
here before it imports the engine, so the kernel boots while the worker imports.

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
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Job:
    """One notebook to render: template + parameters → ``ipynb`` and ``html``.

    ``kind`` is ``area`` or ``overview``; ``key`` is ``<municipality>/<area>``.
    """

    key: str
    kind: str
    area: str
    title: str
    municipality: str
    municipality_name: str
    template: str
    parameters: dict[str, Any]
    ipynb: str
    html: str
    show_code: bool = False

    @property
    def failed_ipynb(self) -> str:
        """Where the notebook of a failed render goes (the good one is never overwritten)."""
        return str(Path(self.ipynb).with_suffix(".failed.ipynb"))

    @property
    def failed_html(self) -> str:
        """Where the HTML of a failed render goes."""
        return str(Path(self.html).with_suffix(".failed.html"))

    @property
    def label(self) -> str:
        """Short Swedish label for progress output."""
        return f"{self.municipality_name} – {self.title}"

    @property
    def pdf(self) -> str:
        """Where the PDF of the report goes (``--pdf``)."""
        return str(Path(self.html).with_suffix(".pdf"))


@dataclass(frozen=True)
class WorkbookJob:
    """One Excel workbook (``--xlsx``): every area of one municipality, from the data cache.

    ``areas`` are params references (names or paths) as the area jobs got them; ``key`` is
    ``<municipality>/<workbook name>``. Run by :func:`analys.render.workbook.run_job` in a worker.
    """

    key: str
    municipality: str
    municipality_name: str
    areas: tuple[str, ...]
    source: str
    data_cache: str
    year: int | None
    path: str

    @property
    def label(self) -> str:
        """Short Swedish label for progress output."""
        return f"{self.municipality_name} – Excel"


@dataclass
class JobResult:
    """What became of one :class:`Job`."""

    key: str
    status: str  # "ok" or "failed"
    seconds: float
    error: str = ""
    summary: dict[str, Any] | None = None
    attempts: int = 1
    written: list[str] = field(default_factory=list)
    #: side products that failed although the report itself is good (e.g. the PDF), Swedish
    problems: list[str] = field(default_factory=list)


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


def _parent_gone(parent_pid: int) -> bool:
    return os.getppid() != parent_pid


def watch_parent(parent_pid: int, *, interval: float = PARENT_POLL) -> threading.Thread:
    """Stop this process (SIGTERM to itself) as soon as ``parent_pid`` is no longer its parent.

    Uses ``PR_SET_PDEATHSIG`` where available and a daemon thread polling the parent pid
    everywhere (an orphan is re-parented, so its parent pid changes). Returns the thread.
    """
    set_parent_death_signal(signal.SIGTERM)

    def poll() -> None:
        while not _parent_gone(parent_pid):
            time.sleep(interval)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(STOP_GRACE + 5)  # the handler's own deadline should have ended us
        os._exit(128 + signal.SIGTERM)

    thread = threading.Thread(target=poll, name="analys-parent-watch", daemon=True)
    thread.start()
    if _parent_gone(parent_pid):  # it died before the watch was set up
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


def worker_entry(
    worker_id: int,
    conn: Any,
    options: dict[str, Any],
    log_path: str | None = None,
    parent_pid: int | None = None,
    runtime_dir: str | None = None,
) -> None:
    """Target of a spawned render process: launch the warm kernel, then run the job loop.

    ``conn`` is this worker's end of a pipe to the pool: jobs come in, results go out.
    Kernel output (start-up warnings) and the worker's own go to ``log_path`` instead of the
    terminal. Kernel connection files go to ``runtime_dir`` (the batch's scratch folder).
    The worker stops with its parent (:func:`watch_parent`) and on SIGTERM/SIGHUP
    (:func:`install_stop_handlers`). The kernel process boots while this process imports
    :mod:`analys.render.engine`; see :func:`analys.render.engine.worker_main` for the loop itself.
    """
    install_stop_handlers()
    kernel = None
    try:
        if log_path:
            log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.dup2(log, 1)
            os.dup2(log, 2)
            os.close(log)
        keep_signal_handlers()
        if parent_pid is not None:
            watch_parent(parent_pid)
        if runtime_dir:  # kernel connection files and temp files live in the batch's scratch
            import tempfile

            os.makedirs(runtime_dir, exist_ok=True)
            for name in ("JUPYTER_RUNTIME_DIR", "TMPDIR", "TEMP", "TMP"):
                os.environ[name] = runtime_dir
            tempfile.tempdir = None
        skip_slow_optional_imports()
        if not options.get("fresh_kernels"):
            from analys.render.kernel import WarmKernel

            try:
                kernel = WarmKernel(wait=False)
            except Exception:  # noqa: BLE001 – the engine starts one per report and says why
                kernel = None
        from analys.render.engine import worker_main

        worker_main(worker_id, conn, options, kernel=kernel)
    except WorkerStop as stop:
        if kernel is not None:
            kernel.shutdown()  # the engine shuts it too; this covers a stop during start-up
        sys.exit(stop.exit_code)
    finally:
        if parent_pid is not None and runtime_dir and _parent_gone(parent_pid):
            _remove_orphaned_scratch(runtime_dir)


def _remove_orphaned_scratch(runtime_dir: str) -> None:
    """The parent died without cleaning up: the last workers remove the batch's scratch
    folder (data cache, logs, kernel connection files) on their way out."""
    import shutil
    from pathlib import Path

    scratch = Path(runtime_dir).parent
    if scratch.name.startswith("analys-render-"):
        shutil.rmtree(scratch, ignore_errors=True)
