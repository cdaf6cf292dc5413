"""One worker process of a batch: its warm kernel and its job loop.

:func:`worker_entry` is the target of a spawned pool process. It installs the stop handlers
(:mod:`analys.render.stop`) and launches the warm kernel *before* it imports
:mod:`analys.render.engine` (papermill, nbconvert), so the kernel boots while the worker
imports; :func:`worker_main` then renders the jobs that come over the pipe. This module itself
is light: the pool's parent process imports it only to name the target.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from analys.render.jobs import JobResult, WorkbookJob
from analys.render.stop import (
    WorkerStop,
    install_stop_handlers,
    keep_signal_handlers,
    parent_gone,
    skip_slow_optional_imports,
    stop_guard,
    watch_parent,
)

if TYPE_CHECKING:
    from analys.render.kernel import WarmKernel


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
    :mod:`analys.render.engine`; :func:`worker_main` is the loop itself.
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
        worker_main(worker_id, conn, options, kernel=kernel)
    except WorkerStop as stop:
        if kernel is not None:
            kernel.shutdown()  # the engine shuts it too; this covers a stop during start-up
        sys.exit(stop.exit_code)
    finally:
        if parent_pid is not None and runtime_dir and parent_gone(parent_pid):
            _remove_orphaned_scratch(runtime_dir)


def _remove_orphaned_scratch(runtime_dir: str) -> None:
    """The parent died without cleaning up: the last workers remove the batch's scratch
    folder (data cache, logs, kernel connection files) on their way out."""
    import shutil
    from pathlib import Path

    scratch = Path(runtime_dir).parent
    if scratch.name.startswith("analys-render-"):
        shutil.rmtree(scratch, ignore_errors=True)


def worker_main(
    worker_id: int,
    conn: Any,
    options: dict[str, Any],
    *,
    kernel: WarmKernel | None = None,
) -> None:
    """Loop of one pool process: render the jobs that come over ``conn``, send each result back.

    ``conn`` is the worker's end of a duplex pipe: it receives :class:`Job` objects (``None``
    means stop) and sends one :class:`JobResult` per job. A closed pipe (the parent died)
    ends the loop too. ``kernel`` is a warm kernel already launched
    (:func:`worker_entry`, the pool's process target); otherwise one is started for the first
    report. The kernel is always shut down on the way out, also when a stop signal
    (:class:`analys.render.stop.WorkerStop`) ends the loop.
    """
    from analys.render.engine import Renderer  # papermill, nbconvert: after the kernel launch

    renderer = Renderer(
        fresh_kernels=bool(options.get("fresh_kernels")),
        show_code=bool(options.get("show_code")),
        kernel=kernel,
        pdf=bool(options.get("pdf")),
    )
    try:
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                break  # the pool is gone
            if job is None:
                break
            with stop_guard():
                try:
                    if isinstance(job, WorkbookJob):
                        from analys.render.workbook import run_job

                        result = run_job(job)
                    else:
                        result = renderer.run(job)
                except Exception as exc:  # a bug in writing the files: report, keep going
                    result = JobResult(
                        key=job.key,
                        status="failed",
                        seconds=0.0,
                        error=f"{type(exc).__name__}: {exc}",
                    )
                try:
                    conn.send(result)
                except (BrokenPipeError, EOFError, OSError):
                    break
    finally:
        renderer.close()
