"""The local executor of a batch: spawned worker processes, each with a warm kernel.

:class:`Pool` hands one job at a time to an idle worker and collects its
:class:`~analys.render.jobs.JobResult`; a worker that dies is replaced and its report tried
once more. An executor's interface is small – a context manager with
``run(jobs, progress=…) -> {key: JobResult}``, ``started_jobs``, and on a stop signal a
:class:`~analys.render.results.BatchInterrupted` carrying ``done`` and ``inflight`` – so other
executors (a Dask cluster) can stand in for it. Stop signals of the parent process are turned
into :class:`BatchInterrupted` by :func:`stop_signals`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analys.render.jobs import Job, JobResult
from analys.render.progress import BatchProgress
from analys.render.results import BatchInterrupted

_HELD: dict[str, Any] = {"depth": 0, "pending": None}


@contextlib.contextmanager
def hold_interrupt() -> Iterator[None]:
    """A stop signal that arrives inside waits until the block ends (a result being read
    from a worker is stored first, so a finished report is never lost)."""
    _HELD["depth"] += 1
    try:
        yield
    finally:
        _HELD["depth"] -= 1
        if not _HELD["depth"] and _HELD["pending"] is not None:
            signum, _HELD["pending"] = _HELD["pending"], None
            raise BatchInterrupted(signum)


@contextlib.contextmanager
def stop_signals() -> Iterator[None]:
    """Turn SIGINT, SIGTERM and SIGHUP into :class:`BatchInterrupted` (main thread only).

    Only the first signal raises: a second one while the batch shuts down is ignored, so
    the clean-up (bounded by :data:`ABORT_GRACE`) is not cut short.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired: list[int] = []

    def handler(signum: int, frame: Any) -> None:
        if fired:
            return
        fired.append(signum)
        if _HELD["depth"]:
            _HELD["pending"] = signum  # raised when the result being read is stored
            return
        raise BatchInterrupted(signum)

    wanted = [signal.SIGINT, signal.SIGTERM] + (
        [signal.SIGHUP] if hasattr(signal, "SIGHUP") else []
    )
    previous = {signum: signal.getsignal(signum) for signum in wanted}
    for signum in wanted:
        signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old if old is not None else signal.SIG_DFL)


# the pool ---------------------------------------------------------------------------------

#: seconds stopped workers get to shut their kernels down before they are killed
ABORT_GRACE = 20.0
#: how often a report is tried on a new worker when its worker dies under it
WORKER_ATTEMPTS = 2


@dataclass
class _Worker:
    proc: Any
    conn: Any  # the pool's end of the worker's pipe
    job: Job | None = None
    lost: int = 0  # earlier workers that died under ``job``


class Pool:
    """Worker processes (spawned) that render jobs; a dead worker is replaced.

    Each worker has its own pipe: the pool hands a job to an idle worker and knows at every
    moment which report each worker holds. A worker that dies (killed, out of memory) is
    replaced, and the report it held is tried once more on the new worker, like a report
    whose kernel died. The processes start at once and launch their warm kernels while the
    caller loads the data; :meth:`run` then hands them the jobs. Always :meth:`close` it
    (it is a context manager); an interrupt stops the workers at once (:meth:`abort`).
    """

    def __init__(self, workers: int, options: dict[str, Any], scratch: Path) -> None:
        self._ctx = multiprocessing.get_context("spawn")
        self.options, self.scratch = options, scratch
        self.workers: dict[int, _Worker] = {}
        self.next_id = 0
        self.size = max(1, workers)
        self.started_jobs = 0
        try:
            for _ in range(self.size):
                self._start()
        except BaseException:
            self.abort()
            raise

    def _start(self) -> _Worker:
        from analys.render.worker import worker_entry

        worker_id, self.next_id = self.next_id, self.next_id + 1
        mine, theirs = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(
            target=worker_entry,
            name=f"analys-render-{worker_id}",
            args=(
                worker_id,
                theirs,
                self.options,
                str(self.scratch / f"worker-{worker_id}.log"),
                os.getpid(),
                str(self.scratch / "runtime"),
            ),
        )
        # A stop signal waits until the child has its whole start-up message: raised while
        # the parent writes it, the child would read a cut pipe and print a traceback.
        with hold_interrupt():
            proc.start()
            theirs.close()  # only the worker holds its end: the pipe closes when it dies
            worker = self.workers[worker_id] = _Worker(proc, mine)
        return worker

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is not None and not issubclass(kind, Exception):
            self.abort()  # Ctrl-C, SIGTERM, SIGHUP: stop now, do not finish the queue
        else:
            self.close()

    def close(self) -> None:
        """Tell every worker to stop, let it shut its kernel down (or kill it after a minute)."""
        for worker in self.workers.values():
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
        for worker in self.workers.values():
            worker.proc.join(timeout=60)
            if worker.proc.is_alive():
                worker.proc.terminate()
                worker.proc.join(timeout=ABORT_GRACE)
            if worker.proc.is_alive():
                worker.proc.kill()
                worker.proc.join(timeout=5)
            worker.conn.close()
        self.workers.clear()

    def abort(self) -> dict[str, JobResult]:
        """Stop every worker now (SIGTERM: it drops its report and shuts its kernel down).

        Returns the results that workers had already sent but that were not read yet.
        Workers that do not exit within :data:`ABORT_GRACE` seconds are killed.
        """
        late: dict[str, JobResult] = {}
        for worker in self.workers.values():
            if worker.proc.is_alive():
                with contextlib.suppress(OSError):
                    worker.proc.terminate()
        deadline = time.monotonic() + ABORT_GRACE
        while time.monotonic() < deadline and any(w.proc.is_alive() for w in self.workers.values()):
            for worker in self.workers.values():
                late.update(self._drain(worker))
            time.sleep(0.05)
        for worker in self.workers.values():
            late.update(self._drain(worker))
            if worker.proc.is_alive():
                worker.proc.kill()
            worker.proc.join(timeout=5)
            worker.conn.close()
        self.workers.clear()
        return late

    @staticmethod
    def _drain(worker: _Worker) -> dict[str, JobResult]:
        """Results already in the worker's pipe (a worker may send one and then die)."""
        found: dict[str, JobResult] = {}
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if isinstance(message, JobResult):
                    found[message.key] = message
                    if worker.job is not None and worker.job.key == message.key:
                        worker.job = None
        except (EOFError, OSError):
            pass
        return found

    def inflight(self) -> list[str]:
        """Keys of the reports the workers hold right now."""
        return [w.job.key for w in self.workers.values() if w.job is not None]

    def run(self, jobs: list[Job], *, progress: bool) -> dict[str, JobResult]:
        """Render ``jobs`` with a progress bar; return each job's result by key.

        An interrupt (:class:`BatchInterrupted`) stops the workers; the exception then
        carries the results so far (``done``) and the reports in progress (``inflight``).
        """
        from multiprocessing.connection import wait

        pending: deque[tuple[Job, int]] = deque((job, 0) for job in jobs)
        done: dict[str, JobResult] = {}
        starts_left = self.size + 2 * len(jobs)  # replacements allowed (no endless crash loop)
        bar = BatchProgress(len(jobs), enabled=progress)

        def finish(result: JobResult) -> None:
            done[result.key] = result
            bar.finished(result)

        try:
            while len(done) < len(jobs):
                for worker in self.workers.values():
                    if worker.job is None and pending and worker.proc.is_alive():
                        job, lost = pending.popleft()
                        try:
                            worker.conn.send(job)
                        except OSError:
                            pending.appendleft((job, lost))
                            continue
                        worker.job, worker.lost = job, lost
                        self.started_jobs += 1
                        bar.started(job.label)
                handles = [w.conn for w in self.workers.values()]
                handles += [w.proc.sentinel for w in self.workers.values()]
                wait(handles, timeout=0.5)
                for worker_id, worker in list(self.workers.items()):
                    with hold_interrupt():  # a result read is a result stored
                        for result in self._drain(worker).values():
                            if worker.lost:
                                result.attempts += worker.lost
                            finish(result)
                    if worker.proc.is_alive():
                        continue
                    worker.proc.join()
                    worker.conn.close()
                    del self.workers[worker_id]
                    if worker.job is not None:
                        job, lost = worker.job, worker.lost + 1
                        if lost < WORKER_ATTEMPTS:
                            pending.appendleft((job, lost))  # once more, on a new worker
                        else:
                            finish(
                                JobResult(
                                    key=job.key,
                                    status="failed",
                                    seconds=0.0,
                                    error=(
                                        "arbetsprocessen avslutades oväntat "
                                        f"(kod {worker.proc.exitcode}, försökte {lost} gånger)"
                                    ),
                                    attempts=lost,
                                )
                            )
                busy = sum(w.job is not None for w in self.workers.values())
                while pending and len(self.workers) < min(self.size, len(pending) + busy):
                    if starts_left <= 0:
                        break
                    starts_left -= 1
                    self._start()
                if pending and not self.workers:  # every replacement died at start-up
                    while pending:
                        job, lost = pending.popleft()
                        finish(
                            JobResult(
                                key=job.key,
                                status="failed",
                                seconds=0.0,
                                error="ingen arbetsprocess kunde köra rapporten",
                                attempts=lost,
                            )
                        )
        except BatchInterrupted as stop:
            inflight = self.inflight()
            for result in self.abort().values():
                done.setdefault(result.key, result)
            stop.done = done
            stop.inflight = [key for key in inflight if key not in done]
            raise
        finally:
            bar.close()
        return done
