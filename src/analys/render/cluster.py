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
import queue
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from analys.errors import ParamsError
from analys.render.jobs import Job, JobResult, WorkbookJob
from analys.render.plan import ClusterSpec
from analys.render.pool import _hold_interrupt
from analys.render.results import BatchInterrupted

#: seconds to reach a scheduler before ``--cluster tcp://…`` is refused (exit 2)
CONNECT_TIMEOUT = 5.0
#: seconds a batch waits for a first worker, and for a worker after the cluster lost them all
WORKER_WAIT = 120.0
#: seconds the shut-down steps (plugin teardown, cluster close) may take each
CLOSE_GRACE = 20.0
#: how often a report is retried when its task raises (a lost worker is Dask's business)
TASK_RETRIES = 1

logger = logging.getLogger(__name__)

#: preloaded into the workers of a LocalCluster: a terminal's Ctrl-C reaches the whole
#: process group, and the batch (not each worker) decides how to stop. A Python handler
#: rather than SIG_IGN, which the kernels would inherit (as in
#: :func:`analys.render.jobs.install_stop_handlers`).
IGNORE_SIGINT = "import signal\nsignal.signal(signal.SIGINT, lambda signum, frame: None)\n"

# what travels: files once per worker, results back ----------------------------------------------


@dataclass
class Delivery:
    """A finished job as a worker returns it: the result and the files to write into OUT.

    ``files`` are (client path, bytes) in the order to write; ``remove`` are client paths to
    delete once they are written (the ``.failed.*`` files of a report that now rendered, a PDF
    that could not be made anew).
    """

    result: JobResult
    files: list[tuple[str, bytes]] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    worker: str = ""


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


class _Share:
    """The shared files as one worker holds them: client folder ↔ worker folder."""

    def __init__(self, roots: dict[str, dict[str, bytes]], base: Path) -> None:
        self.base = base
        #: client folder → worker folder, longest client folder first
        self.folders: dict[str, str] = {}
        for number, (root, members) in enumerate(sorted(roots.items())):
            local = base / f"r{number}"
            for relative, data in members.items():
                target = local / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            self.folders[root] = str(local)
        self.folders = dict(sorted(self.folders.items(), key=lambda kv: -len(kv[0])))

    def to_worker(self, value: Any) -> Any:
        """``value`` with every path under a shared client folder mapped to the worker's copy."""
        if isinstance(value, str):
            for root, local in self.folders.items():
                if _under(value, root):
                    return local + value[len(root) :]
            return value
        if isinstance(value, dict):
            return {k: self.to_worker(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.to_worker(v) for v in value)
        return value

    def back(self, extra: dict[str, str]) -> list[tuple[str, str]]:
        """(worker folder, client folder) pairs to map a notebook's paths back, longest first."""
        pairs = [(local, root) for root, local in self.folders.items()]
        pairs += list(extra.items())
        return sorted(pairs, key=lambda kv: -len(kv[0]))


def _to_client_text(data: bytes, pairs: list[tuple[str, str]]) -> bytes:
    """The notebook/HTML as the client would have written it: worker paths → client paths."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    for local, client in pairs:
        text = text.replace(local, client)
    return text.encode("utf-8")


def shared_files(scratch: Path, jobs: list[Job | WorkbookJob]) -> dict[str, dict[str, bytes]]:
    """What every worker needs besides the job itself, by client folder: {relative: bytes}.

    The batch's scratch folder (the data cache and anything else prepared there for all
    reports; not the local pool's logs and kernel files), the templates, and files named by
    absolute path in the jobs (a params file given as a path).
    """
    roots: dict[str, dict[str, bytes]] = {}

    def add(path: Path, root: Path) -> None:
        roots.setdefault(str(root), {})[path.relative_to(root).as_posix()] = path.read_bytes()

    scratch = Path(scratch)
    for path in sorted(scratch.rglob("*")):
        relative = path.relative_to(scratch)
        if path.is_file() and relative.parts[0] != "runtime" and path.suffix != ".log":
            add(path, scratch)

    def named(value: Any) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from named(item)
        elif isinstance(value, list | tuple):
            for item in value:
                yield from named(item)

    for job in jobs:
        strings = [job.template, *named(job.parameters)] if isinstance(job, Job) else []
        if isinstance(job, WorkbookJob):
            strings = [job.data_cache, *job.areas]
        for text in strings:
            path = Path(text)
            if not os.path.isabs(text) or not path.is_file():
                continue
            inside = [Path(root) for root in roots if _under(text, root)]
            add(path, inside[0] if inside else path.parent)
    return roots


def _params_files() -> dict[str, bytes]:
    """The client's params files (areas named without a path resolve to these on a worker)."""
    from analys.goals import params_dir

    folder = params_dir()
    if not folder.is_dir():
        return {}
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.yaml"))}


# the worker side --------------------------------------------------------------------------------


class _RenderThread(threading.Thread):
    """One thread of a Dask worker that owns the warm kernel and renders one report at a time.

    The kernel is launched from this thread (it dies with the thread's process) and is used
    by this thread only; tasks hand it work with :meth:`call`.
    """

    def __init__(self, options: dict[str, Any], log: Path) -> None:
        super().__init__(name="analys-render", daemon=True)
        self.options = options
        self.log = log
        self.tasks: queue.Queue[tuple[Any, Future] | None] = queue.Queue()
        self.closing = threading.Event()
        self.lock = threading.Lock()
        self.renderer: Any = None

    def run(self) -> None:
        from analys.render.kernel import KernelStartError, WarmKernel
        from analys.render.stop import skip_slow_optional_imports

        skip_slow_optional_imports()
        # the kernels' start-up warnings go to the worker's scratch, not its terminal
        output = os.open(self.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        kernel = None
        if not self.options.get("fresh_kernels"):
            try:
                kernel = WarmKernel(wait=False, output=output)  # boots while the engine imports
            except Exception:  # noqa: BLE001 – the renderer starts one per report, says why
                kernel = None
        from analys.render.engine import Renderer

        renderer = Renderer(
            fresh_kernels=bool(self.options.get("fresh_kernels")),
            show_code=bool(self.options.get("show_code")),
            kernel=kernel,
            pdf=bool(self.options.get("pdf")),
            kernel_output=output,
        )
        replace_kernel = renderer._kernel

        def kernel_unless_closing() -> Any:  # a closing worker starts no new kernel
            if self.closing.is_set():
                raise KernelStartError("arbetaren stängdes under körningen")
            return replace_kernel()

        renderer._kernel = kernel_unless_closing
        self.renderer = renderer
        try:
            while True:
                item = self.tasks.get()
                if item is None:
                    break
                work, future = item
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(work(renderer))
                except BaseException as error:  # noqa: BLE001 – handed to the waiting task
                    future.set_exception(error)
        finally:
            renderer.close()
            self.renderer = None
            os.close(output)

    def call(self, work: Any) -> Any:
        """Run ``work(renderer)`` in this thread and return its result."""
        future: Future = Future()
        with self.lock:  # never behind the stop marker: that would wait for ever
            if self.closing.is_set() or not self.is_alive():
                raise RuntimeError("Dask-arbetarens renderingstråd är stängd")
            self.tasks.put((work, future))
        return future.result()

    def stop(self, grace: float = CLOSE_GRACE) -> None:
        """Finish: no new kernel, the current one shut down; a busy report is cut short."""
        with self.lock:
            self.closing.set()
            self.tasks.put(None)
        self.join(1.0)
        renderer = self.renderer
        warm = getattr(renderer, "_warm", None)
        if self.is_alive() and warm is not None and warm.pid:
            with contextlib.suppress(OSError):  # the report in progress ends with its kernel
                os.kill(warm.pid, signal.SIGKILL)
        self.join(grace)


class _WorkerLog:
    """The render's own log lines (papermill, nbclient, analys) go to the worker's scratch
    folder while the batch runs, as a local pool worker's go to its log file; a LocalCluster
    worker would otherwise print them into the terminal of ``analys render``."""

    NAMES = ("analys", "papermill", "nbclient", "traitlets")

    def __init__(self, path: Path) -> None:
        self.handler = logging.FileHandler(path, encoding="utf-8")
        self.handler.setFormatter(
            logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s")
        )
        self.saved = []
        for name in self.NAMES:
            log = logging.getLogger(name)
            self.saved.append((log, log.propagate))
            log.addHandler(self.handler)
            log.propagate = False

    def close(self) -> None:
        for log, propagate in self.saved:
            log.removeHandler(self.handler)
            log.propagate = propagate
        self.handler.close()


class _KernelPluginBase:
    """Per Dask worker: a scratch folder, the client's params files and the render thread."""

    def __init__(self, batch: str, options: dict[str, Any], params: dict[str, bytes]) -> None:
        self.batch = batch
        self.options = dict(options)
        self.params = params
        self.base: Path | None = None
        self.thread: _RenderThread | None = None
        self._env: str | None = None
        self._log: _WorkerLog | None = None

    async def stop(self) -> None:
        """Stop the render thread (its kernel shut down); also before the shared files go."""
        import asyncio

        if self.thread is not None:  # both plugins' teardowns may wait for it at once
            await asyncio.to_thread(self.thread.stop)

    def setup(self, worker: Any) -> None:
        root = Path(getattr(worker, "local_directory", "") or tempfile.gettempdir())
        root.mkdir(parents=True, exist_ok=True)
        self.base = Path(tempfile.mkdtemp(prefix=f"analys-{self.batch}-", dir=root))
        if self.params:  # areas named without a path are read from the client's params/
            folder = self.base / "params"
            folder.mkdir()
            for name, data in self.params.items():
                (folder / name).write_bytes(data)
            self._env = os.environ.get("ANALYS_PARAMS_DIR")
            os.environ["ANALYS_PARAMS_DIR"] = str(folder)  # the kernel inherits it
        self._log = _WorkerLog(self.base / "worker.log")
        self.thread = _RenderThread(self.options, self.base / "kernel.log")
        self.thread.start()

    async def teardown(self, worker: Any) -> None:
        await self.stop()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.params:
            if self._env is None:
                os.environ.pop("ANALYS_PARAMS_DIR", None)
            else:
                os.environ["ANALYS_PARAMS_DIR"] = self._env
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)

    def render(self, job: Job | WorkbookJob, share: _Share, worker: str) -> Delivery:
        """Run ``job`` in this worker's scratch folder; return its files for the client."""
        assert self.base is not None and self.thread is not None
        folder = Path(tempfile.mkdtemp(prefix="job-", dir=self.base))
        try:
            if isinstance(job, WorkbookJob):
                from analys.render.workbook import run_job

                client_folder = str(Path(job.path).parent)
                local_book = replace(
                    job,
                    data_cache=share.to_worker(job.data_cache),
                    areas=tuple(share.to_worker(a) for a in job.areas),
                    path=str(folder / Path(job.path).name),
                )
                result = run_job(local_book)
                remove: list[str] = []
            else:
                client_folder = str(Path(job.ipynb).parent)
                local = replace(
                    job,
                    template=share.to_worker(job.template),
                    parameters=share.to_worker(job.parameters),
                    ipynb=str(folder / Path(job.ipynb).name),
                    html=str(folder / Path(job.html).name),
                )
                result = self.thread.call(lambda renderer: renderer.run(local))
                remove = []
                if result.status == "ok":
                    remove = [job.failed_ipynb, job.failed_html]
                    if self.options.get("pdf") and local.pdf not in result.written:
                        remove.append(job.pdf)  # never a PDF that disagrees with the HTML
            pairs = share.back({str(folder): client_folder})
            files = []
            for written in result.written:
                path = Path(written)
                data = path.read_bytes()
                if path.suffix in (".ipynb", ".html"):
                    data = _to_client_text(data, pairs)
                files.append((str(Path(client_folder) / path.name), data))
            result.written = [name for name, _ in files]
            return Delivery(result=result, files=files, remove=remove, worker=worker)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


class _SharePluginBase:
    """Per Dask worker: the batch's shared files, written once into the worker's scratch."""

    def __init__(self, batch: str, roots: dict[str, dict[str, bytes]]) -> None:
        self.batch = batch
        self.roots = roots
        self.share: _Share | None = None

    def setup(self, worker: Any) -> None:
        root = Path(getattr(worker, "local_directory", "") or tempfile.gettempdir())
        root.mkdir(parents=True, exist_ok=True)
        base = Path(tempfile.mkdtemp(prefix=f"analys-{self.batch}-data-", dir=root))
        self.share = _Share(self.roots, base)
        self.roots = {}  # on disk now; the scheduler keeps the copy for workers that join

    async def teardown(self, worker: Any) -> None:
        kernel = getattr(worker, "plugins", {}).get(_kernel_plugin_name(self.batch))
        if kernel is not None:  # no report may be left reading the files removed here
            await kernel.stop()
        if self.share is not None:
            shutil.rmtree(self.share.base, ignore_errors=True)
            self.share = None


_PLUGIN_TYPES = {"KernelPlugin": _KernelPluginBase, "SharePlugin": _SharePluginBase}


def __getattr__(name: str) -> Any:
    """``KernelPlugin`` and ``SharePlugin``: the plugin bases as Dask ``WorkerPlugin`` types.

    Made on first use, so that importing this module does not import ``distributed``;
    pickle finds them here by name on the worker.
    """
    if name not in _PLUGIN_TYPES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from distributed.diagnostics.plugin import WorkerPlugin

    made = type(name, (_PLUGIN_TYPES[name], WorkerPlugin), {"__module__": __name__})
    globals()[name] = made
    return made


def _kernel_plugin_name(batch: str) -> str:
    return f"analys-render-{batch}"


def _share_plugin_name(batch: str) -> str:
    return f"analys-data-{batch}"


def run_on_worker(batch: str, job: Job | WorkbookJob) -> Delivery:
    """The Dask task of one report: render it with this worker's plugins (never raises for
    a bad report; the result says why it failed)."""
    from distributed import get_worker

    worker = get_worker()
    kernel = worker.plugins[_kernel_plugin_name(batch)]
    share = worker.plugins[_share_plugin_name(batch)].share
    return kernel.render(job, share, worker.address)


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


def deliver(delivery: Delivery) -> JobResult:
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
                __getattr__("KernelPlugin")(self.batch, self.options, _params_files()),
                name=_kernel_plugin_name(self.batch),
            )
            self._plugins.append(_kernel_plugin_name(self.batch))
        except BaseException:
            self.abort()
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
            self.abort()
        else:
            self.close()

    # running ------------------------------------------------------------------------------

    def inflight(self) -> list[str]:
        """Keys of the reports handed to the cluster and not finished."""
        return [job.key for future, job in self._futures.items() if not future.done()]

    def run(self, jobs: list[Job | WorkbookJob], *, progress: bool) -> dict[str, JobResult]:
        """Render ``jobs`` on the cluster with a progress bar; return each job's result."""
        from distributed import wait
        from tqdm import tqdm

        done: dict[str, JobResult] = {}
        if not jobs:
            return done
        self.client.register_plugin(
            __getattr__("SharePlugin")(self.batch, shared_files(self.scratch, jobs)),
            name=_share_plugin_name(self.batch),
        )
        self._plugins.append(_share_plugin_name(self.batch))
        bar = tqdm(
            total=len(jobs),
            desc="Renderar",
            unit="rapport",
            file=sys.stderr,
            disable=not progress,
            dynamic_ncols=True,
        )

        def finish(result: JobResult, label: str) -> None:
            done[result.key] = result
            if result.status != "ok":
                failed = sum(r.status != "ok" for r in done.values())
                bar.set_description(f"Renderar ({failed} misslyckade)")
            bar.set_postfix_str(label, refresh=False)
            bar.update(1)

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
                        run_on_worker,
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
                    with _hold_interrupt():  # a result read is a result written
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
            self.abort()
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

    def _shutdown(self, *, cancel: bool) -> None:
        if self._closed:
            return
        self._closed = True
        client, cluster = self.client, self.cluster
        self.client = self.cluster = None
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
        self._quiet.__exit__(None, None, None)

    def close(self) -> None:
        """End the batch: the workers' kernels shut down, a LocalCluster it started closed."""
        self._shutdown(cancel=False)

    def abort(self) -> None:
        """Stop now: cancel what is left, then close as :meth:`close` does."""
        self._shutdown(cancel=True)
