"""The worker side of a batch on a Dask cluster (:mod:`analys.render.cluster`).

What travels to the workers once (the batch's shared files, templates and params), the two
worker plugins (a warm kernel and a render thread per worker; the shared files), and the task
that renders one report on a worker and returns its files as bytes. ``distributed`` is imported
inside functions only; the plugin classes are made on first use (module ``__getattr__``), so
they pickle by reference to this module.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from analys.render.jobs import Job, JobResult, WorkbookJob

#: seconds the shut-down steps (plugin teardown, cluster close) may take each
CLOSE_GRACE = 20.0


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


class Share:
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


def to_client_text(data: bytes, pairs: list[tuple[str, str]]) -> bytes:
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


def params_files() -> dict[str, bytes]:
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

    def render(self, job: Job | WorkbookJob, share: Share, worker: str) -> Delivery:
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
                    data = to_client_text(data, pairs)
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
        self.share: Share | None = None

    def setup(self, worker: Any) -> None:
        root = Path(getattr(worker, "local_directory", "") or tempfile.gettempdir())
        root.mkdir(parents=True, exist_ok=True)
        base = Path(tempfile.mkdtemp(prefix=f"analys-{self.batch}-data-", dir=root))
        self.share = Share(self.roots, base)
        self.roots = {}  # on disk now; the scheduler keeps the copy for workers that join

    async def teardown(self, worker: Any) -> None:
        kernel = getattr(worker, "plugins", {}).get(kernel_plugin_name(self.batch))
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


def kernel_plugin_name(batch: str) -> str:
    return f"analys-render-{batch}"


def share_plugin_name(batch: str) -> str:
    return f"analys-data-{batch}"


def run_on_worker(batch: str, job: Job | WorkbookJob) -> Delivery:
    """The Dask task of one report: render it with this worker's plugins (never raises for
    a bad report; the result says why it failed)."""
    from distributed import get_worker

    worker = get_worker()
    kernel = worker.plugins[kernel_plugin_name(batch)]
    share = worker.plugins[share_plugin_name(batch)].share
    return kernel.render(job, share, worker.address)


def plugin(name: str) -> Any:
    """The Dask ``WorkerPlugin`` type ``KernelPlugin`` or ``SharePlugin`` (made on first use)."""
    return __getattr__(name)
