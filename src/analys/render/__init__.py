"""Batch rendering: ``analys render`` and ``analys demo``.

One call renders areas × municipalities into ``OUT/<municipality>/<area>.ipynb`` and
``.html``, one overview per municipality (``OUT/<municipality>/oversikt.*``) and
``OUT/index.html``. The steps:

1. **Check** every argument (areas, municipality codes, source, jobs) before anything runs;
   bad input raises :class:`~analys.errors.ParamsError` (exit 2) and nothing is written.
2. **Load the data once**: the values of every KPI the areas use, for all municipalities
   (peers, groups, Riket) and years, into one parquet file in a temporary folder; each
   notebook gets its path as the ``data_cache`` parameter. With ``source="kolada"`` this
   fetches from Kolada into the local store first. ``year`` is checked against the data.
3. **Execute** in a pool of worker processes, each reusing one warm kernel
   (:mod:`analys.render.engine`), or a new kernel per notebook with ``fresh_kernels``.
4. **Write** the index (:mod:`analys.render.index`) and print a Swedish summary.

Failed reports: one failing report never stops the others. Its partly executed notebook,
with the error shown, is written to ``<area>.failed.ipynb`` and ``<area>.failed.html``;
a good ``<area>.ipynb``/``.html`` from an earlier render is never overwritten by a failure
(it stays, and the index links to it as the latest good version). A later successful render
replaces the good files atomically and removes the ``.failed.*`` files.

Faults: the index lists every report a batch planned, with its status – ``ok``
(klar), ``failed`` (misslyckad), ``interrupted`` (avbruten) or ``not_run`` (ej körd) – also
when no file of its own could be written, and links the last good version. A report whose
worker process dies is retried once on a new worker. An area whose data the source lacks
fails alone. Ctrl-C, SIGTERM and SIGHUP stop the workers and their kernels, remove the
scratch folder (data cache, kernel connection files), index what finished and exit with
``128 + signal`` (:class:`BatchInterrupted`); workers and kernels whose parent dies exit by
themselves (:mod:`analys.render.jobs`). An output folder that cannot be written is refused before
any work starts.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analys import reference
from analys.errors import AnalysError, ParamsError
from analys.format import number
from analys.goals import Area, list_areas, load_area, params_dir
from analys.render.index import update_manifest, write_index
from analys.render.jobs import Job, JobResult, WorkbookJob

AREA_TEMPLATE = "omrade.ipynb"
OVERVIEW_TEMPLATE = "oversikt.ipynb"
OVERVIEW = "oversikt"
WORKBOOK = "nyckeltal"  # OUT/<municipality>/nyckeltal.xlsx (--xlsx)
DEFAULT_DEMO_MUNICIPALITY = "1880"


# where things are ---------------------------------------------------------------------------


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[3]


def notebooks_dir() -> Path:
    """The report templates: ``./notebooks`` when it has them, else the repository's."""
    local = Path.cwd() / "notebooks"
    if (local / AREA_TEMPLATE).is_file():
        return local
    return _repo_root() / "notebooks"


# areas --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaSpec:
    """One validated params file as the renderer needs it."""

    area: Area
    ref: str  # what to pass on: the name, or the absolute path of a params file

    @property
    def name(self) -> str:
        return self.area.area

    @property
    def title(self) -> str:
        return self.area.title

    @property
    def params(self) -> dict[str, Any]:
        return self.area.params

    @property
    def unit_type(self) -> str:
        return self.area.kind

    @property
    def default_municipality(self) -> str:
        return self.area.municipality

    @property
    def source(self) -> str:
        return self.area.source

    def kpis(self) -> list[str]:
        """Every KPI id the area uses: indicators, drivers and cost."""
        return self.area.kpis


def load_area_spec(name_or_path: str) -> AreaSpec:
    """Validate one area with :func:`analys.goals.load_area`; ``ParamsError`` when bad."""
    text = str(name_or_path)
    area = load_area(text)
    looks_like_path = text.endswith((".yaml", ".yml")) or os.sep in text or "/" in text
    return AreaSpec(area=area, ref=str(Path(area.path).resolve()) if looks_like_path else text)


# planning -----------------------------------------------------------------------------------


def _check_municipality(code: str) -> str:
    code = str(code).strip()
    if code == reference.RIKET:
        raise ParamsError(
            "-m: '0000' är Riket – ange en kommun (t.ex. 1880) eller en region (t.ex. 0018)"
        )
    if reference.unit_type(code) is None:
        hits = reference.find(code)[:5]
        hint = (
            (" – menade du " + ", ".join(f"{h} {reference.title(h)}" for h in hits) + "?")
            if hits
            else " – ange en fyrsiffrig kommunkod (t.ex. 1880) eller regionkod (0018)"
        )
        raise ParamsError(f"-m: '{code}' är ingen känd kommun eller region{hint}")
    return code


def _pairs(
    specs: list[AreaSpec], municipalities: list[str], explicit_areas: bool, all_municipalities: bool
) -> list[tuple[AreaSpec, str]]:
    """Which area is rendered for which municipality (types must agree: K or L)."""
    problems: list[str] = []
    pairs: list[tuple[AreaSpec, str]] = []
    for spec in specs:
        if all_municipalities:
            codes = reference.kommun_codes() if spec.unit_type == "K" else reference.region_codes()
        elif municipalities:
            codes = [m for m in municipalities if reference.unit_type(m) == spec.unit_type]
            if not codes and explicit_areas:
                kind = "kommuner" if spec.unit_type == "K" else "regioner"
                problems.append(
                    f"område '{spec.name}' gäller {kind}, men inga {kind} angavs "
                    f"med -m (t.ex. {spec.default_municipality})"
                )
        else:
            codes = [spec.default_municipality]
        pairs.extend((spec, code) for code in codes)
    for code in municipalities:
        if not any(m == code for _, m in pairs):
            kind = "kommunen" if reference.unit_type(code) == "K" else "regionen"
            problems.append(
                f"-m {code}: inget av de valda områdena gäller {kind} {reference.title(code)}"
            )
    if problems:
        raise ParamsError(problems)
    return pairs


def _check_year(year: int | None, source: str, years: set[int]) -> None:
    if year is None:
        return
    if not years:
        raise ParamsError(f"--year: källan {source} har inga värden för områdenas nyckeltal")
    if int(year) not in years:
        raise ParamsError(
            f"--year: {year} finns inte i källan {source} – välj ett år mellan "
            f"{min(years)} och {max(years)}"
        )


def _load_cache(specs: list[AreaSpec], source: str, path: Path) -> tuple[set[int], dict[str, str]]:
    """Load every KPI of ``specs`` for all units and years once; write it to ``path``.

    Returns the years with data and, by area name, why an area's data could not be loaded
    (a store that lacks its KPIs, say): those areas fail alone, the others render.
    """
    from analys.data import load_values

    kpis = sorted({k for spec in specs for k in spec.kpis()})
    problems: dict[str, str] = {}
    try:
        frame = load_values(kpis, None, None, source=source, genders=None)
    except AnalysError as error:
        if len(specs) < 2:
            problems = {spec.name: str(error) for spec in specs}
            frame = None
        else:  # find the areas that lack data; load what the others need
            frames = []
            for spec in specs:
                try:
                    frames.append(load_values(spec.kpis(), None, None, source=source, genders=None))
                except AnalysError as own:
                    problems[spec.name] = str(own)
            frame = None
            if frames:
                import pandas as pd

                frame = pd.concat(frames, ignore_index=True).drop_duplicates(
                    ["kpi", "municipality", "year", "gender"]
                )
    if frame is None:
        from analys.frame import empty_values

        frame = empty_values()
    frame.to_parquet(path, index=False)
    return {int(y) for y in frame["year"].unique()}, problems


def _os_reason(error: OSError) -> str:
    """Why a file operation failed, in Swedish."""
    import errno

    reasons = {
        errno.EACCES: "saknar skrivbehörighet",
        errno.EPERM: "saknar skrivbehörighet",
        errno.EROFS: "skrivskyddat filsystem",
        errno.ENOSPC: "disken är full",
        errno.ENOTDIR: "en del av sökvägen är en fil",
    }
    return reasons.get(error.errno or 0, f"fel {errno.errorcode.get(error.errno or 0, error)}")


def _check_out(out: Path) -> None:
    """Refuse an output folder that cannot be written, before any work starts.

    An existing folder is tried with a small probe file; a missing one must be creatable
    in its nearest existing parent (nothing is created here).
    """
    target = out
    while not target.exists():
        if target.parent == target:
            break
        target = target.parent
    reason = ""
    if target.exists() and not target.is_dir():
        reason = f"{target} är en fil, ingen mapp"
    else:
        try:
            fd, probe = tempfile.mkstemp(prefix=".analys-write-test-", dir=target)
            os.close(fd)
            os.unlink(probe)
        except OSError as error:
            reason = f"{target} går inte att skriva i ({_os_reason(error)})"
    if reason:
        raise ParamsError(
            f"--out: utmappen {out} kan inte användas – {reason}; välj en annan mapp med "
            "--out eller ge skrivbehörighet"
        )


# results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportStatus:
    """One rendered (or failed) report."""

    key: str
    kind: str
    area: str
    title: str
    municipality: str
    municipality_name: str
    status: str  # ok | failed | interrupted | not_run (see REPORT_STATUSES)
    ipynb: Path  # the file written (``.failed.ipynb`` on failure)
    html: Path
    seconds: float
    error: str = ""
    summary: dict[str, Any] | None = None
    attempts: int = 1
    problems: tuple[str, ...] = ()  # side products (the PDF) that failed; Swedish

    @property
    def pdf(self) -> Path:
        """The report's PDF (written with ``--pdf`` when the report rendered)."""
        return self.html.with_suffix(".pdf")


@dataclass(frozen=True)
class WorkbookStatus:
    """One municipality's Excel workbook (``--xlsx``)."""

    municipality: str
    path: Path
    status: str  # ok | failed
    error: str = ""


#: what became of a planned report, in Swedish (the index shows the same words)
REPORT_STATUSES = {
    "ok": "klar",
    "failed": "misslyckad",
    "interrupted": "avbruten",
    "not_run": "ej körd",
}
SIGNAL_TEXTS = {
    signal.SIGINT: "Ctrl-C (SIGINT)",
    signal.SIGTERM: "SIGTERM",
    **({signal.SIGHUP: "SIGHUP (terminalen stängdes)"} if hasattr(signal, "SIGHUP") else {}),
}


def _signal_text(signum: int) -> str:
    return SIGNAL_TEXTS.get(signum, f"signal {signum}")


@dataclass(frozen=True)
class RenderSummary:
    """What a batch did: the reports, the index and the time taken.

    ``interrupted`` is the signal that stopped the batch (``None`` when it ran to the end).
    """

    out: Path
    index: Path | None
    reports: tuple[ReportStatus, ...]
    seconds: float
    data_seconds: float = 0.0
    notes: tuple[str, ...] = ()  # e.g. units skipped by --units for lack of data
    interrupted: int | None = None
    workbooks: tuple[WorkbookStatus, ...] = ()

    @property
    def rendered(self) -> list[ReportStatus]:
        return [r for r in self.reports if r.status == "ok"]

    @property
    def failed(self) -> list[ReportStatus]:
        """Reports that did not render (failed, interrupted or not run)."""
        return [r for r in self.reports if r.status != "ok"]

    def with_status(self, status: str) -> list[ReportStatus]:
        return [r for r in self.reports if r.status == status]

    @property
    def exit_code(self) -> int:
        """0 when every report (and PDF and workbook asked for) was made, 1 when some failed;
        ``128 + signal`` when stopped by a signal (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP)."""
        if self.interrupted is not None:
            return 128 + int(self.interrupted)
        side = any(r.problems for r in self.reports) or any(
            w.status != "ok" for w in self.workbooks
        )
        return 1 if self.failed or side else 0

    def text(self) -> str:
        """A short Swedish summary for the terminal."""
        n = len(self.reports)
        per = f", {number(self.seconds / n, 2)} s per rapport" if n else ""
        failed = self.with_status("failed")
        if self.interrupted is not None:
            lines = [
                f"Avbrutet av {_signal_text(self.interrupted)}: {len(self.rendered)} rapporter "
                f"klara, {len(failed)} misslyckades, "
                f"{len(self.with_status('interrupted'))} avbröts, "
                f"{len(self.with_status('not_run'))} kördes inte – tid "
                f"{number(self.seconds, 1)} s."
            ]
        else:
            lines = [
                f"Klart: {len(self.rendered)} rapporter skapade, {len(self.failed)} "
                f"misslyckades – tid {number(self.seconds, 1)} s{per}."
            ]
        for report in failed:
            where = f" (se {report.html})" if report.html.is_file() else ""
            lines.append(
                f"  Misslyckades: {report.municipality} {report.title}: {report.error}{where}"
            )
        for note in self.notes[:10]:
            lines.append(f"  {note}")
        if len(self.notes) > 10:
            lines.append(f"  … och {len(self.notes) - 10} anteckningar till.")
        for report in self.reports:
            for problem in report.problems:
                lines.append(f"  {report.municipality} {report.title}: {problem}")
        for book in self.workbooks:
            if book.status == "ok":
                lines.append(f"Excel: {book.path}")
            else:
                lines.append(f"  Excel för {book.municipality} misslyckades: {book.error}")
        lines.append(f"Index: {self.index}" if self.index else "Index: inte uppdaterat")
        return "\n".join(lines)


class BatchInterrupted(KeyboardInterrupt):
    """A batch stopped by SIGINT (Ctrl-C), SIGTERM or SIGHUP.

    A ``KeyboardInterrupt``, so code that handles Ctrl-C handles the others alike.
    :func:`render` stops the workers and their kernels, indexes what finished and re-raises
    with ``summary`` set (``None`` when no report had started).
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = int(signum)
        self.done: dict[str, JobResult] = {}
        self.inflight: list[str] = []
        self.summary: RenderSummary | None = None

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


_HELD: dict[str, Any] = {"depth": 0, "pending": None}


@contextlib.contextmanager
def _hold_interrupt() -> Iterator[None]:
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
def _stop_signals() -> Iterator[None]:
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


class _Pool:
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
        from analys.render.jobs import worker_entry

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
        proc.start()
        theirs.close()  # only the worker holds its end: the pipe closes when it dies
        worker = self.workers[worker_id] = _Worker(proc, mine)
        return worker

    def __enter__(self) -> _Pool:
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

        from tqdm import tqdm

        pending: deque[tuple[Job, int]] = deque((job, 0) for job in jobs)
        done: dict[str, JobResult] = {}
        starts_left = self.size + 2 * len(jobs)  # replacements allowed (no endless crash loop)
        bar = tqdm(
            total=len(jobs),
            desc="Renderar",
            unit="rapport",
            file=sys.stderr,
            disable=not progress,
            dynamic_ncols=True,
        )

        def finish(result: JobResult) -> None:
            done[result.key] = result
            if result.status != "ok":
                failed = sum(r.status != "ok" for r in done.values())
                bar.set_description(f"Renderar ({failed} misslyckade)")
            bar.update(1)

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
                        bar.set_postfix_str(job.label, refresh=True)
                handles = [w.conn for w in self.workers.values()]
                handles += [w.proc.sentinel for w in self.workers.values()]
                wait(handles, timeout=0.5)
                for worker_id, worker in list(self.workers.items()):
                    with _hold_interrupt():  # a result read is a result stored
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


# the public entry points ---------------------------------------------------------------------


def plan(
    areas: Sequence[str] | None,
    municipalities: Sequence[str] | None = None,
    *,
    all_municipalities: bool = False,
    source: str | None = None,
    jobs: int | None = None,
    pdf: bool = False,
    cluster: str | None = None,
) -> list[tuple[AreaSpec, str]]:
    """Check the arguments and return the (area, municipality) pairs to render.

    Raises :class:`ParamsError` listing every problem (unknown area or code, bad source,
    types that do not match, ``jobs`` < 1). Nothing is written.
    """
    from analys.data import check_source

    problems: list[str] = []
    if source is not None:
        try:
            check_source(source)
        except ParamsError as error:
            problems.extend(error.problems)
    if jobs is not None and int(jobs) < 1:
        problems.append(f"--jobs: {jobs} – ange minst 1 arbetsprocess")
    if cluster is not None:
        from analys.render.cluster import parse_cluster

        try:
            parse_cluster(cluster)
            if jobs is not None:
                problems.append(
                    "--jobs gäller den lokala poolen – med --cluster bestämmer klustrets "
                    "arbetare (local:N för N arbetare här)"
                )
        except ParamsError as error:
            problems.extend(error.problems)
    if pdf:
        from analys.render.pdf import check_pdf_support

        try:
            check_pdf_support()
        except ParamsError as error:
            problems.extend(error.problems)
    if all_municipalities and municipalities:
        problems.append("ange antingen -m KOD eller --all-municipalities, inte båda")
    explicit = bool(areas)
    specs: list[AreaSpec] = []
    for name in list(areas) if areas else list_areas():
        try:
            specs.append(load_area_spec(name))
        except ParamsError as error:
            problems.extend(error.problems)
    if not specs and not problems:
        problems.append(f"inga områden att rendera – lägg params-filer i {params_dir()}")
    codes: list[str] = []
    for code in municipalities or []:
        try:
            codes.append(_check_municipality(code))
        except ParamsError as error:
            problems.extend(error.problems)
    if problems:
        raise ParamsError(problems)
    return _pairs(specs, list(dict.fromkeys(codes)), explicit, all_municipalities)


def render(
    areas: Sequence[str] | None,
    municipalities: Sequence[str] | None = None,
    *,
    year: int | None = None,
    source: str | None = None,
    out: str | Path = "reports",
    jobs: int | None = None,
    fresh_kernels: bool = False,
    show_code: bool = False,
    progress: bool = True,
    all_municipalities: bool = False,
    overview: bool = True,
    notebooks: str | Path | None = None,
    units: bool = False,
    pdf: bool = False,
    xlsx: bool = False,
    cluster: str | None = None,
) -> RenderSummary:
    """Render area reports for municipalities, one overview per municipality, and the index.

    Parameters
    ----------
    areas
        Area names in ``params/`` or paths to params files; empty/``None`` for all areas.
    municipalities
        Municipality or region codes; each area is rendered for those of its type (K or L).
        Empty/``None``: each area's own default municipality.
    year
        The report year; ``None`` for each report's latest year with data.
    source
        ``demo``, ``kolada`` or ``store``; ``None`` keeps each params file's source.
    out
        Output folder (``OUT/<municipality>/<area>.ipynb|.html``, ``OUT/index.html``).
    jobs
        Worker processes; default ``os.cpu_count()``.
    fresh_kernels
        A new kernel per notebook instead of one warm kernel per worker.
    show_code
        Keep code cells in the HTML (the ``.ipynb`` always keeps them).
    progress
        Show a tqdm progress bar on stderr.
    all_municipalities
        Every municipality (290) or region (21) of each area's type.
    overview
        Also render ``oversikt`` per municipality (when the template exists).
    notebooks
        Folder holding ``omrade.ipynb`` and ``oversikt.ipynb`` (default :func:`notebooks_dir`).
    units
        Also one report per unit (school, care home …) of each area with unit KPIs, from
        ``enhet.ipynb``: ``OUT/<municipality>/<area>/<ou-id>.html`` (:mod:`analys.render.units`);
        units without data are skipped with a note in the summary.
    pdf
        Also print ``<area>.pdf`` beside each report's HTML (:mod:`analys.render.pdf`; needs Chromium).
    xlsx
        Also write one workbook per municipality, ``OUT/<municipality>/nyckeltal.xlsx``
        (:mod:`analys.render.workbook`).
    cluster
        Run on a Dask cluster instead of the local pool: ``tcp://HOST:PORT`` of a running
        scheduler, or ``local:N`` for a LocalCluster of N workers (:mod:`analys.render.cluster`).

    Returns
    -------
    RenderSummary
        The reports with status; ``exit_code`` is 1 when any failed.

    Raises
    ------
    ParamsError
        Bad arguments, before anything is executed or written.
    """
    started = time.perf_counter()
    pairs = plan(
        areas,
        municipalities,
        all_municipalities=all_municipalities,
        source=source,
        jobs=jobs,
        pdf=pdf,
        cluster=cluster,
    )
    templates = Path(notebooks) if notebooks else notebooks_dir()
    if not (templates / AREA_TEMPLATE).is_file():
        raise ParamsError(f"rapportmallen {templates / AREA_TEMPLATE} saknas")
    out = Path(out).resolve()
    _check_out(out)
    options = {"fresh_kernels": fresh_kernels, "show_code": show_code, "pdf": pdf}
    overviews = len({code for _, code in pairs}) if overview else 0
    workers = min(jobs or os.cpu_count() or 1, len(pairs) + overviews)
    with _stop_signals():
        by_source: dict[str, dict[str, AreaSpec]] = {}
        for spec, _ in pairs:
            by_source.setdefault(source or spec.source, {})[spec.name] = spec
        jobs_list: list[Job] = []
        results: dict[str, JobResult] = {}
        notes: list[str] = []
        books: list[WorkbookJob] = []
        data_seconds = 0.0
        pool: _Pool | None = None
        scratch: Path | None = None
        try:
            try:
                scratch = Path(tempfile.mkdtemp(prefix="analys-render-"))
                caches = {src: str(scratch / f"values-{src}.parquet") for src in by_source}
                jobs_list = _jobs(
                    pairs,
                    templates,
                    out,
                    caches,
                    year=year,
                    source=source,
                    show_code=show_code,
                    overview=overview,
                )
                if units:
                    from analys.render.units import unit_jobs

                    for spec, code in pairs:
                        extra, skipped = unit_jobs(
                            spec,
                            code,
                            templates,
                            out,
                            source=source or spec.source,
                            year=year,
                            show_code=show_code,
                        )
                        jobs_list += extra
                        notes += skipped
                # the workers launch their kernels while the data is loaded
                with _open_pool(cluster, workers, options, scratch) as pool:
                    problems: dict[str, str] = {}
                    for src, named in by_source.items():
                        specs = list(named.values())
                        years, missing = _load_cache(specs, src, Path(caches[src]))
                        if len(missing) < len(specs):
                            _check_year(year, src, years)
                        problems.update(missing)
                    data_seconds = time.perf_counter() - started
                    results = {
                        job.key: _no_data(job, problems[job.area])
                        for job in jobs_list
                        if job.kind == "area" and job.area in problems
                    }
                    out.mkdir(parents=True, exist_ok=True)
                    todo = [job for job in jobs_list if job.key not in results]
                    if xlsx:
                        books = _workbook_jobs(pairs, out, caches, year=year, source=source)
                    results.update(pool.run([*todo, *books], progress=progress))
            finally:
                if scratch is not None:
                    shutil.rmtree(scratch, ignore_errors=True)
        except BatchInterrupted as stop:
            results.update(stop.done)
            began = pool is not None and pool.started_jobs > 0
            reports = tuple(
                _status(job, results.get(job.key) or _stopped(job, stop, stop.inflight))
                for job in jobs_list
            )
            index_path = _write_index(out, reports, jobs_list) if began else None
            stop.summary = RenderSummary(
                out=out,
                index=index_path,
                reports=reports,
                seconds=time.perf_counter() - started,
                data_seconds=data_seconds,
                interrupted=stop.signum,
            )
            raise
        reports = tuple(_status(job, results[job.key]) for job in jobs_list)
        index_path = _write_index(out, reports, jobs_list)
    return RenderSummary(
        out=out,
        index=index_path,
        reports=reports,
        seconds=time.perf_counter() - started,
        data_seconds=data_seconds,
        notes=tuple(notes),
        workbooks=tuple(
            WorkbookStatus(
                municipality=book.municipality,
                path=Path(book.path),
                status=results[book.key].status,
                error=results[book.key].error,
            )
            for book in books
        ),
    )


def _open_pool(cluster: str | None, workers: int, options: dict[str, Any], scratch: Path) -> Any:
    """The local pool, or with ``cluster`` the Dask one (:class:`analys.render.cluster.ClusterPool`)."""
    if cluster is None:
        return _Pool(workers, options, scratch)
    from analys.render.cluster import ClusterPool, parse_cluster

    return ClusterPool(parse_cluster(cluster), options, scratch)


def _write_index(out: Path, reports: tuple[ReportStatus, ...], jobs: list[Job]) -> Path:
    """Merge every planned report (whatever its status) into the manifest; write the index."""
    out.mkdir(parents=True, exist_ok=True)
    entries = {r.key: _entry(r, job, out) for r, job in zip(reports, jobs, strict=True)}
    return write_index(out, update_manifest(out, entries))


def _no_data(job: Job, problem: str) -> JobResult:
    return JobResult(
        key=job.key,
        status="failed",
        seconds=0.0,
        error=f"data saknas för området: {problem}",
        attempts=0,
    )


def _stopped(job: Job, stop: BatchInterrupted, inflight: list[str]) -> JobResult:
    why = _signal_text(stop.signum)
    if job.key in inflight:
        return JobResult(
            key=job.key,
            status="interrupted",
            seconds=0.0,
            error=f"avbröts av {why} medan rapporten skapades",
        )
    return JobResult(
        key=job.key,
        status="not_run",
        seconds=0.0,
        error=f"kördes inte – körningen avbröts av {why}",
        attempts=0,
    )


def _workbook_jobs(
    pairs: list[tuple[AreaSpec, str]],
    out: Path,
    caches: dict[str, str],
    *,
    year: int | None,
    source: str | None,
) -> list[WorkbookJob]:
    """One workbook job per municipality, over the areas rendered for it."""
    per_municipality: dict[str, list[AreaSpec]] = {}
    for spec, code in pairs:
        per_municipality.setdefault(code, []).append(spec)
    books = []
    for code, specs in per_municipality.items():
        src = source or specs[0].source
        books.append(
            WorkbookJob(
                key=f"{code}/{WORKBOOK}.xlsx",
                municipality=code,
                municipality_name=reference.title(code),
                areas=tuple(s.ref for s in specs),
                source=src,
                data_cache=caches[src],
                year=year,
                path=str(out / code / f"{WORKBOOK}.xlsx"),
            )
        )
    return books


def _jobs(
    pairs: list[tuple[AreaSpec, str]],
    templates: Path,
    out: Path,
    caches: dict[str, str],
    *,
    year: int | None,
    source: str | None,
    show_code: bool,
    overview: bool,
) -> list[Job]:
    jobs: list[Job] = []
    per_municipality: dict[str, list[AreaSpec]] = {}
    for spec, code in pairs:
        src = source or spec.source
        params = dict(spec.params, municipality=code, source=src, data_cache=caches[src])
        if year is not None:
            params["year"] = int(year)
        folder = out / code
        jobs.append(
            Job(
                key=f"{code}/{spec.name}",
                kind="area",
                area=spec.name,
                title=spec.title,
                municipality=code,
                municipality_name=reference.title(code),
                template=str(templates / AREA_TEMPLATE),
                parameters=params,
                ipynb=str(folder / f"{spec.name}.ipynb"),
                html=str(folder / f"{spec.name}.html"),
                show_code=show_code,
            )
        )
        per_municipality.setdefault(code, []).append(spec)
    if overview and (templates / OVERVIEW_TEMPLATE).is_file():
        for code, specs in per_municipality.items():
            src = source or specs[0].source
            params = {
                "municipality": code,
                "year": year,
                "source": src,
                "areas": [s.ref for s in specs],
                "data_cache": caches[src],
            }
            folder = out / code
            jobs.append(
                Job(
                    key=f"{code}/{OVERVIEW}",
                    kind="overview",
                    area=OVERVIEW,
                    title="Översikt – alla områden",
                    municipality=code,
                    municipality_name=reference.title(code),
                    template=str(templates / OVERVIEW_TEMPLATE),
                    parameters=params,
                    ipynb=str(folder / f"{OVERVIEW}.ipynb"),
                    html=str(folder / f"{OVERVIEW}.html"),
                    show_code=show_code,
                )
            )
    return jobs


def _status(job: Job, result: JobResult) -> ReportStatus:
    ok = result.status == "ok"
    failed = result.status == "failed"
    return ReportStatus(
        key=job.key,
        kind=job.kind,
        area=job.area,
        title=job.title,
        municipality=job.municipality,
        municipality_name=job.municipality_name,
        status=result.status,
        ipynb=Path(job.failed_ipynb if failed else job.ipynb),
        html=Path(job.failed_html if failed else job.html),
        seconds=result.seconds,
        error=result.error,
        summary=result.summary if ok else None,
        attempts=result.attempts,
        problems=tuple(result.problems),
    )


def _entry(report: ReportStatus, job: Job, out: Path) -> dict[str, Any]:
    """The manifest entry of one planned report; links only to files that exist.

    A report that rendered links its files; a failed one its ``.failed.*`` files when they
    could be written; an interrupted or skipped one nothing of its own. The index links the
    last good version (``good_html``) beside every report that is not ``ok``.
    """

    def rel(path: Path) -> str:
        return path.relative_to(out).as_posix() if path.is_file() else ""

    own = report.status in ("ok", "failed")
    return {
        "municipality": report.municipality,
        "municipality_name": report.municipality_name,
        "area": report.area,
        "title": report.title,
        "kind": report.kind,
        "status": report.status,
        "error": report.error,
        "summary": report.summary,
        "html": rel(report.html) if own else "",
        "ipynb": rel(report.ipynb) if own else "",
        "good_html": Path(job.html).relative_to(out).as_posix(),
        "source": job.parameters.get("source"),
        "year": job.parameters.get("year"),
        "rendered": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _print(text: str, *, err: bool = False) -> None:
    """Print, ignoring a terminal that is gone (SIGHUP, a closed pipe); characters the
    terminal cannot show (a lone surrogate in a title) are replaced, not fatal."""
    stream = sys.stderr if err else sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    text = text.encode(encoding, "replace").decode(encoding, "replace")
    with contextlib.suppress(OSError, ValueError):
        print(text, file=stream, flush=True)


def _interrupted(command: str, stop: BatchInterrupted) -> int:
    if stop.summary is not None:
        _print(stop.summary.text())
    else:
        _print(
            f"{command}: avbrutet av {_signal_text(stop.signum)} innan någon rapport hann "
            "starta – inget skrevs.",
            err=True,
        )
    return stop.exit_code


def run_cli(
    areas: Sequence[str],
    municipalities: Sequence[str],
    all_municipalities: bool,
    year: int | None,
    source: str | None,
    out: str,
    jobs: int | None,
    fresh_kernels: bool,
    show_code: bool,
    units: bool = False,
    pdf: bool = False,
    xlsx: bool = False,
    cluster: str | None = None,
) -> int:
    """``analys render``: 0 when all reports rendered, 1 when some failed, 2 for bad input."""
    try:
        summary = render(
            areas,
            municipalities,
            year=year,
            source=source,
            out=out,
            jobs=jobs,
            fresh_kernels=fresh_kernels,
            show_code=show_code,
            all_municipalities=all_municipalities,
            units=units,
            pdf=pdf,
            xlsx=xlsx,
            cluster=cluster,
        )
    except ParamsError as error:
        print(f"analys render: {error}", file=sys.stderr)
        return 2
    except BatchInterrupted as stop:
        return _interrupted("analys render", stop)
    _print(summary.text())
    return summary.exit_code


def demo_municipalities() -> list[str]:
    """The demo municipality (Örebro, 1880) and its region (0018)."""
    try:
        from analys.demo import DEMO_MUNICIPALITY as code
    except ImportError:
        code = DEFAULT_DEMO_MUNICIPALITY
    units = reference.municipalities()
    region = units.loc[units["municipality"] == code, "region"]
    return [code, *(r for r in region if r)]


def run_demo(out: str = "reports") -> int:
    """``analys demo``: every area plus the overview for the demo municipality, demo data.

    Municipal areas render for 1880 Örebro, the region area(s) for its region 0018, each also
    as PDF when Chromium is installed, plus one Excel workbook per municipality; prints the
    path to ``index.html``. Returns 0, or 1 when a report failed.
    """
    from analys.render.pdf import chromium_path

    pdf = chromium_path() is not None
    if not pdf:
        print("analys demo: Chromium saknas – inga PDF:er skapas.", file=sys.stderr)
    try:
        summary = render(None, demo_municipalities(), source="demo", out=out, pdf=pdf, xlsx=True)
    except ParamsError as error:
        print(f"analys demo: {error}", file=sys.stderr)
        return 2
    except BatchInterrupted as stop:
        return _interrupted("analys demo", stop)
    _print(summary.text())
    _print(f"Öppna {summary.index}")
    return summary.exit_code
