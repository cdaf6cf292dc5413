"""Batch rendering on a Dask cluster: ``analys render … --cluster``.

The same batch as the local pool (:class:`analys.render._Pool`), executed by the workers of a
Dask distributed cluster instead of local processes:

* ``--cluster tcp://HOST:PORT`` uses a running scheduler (``dask scheduler`` and
  ``dask worker tcp://HOST:PORT --nthreads 1`` on any number of hosts);
  ``--cluster local:N`` starts a :class:`distributed.LocalCluster` with N worker processes of
  one thread each and closes it with the batch.
* **A warm kernel per worker.** A worker plugin (``KernelPlugin``) gives each Dask worker one
  render thread owning a :class:`~analys.render.kernel.WarmKernel` and the engine's
  :class:`~analys.render.engine.Renderer` – the same code as a local pool worker. A kernel that dies
  is replaced before the next report (the renderer's own check); the plugin's ``teardown``
  shuts the kernel down with the worker or at the end of the batch. The kernel is started
  from the render thread, so it dies with the worker process (``PR_SET_PDEATHSIG``).
* **Shared data once.** What the local pool's workers read from the batch's scratch folder
  (the parquet data cache, and whatever else is prepared there for every report), the report
  templates, params files given as paths and the client's ``params/`` travel to every worker
  once, in a second worker plugin (``SharePlugin``) registered after the data is loaded; the
  scheduler hands it to workers that join later too. Paths in a job's parameters are mapped
  to the worker's copies, and back to the client's paths in the finished notebook.
* **Results come home.** A worker renders into its own scratch folder (inside the Dask
  worker's ``local_directory``) and returns the bytes of the notebook, HTML and PDF (or the
  workbook). The client writes them into OUT atomically (temp file + rename) – no shared file
  system is needed – removes the ``.failed.*`` files of a report that now rendered, and
  builds the index as with the local pool. A failed report arrives as ``.failed.*`` files, so
  a good old report is never overwritten.
* **Lost workers.** A worker that dies mid-report (killed, out of memory) makes the scheduler
  run its reports again on another worker (Dask's ``allowed-failures``, 3 by default); a report
  that kills every worker it meets fails with a Swedish message, and a cluster left with no
  worker for :data:`WORKER_WAIT` seconds fails the remaining reports rather than hang.

``distributed`` is imported inside functions only: the local path never pays its import. The
plugin classes subclass :class:`distributed.diagnostics.plugin.WorkerPlugin` and are created
on first use (module ``__getattr__``), so they still pickle by reference.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from analys.errors import ParamsError
from analys.render import cluster_worker
from analys.render.cluster_worker import CLOSE_GRACE
from analys.render.jobs import Job, JobResult, WorkbookJob
from analys.render.plan import ClusterSpec
from analys.render.pool import hold_interrupt
from analys.render.progress import BatchProgress
from analys.render.results import BatchInterrupted

#: seconds to reach a scheduler before ``--cluster tcp://…`` is refused (exit 2)
CONNECT_TIMEOUT = 5.0
#: seconds a batch waits for a first worker, and for a worker after the cluster lost them all
WORKER_WAIT = 120.0
#: how often a report is retried when its task raises (a lost worker is Dask's business)
TASK_RETRIES = 1

logger = logging.getLogger(__name__)

#: preloaded into the workers of a LocalCluster: a terminal's Ctrl-C reaches the whole
#: process group, and the batch (not each worker) decides how to stop. A Python handler
#: rather than SIG_IGN, which the kernels would inherit (as in
#: :func:`analys.render.jobs.install_stop_handlers`).
IGNORE_SIGINT = "import signal\nsignal.signal(signal.SIGINT, lambda signum, frame: None)\n"

# the client side --------------------------------------------------------------------------------


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:  # a full disk, a stop signal: no half-written leftovers
        tmp.unlink(missing_ok=True)
        raise


def deliver(delivery: cluster_worker.Delivery) -> JobResult:
    """Write a worker's files into OUT atomically; return the job's result.

    A file that cannot be written makes the report failed (the reason in Swedish), as with
    the local pool; files already in place stay.
    """
    result = delivery.result
    written: list[str] = []
    try:
        for name, data in delivery.files:
            _atomic_write_bytes(Path(name), data)
            written.append(name)
        for name in delivery.remove:
            Path(name).unlink(missing_ok=True)
    except OSError as exc:
        problem = f"{type(exc).__name__}: {exc}"
        result.error = (
            f"{result.error} (felrapporten kunde inte sparas: {problem})"
            if result.error
            else f"rapporten kunde inte sparas: {problem}"
        )
        result.status = "failed"
    result.written = written
    return result


def _failed(job: Job | WorkbookJob, error: str, attempts: int = 1) -> JobResult:
    return JobResult(key=job.key, status="failed", seconds=0.0, error=error, attempts=attempts)


@contextlib.contextmanager
def _quiet_distributed() -> Iterator[None]:
    """Dask's own log lines (a worker restarting …) stay off the terminal during the batch."""
    loggers = [logging.getLogger(name) for name in ("distributed", "dask")]
    levels = [log.level for log in loggers]
    for log in loggers:
        log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for log, level in zip(loggers, levels, strict=True):
            log.setLevel(level)


#: the loggers of Dask's event loop, which report the callbacks that a stopped batch cuts
#: short (a comm closed under them) as tracebacks: the batch's summary says what happened
_TEARDOWN_LOGGERS = ("distributed", "dask", "tornado", "asyncio")


def _silence_teardown() -> None:
    """No traceback from Dask's event loop after a batch was stopped (a signal): its
    callbacks may still run while the process exits, so the loggers stay silent."""
    for name in _TEARDOWN_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


class ClusterPool:
    """The render pool on a Dask cluster; the same interface as :class:`analys.render._Pool`.

    Connects (or starts a LocalCluster) at once and registers the kernel plugin, so the
    workers' kernels warm up while the caller loads the data; :meth:`run` ships the shared
    files, submits one task per job and writes the results. Always :meth:`close` it (it is a
    context manager); an interrupt stops at once (:meth:`abort`).

    Raises
    ------
    ParamsError
        The scheduler does not answer within :data:`CONNECT_TIMEOUT` seconds, or has no
        worker within :data:`WORKER_WAIT` seconds (nothing has been written).
    """

    def __init__(self, spec: ClusterSpec, options: dict[str, Any], scratch: Path) -> None:
        self.spec = spec
        self.options = dict(options)
        self.scratch = Path(scratch)
        self.batch = uuid.uuid4().hex[:12]
        self.started_jobs = 0
        self.cluster: Any = None
        self.client: Any = None
        self._plugins: list[str] = []
        self._futures: dict[Any, Job | WorkbookJob] = {}
        self._closed = False
        self._quiet = _quiet_distributed()
        self._quiet.__enter__()
        try:
            self._connect()
            self.client.register_plugin(
                cluster_worker.plugin("KernelPlugin")(
                    self.batch, self.options, cluster_worker.params_files()
                ),
                name=cluster_worker.kernel_plugin_name(self.batch),
            )
            self._plugins.append(cluster_worker.kernel_plugin_name(self.batch))
        except BaseException as error:
            self.abort(stopped=not isinstance(error, Exception))
            raise

    def _connect(self) -> None:
        from distributed import Client, LocalCluster

        if self.spec.local_workers:
            self.cluster = LocalCluster(
                n_workers=self.spec.local_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # a free port: no warning when 8787 is taken
                silence_logs=logging.ERROR,
                preload=[IGNORE_SIGINT],
            )
            self.client = Client(self.cluster, set_as_default=False)
            return
        try:
            self.client = Client(self.spec.address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except Exception:  # noqa: BLE001 – refused, unknown host, timed out: all the same here
            raise ParamsError(
                f"--cluster: ingen Dask-schemaläggare svarar på {self.spec.address} (väntade "
                f"{CONNECT_TIMEOUT:g} s) – starta den med 'dask scheduler' och kontrollera "
                "adressen och brandväggen"
            ) from None
        try:
            self.client.wait_for_workers(1, timeout=WORKER_WAIT)
        except TimeoutError:
            raise ParamsError(
                f"--cluster: schemaläggaren {self.spec.address} har inga arbetare (väntade "
                f"{WORKER_WAIT:g} s) – starta dem med 'dask worker {self.spec.address} "
                "--nthreads 1'"
            ) from None

    def __enter__(self) -> ClusterPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is not None and not issubclass(kind, Exception):
            self.abort(stopped=True)
        else:
            self.close()

    # running ------------------------------------------------------------------------------

    def inflight(self) -> list[str]:
        """Keys of the reports handed to the cluster and not finished."""
        return [job.key for future, job in self._futures.items() if not future.done()]

    def run(self, jobs: list[Job | WorkbookJob], *, progress: bool) -> dict[str, JobResult]:
        """Render ``jobs`` on the cluster with a progress bar; return each job's result."""
        from distributed import wait

        done: dict[str, JobResult] = {}
        if not jobs:
            return done
        self.client.register_plugin(
            cluster_worker.plugin("SharePlugin")(
                self.batch, cluster_worker.shared_files(self.scratch, jobs)
            ),
            name=cluster_worker.share_plugin_name(self.batch),
        )
        self._plugins.append(cluster_worker.share_plugin_name(self.batch))
        bar = BatchProgress(len(jobs), enabled=progress)

        def finish(result: JobResult, label: str) -> None:
            done[result.key] = result
            bar.finished(result, label)

        try:
            queued = deque(enumerate(jobs))
            pending: set[Any] = set()
            slots = max(1, self._threads())
            alone_since: float | None = None
            next_look = time.monotonic() + 2.0
            while queued or pending:
                # no more reports in the cluster than it has threads: Dask would queue more
                # on a worker, and a worker that dies would count against all of them
                while queued and len(pending) < slots:
                    number, job = queued.popleft()
                    future = self.client.submit(
                        cluster_worker.run_on_worker,
                        self.batch,
                        job,
                        key=f"analys-{self.batch}-{number}",
                        pure=False,
                        retries=TASK_RETRIES,
                    )
                    self._futures[future] = job
                    pending.add(future)
                    self.started_jobs += 1
                try:
                    with self.client.as_current():
                        finished, rest = wait(pending, timeout=1.0, return_when="FIRST_COMPLETED")
                    pending = set(rest)
                except TimeoutError:
                    finished = set()
                for future in finished:
                    job = self._futures[future]
                    with hold_interrupt():  # a result read is a result written
                        finish(self._outcome(future, job), job.label)
                if time.monotonic() < next_look:
                    continue
                next_look = time.monotonic() + 2.0
                threads = self._threads()  # workers come (a restart, a new host) and go
                slots = max(1, threads)
                if threads:
                    alone_since = None
                elif alone_since is None:
                    alone_since = time.monotonic()
                elif time.monotonic() - alone_since > WORKER_WAIT:  # fail, never hang
                    gone = f"inga Dask-arbetare kvar i klustret (väntade {WORKER_WAIT:g} s)"
                    for future in pending:
                        future.cancel()
                        finish(_failed(self._futures[future], gone), self._futures[future].label)
                    for _, job in queued:
                        finish(_failed(job, gone, attempts=0), job.label)
                    pending, queued = set(), deque()
        except BatchInterrupted as stop:
            inflight = self.inflight()
            stop.done = done
            stop.inflight = [key for key in inflight if key not in done]
            self.abort(stopped=True)
            raise
        finally:
            bar.close()
        return done

    def _outcome(self, future: Any, job: Job | WorkbookJob) -> JobResult:
        """The result of a finished future: the files written, or why the report failed."""
        if future.status == "finished":
            try:
                return deliver(future.result())
            except Exception as exc:  # noqa: BLE001 – a result that cannot be fetched
                return _failed(job, f"resultatet kunde inte hämtas: {type(exc).__name__}: {exc}")
        if future.status == "cancelled":
            return _failed(job, "rapporten avbröts i klustret", attempts=0)
        from distributed import KilledWorker

        error = future.exception()
        if isinstance(error, KilledWorker):
            return _failed(
                job,
                "Dask-arbetaren dog under körningen, också när rapporten kördes om på en "
                "annan arbetare",
                attempts=2,
            )
        return _failed(job, f"{type(error).__name__}: {error}")

    def _threads(self) -> int:
        """The threads of the cluster's workers now (0 when it has none or cannot say)."""
        try:
            return sum((self._bounded(self.client.nthreads, 10.0) or {}).values())
        except Exception:  # noqa: BLE001 – the scheduler is gone: no workers either
            return 0

    # shutting down ------------------------------------------------------------------------

    @staticmethod
    def _bounded(call: Any, seconds: float) -> Any:
        """``call()`` in a helper thread; ``None`` if it did not return in ``seconds``."""
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["value"] = call()
            except BaseException as error:  # noqa: BLE001 – handed back below
                box["error"] = error

        thread = threading.Thread(target=target, name="analys-cluster-call", daemon=True)
        thread.start()
        thread.join(seconds)
        if "error" in box:
            raise box["error"]
        return box.get("value")

    def _shutdown(self, *, cancel: bool, stopped: bool = False) -> None:
        if self._closed:
            return
        self._closed = True
        client, cluster = self.client, self.cluster
        self.client = self.cluster = None
        if stopped:  # ended now (nothing restores the levels later), then silent for good
            self._quiet.__exit__(None, None, None)
            _silence_teardown()
        if client is not None:
            if cancel and self._futures:
                with contextlib.suppress(Exception):
                    self._bounded(lambda: client.cancel(list(self._futures), force=True), 5.0)
            if cluster is None:  # a shared cluster: take the kernels and files off its workers
                for name in reversed(self._plugins):
                    with contextlib.suppress(Exception):
                        self._bounded(
                            lambda name=name: client.unregister_worker_plugin(name), CLOSE_GRACE
                        )
            self._futures.clear()
            with contextlib.suppress(Exception):
                self._bounded(lambda: client.close(timeout=CLOSE_GRACE), CLOSE_GRACE + 5)
        if cluster is not None:  # closing the workers tears the plugins (and kernels) down
            with contextlib.suppress(Exception):
                self._bounded(lambda: cluster.close(timeout=CLOSE_GRACE), CLOSE_GRACE + 5)
        self._plugins.clear()
        if not stopped:
            self._quiet.__exit__(None, None, None)

    def close(self) -> None:
        """End the batch: the workers' kernels shut down, a LocalCluster it started closed."""
        self._shutdown(cancel=False)

    def abort(self, *, stopped: bool = False) -> None:
        """Stop now: cancel what is left, then close as :meth:`close` does. ``stopped``: by a
        signal – Dask's event loop then stays silent (:func:`_silence_teardown`)."""
        self._shutdown(cancel=True, stopped=stopped)
