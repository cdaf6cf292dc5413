"""Notebook execution for batch rendering: warm kernels, papermill engines, one report.

Two ways to run a report, giving the same content:

* **warm** (default): each worker process starts ONE kernel (:class:`~analys.render.kernel.WarmKernel`,
  launched before this module is even imported: :func:`analys.render.worker.worker_entry`) and reuses
  it for every notebook. Before each notebook the kernel is reset – matplotlib figures
  closed and rcParams restored, pandas options reset, then IPython's namespace and execution
  counter cleared (``InteractiveShell.reset(new_session=True)``, what ``%reset -f`` does plus a
  fresh counter) – so a report sees the same state as in a new kernel, but imports and
  kernel start-up are paid once per worker instead of once per notebook.
  The reset runs as a silent kernel request rather than as an extra notebook cell, so
  nothing has to be removed from the notebook afterwards.
* **fresh** (``--fresh-kernels``): ``papermill.execute_notebook`` with a new kernel per
  notebook and ``shutdown_kernel="immediate"`` (avoids the graceful-shutdown hang).

Both run through papermill (``execute_notebook``), so parameter injection, the
``injected-parameters`` cell, cell metadata and the error marker cells are papermill's.
The warm engine is registered as the papermill engine ``analys-warm``.

A kernel that dies (``DeadKernelError``) is replaced and its notebook retried once.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
import papermill
from nbclient.exceptions import DeadKernelError
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.exceptions import PapermillExecutionError
from papermill.execute import ERROR_MARKER_TAG
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook
from papermill.utils import merge_kwargs, remove_args

from analys.render.htmlexport import ExternalReferenceError, ReportExporter, failure_page
from analys.render.jobs import Job, JobResult
from analys.render.kernel import (  # noqa: F401 (re-exported)
    KERNEL_NAME,
    RESET_CODE,
    WARMUP_CODE,
    KernelStartError,
    WarmKernel,
)
from analys.render.stop import hold_stop
from analys.safe import markdown_text
from analys.summary import read_summary

if TYPE_CHECKING:
    from analys.render.pdf import PdfPrinter

CELL_TIMEOUT = 600  # seconds one cell may run before the report counts as failed

logger = logging.getLogger(__name__)

# papermill engines -----------------------------------------------------------------------

#: the notebook the last engine run worked on, so a kernel death still leaves the outputs
#: so far (papermill loses them when the engine raises); one per process, workers are serial
_last_notebook: dict[str, nbformat.NotebookNode] = {}


class FreshKernelEngine(NBClientEngine):
    """papermill's own nbclient engine, remembering the notebook it executes."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):  # noqa: D102
        _last_notebook["nb"] = nb_man.nb
        return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)


class WarmKernelEngine(NBClientEngine):
    """A papermill engine that executes in an already running :class:`WarmKernel`.

    Pass the kernel as the engine keyword ``warm_kernel``; it is reset first and is not shut
    down afterwards.
    """

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):  # noqa: D102
        warm: WarmKernel = kwargs.pop("warm_kernel")
        _last_notebook["nb"] = nb_man.nb
        warm.reset()
        kwargs = remove_args(
            ["input_path", "timeout", "startup_timeout", "shutdown_kernel"], **kwargs
        )
        final_kwargs = merge_kwargs(
            kwargs,
            timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=warm.kernel_name,
            log=logging.getLogger("papermill"),
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client = PapermillNotebookClient(nb_man, km=warm.km, **final_kwargs)
        client.kc = warm.kc
        return client.execute()


papermill_engines.register("analys-warm", WarmKernelEngine)
papermill_engines.register("analys-fresh", FreshKernelEngine)


# one report ------------------------------------------------------------------------------


def _error_text(nb: nbformat.NotebookNode | None, fallback: str) -> str:
    if nb is not None:
        for cell in nb.cells:
            for output in cell.get("outputs", []) or []:
                if output.get("output_type") == "error":
                    return f"{output.get('ename')}: {output.get('evalue')}".strip()
    return fallback


def _swedish_error_banner(nb: nbformat.NotebookNode, message: str) -> nbformat.NotebookNode:
    """Replace papermill's English error markers with Swedish ones (same tags)."""
    style = 'style="color:#b00020; font-size:1.4em;"'
    cells = [c for c in nb.cells if ERROR_MARKER_TAG not in c.get("metadata", {}).get("tags", [])]
    anchor_at = None
    for index, cell in enumerate(cells):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", []) or []):
            anchor_at = index
            break
    if anchor_at is not None:
        anchor = nbformat.v4.new_markdown_cell(
            f'<span id="papermill-error-cell" {style}>Körningen stoppade här med ett fel:</span>'
        )
        anchor.metadata["tags"] = [ERROR_MARKER_TAG]
        cells.insert(anchor_at, anchor)
    link = ' (<a href="#papermill-error-cell">se cellen</a>)' if anchor_at is not None else ""
    banner = nbformat.v4.new_markdown_cell(
        f"<span {style}>Rapporten kunde inte skapas{link}: {_escape(message)}</span>"
    )
    banner.metadata["tags"] = [ERROR_MARKER_TAG]
    nb.cells = [banner, *cells]
    return nb


def _escape(text: str) -> str:
    return markdown_text(text)


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:  # a lone surrogate, a full disk, a stop signal: no 0-byte leftovers
        tmp.unlink(missing_ok=True)
        raise


class Renderer:
    """Executes jobs one after another in this process (one worker of the pool).

    Parameters
    ----------
    fresh_kernels
        New kernel per notebook instead of one warm kernel.
    show_code
        Keep code cells in the HTML.
    kernel_name
        Jupyter kernel spec.
    timeout
        Seconds a single cell may run.
    kernel
        A warm kernel already launched (it may still be warming up); by default one is
        started when the first report needs it.
    kernel_output
        File descriptor for the stdout/stderr of the kernels this renderer starts
        (:class:`WarmKernel` ``output``); by default they inherit this process's.
    """

    def __init__(
        self,
        *,
        fresh_kernels: bool = False,
        show_code: bool = False,
        kernel_name: str = KERNEL_NAME,
        timeout: float = CELL_TIMEOUT,
        kernel: WarmKernel | None = None,
        pdf: bool = False,
        kernel_output: int | None = None,
    ) -> None:
        self.fresh_kernels = fresh_kernels
        self.kernel_name = kernel_name
        self.timeout = timeout
        self.exporter = ReportExporter(show_code=show_code)
        self._warm: WarmKernel | None = kernel
        self.kernel_output = kernel_output
        self._printer: PdfPrinter | None = None
        if pdf:  # one browser for the worker, launched while the kernel warms up
            from analys.render.pdf import PdfPrinter

            self._printer = PdfPrinter()
            self._printer.start()
        logging.getLogger("papermill").setLevel(logging.ERROR)

    # kernel handling
    def _kernel(self) -> WarmKernel:
        """The warm kernel, ready; one that dies or never answers is replaced once."""
        if self._warm is not None and not self._warm.is_alive():
            self._replace_kernel()
        if self._warm is None:
            self._warm = WarmKernel(self.kernel_name, wait=False, output=self.kernel_output)
        try:
            self._warm.wait_ready()
        except Exception:
            logger.warning("warm kernel did not start; trying a new one", exc_info=True)
            self._replace_kernel()
            self._warm = WarmKernel(
                self.kernel_name, output=self.kernel_output
            )  # raises: the report fails with why
        return self._warm

    def _replace_kernel(self) -> None:
        if self._warm is not None:
            self._warm.shutdown()
            self._warm = None

    def close(self) -> None:
        """Shut the warm kernel (and the PDF printer's browser) down."""
        self._replace_kernel()
        if self._printer is not None:
            self._printer.close()
            self._printer = None

    # execution
    def _execute(self, job: Job, scratch: Path) -> nbformat.NotebookNode:
        kwargs: dict[str, Any] = dict(
            parameters=job.parameters,
            kernel_name=self.kernel_name,
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=self.timeout,
        )
        _last_notebook.clear()
        if self.fresh_kernels:
            return papermill.execute_notebook(
                job.template,
                str(scratch),
                engine_name="analys-fresh",
                shutdown_kernel="immediate",
                **kwargs,
            )
        return papermill.execute_notebook(
            job.template,
            str(scratch),
            engine_name="analys-warm",
            warm_kernel=self._kernel(),
            **kwargs,
        )

    def run(self, job: Job) -> JobResult:
        """Execute ``job``, write its ``.ipynb`` and ``.html``; never raises for a bad report.

        On success the files are moved into place atomically and any earlier
        ``.failed.*`` files of the same report are removed. On failure the partly executed
        notebook (with a Swedish error banner) and its HTML go to ``<area>.failed.ipynb`` and
        ``<area>.failed.html``; a good report rendered before stays untouched.
        """
        start = time.perf_counter()
        ipynb = Path(job.ipynb)
        ipynb.parent.mkdir(parents=True, exist_ok=True)
        scratch = ipynb.with_name(f".{ipynb.stem}.{os.getpid()}.run.ipynb")
        attempts, nb, error = 0, None, ""
        try:
            while True:
                attempts += 1
                try:
                    nb = self._execute(job, scratch)
                    error = ""
                    break
                except PapermillExecutionError as exc:
                    nb = nbformat.read(scratch, as_version=4)
                    error = f"{exc.ename}: {exc.evalue}".strip()
                    break
                except DeadKernelError:
                    nb = _last_notebook.get("nb")
                    self._replace_kernel()
                    error = "kärnan dog under körningen (försökte två gånger)"
                    if attempts >= 2:
                        break
                except Exception as exc:  # a timeout, a kernel that would not start, …
                    nb = _last_notebook.get("nb")
                    self._replace_kernel()
                    error = _error_text(nb, f"{type(exc).__name__}: {exc}")
                    logger.debug("render failed", exc_info=True)
                    if not error:
                        error = traceback.format_exc(limit=1)
                    break
        finally:
            scratch.unlink(missing_ok=True)
        hold_stop()  # a stop signal now waits until the files are written and sent
        try:
            try:
                written = self._write(job, nb, error)
            except ExternalReferenceError as exc:  # the page would reach outside: failed
                error = str(exc)
                written = self._write(job, nb, error)
        except Exception as exc:  # the files could not be written: say so, keep going
            logger.warning("could not write %s", job.key, exc_info=True)
            written = []
            problem = f"{type(exc).__name__}: {exc}"
            error = (
                f"{error} (felrapporten kunde inte sparas: {problem})"
                if error
                else f"rapporten kunde inte sparas: {problem}"
            )
        summary = read_summary(nb) if nb is not None and not error else None
        problems: list[str] = []
        if self._printer is not None and not error:
            problems.extend(self._print_pdf(job, summary, written))
        return JobResult(
            key=job.key,
            status="failed" if error else "ok",
            seconds=time.perf_counter() - start,
            error=error,
            summary=summary,
            attempts=attempts,
            written=written,
            problems=problems,
        )

    def _print_pdf(self, job: Job, summary: dict[str, Any] | None, written: list[str]) -> list[str]:
        """``<area>.pdf`` from the new HTML; a failure is a problem, the report stays good.

        A PDF from an earlier render is removed when the new one cannot be made, so a PDF never
        disagrees with the HTML beside it.
        """
        from analys.render.pdf import PageHeader

        year = (summary or {}).get("year") or job.parameters.get("year")
        header = PageHeader(
            municipality=job.municipality_name,
            title=job.title,
            year=str(year) if year else "",
            demo=job.parameters.get("source") == "demo",
        )
        try:
            self._printer.print(job.html, job.pdf, header)
        except Exception as exc:  # noqa: BLE001 – reported per report, never stops the batch
            logger.warning("PDF failed for %s", job.key, exc_info=True)
            Path(job.pdf).unlink(missing_ok=True)
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return [f"PDF kunde inte skapas: {reason}"]
        written.append(job.pdf)
        return []

    def _write(self, job: Job, nb: nbformat.NotebookNode | None, error: str) -> list[str]:
        if nb is None:  # nothing executed at all: keep the parameterised template
            nb = parameterize_notebook(load_notebook_node(job.template), job.parameters)
        meta = nb.metadata.setdefault("papermill", {})
        if error:
            nb = _swedish_error_banner(nb, error)
            targets = Path(job.failed_ipynb), Path(job.failed_html)
        else:
            targets = Path(job.ipynb), Path(job.html)
        meta["output_path"] = str(targets[0])
        nb.metadata["title"] = job.label
        if job.fingerprint and not error:  # what the report was made from (--force, §3)
            nb.metadata.setdefault("analys", {})["fingerprint"] = job.fingerprint
        try:  # the page first: one with external references writes nothing
            page = self.exporter.to_html(nb, title=job.label)
        except ExternalReferenceError:
            if not error:
                raise
            page = failure_page(job.label, error)
        _atomic_write_text(targets[0], nbformat.writes(nb))
        _atomic_write_text(targets[1], page)
        if not error:
            Path(job.failed_ipynb).unlink(missing_ok=True)
            Path(job.failed_html).unlink(missing_ok=True)
        return [str(t) for t in targets]
